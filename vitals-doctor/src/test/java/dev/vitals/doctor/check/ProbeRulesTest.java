package dev.vitals.doctor.check;

import dev.vitals.core.data.PreparedData;
import dev.vitals.core.nn.BuildContext;
import dev.vitals.core.nn.Layer;
import dev.vitals.core.nn.Mode;
import dev.vitals.core.nn.Model;
import dev.vitals.core.nn.Parameter;
import dev.vitals.core.optim.Optimizer;
import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.spec.SpecParser;
import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;
import dev.vitals.core.train.Experiment;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.rules.ProbeRule;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The probe codes of {@code vitals check}, each provoked by what it measures and kept quiet on the
 * same spec made healthy; and the same probes applied to a Java user's own layer and optimizer,
 * handed to the check through {@link Experiment.Parts}.
 */
class ProbeRulesTest {
    private static final String DIGITS = "name: t\nseed: 3\ndata: {source: digits, validation: 0.2}\n"
            + "model: {init: %s, layers: [{dense: 64}, relu, {dense: 10}]}\nloss: cross_entropy\n"
            + "optimizer: {name: %s, lr: %s}\ntrain: {epochs: 5, batch: 32}\n%s";

    private static Spec digits(String init, String optimizer, String lr, String extra) {
        return SpecParser.parse(DIGITS.formatted(init, optimizer, lr, extra), null);
    }

    private static List<Finding> check(Spec spec) { return Checkup.run(spec, null).findings(); }

    private static List<Finding> check(Spec spec, Experiment.Parts parts) {
        PreparedData data = Experiment.loadData(spec);
        return Checkup.run(spec, data, parts, null).findings();
    }

    private static List<Finding> of(List<Finding> fs, Code c) { return fs.stream().filter(f -> f.code().equals(c.name())).toList(); }

    private static void assertNoErrorOrWarning(List<Finding> fs) {
        List<Finding> bad = fs.stream().filter(f -> f.severity() != Finding.Severity.INFO).toList();
        assertTrue(bad.isEmpty(), "a healthy spec raised " + bad);
    }

    @Test
    void aHealthySpecPassesEveryProbe() {
        assertNoErrorOrWarning(check(digits("he", "adam", "0.001", "")));
    }

    @Test
    void aWrongGradientInsideAResidualBlockNamesTheLayerInside() {
        Spec s = SpecParser.parse("name: t\nseed: 3\ndata: {source: digits, validation: 0.2}\n"
                + "model: {layers: [{residual: [{dense: 64}, relu, {dense: 64}]}, relu, {dense: 10}]}\nfaults: [wrong_bias_grad]\n", null);
        Finding f = of(check(s), Code.GRADIENT_CHECK_FAILED).getFirst();
        assertTrue(f.layer().startsWith("layers.0.") && !f.layer().equals("layers.0"), f.toString());
        assertTrue(f.message().contains("in layers.0 residual"), f.message());
        assertTrue(String.valueOf(f.evidence().get("tensor")).startsWith(f.layer() + "."), f.evidence().toString());
    }

    @Test
    void aBatchTheModelCannotMemoriseThroughOneUnitNamesTheBottleneck() {
        Spec s = SpecParser.parse("name: t\nseed: 3\ndata: {source: digits, validation: 0.2}\n"
                + "model: {layers: [{dense: 64}, relu, {dense: 1}, relu, {dense: 10}]}\n", null);
        List<Finding> fs = of(check(s), Code.CANNOT_OVERFIT_BATCH);
        assertEquals(1, fs.size(), "a 1-unit layer cannot carry 10 classes through a batch");
        assertTrue(fs.get(0).message().contains("layers.2 has only 1 unit(s) for 10 classes"), fs.get(0).message());
        assertEquals(Severity.WARNING, fs.get(0).severity(), "a capacity limit, as UNDERFITTING is in training");
        // the cause and the fix say so too, not only "a bug between the loss and the weights"
        assertTrue(fs.get(0).cause().startsWith("a hidden layer too narrow for the classes (layers.2: 1 unit(s), fewer than the 4"), fs.get(0).cause());
        assertTrue(fs.get(0).fix().startsWith("widen layers.2"), fs.get(0).fix());
    }

    @Test
    void aModelWithFewerParametersThanTheBatchHasExamplesIsNamedForItsSize() {
        // 2 ReLU units on spirals, 15 parameters for a batch of 32 points: CANNOT_OVERFIT_BATCH read "a bug
        // between the loss and the weights" beside UNDERFITTING's "too small", and a 1-unit layer (the
        // bottleneck) got the warning a 2-unit one did not
        Spec s = SpecParser.parse("name: t\nseed: 1\ndata: {source: 'synthetic:spirals', validation: 0.2}\n"
                + "model: {init: he, layers: [{dense: 2}, relu, {dense: 3}]}\noptimizer: {name: adam, lr: 0.01}\ntrain: {epochs: 20, batch: 32}\n", null);
        List<Finding> fs = probe(new dev.vitals.doctor.rules.CannotOverfitBatch(), s, new Measurements());
        assertEquals(1, fs.size(), "the premise: 2 units cannot memorise 32 spiral points");
        assertEquals(Severity.WARNING, fs.get(0).severity());
        assertEquals(15L, fs.get(0).evidence().get("trainable_parameters"));
        assertTrue(fs.get(0).message().contains("it has only 15 trainable parameters for 32 examples"), fs.get(0).message());
        assertTrue(fs.get(0).cause().startsWith("a model too small to memorise the batch (15 trainable parameters for 32 examples)"), fs.get(0).cause());
        // the same spirals through 64 units memorise the batch: nothing to report
        assertTrue(probe(new dev.vitals.doctor.rules.CannotOverfitBatch(), SpecParser.parse(
                "name: t\nseed: 1\ndata: {source: 'synthetic:spirals', validation: 0.2}\n"
                        + "model: {init: he, layers: [{dense: 64}, relu, {dense: 3}]}\noptimizer: {name: adam, lr: 0.01}\ntrain: {epochs: 20, batch: 32}\n", null),
                new Measurements()).isEmpty());
        // a model large enough that still cannot fit the batch (its updates never land) stays an error
        List<Finding> stale = probe(new dev.vitals.doctor.rules.CannotOverfitBatch(), SpecParser.parse(
                "name: t\nseed: 1\ndata: {source: 'synthetic:spirals', validation: 0.2}\n"
                        + "model: {init: he, layers: [{dense: 64}, relu, {dense: 3}]}\noptimizer: {name: adam, lr: 0.01}\ntrain: {epochs: 20, batch: 32}\n"
                        + "faults: [stale_updates]\n", null), new Measurements());
        assertEquals(1, stale.size());
        assertEquals(Severity.ERROR, stale.get(0).severity(), stale.get(0).message());
    }

    @Test
    void aBatchTheModelCannotMemoriseThroughAStridePastItsKernelNamesTheLayer(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // 12x12 images whose class is a bright block in their lower half; a 3x3 convolution at stride 20
        // reads only the top-left 3x3 pixels (9 of 144) and sees nothing of it: "a bug between the loss
        // and the weights", where the layer's reach is the reason
        int n = 160, side = 12;
        byte[] pixels = new byte[n * side * side], labels = new byte[n];
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < n; i++) {
            int c = i % 4;
            labels[i] = (byte) c;
            for (int y = 6; y < 9; y++) for (int x = 3 * c; x < 3 * c + 3; x++) pixels[i * side * side + y * side + x] = (byte) (200 + r.nextInt(50));
        }
        idx(dir.resolve("train-images-idx3-ubyte"), 0x0803, new int[] {n, side, side}, pixels);
        idx(dir.resolve("train-labels-idx1-ubyte"), 0x0801, new int[] {n}, labels);
        for (int stride : new int[] {20, 1}) {
            Spec s = SpecParser.parse("name: t\nseed: 1\ndata: {source: 'idx:" + dir.toString().replace("\\", "/") + "', validation: 0.2}\n"
                    + "model: {layers: [{conv2d: {filters: 4, kernel: 3, stride: " + stride + "}}, flatten, {dense: 4}]}\ntrain: {epochs: 2, batch: 32}\n", null);
            List<Finding> fs = of(check(s), Code.CANNOT_OVERFIT_BATCH);
            if (stride == 1) {
                assertTrue(fs.isEmpty(), "the whole image read: the batch is memorised: " + fs);
                continue;
            }
            assertEquals(1, fs.size());
            assertEquals(Severity.WARNING, fs.get(0).severity(), "the model's reach, not a bug");
            assertTrue(fs.get(0).message().contains("layers.0 reads only 6.3% of its input's positions"), fs.get(0).message());
            assertTrue(fs.get(0).cause().startsWith("a layer that reads only 6.3% of its input's positions (layers.0, conv2d 4 3x3 stride 20 on 1x12x12)"), fs.get(0).cause());
        }
    }

    private static void idx(java.nio.file.Path file, int magic, int[] dims, byte[] data) throws java.io.IOException {
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(java.nio.file.Files.newOutputStream(file))) {
            out.writeInt(magic);
            for (int d : dims) out.writeInt(d);
            out.write(data);
        }
    }

    @Test
    void aLiveRunsShortFirstEpochAboveThePriorIsNoOvershoot() {
        // wine under adamw with batchnorm, 9 steps an epoch: its first epoch's mean sits above ln 3 where its
        // initialisation put it, and its epochs wobble by a tenth; a log's "overshot first epoch" read it as a
        // rate too high, a warning on a healthy spec
        Spec s = SpecParser.parse("name: wine-adamw-bn\nseed: 2\ndata: {source: wine, validation: 0.2, normalize: standard}\n"
                + "model: {init: he, layers: [{dense: 64}, batchnorm, relu, {dropout: 0.2}, {dense: 32}, batchnorm, relu, {dense: 3}]}\n"
                + "optimizer: {name: adamw, lr: 0.003, weight_decay: 0.01}\nschedule: {name: cosine, warmup: 2, min_lr: 0.0001}\ntrain: {epochs: 30, batch: 16}\n", null);
        List<Finding> fs = check(s);
        assertTrue(fs.stream().noneMatch(f -> f.code().equals("LEARNING_RATE_TOO_HIGH")), fs.toString());
        assertTrue(fs.stream().noneMatch(Finding::isError), fs.toString());
    }

    @Test
    void aBatchMemorisedOnlyAtTenTimesTheRateIsASmallRateNotABug() {
        // plain SGD at 5e-4: the batch's loss falls steadily, 0.92 -> 0.71 in 300 steps, without memorising it
        Spec s = SpecParser.parse("name: t\nseed: 1\ndata: {source: breast-cancer}\nmodel: {layers: [{dense: 32}, relu, {dense: 2}]}\n"
                + "optimizer: {name: sgd, lr: 0.0005, momentum: 0}\ntrain: {epochs: 30, batch: 32}\n", null);
        Measurements m = new Measurements();
        List<Finding> fs = probe(new dev.vitals.doctor.rules.CannotOverfitBatch(), s, m);
        assertTrue(fs.isEmpty(), fs + " " + m.values());
        assertEquals(0.005, (double) m.values().get("retry_lr"), 1e-12, m.values().toString());
        assertTrue((double) m.values().get("best_batch_accuracy") < 1, "not memorised at the spec's rate: " + m.values());
        // a flat loss is not retried: a rate applied twice (1e-3 squared) stays a finding. (At 1e-2 squared the
        // loss falls steadily, 2.81 -> 2.64, and memorises the batch at ten times the rate: to this probe that is a
        // rate too small, and UPDATE_RULE_MISMATCH names the bug)
        List<Finding> twice = of(check(digits("he", "sgd", "0.001", ""), userParts(false, true)), Code.CANNOT_OVERFIT_BATCH);
        assertEquals(1, twice.size(), "expected CANNOT_OVERFIT_BATCH");
        List<Finding> twiceAtTen = check(digits("he", "sgd", "0.01", ""), userParts(false, true));
        assertEquals(1, of(twiceAtTen, Code.UPDATE_RULE_MISMATCH).size(), twiceAtTen.toString());
        // a loss falling slowly but at an even pace is retried too: plain SGD at 1e-3 on digits, 2.25 -> 2.16 -> 2.08,
        // was "a bug between the loss and the weights" while the range test and the short run blamed the rate
        Measurements slow = new Measurements();
        List<Finding> none = probe(new dev.vitals.doctor.rules.CannotOverfitBatch(), SpecParser.parse("name: t\nseed: 1\ndata: {source: digits, validation: 0.1}\n"
                + "model: {layers: [{dense: 32}, relu, {dense: 10}]}\noptimizer: {name: sgd, lr: 0.001}\ntrain: {epochs: 5, batch: 32}\n", null), slow);
        assertTrue(none.isEmpty(), none + " " + slow.values());
        assertEquals(0.01, (double) slow.values().get("retry_lr"), 1e-12, slow.values().toString());
    }

    @Test
    void aSmallNetworkThatLearnsMostOfAnOverlappingBatchHasAnIssueOfCapacityNotABug(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        // two overlapping 2-D Gaussian classes, 8 ReLU units: the batch of 16 gets to 81%, its loss 0.64 -> 0.36
        // (2 of 12 seeds of this data were called unable to memorise; the others memorise or halve their loss)
        SplittableRandom r = new SplittableRandom(9);
        StringBuilder csv = new StringBuilder("a,b,label\n");
        for (int i = 0; i < 200; i++) {
            int y = i % 2;
            csv.append(String.format(java.util.Locale.ROOT, "%.5f,%.5f,%d%n", nextGaussian(r) + 2.0 * (1 - y), nextGaussian(r) - 1.14 * (1 - y), y));
        }
        java.nio.file.Files.writeString(dir.resolve("plain.csv"), csv);
        java.nio.file.Path specFile = dir.resolve("plain.yaml");
        java.nio.file.Files.writeString(specFile, "name: plain\ndata: {source: 'csv:plain.csv'}\nmodel: {layers: [{dense: 8}, relu, {dense: 2}]}\n"
                + "optimizer: {lr: 0.01}\ntrain: {epochs: 2, batch: 16}\n");
        Spec s = SpecParser.read(specFile);
        Measurements m = new Measurements();
        List<Finding> fs = probe(new dev.vitals.doctor.rules.CannotOverfitBatch(), s, m);
        assertTrue(fs.isEmpty(), fs + " " + m.values());
        assertTrue((double) m.values().get("best_batch_accuracy") < 1, "the batch is not memorised, so the new condition decides: " + m.values());
    }

    /** One probe on the spec's data, with ten seconds to spend, its measurements kept in {@code m}. */
    private static List<Finding> probe(ProbeRule rule, Spec s, Measurements m) {
        return rule.probe(new ProbeContext(s, Experiment.loadData(s), m, 10_000));
    }

    private static double nextGaussian(java.util.SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    @Test
    void shuffledIrisLabelsWhoseBestEpochGainsByChanceAreStillAMismatch() {
        // 150 examples, a 10.8-point margin: the reference's best of 100 epochs reached 40% (and 40.8%)
        // against 33.3% by chance, more than half the margin, and the finding was softened to a warning
        for (int seed : new int[] {2, 3}) {
            Spec s = SpecParser.parse("name: t\nseed: " + seed + "\ndata: {source: iris, validation: 0.15}\n"
                    + "model: {layers: [{dense: 16}, relu, {dense: 3}]}\noptimizer: {name: adam, lr: 0.01}\ntrain: {epochs: 100, batch: 16}\n"
                    + "faults: [shuffled_labels]\n", null);
            Measurements m = new Measurements();
            List<Finding> fs = probe(new dev.vitals.doctor.rules.InputLabelMismatch(), s, m);
            assertEquals(1, fs.size(), "seed " + seed + ": " + m.values());
            assertEquals(Severity.ERROR, fs.get(0).severity(), "seed " + seed + ": " + fs.get(0).message() + " " + m.values());
        }
    }

    @Test
    void inputsLeftUnscaledAreNotTakenForLabelsThatDoNotBelong(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        // three well separated blobs beside a feature at 1e20, and normalize: none: training stalls
        // (DATA_UNSCALED names why), but the labels belong to their inputs
        SplittableRandom r = new SplittableRandom(0);
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            int y = i % 3;
            csv.append(String.format(java.util.Locale.ROOT, "%.6e,", nextGaussian(r) * 1e20));  // a column of ids, say
            for (int k = 0; k < 3; k++) csv.append(String.format(java.util.Locale.ROOT, "%.4f,", 3.0 * ((y + k) % 3) + nextGaussian(r)));
            csv.append(y).append('\n');
        }
        java.nio.file.Files.writeString(dir.resolve("far.csv"), csv);
        Spec s = SpecParser.parse("name: t\ndata: {source: \"csv:far.csv\", normalize: none}\n"
                + "model: {layers: [{dense: 16}, relu, {dense: 3}]}\noptimizer: {name: adam, lr: 0.001}\ntrain: {epochs: 10, batch: 16}\n", dir.resolve("t.yaml"));
        Measurements m = new Measurements();
        List<Finding> fs = probe(new dev.vitals.doctor.rules.InputLabelMismatch(), s, m);
        assertTrue(fs.isEmpty(), fs + " " + m.values());
    }

    @Test
    void aGradientCheckPastItsBudgetStillChecksEveryLayerQuickly() {
        // a busy machine: with no time left, the later layers get a quick check instead of none
        Spec s = SpecParser.parse(DIGITS.formatted("he", "adam", "0.001", "faults: [wrong_bias_grad]\n"), null);
        Measurements m = new Measurements();
        ProbeContext ctx = new ProbeContext(s, Experiment.loadData(s), m, 0);
        List<Finding> fs = new dev.vitals.doctor.rules.GradientCheckFailed().probe(ctx);
        assertEquals(1, of(fs, Code.GRADIENT_CHECK_FAILED).size(), m.values().toString());
        assertTrue((int) m.values().get("layers_checked_quickly") > 0, m.values().toString());
    }

    /** Two dropouts of 0.9 on digits: a sweep's spec that trains at chance. */
    private static Spec heavyDropout() {
        return SpecParser.parse("name: t\nseed: 1\ndata: {source: digits, validation: 0.1}\n"
                + "model: {layers: [{dense: 128}, relu, {dropout: 0.9}, {dense: 64}, relu, {dropout: 0.9}, {dense: 10}]}\n"
                + "optimizer: {name: adam, lr: 0.001}\ntrain: {epochs: 20, batch: 32}\n", null);
    }

    @Test
    void heavyDropoutIsNotTakenForWeightsTooLarge() {
        // measured as the model predicts (evaluation mode): dropout scales what survives by 1/(1-p), and a
        // sweep saw a training-mode loss of 15.96 against ln 10 blamed on the initialisation
        Spec s = heavyDropout();
        Measurements m = new Measurements();
        List<Finding> fs = probe(new dev.vitals.doctor.rules.InitialLossOff(), s, m);
        assertTrue(fs.isEmpty(), fs + " " + m.values());
        assertTrue((double) m.values().get("initial_loss") < 4, "near ln 10 as the model predicts: " + m.values());
    }

    @Test
    void dropoutTooHeavyToFitABatchIsNamedRatherThanABug() {
        Spec s = heavyDropout();
        Measurements m = new Measurements();
        List<Finding> fs = probe(new dev.vitals.doctor.rules.CannotOverfitBatch(), s, m);
        assertEquals(1, fs.size(), m.values().toString());
        assertTrue(fs.get(0).message().contains("with dropout 0.9") && fs.get(0).fix().startsWith("lower dropout"), fs.get(0).toString());
    }

    @Test
    void aWeightDecayTooStrongToFitABatchIsNamedRatherThanABug() {
        // adam with weight decay 1 (as L2): "a bug between the loss and the weights" before the retry without it
        Spec s = digits("he", "adam", "0.003", "").withOptimizer(digits("he", "adam", "0.003", "").optimizer().withWeightDecay(1));
        Measurements m = new Measurements();
        List<Finding> fs = probe(new dev.vitals.doctor.rules.CannotOverfitBatch(), s, m);
        assertEquals(1, fs.size(), m.values().toString());
        assertTrue(fs.get(0).message().contains("with weight decay 1:") && fs.get(0).fix().startsWith("lower weight_decay"), fs.get(0).toString());
        assertEquals(1.0, ((Number) fs.get(0).evidence().get(dev.vitals.doctor.rules.CannotOverfitBatch.WITHOUT_DECAY)).doubleValue(), 1e-9);
        // a usual decay memorises the batch: nothing to name
        Spec usual = s.withOptimizer(s.optimizer().withWeightDecay(5e-4));
        assertTrue(probe(new dev.vitals.doctor.rules.CannotOverfitBatch(), usual, new Measurements()).isEmpty());
    }

    @Test
    void aClipThatCutsEveryStepIsNamedRatherThanABug() {
        Spec base = digits("he", "sgd", "0.05", "");
        Spec s = base.withTrain(base.train().withClipNorm(1e-4));
        Measurements m = new Measurements();
        List<Finding> fs = probe(new dev.vitals.doctor.rules.CannotOverfitBatch(), s, m);
        assertEquals(1, fs.size(), m.values().toString());
        assertTrue(fs.get(0).message().contains("with clip_norm 1.00e-04") && fs.get(0).fix().startsWith("raise train.clip_norm"), fs.get(0).toString());
        // clip_norm 1 cuts only the rare large gradient: the batch is memorised
        assertTrue(probe(new dev.vitals.doctor.rules.CannotOverfitBatch(), base.withTrain(base.train().withClipNorm(1)), new Measurements()).isEmpty());
    }

    @Test
    void heavyDropoutWhoseInflatedLossHalvedStillNamesTheDropout() {
        // spirals through dropout 0.9 twice: the batch's loss fell from 4.40 to 2.05 (halved), its accuracy
        // at most 53%; "healthy" by check, 45% test after training (99% without the dropout)
        Spec s = SpecParser.parse("name: t\nseed: 3\ndata: {source: 'synthetic:spirals', validation: 0.2}\n"
                + "model: {init: he, layers: [{dense: 32}, relu, {dropout: 0.9}, {dense: 32}, relu, {dropout: 0.9}, {dense: 3}]}\n"
                + "optimizer: {name: adam, lr: 0.003}\ntrain: {epochs: 40, batch: 32}\n", null);
        Measurements m = new Measurements();
        List<Finding> fs = probe(new dev.vitals.doctor.rules.CannotOverfitBatch(), s, m);
        assertEquals(1, fs.size(), m.values().toString());
        assertTrue(fs.get(0).message().contains("with dropout 0.9"), fs.get(0).toString());
        // dropout 0.5, the usual ceiling: nothing to name
        Spec usual = SpecParser.parse(s.text().replace("dropout: 0.9", "dropout: 0.5"), null);
        assertTrue(probe(new dev.vitals.doctor.rules.CannotOverfitBatch(), usual, new Measurements()).isEmpty());
    }

    @Test
    void heavyDropoutBesideAWeightDecayIsStillNamed() {
        // dropout 0.9 and weight decay 1 on digits: 59% of a batch, 97% at dropout 0.3 (the decay keeps it
        // from 100%): "healthy" by check, 10% test after training
        Spec s = SpecParser.parse("name: t\nseed: 31\ndata: {source: digits, validation: 0.1}\n"
                + "model: {init: he, layers: [{dense: 128}, relu, {dropout: 0.9}, {dense: 10}]}\n"
                + "optimizer: {name: adam, lr: 0.001, weight_decay: 1.0}\ntrain: {epochs: 30, batch: 32}\n", null);
        Measurements m = new Measurements();
        List<Finding> fs = probe(new dev.vitals.doctor.rules.CannotOverfitBatch(), s, m);
        assertEquals(1, fs.size(), m.values().toString());
        assertTrue(fs.get(0).message().contains("with dropout 0.9"), fs.get(0).toString());
    }

    @Test
    void aRateFarTooLowIsNotTakenForABug() {
        // sgd at 1e-6 barely moves the loss: the probe tries the optimizer's default rate, which memorises the batch
        Spec s = SpecParser.parse("name: t\nseed: 1\ndata: {source: digits}\nmodel: {layers: [{dense: 64}, relu, {dense: 10}]}\n"
                + "optimizer: {name: sgd, lr: 0.000001}\ntrain: {epochs: 15, batch: 32}\n", null);
        Measurements m = new Measurements();
        List<Finding> fs = probe(new dev.vitals.doctor.rules.CannotOverfitBatch(), s, m);
        assertTrue(fs.isEmpty(), fs + " " + m.values());
        assertEquals(0.01, m.values().get("retry_lr"));
    }

    @Test
    void aRateNearWhereTheRangeTestDivergedIsTooHigh() {
        // sgd at 5 on digits: minimum at 1.9, divergence at 5.7, and 5 was "ok" (the run went NaN at step 49)
        Spec s = SpecParser.parse("name: t\nseed: 1\ndata: {source: digits, validation: 0.1}\nmodel: {layers: [{dense: 64}, relu, {dense: 10}]}\n"
                + "optimizer: {name: sgd, lr: 5}\ntrain: {epochs: 15, batch: 32}\n", null);
        Measurements m = new Measurements();
        List<Finding> fs = probe(new dev.vitals.doctor.rules.LearningRateRange(), s, m);
        assertEquals(1, fs.size(), m.values().toString());
        assertTrue(fs.get(0).message().startsWith("in the range test the loss diverged from lr"), fs.get(0).message());
        assertTrue(fs.get(0).fix().startsWith("set lr to about "), "the measured rate, not sgd's usual range: " + fs.get(0).fix());
    }

    @Test
    void aRangeTestWhoseWeightsNeverMovedSaysNothing() {
        // stale_updates on wine: no update is applied, and the batches' noise put a "minimum" at 3.2e-5
        // that called adamw's 3e-3 94 times too high
        Spec s = SpecParser.parse("name: t\nseed: 1\ndata: {source: wine, validation: 0.2}\nmodel: {layers: [{dense: 32}, batchnorm, relu, {dense: 3}]}\n"
                + "optimizer: {name: adamw, lr: 0.003, weight_decay: 0.01}\ntrain: {epochs: 30, batch: 16}\nfaults: [stale_updates]\n", null);
        Measurements m = new Measurements();
        assertTrue(probe(new dev.vitals.doctor.rules.LearningRateRange(), s, m).isEmpty(), m.values().toString());
        assertTrue(String.valueOf(m.values().get("skipped")).startsWith("the weights did not move"), m.values().toString());
    }

    /** prices.csv in {@code dir}: 600 prices of about 1700-7600 from two features. */
    private static void writePrices(java.nio.file.Path dir) throws java.io.IOException {
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        StringBuilder csv = new StringBuilder("a,b,price\n");
        for (int i = 0; i < 600; i++) {
            double a = r.nextDouble(), b = r.nextDouble();
            csv.append(String.format(java.util.Locale.ROOT, "%.4f,%.4f,%d%n", a, b, Math.round(1700 + 4000 * a + 1900 * b + 100 * r.nextGaussian())));
        }
        java.nio.file.Files.writeString(dir.resolve("prices.csv"), csv);
    }

    @Test
    void aRegressionOfLargeLabelsReadsItsRangeTestAsMeasured(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        // prices of about 1700-7600: the linear output must grow to them, so adam's minimum at a rate of
        // 10 is real (0.3 trains to the noise), not the bounded-output artefact the test calls inconclusive
        writePrices(dir);
        String text = "name: p\nseed: 1\ndata: {source: csv:prices.csv}\nmodel: {layers: [{dense: 32}, relu, {dense: 1}]}\nloss: mse\n"
                + "optimizer: {name: adam, lr: LR}\ntrain: {epochs: 30, batch: 32}\n";
        Measurements m = new Measurements();
        List<Finding> slow = probe(new dev.vitals.doctor.rules.LearningRateRange(), SpecParser.parse(text.replace("LR", "0.001"), dir.resolve("p.yaml")), m);
        assertEquals(1, slow.size(), m.values().toString());
        assertTrue(slow.get(0).message().contains("times below it"), slow.get(0).message());
        assertTrue(slow.get(0).fix().startsWith("set lr to about "), slow.get(0).fix());
        Measurements fast = new Measurements();
        assertTrue(probe(new dev.vitals.doctor.rules.LearningRateRange(), SpecParser.parse(text.replace("LR", "0.3"), dir.resolve("p.yaml")), fast).isEmpty());
        assertEquals(true, fast.values().get(dev.vitals.doctor.rules.LearningRateRange.WITHIN_MEASURED_RANGE), fast.values().toString());
    }

    @Test
    void aBatchOfLargeLabelsThatIsNotMemorisedNamesTheirScale(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        // prices in the thousands at adam 1e-3: the output cannot grow to them in 300 steps, and the
        // finding called it a bug between the loss and the weights (an error)
        writePrices(dir);
        Spec s = SpecParser.parse("name: p\nseed: 1\ndata: {source: csv:prices.csv}\nmodel: {layers: [{dense: 32}, relu, {dense: 1}]}\nloss: mse\n"
                + "optimizer: {name: adam, lr: 0.001}\ntrain: {epochs: 30, batch: 32}\n", dir.resolve("p.yaml"));
        Measurements m = new Measurements();
        List<Finding> fs = probe(new dev.vitals.doctor.rules.CannotOverfitBatch(), s, m);
        assertEquals(1, fs.size(), m.values().toString());
        assertEquals(Severity.WARNING, fs.get(0).severity(), fs.get(0).toString());
        assertTrue(fs.get(0).cause().startsWith("labels far from unit scale"), fs.get(0).cause());
    }

    @Test
    void aBinaryCrossEntropyRunThatLearnedSkipsTheBaseline() throws Exception {
        // breast cancer through one logit: the short run's validation loss fell to 0.04 against the prior's
        // 0.66, and the baseline still ran, where doctor.md says it runs only for a run at chance
        Spec s = dev.vitals.core.spec.SpecParser.read(java.nio.file.Path.of("../examples/breast-cancer-mlp.yaml"));
        StepReport baseline = Checkup.run(s, null).steps().stream().filter(st -> st.name().equals("input-independent baseline")).findFirst().orElseThrow();
        assertTrue(String.valueOf(baseline.measured().get("skipped")).startsWith("the short run learned from its inputs"), baseline.measured().toString());
    }

    @Test
    void aGradientThatIsAllRoundingIsNotTheWorstRelativeErrorOfAPassingCheck() {
        // a bias before batchnorm, checked with it inside a residual block, has no gradient in exact arithmetic: its
        // relative error is near 1 and it passes on its noise floor, and the check read "ok ... worst_relative_error 0.9472"
        Spec s = SpecParser.parse("name: t\nseed: 1\ndata: {source: digits}\n"
                + "model: {layers: [{dense: 32}, relu, {residual: [{dense: 32}, batchnorm, relu, {dense: 32}]}, relu, {dense: 10}]}\n", null);
        Measurements m = new Measurements();
        assertTrue(probe(new dev.vitals.doctor.rules.GradientCheckFailed(), s, m).isEmpty(), m.values().toString());
        assertTrue(((Number) m.values().get("tensors_within_rounding")).intValue() >= 1, m.values().toString());
        assertTrue(((Number) m.values().get("worst_relative_error")).doubleValue() < 1e-2, m.values().toString());
    }

    @Test
    void weightsFarTooLargeMakeTheInitialLossOff() {
        List<Finding> fs = of(check(digits("'normal:3'", "adam", "0.001", "")), Code.INITIAL_LOSS_OFF);
        assertEquals(1, fs.size(), "expected INITIAL_LOSS_OFF");
        Finding f = fs.get(0);
        double measured = ((Number) f.evidence().get("initial_loss")).doubleValue();
        double expected = ((Number) f.evidence().get("expected")).doubleValue();
        assertEquals(Math.log(10), expected, 1e-3);
        assertTrue(measured > 3 * expected, "initial loss " + measured + " should be far above ln 10");
        assertEquals(Severity.ERROR, f.severity(), "normal:3 starts thousands of times above ln 10");
        // normal:0.5 starts about 18 times above it: confidently wrong, yet a run recovers part of the way
        Finding moderate = of(check(digits("'normal:0.5'", "adam", "0.001", "")), Code.INITIAL_LOSS_OFF).get(0);
        assertEquals(Severity.WARNING, moderate.severity(), moderate.toString());
        // under mse the outputs' own spread makes the ratio large without confidence: a warning only
        Spec mse = SpecParser.parse(DIGITS.formatted("'normal:3'", "adam", "0.001", "").replace("source: digits", "source: digits, targets: onehot")
                .replace("loss: cross_entropy", "loss: mse"), null);
        Finding spread = of(check(mse), Code.INITIAL_LOSS_OFF).get(0);
        assertTrue(((Number) spread.evidence().get("ratio")).doubleValue() > 50, spread.toString());
        assertEquals(Severity.WARNING, spread.severity(), spread.toString());
        // ...in its own words: far off, not "confidently wrong", and the outputs' spread, not weights too large, as the cause
        assertTrue(spread.message().endsWith("its outputs start far from their targets"), spread.message());
        assertTrue(spread.cause().startsWith("under mse the untrained outputs' own spread"), spread.cause());
    }

    @Test
    void aStartConfidentAndRightByChanceIsAnInfoNotAWarning() {
        // two blobs on one feature: the random first layer lines up with it and the start is 0.087 against
        // ln 2; the run reaches 100%, and the warning's cause said "confidently wrong"
        Spec easy = SpecParser.parse("name: e\nseed: 3\ndata: {source: 'synthetic:blobs', options: {classes: 2, features: 1, spread: 0.5}, validation: 0.2}\n"
                + "model: {init: he, layers: [{dense: 32}, relu, {dense: 2}]}\noptimizer: {name: sgd, lr: 0.05}\ntrain: {epochs: 20, batch: 16}\n", null);
        Finding f = of(check(easy), Code.INITIAL_LOSS_OFF).get(0);
        assertEquals(Severity.INFO, f.severity(), f.toString());
        assertTrue(((Number) f.evidence().get("ratio")).doubleValue() < 0.25, f.toString());
        assertTrue(f.message().endsWith("it starts confident, and right, before any training"), f.message());
        assertFalse(f.cause().contains("confidently wrong from the start"), f.cause());
    }

    @Test
    void batchnormIsMeasuredAsTrainingStepsSeeIt() {
        // unscaled wine: through dense-batchnorm-relu the first steps normalise by their batch and the
        // run reaches 94%, but evaluation mode's untrained running statistics normalise nothing (482.6,
        // 439x ln 3, an error); without the batchnorm the same inputs start 164x too high
        String spec = "name: w\ndata: {source: wine, validation: 0.2, normalize: none}\nmodel: {init: he, layers: [{dense: 32}, %srelu, {dense: 3}]}\n"
                + "optimizer: {name: adam, lr: 0.01}\ntrain: {epochs: 30, batch: 16}\n";
        Measurements m = new Measurements();
        assertTrue(probe(new dev.vitals.doctor.rules.InitialLossOff(), SpecParser.parse(spec.formatted("batchnorm, "), null), m).isEmpty(), m.values().toString());
        assertEquals("train", m.values().get("mode"), m.values().toString());
        List<Finding> plain = probe(new dev.vitals.doctor.rules.InitialLossOff(), SpecParser.parse(spec.formatted(""), null), new Measurements());
        assertEquals(1, plain.size(), plain.toString());
        assertEquals(Severity.ERROR, plain.get(0).severity());
        // the inputs' scale is named first, and its fix tried first ("use a scaled initialisation" led the fix)
        assertTrue(plain.get(0).cause().startsWith("the inputs are far above unit scale (root mean square"), plain.get(0).cause());
        assertTrue(plain.get(0).fix().startsWith("standardise the inputs"), plain.get(0).fix());
        // standardised inputs under weights far too large: the initialisation is the cause
        List<Finding> big = probe(new dev.vitals.doctor.rules.InitialLossOff(), SpecParser.parse(spec.formatted("").replace("normalize: none", "normalize: standard")
                .replace("init: he", "init: 'normal:1'"), null), new Measurements());
        assertEquals(1, big.size(), big.toString());
        assertTrue(big.get(0).cause().startsWith("the initial weights are too large"), big.get(0).cause());
    }

    @Test
    void aPlainStackTooDeepToMemoriseABatchIsNamedBeforeABug() {
        // 60 layers of 32 units with batchnorm on digits cannot memorise a batch (in PyTorch too) while every
        // probe of the code passes: "a bug between the loss and the weights", as an error, said nothing of depth
        String layers = "{dense: 32}, batchnorm, relu, ".repeat(59);
        Spec deep = SpecParser.parse("name: deep\nseed: 1\ndata: {source: digits, validation: 0.1}\nmodel: {init: he, layers: [" + layers + "{dense: 10}]}\n", null);
        List<Finding> fs = probe(new dev.vitals.doctor.rules.CannotOverfitBatch(), deep, new Measurements());
        assertEquals(1, fs.size(), fs.toString());
        assertEquals(Severity.WARNING, fs.get(0).severity());
        assertTrue(fs.get(0).cause().startsWith("depth: 60 weight layers in a plain stack without residual connections"), fs.get(0).cause());
        assertTrue(fs.get(0).fix().startsWith("try the network shallower, or with its layers in residual blocks"), fs.get(0).fix());
    }

    @Test
    void aShortRunOutOfTimeEndsOnAnObservedStep() {
        // stopped after step 39, its last observations were steps 19, 20 and 30: gradients that vanished
        // by step 40 read healthy in check and an error in train
        Spec s = digits("he", "adam", "0.001", "");
        Measurements m = new Measurements();
        ProbeContext ctx = new ProbeContext(s, Experiment.loadData(s), m, 0);
        new ShortRun().probe(ctx);
        int steps = (int) m.values().get("steps");
        assertTrue(steps > ShortRun.MIN_STEPS && steps <= ShortRun.MIN_STEPS + ShortRun.LATE_STEPS, m.values().toString());
        assertEquals(steps - 1, ctx.shortRun().lastObservation().step(), "the last step is observed");
    }

    @Test
    void theShortRunMeasuresAWeightDecaysPull() {
        // sgd at weight decay 5: the decay pulls several times as hard as the loss and the weights vanish;
        // at 1e-4 it pulls at a few thousandths of the loss and the weights keep their norm
        for (String wd : List.of("5", "0.0001")) {
            Spec s = SpecParser.parse("name: t\nseed: 9\ndata: {source: wine}\nmodel: {init: he, layers: [{dense: 32}, relu, {dense: 3}]}\n"
                    + "optimizer: {name: sgd, lr: 0.05, weight_decay: " + wd + "}\ntrain: {epochs: 20, batch: 16}\n", null);
            Measurements m = new Measurements();
            new ShortRun().probe(new ProbeContext(s, Experiment.loadData(s), m, 0));
            double pull = ((Number) m.values().get("decay_pull")).doubleValue(), kept = ((Number) m.values().get("weight_norm_now_over_start")).doubleValue();
            if (wd.equals("5")) assertTrue(pull > 1 && kept < 0.01, m.values().toString());
            else assertTrue(pull < 0.05 && kept > 0.9, m.values().toString());
        }
        Measurements none = new Measurements();
        Spec plain = digits("he", "adam", "0.001", "");
        new ShortRun().probe(new ProbeContext(plain, Experiment.loadData(plain), none, 0));
        assertFalse(none.values().containsKey("decay_pull"), "no decay, nothing to measure");
    }

    @Test
    void aWeightDecayTheLintDoubtsAndTheShortRunMeasuresHoldingIsAnError() {
        // sgd at decay 5, batch 2, on digits: "healthy" by check (its range test blamed the rate), at chance when trained
        List<Finding> held = check(SpecParser.parse("name: wd\nseed: 9\ndata: {source: digits, validation: 0.2}\nmodel: {init: he, layers: [{dense: 64}, relu, {dense: 10}]}\n"
                + "optimizer: {name: sgd, lr: 0.05, weight_decay: 5.0}\ntrain: {epochs: 4, batch: 2}\n", null));
        Finding f = held.stream().filter(x -> x.code().equals("WEIGHT_DECAY_RANGE")).findFirst().orElseThrow(() -> new AssertionError(held.toString()));
        assertEquals(Severity.ERROR, f.severity(), f.toString());
        assertTrue(f.message().contains("; the short run measured it: a pull "), f.message());
        assertTrue(f.evidence().containsKey(dev.vitals.doctor.rules.HeldDown.PULL), "fix lowers the decay first");
        // the range test ran under that decay: its suggested rate (5.2e-5, which trained to 22%) is not the advice
        for (Finding r : held) {
            if (!r.code().equals("LEARNING_RATE_RANGE")) continue;
            assertTrue(r.fix().startsWith("lower weight_decay first") && r.evidence().containsKey(dev.vitals.doctor.rules.HeldDown.PULL), r.toString());
        }
        // adamw's decoupled decay is not measured by the short run: the lint's warning stays a warning
        List<Finding> decoupled = check(SpecParser.parse("name: wd\nseed: 9\ndata: {source: wine, validation: 0.2}\nmodel: {init: he, layers: [{dense: 32}, relu, {dense: 3}]}\n"
                + "optimizer: {name: adamw, lr: 0.001, weight_decay: 10}\ntrain: {epochs: 20, batch: 16}\n", null));
        Finding w = decoupled.stream().filter(x -> x.code().equals("WEIGHT_DECAY_RANGE")).findFirst().orElseThrow(() -> new AssertionError(decoupled.toString()));
        assertEquals(Severity.WARNING, w.severity(), w.toString());
    }

    @Test
    void aWeightDecayThatZeroesTheWeightsIsAnErrorAsAMilderOneIs() {
        // sgd at lr 0.1 on digits: weight decay 1 was an error in check (measured holding the weights down),
        // decay 10 only the lint's warning: lr x wd = 1 zeroes the weights in one step, their gradient with them,
        // and the pull read 0/0
        for (String wd : new String[] {"1", "10"}) {
            List<Finding> held = check(SpecParser.parse("name: wd\nseed: 1\ndata: {source: digits, validation: 0.2}\nmodel: {init: he, layers: [{dense: 64}, relu, {dense: 10}]}\n"
                    + "optimizer: {name: sgd, lr: 0.1, weight_decay: " + wd + "}\ntrain: {epochs: 10, batch: 32}\n", null));
            Finding f = held.stream().filter(x -> x.code().equals("WEIGHT_DECAY_RANGE")).findFirst().orElseThrow(() -> new AssertionError(held.toString()));
            assertEquals(Severity.ERROR, f.severity(), "decay " + wd + ": " + f);
            assertFalse(f.message().contains("Infinity") || f.message().contains("NaN"), f.message());
        }
        // a usual decay at the same rate: no finding
        List<Finding> usual = check(SpecParser.parse("name: wd\nseed: 1\ndata: {source: digits, validation: 0.2}\nmodel: {init: he, layers: [{dense: 64}, relu, {dense: 10}]}\n"
                + "optimizer: {name: sgd, lr: 0.1, weight_decay: 0.0005}\ntrain: {epochs: 10, batch: 32}\n", null));
        assertTrue(usual.stream().noneMatch(x -> x.code().equals("WEIGHT_DECAY_RANGE")), usual.toString());
    }

    @Test
    void labelsShuffledAgainstTheirInputsAreFoundByTheBaseline() {
        List<Finding> fs = check(digits("he", "adam", "0.001", "faults: [shuffled_labels]\n"));
        Finding f = of(fs, Code.INPUT_LABEL_MISMATCH).stream().findFirst().orElseThrow(() -> new AssertionError("no INPUT_LABEL_MISMATCH in " + fs));
        assertTrue(f.isError());
    }

    @Test
    void aRareClassTheInputsPredictIsNotTakenForMismatchedLabels(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        // 1% positives shifted by two deviations in all five features (fraud, churn): the reference's held-out
        // loss ended worse than the class shares' (0.08 against 0.05) and the check warned that the labels may
        // not belong to their inputs, where logistic regression reaches 0.009; shuffled, the warning stays
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            int y = r.nextDouble() < 0.01 ? 1 : 0;
            for (int j = 0; j < 5; j++) b.append(String.format(java.util.Locale.ROOT, "%.4f,", r.nextGaussian() + 2 * y));
            b.append(y).append('\n');
        }
        java.nio.file.Files.writeString(dir.resolve("rare.csv"), b);
        String spec = "name: rare\nseed: 1\ndata: {source: 'csv:rare.csv', validation: 0.2}\nmodel: {init: he, layers: [{dense: 32}, relu, {dense: 2}]}\n"
                + "optimizer: {name: adam, lr: 0.001}\ntrain: {epochs: 20, batch: 32}\n";
        List<Finding> real = of(check(SpecParser.parse(spec, dir.resolve("rare.yaml"))), Code.INPUT_LABEL_MISMATCH);
        assertTrue(real.isEmpty(), real.toString());
        List<Finding> shuffled = of(check(SpecParser.parse(spec + "faults: [shuffled_labels]\n", dir.resolve("rare.yaml"))), Code.INPUT_LABEL_MISMATCH);
        assertEquals(1, shuffled.size(), "labels shuffled against their inputs rank at random");
    }

    @Test
    void asManyInputsAsExamplesIsNamedBesideMismatchedLabels(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        // 500 rows of 2,000 columns whose label is column 0 above column 1: the reference memorises its
        // folds and generalises nothing, as with shuffled labels, and the error blamed a shuffle
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            double[] x = new double[2000];
            for (int j = 0; j < x.length; j++) {
                x[j] = r.nextGaussian();
                b.append(String.format(java.util.Locale.ROOT, "%.3f,", x[j]));
            }
            b.append(x[0] > x[1] ? 1 : 0).append('\n');
        }
        java.nio.file.Files.writeString(dir.resolve("wide.csv"), b);
        Spec s = SpecParser.parse("name: wide\nseed: 1\ndata: {source: 'csv:wide.csv'}\nmodel: {layers: [{dense: 64}, relu, {dense: 2}]}\ntrain: {epochs: 3, batch: 32}\n",
                dir.resolve("wide.yaml"));
        List<Finding> fs = of(check(s), Code.INPUT_LABEL_MISMATCH);
        assertEquals(1, fs.size(), fs.toString());
        Finding f = fs.get(0);
        assertEquals(Severity.WARNING, f.severity(), f.toString());
        assertTrue(f.message().contains("2000 inputs to 320 training examples"), f.message());
        assertTrue(f.cause().contains("too few examples for this many features"), f.cause());
        assertEquals(2000, f.evidence().get("features"));
    }

    @Test
    void aSlowLearnerNearChanceInItsFirstEpochIsNotTakenForMismatchedLabels() {
        // a linear model on three spirals: at chance through its short first epoch, 55% later
        Spec s = SpecParser.parse("name: t\nseed: 3\ndata: {source: \"synthetic:spirals\", validation: 0.2}\n"
                + "model: {init: he, layers: [{dense: 3}]}\nloss: cross_entropy\noptimizer: {name: adam, lr: 0.01}\n"
                + "train: {epochs: 30, batch: 32}\n", null);
        List<Finding> fs = check(s);
        assertTrue(of(fs, Code.INPUT_LABEL_MISMATCH).isEmpty(), fs.toString());
    }

    @Test
    void informativeInputsUnderAHeavyImbalanceAreNotTakenForMismatchedLabels(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        // 95% of one class: the majority's accuracy is all a good model reaches, but its loss shows the
        // inputs tell the classes apart; with the labels permuted the same data is a mismatch
        SplittableRandom rng = new SplittableRandom(5);
        StringBuilder real = new StringBuilder(), permuted = new StringBuilder();
        int n = 600;
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = i % 20 == 0 ? 1 : 0;
        int[] shuffled = labels.clone();
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1), t = shuffled[i];
            shuffled[i] = shuffled[j];
            shuffled[j] = t;
        }
        for (int i = 0; i < n; i++) {
            StringBuilder row = new StringBuilder();
            for (int k = 0; k < 8; k++) row.append(String.format(java.util.Locale.ROOT, "%.4f,", rng.nextGaussian() + (k < 4 && labels[i] == 1 ? 1.0 : 0)));
            real.append(row).append(labels[i]).append('\n');
            permuted.append(row).append(shuffled[i]).append('\n');
        }
        java.nio.file.Files.writeString(dir.resolve("real.csv"), real);
        java.nio.file.Files.writeString(dir.resolve("permuted.csv"), permuted);
        String spec = "name: t\nseed: 3\ndata: {source: \"csv:%s\", validation: 0.2}\nmodel: {init: he, layers: [{dense: 16}, relu, {dense: 2}]}\n"
                + "optimizer: {name: adam, lr: 0.01}\ntrain: {epochs: 5, batch: 32}\n";
        List<Finding> fs = check(SpecParser.parse(spec.formatted(dir.resolve("real.csv")), null));
        assertTrue(of(fs, Code.INPUT_LABEL_MISMATCH).isEmpty(), fs.toString());
        List<Finding> mismatch = check(SpecParser.parse(spec.formatted(dir.resolve("permuted.csv")), null));
        assertEquals(1, of(mismatch, Code.INPUT_LABEL_MISMATCH).size(), mismatch.toString());
    }

    @Test
    void weakButRealInputsAreNotTakenForMismatchedLabels(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        // Poisson counts as 17 classes from four features: the best possible classifier reaches 25%
        // against 19% for the majority (a loss of 0.85 of the prior's); the reference's 19.9% and
        // 0.965 of the prior's loss read as labels that do not belong to their inputs (an error).
        // Example by example its loss is lower than the class shares' by about 3 standard errors;
        // shuffled, it is higher.
        SplittableRandom r = new SplittableRandom(7);
        StringBuilder real = new StringBuilder("a,b,c,d,count\n"), shuffled = new StringBuilder("a,b,c,d,count\n");
        int n = 1000;
        double[][] x = new double[n][4];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 4; k++) x[i][k] = r.nextGaussian();
            double rate = Math.exp(1 + 0.5 * x[i][0] - 0.3 * x[i][1]), p = Math.exp(-rate), u = r.nextDouble(), cdf = p;
            int k = 0;
            while (u > cdf && k < 16) {
                k++;
                p *= rate / k;
                cdf += p;
            }
            y[i] = k;
        }
        int[] perm = dev.vitals.core.data.Splits.range(n);
        dev.vitals.core.data.Splits.shuffle(perm, new SplittableRandom(3));
        for (int i = 0; i < n; i++) {
            String row = String.format(java.util.Locale.ROOT, "%.4f,%.4f,%.4f,%.4f,", x[i][0], x[i][1], x[i][2], x[i][3]);
            real.append(row).append(y[i]).append('\n');
            shuffled.append(row).append(y[perm[i]]).append('\n');
        }
        java.nio.file.Files.writeString(dir.resolve("real.csv"), real);
        java.nio.file.Files.writeString(dir.resolve("shuffled.csv"), shuffled);
        String spec = "name: c\nseed: 1\ndata: {source: \"csv:%s\", validation: 0.2}\nmodel: {layers: [{dense: 32}, relu, {dense: 17}]}\n"
                + "optimizer: {name: adam, lr: 0.01}\ntrain: {epochs: 5, batch: 32}\n";
        Checkup.Result ok = Checkup.run(SpecParser.parse(spec.formatted(dir.resolve("real.csv")), null), null);
        assertTrue(of(ok.findings(), Code.INPUT_LABEL_MISMATCH).isEmpty(), ok.findings() + " " + ok.steps().getLast().measured());
        Checkup.Result bad = Checkup.run(SpecParser.parse(spec.formatted(dir.resolve("shuffled.csv")), null), null);
        assertEquals(1, of(bad.findings(), Code.INPUT_LABEL_MISMATCH).size(), bad.findings() + " " + bad.steps().getLast().measured());
    }

    @Test
    void onASmallSetEveryExampleIsHeldOutInTurn() {
        // 500 documents of 3 classes: a single fifth (63 examples of the training split) put the
        // reference's 38% within a 15-point margin of chance; every fold in turn shows the inputs inform
        Spec s = SpecParser.parse("name: t\nseed: 1\ndata: {source: 'synthetic:documents', options: {samples: 500, classes: 3, features: 200, words: 30}}\n"
                + "model: {layers: [{dense: 16}, relu, {dense: 3}]}\n", null);
        Checkup.Result r = Checkup.run(s, null);
        assertTrue(of(r.findings(), Code.INPUT_LABEL_MISMATCH).isEmpty(), r.findings().toString());
        Map<String, Object> m = r.steps().getLast().measured();
        assertTrue((int) m.get("held_out") > 390, "all the training and validation examples: " + m);
        assertEquals(5, m.get("folds"), m.toString());
        assertTrue((double) m.get("reference_best_accuracy") > (double) m.get("blank_input_accuracy") + 0.06, m.toString());
    }

    @Test
    void tooFewExamplesToTellWeakInputsFromNoneGiveAWarningNotAnError() {
        // 90 documents of 3 classes: even all of them held out in turn leave a chance margin of 14 points
        Spec s = SpecParser.parse("name: t\nseed: 1\ndata: {source: 'synthetic:documents', options: {samples: 90, classes: 3, features: 200, words: 30}}\n"
                + "model: {layers: [{dense: 16}, relu, {dense: 3}]}\n", null);
        Checkup.Result r = Checkup.run(s, null);
        assertEquals(1, of(r.findings(), Code.INPUT_LABEL_MISMATCH).size(), r.findings().toString());
        for (Finding f : of(r.findings(), Code.INPUT_LABEL_MISMATCH)) {
            assertEquals(Severity.WARNING, f.severity(), f.toString());
            assertTrue((double) f.evidence().get("margin") > 0.12, f.toString());
            assertTrue(f.message().contains("so few examples"), f.message());
        }
    }

    @Test
    void shuffledLabelsThatTheShortRunMemorisesAreStillFound() {
        // wine's 121 training examples at batch 16: the short run's training loss fell to 0.51 against
        // the prior's 1.09 by memorising, which read as learning; its validation loss did not fall
        Spec s = SpecParser.parse("name: t\nseed: 1\ndata: {source: wine, validation: 0.15}\n"
                + "model: {layers: [{dense: 32}, relu, {dense: 3}]}\noptimizer: {name: adam, lr: 0.005}\ntrain: {epochs: 60, batch: 16}\n"
                + "faults: [shuffled_labels]\n", null);
        Checkup.Result r = Checkup.run(s, null);
        Finding f = of(r.findings(), Code.INPUT_LABEL_MISMATCH).stream().findFirst()
                .orElseThrow(() -> new AssertionError("no INPUT_LABEL_MISMATCH in " + r.findings() + " " + r.steps().getLast().measured()));
        assertTrue(f.isError(), f.toString());
    }

    @Test
    void shuffledIrisLabelsAreFoundOnEverySeed() {
        // the reference's best accuracy over 100 epochs reached 38-46% against 33% by chance alone, and
        // half the seeds passed; judged at its lowest held-out loss, each is named (a warning where the margin is wide)
        for (int seed = 1; seed <= 8; seed++) {
            Spec s = SpecParser.parse("name: t\nseed: " + seed + "\ndata: {source: iris, validation: 0.2}\n"
                    + "model: {layers: [{dense: 32}, relu, {dense: 3}]}\noptimizer: {name: adam, lr: 0.005}\ntrain: {epochs: 20, batch: 16}\n"
                    + "faults: [shuffled_labels]\n", null);
            Checkup.Result r = Checkup.run(s, null);
            assertEquals(1, of(r.findings(), Code.INPUT_LABEL_MISMATCH).size(), "seed " + seed + ": " + r.steps().getLast().measured());
        }
    }

    @Test
    void shuffledLabelsOnASmallSetAreFoundByCrossValidation() {
        // breast cancer: 364 training and validation examples; a fifth of them (73) gave a 14-point margin
        Spec s = SpecParser.parse("name: t\nseed: 7\ndata: {source: breast-cancer}\n"
                + "model: {layers: [{dense: 32}, relu, {dense: 2}]}\ntrain: {epochs: 10, batch: 32}\nfaults: [shuffled_labels]\n", null);
        Checkup.Result r = Checkup.run(s, null);
        Finding f = of(r.findings(), Code.INPUT_LABEL_MISMATCH).stream().findFirst()
                .orElseThrow(() -> new AssertionError("no INPUT_LABEL_MISMATCH in " + r.findings() + " " + r.steps().getLast().measured()));
        assertEquals(5, f.evidence().get("folds"), f.evidence().toString());
    }

    @Test
    void aRegressionWhoseLabelsDoNotBelongToItsInputsIsFoundByARegressionBaseline(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        // prices of 1700-7600 from three features: the baseline was skipped for a regression (its
        // reference was a classifier); a regressor on standardised labels is judged by its held-out mse
        // against the labels' variance (what blanked inputs allow: the mean label)
        SplittableRandom r = new SplittableRandom(3);
        StringBuilder csv = new StringBuilder("a,b,c,price\n");
        for (int i = 0; i < 1000; i++) {
            double a = r.nextDouble(), b = r.nextDouble(), c = r.nextDouble();
            csv.append(String.format(java.util.Locale.ROOT, "%.4f,%.4f,%.4f,%d%n", a, b, c, Math.round(1700 + 4000 * a + 1900 * b * c + 100 * r.nextGaussian())));
        }
        java.nio.file.Files.writeString(dir.resolve("prices.csv"), csv);
        String spec = "name: p\nseed: 1\ndata: {source: csv:prices.csv, validation: 0.2}\nmodel: {layers: [{dense: 32}, relu, {dense: 1}]}\nloss: mse\n"
                + "optimizer: {name: adam, lr: 0.01}\ntrain: {epochs: 20, batch: 32}\n";
        Checkup.Result shuffled = Checkup.run(SpecParser.parse(spec + "faults: [shuffled_labels]\n", dir.resolve("p.yaml")), null);
        Finding f = of(shuffled.findings(), Code.INPUT_LABEL_MISMATCH).stream().findFirst()
                .orElseThrow(() -> new AssertionError("no INPUT_LABEL_MISMATCH in " + shuffled.findings() + " " + shuffled.steps().getLast().measured()));
        assertTrue(f.isError(), f.toString());
        assertTrue((double) f.evidence().get("reference_mse_over_blank") > 0.9, f.toString());
        // the same prices in their own order: the run at adam 1e-2 is still far from the labels' scale
        // after its short run, so the baseline runs, and finds the inputs explain most of the variance
        Checkup.Result real = Checkup.run(SpecParser.parse(spec, dir.resolve("p.yaml")), null);
        assertTrue(of(real.findings(), Code.INPUT_LABEL_MISMATCH).isEmpty(), real.findings().toString());
        Map<String, Object> m = real.steps().getLast().measured();
        assertTrue((double) m.get("reference_mse_over_blank") < 0.2, m.toString());
    }

    @Test
    void aSmallRegressionWithShuffledLabelsGetsAWarning(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        // 120 counts: 2.5 standard errors of the error ratio (0.32) are too wide for an error
        SplittableRandom r = new SplittableRandom(5);
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 120; i++) {
            double a = r.nextGaussian(), b = r.nextGaussian();
            csv.append(String.format(java.util.Locale.ROOT, "%.4f,%.4f,%d%n", a, b, Math.max(0, Math.round(30 + 8 * a - 4 * b + 2 * r.nextGaussian()))));
        }
        java.nio.file.Files.writeString(dir.resolve("counts.csv"), csv);
        Spec s = SpecParser.parse("name: c\nseed: 1\ndata: {source: csv:counts.csv, validation: 0.2}\nmodel: {layers: [{dense: 16}, relu, {dense: 1}]}\nloss: mse\n"
                + "optimizer: {name: adam, lr: 0.01}\ntrain: {epochs: 20, batch: 16}\nfaults: [shuffled_labels]\n", dir.resolve("c.yaml"));
        Checkup.Result res = Checkup.run(s, null);
        List<Finding> fs = of(res.findings(), Code.INPUT_LABEL_MISMATCH);
        assertEquals(1, fs.size(), res.findings() + " " + res.steps().getLast().measured());
        assertEquals(Severity.WARNING, fs.get(0).severity(), fs.get(0).toString());
        assertTrue(fs.get(0).message().contains("so few examples"), fs.get(0).message());
    }

    // ---- a user's own code through the API ----------------------------------------------------

    /** The bugs a hand-written layer may carry. */
    enum LayerBug {
        NONE,
        /** dgain without the x (a wrong gradient) */
        FORGET_INPUT,
        /** an input gradient one feature short */
        SHORT_GRADIENT,
        /** each example's output takes a tenth of the next example's input, backward included */
        MIXES_BATCH,
        /** a correct layer that multiplies by fresh noise each pass without being Stochastic */
        DRAWS_ANEW,
        /** writes its output into its input */
        IN_PLACE,
        /** loops over the input's whole array, which may be longer than the tensor */
        WHOLE_ARRAY
    }

    /**
     * y = x ⊙ gain, one learnable gain per feature. Like many a user's layer, it does not set
     * {@code lastOutput}: the model keeps each layer's output for the probes that read it.
     */
    static final class Gain extends Layer {
        private final LayerBug bug;
        private final java.util.Random noise = new java.util.Random(3);
        private Parameter gain;
        private Tensor input, out, gradIn;

        Gain(LayerBug bug) { this.bug = bug; }

        @Override public String kind() { return "gain"; }

        @Override protected Shape doBuild(Shape in, BuildContext ctx) {
            gain = addParameter("gain", Tensor.zeros(in.dim(0)));
            float[] g = gain.value().data();
            for (int j = 0; j < g.length; j++) g[j] = 0.5f + (float) ctx.rng().nextDouble();
            return in;
        }

        @Override public Tensor forward(Tensor x, Mode mode) {
            checkInput(x);
            input = x;
            out = Tensor.reuse(out, x.batch(), inputShape());
            int n = inputShape().dim(0), size = x.batch() * n;
            float[] xv = x.data(), y = out.data(), g = gain.value().data();
            int end = bug == LayerBug.WHOLE_ARRAY ? xv.length : size;
            for (int i = 0; i < end; i++) y[i] = xv[i] * g[i % n] + (bug == LayerBug.MIXES_BATCH ? 0.1f * xv[(i + n) % size] : 0);
            if (bug == LayerBug.DRAWS_ANEW) for (int i = 0; i < size; i++) y[i] *= 1 + 0.01f * (float) noise.nextGaussian();
            if (bug == LayerBug.IN_PLACE) System.arraycopy(y, 0, xv, 0, size);
            return out;
        }

        @Override public Tensor backward(Tensor gy, boolean needInputGrad) {
            int n = inputShape().dim(0), size = gy.batch() * n;
            float[] dy = gy.data(), xv = input.data(), g = gain.value().data(), dg = gain.grad().data();
            for (int i = 0; i < size; i++) dg[i % n] += bug == LayerBug.FORGET_INPUT ? dy[i] : dy[i] * xv[i];
            if (!needInputGrad) return null;
            if (bug == LayerBug.SHORT_GRADIENT) return Tensor.zeros(gy.batch(), n - 1);
            gradIn = Tensor.reuse(gradIn, gy.batch(), inputShape());
            float[] dx = gradIn.data();
            for (int i = 0; i < size; i++) dx[i] = dy[i] * g[i % n] + (bug == LayerBug.MIXES_BATCH ? 0.1f * dy[(i - n + size) % size] : 0);
            return gradIn;
        }
    }

    /** The bugs a hand-written optimizer may carry, and one correct rule the probe does not know. */
    enum OptimizerBug {
        NONE,
        /** lr * lr for lr */
        SQUARE_LR,
        /** w -= lr * (g - wd * w): the decay pushes weights away from zero */
        FLIPPED_DECAY,
        /** a bias correction of 1 - 0.9^(t-1): a division by zero at the first step */
        ZERO_BASED_STEP,
        /** a correct RMSprop, under the key "rmsprop" */
        RMSPROP,
        /** throws from its 41st step on */
        THROWS_LATER,
        /** never updates its last parameter */
        SKIPS_LAST,
        /** leaves out the weight decay the spec asks for */
        IGNORES_DECAY,
        /** a correct RMSprop's rule, w += instead of w -= */
        RMSPROP_UPHILL,
        /** SGD with momentum 0.9 whose buffer starts from zero at every step */
        MOMENTUM_RESET,
        /** the weight decay added to the gradient twice */
        DECAY_TWICE
    }

    /** Plain SGD with L2 weight decay written by hand, or RMSprop. */
    static final class HandSgd extends Optimizer {
        private final OptimizerBug bug;
        private final float decay;
        private final float[][] squares, buffers;

        HandSgd(List<Parameter> params, OptimizerBug bug, double weightDecay) {
            super(params, (float) weightDecay);
            this.bug = bug;
            this.decay = (float) weightDecay;
            squares = new float[params.size()][];
            buffers = new float[params.size()][];
            for (int i = 0; i < params.size(); i++) {
                squares[i] = new float[params.get(i).size()];
                buffers[i] = new float[params.get(i).size()];
            }
        }

        @Override public String key() { return bug == OptimizerBug.RMSPROP || bug == OptimizerBug.RMSPROP_UPHILL ? "rmsprop" : "sgd"; }

        @Override protected void update(int index, float[] w, float[] g, int n, float lr, boolean apply, long t) {
            if (!apply) return;
            if (bug == OptimizerBug.THROWS_LATER && t > 40) throw new IllegalStateException("no step " + t + " in this optimizer");
            if (bug == OptimizerBug.SKIPS_LAST && index == squares.length - 1) return;
            float step = bug == OptimizerBug.SQUARE_LR ? lr * lr : lr;
            if (bug == OptimizerBug.ZERO_BASED_STEP) step /= 1f - (float) Math.pow(0.9, t - 1);
            float[] v = squares[index], b = buffers[index];
            if (bug == OptimizerBug.MOMENTUM_RESET) java.util.Arrays.fill(b, 0f);
            for (int i = 0; i < n; i++) {
                float d = g[i] + (bug == OptimizerBug.FLIPPED_DECAY ? -decay : bug == OptimizerBug.IGNORES_DECAY ? 0
                        : bug == OptimizerBug.DECAY_TWICE ? 2 * decay : decay) * w[i];
                if (bug == OptimizerBug.RMSPROP || bug == OptimizerBug.RMSPROP_UPHILL) {
                    v[i] = 0.9f * v[i] + 0.1f * d * d;
                    d /= (float) Math.sqrt(v[i]) + 1e-8f;
                }
                if (bug == OptimizerBug.MOMENTUM_RESET) d = b[i] = 0.9f * b[i] + d;
                w[i] -= bug == OptimizerBug.RMSPROP_UPHILL ? -step * d : step * d;
            }
        }
    }

    /** The spec's model with the user's gain layer after the hidden ReLU, and the user's optimizer (over no parameters where {@code empty}). */
    private static Experiment.Parts userParts(LayerBug layer, OptimizerBug optimizer, boolean empty) {
        return new Experiment.Parts() {
            @Override public Model model(Spec spec, Shape input, long seed) {
                List<Layer> layers = new ArrayList<>(List.of(new dev.vitals.core.nn.Dense(64), new dev.vitals.core.nn.Activation.ReLU(),
                        new Gain(layer), new dev.vitals.core.nn.Dense(10)));
                return Model.build(layers, input, new BuildContext(spec.model().init(), new SplittableRandom(seed)));
            }

            @Override public Optimizer optimizer(Spec spec, List<Parameter> params) {
                return new HandSgd(empty ? List.of() : params, optimizer, spec.optimizer().weightDecay());
            }
        };
    }

    private static Experiment.Parts userParts(boolean buggyLayer, boolean buggyOptimizer) {
        return userParts(buggyLayer ? LayerBug.FORGET_INPUT : LayerBug.NONE, buggyOptimizer ? OptimizerBug.SQUARE_LR : OptimizerBug.NONE, false);
    }

    @Test
    void aUsersCorrectLayerAndOptimizerPassTheProbes() {
        List<Finding> fs = check(digits("he", "sgd", "0.05", ""), userParts(false, false));
        assertTrue(of(fs, Code.GRADIENT_CHECK_FAILED).isEmpty(), fs.toString());
        assertTrue(of(fs, Code.UPDATE_RULE_MISMATCH).isEmpty(), fs.toString());
        assertTrue(fs.stream().noneMatch(Finding::isError), fs.toString());
    }

    @Test
    void aUsersLayerWithAWrongGradientIsNamedWithItsParameter() {
        List<Finding> fs = of(check(digits("he", "sgd", "0.05", ""), userParts(true, false)), Code.GRADIENT_CHECK_FAILED);
        assertEquals(1, fs.size(), "expected one GRADIENT_CHECK_FAILED, got " + fs);
        assertEquals("layers.2", fs.get(0).layer());
        assertTrue(fs.get(0).message().contains("gain"), fs.get(0).message());
    }

    @Test
    void updatesOfAFewUlpsAreRoundedNotMiscomputed() {
        // at lr 3e-6 Adam's first updates are a few ulps of their weights: storing them rounds each by
        // up to half an ulp, 0.2% of their norm, which the probe once read as a wrong rule
        List<Finding> fs = check(digits("he", "adam", "0.000003", ""));
        assertTrue(of(fs, Code.UPDATE_RULE_MISMATCH).isEmpty(), fs.toString());
        // a rate applied twice is still caught at a small rate: 1e-3 squared is a thousandth of the step
        List<Finding> twice = of(check(digits("he", "sgd", "0.001", ""), userParts(false, true)), Code.UPDATE_RULE_MISMATCH);
        assertEquals(1, twice.size(), "expected UPDATE_RULE_MISMATCH");
    }

    @Test
    void aStepScheduleCountedInEpochsDoesNotStopTheOverfitTest() {
        // the probe's epochs are single steps: a schedule of 2 epochs would leave 1e-7 of the rate by step 14
        List<Finding> fs = check(digits("he", "adam", "0.001", "schedule: {name: step, step_size: 2, gamma: 0.1}\n"));
        assertTrue(of(fs, Code.CANNOT_OVERFIT_BATCH).isEmpty(), fs.toString());
    }

    @Test
    void theRangeTestJudgesARateOnlyAgainstAValleyTheOptimizerCanUse() {
        // plain SGD at 4e-4 is inside the lint's range, and the range test finds it thousands of times too low
        List<Finding> low = of(check(digits("he", "sgd", "0.0004", "")), Code.LEARNING_RATE_RANGE);
        assertEquals(1, low.size(), low.toString());
        assertEquals(Finding.Stage.PROBE, low.get(0).stage());
        // a tanh output before cross-entropy: its loss falls up to Adam at lr 2, no valley to judge 1e-3 by
        Spec tanhOut = SpecParser.parse(DIGITS.formatted("xavier", "adam", "0.001", "").replace("{dense: 10}]", "{dense: 10}, tanh]"), null);
        List<Finding> fs = check(tanhOut);
        assertTrue(of(fs, Code.LEARNING_RATE_RANGE).isEmpty(), fs.toString());
        assertEquals(1, of(fs, Code.LOSS_OUTPUT_MISMATCH).size(), fs.toString());
    }

    @Test
    void aUsersOptimizerThatAppliesTheLearningRateTwiceIsCaught() {
        List<Finding> fs = of(check(digits("he", "sgd", "0.05", ""), userParts(false, true)), Code.UPDATE_RULE_MISMATCH);
        assertEquals(1, fs.size(), "expected UPDATE_RULE_MISMATCH");
        assertTrue(fs.get(0).message().contains("applied twice"), fs.get(0).message());
    }

    @Test
    void aUsersLayerThatMixesTheBatchIsNamedThoughItKeepsNoOutputOfItsOwn() {
        List<Finding> fs = of(check(digits("he", "sgd", "0.05", ""), userParts(LayerBug.MIXES_BATCH, OptimizerBug.NONE, false)), Code.BATCH_MIXING);
        assertEquals(1, fs.size(), fs.toString());
        assertEquals("layers.2", fs.get(0).layer());
    }

    @Test
    void aUsersLayerReturningAGradientOfTheWrongShapeIsAFindingNotACrash() {
        Spec spec = digits("he", "sgd", "0.05", "");
        Checkup.Result r = Checkup.run(spec, Experiment.loadData(spec), userParts(LayerBug.SHORT_GRADIENT, OptimizerBug.NONE, false), null);
        List<Finding> fs = of(r.findings(), Code.GRADIENT_CHECK_FAILED);
        assertEquals(1, fs.size(), r.findings().toString());
        assertEquals("layers.2", fs.get(0).layer());
        assertTrue(fs.get(0).message().startsWith("gain at layers.2: backward returned an input gradient of [4, 63] for an input of [4, 64]"), fs.get(0).message());
        // the probes that backpropagate through it say why they could not run; the rest go on
        StepReport mixing = r.steps().stream().filter(s -> s.name().equals("batch mixing")).findFirst().orElseThrow();
        assertEquals(StepReport.SKIPPED, mixing.status());
        assertTrue(String.valueOf(mixing.measured().get("skipped")).startsWith("gain at layers.2: backward returned"), mixing.measured().toString());
    }

    @Test
    void aWatchedRunDoesNotTrainThroughALayerThatBreaksTheShapeContract() {
        // it trained anyway, and the first step threw the preflight's own words from Trainer.fit
        Spec spec = digits("he", "sgd", "0.05", "");
        dev.vitals.doctor.WatchedRun.Outcome o = dev.vitals.doctor.WatchedRun.train(spec, Experiment.loadData(spec),
                userParts(LayerBug.SHORT_GRADIENT, OptimizerBug.NONE, false), null);
        assertFalse(o.trained());
        assertFalse(o.healthy());
        assertEquals("layers.2", of(o.findings(), Code.GRADIENT_CHECK_FAILED).get(0).layer());
    }

    @Test
    void aUsersOptimizerOfAnotherRuleIsHeldOnlyToWhatEveryRuleObeys() {
        // a correct RMSprop under a spec that says sgd read as "100 times the prescribed update"
        Spec spec = digits("he", "sgd", "0.001", "");
        Checkup.Result r = Checkup.run(spec, Experiment.loadData(spec), userParts(LayerBug.NONE, OptimizerBug.RMSPROP, false), null);
        assertTrue(of(r.findings(), Code.UPDATE_RULE_MISMATCH).isEmpty(), r.findings().toString());
        StepReport rule = r.steps().stream().filter(s -> s.name().equals("update rule")).findFirst().orElseThrow();
        assertTrue(String.valueOf(rule.measured().get("rule")).startsWith("'rmsprop' is not a rule the probe knows"), rule.measured().toString());
        assertEquals(2.0, ((Number) rule.measured().get("update_scale_when_lr_doubles")).doubleValue(), 0.01);
    }

    @Test
    void aRuleTheProbeDoesNotKnowIsStillCaughtGoingUpTheGradient() {
        // RMSprop with its sign flipped passed the doubling check, and the run was then blamed on the learning rate
        List<Finding> fs = of(check(digits("he", "sgd", "0.001", ""), userParts(LayerBug.NONE, OptimizerBug.RMSPROP_UPHILL, false)), Code.UPDATE_RULE_MISMATCH);
        assertEquals(1, fs.size(), fs.toString());
        assertTrue(fs.get(0).message().startsWith("the first update goes up the gradient"), fs.get(0).message());
        assertTrue(((Number) fs.get(0).evidence().get("first_update_cosine_with_gradient")).doubleValue() > 0.5, fs.get(0).evidence().toString());
    }

    @Test
    void aMomentumBufferResetAtEveryStepIsNamedAsStateLostBetweenSteps() {
        List<Finding> fs = of(check(digits("he", "sgd, momentum: 0.9", "0.05", ""), userParts(LayerBug.NONE, OptimizerBug.MOMENTUM_RESET, false)), Code.UPDATE_RULE_MISMATCH);
        assertEquals(1, fs.size(), fs.toString());
        assertTrue(fs.get(0).message().startsWith("sgd's first update follows its rule and its second does not"), fs.get(0).message());
        assertTrue(fs.get(0).message().contains("the momentum buffer"), fs.get(0).message());
    }

    @Test
    void aWeightDecayAppliedTwiceIsNamedAsTheDecay() {
        List<Finding> fs = of(check(digits("he", "sgd, weight_decay: 0.001", "0.05", ""), userParts(LayerBug.NONE, OptimizerBug.DECAY_TWICE, false)), Code.UPDATE_RULE_MISMATCH);
        assertEquals(1, fs.size(), fs.toString());
        assertTrue(fs.get(0).message().startsWith("sgd's weight decay is applied wrongly"), fs.get(0).message());
        assertTrue(fs.get(0).message().endsWith("which is applied twice"), fs.get(0).message());
        // the learning rate applied twice scales the decay's step by the rate too: named as the rate, not the decay
        // (every adamw, with its default decay, read "the decay is left out")
        for (String opt : new String[] {"adamw", "adam, weight_decay: 0.001", "sgd, weight_decay: 0.0005"}) {
            List<Finding> twice = of(check(digits("he", opt, "0.01", "faults: [double_lr]\n")), Code.UPDATE_RULE_MISMATCH);
            assertEquals(1, twice.size(), opt + ": " + twice);
            assertTrue(twice.get(0).message().contains("the learning rate is applied twice"), opt + ": " + twice.get(0).message());
        }
    }

    @Test
    void anUpdateThatNeverLandsIsNamedSoWhateverTheDecay() {
        // stale_updates under adamw (default decay 0.01) read "adamw's weight decay is applied wrongly ... the decay
        // is left out": the zero-gradient decay step is lost with every other step, so the decay named the wrong bug
        for (String opt : new String[] {"adamw", "adam", "sgd, weight_decay: 0.0005"}) {
            List<Finding> fs = of(check(digits("he", opt, "0.01", "faults: [stale_updates]\n")), Code.UPDATE_RULE_MISMATCH);
            assertEquals(1, fs.size(), opt + ": " + fs);
            assertTrue(fs.get(0).message().endsWith(": nothing was applied"), opt + ": " + fs.get(0).message());
        }
    }

    @Test
    void aWeightDecayOfTheWrongSignIsCaughtHoweverSmall() {
        // at 1e-4 a flipped decay is 4e-4 of the update beside the gradients, inside the tolerance
        for (OptimizerBug bug : new OptimizerBug[] {OptimizerBug.NONE, OptimizerBug.FLIPPED_DECAY}) {
            List<Finding> fs = of(check(digits("he", "sgd, weight_decay: 0.0001", "0.05", ""), userParts(LayerBug.NONE, bug, false)), Code.UPDATE_RULE_MISMATCH);
            assertEquals(bug == OptimizerBug.NONE ? 0 : 1, fs.size(), bug + ": " + fs);
            if (bug != OptimizerBug.NONE) assertTrue(fs.get(0).message().endsWith("(the decay's sign is flipped)"), fs.get(0).message());
        }
        // the engine's own optimizers, with their decay as written
        for (String opt : new String[] {"sgd", "adam", "adamw"}) {
            List<Finding> fs = of(check(digits("he", opt + ", weight_decay: 0.0001", "0.001", "")), Code.UPDATE_RULE_MISMATCH);
            assertTrue(fs.isEmpty(), opt + ": " + fs);
        }
    }

    @Test
    void anUpdateThatIsNotANumberIsNoAgreementWithTheRule() {
        List<Finding> fs = of(check(digits("he", "sgd", "0.05", ""), userParts(LayerBug.NONE, OptimizerBug.ZERO_BASED_STEP, false)), Code.UPDATE_RULE_MISMATCH);
        assertEquals(1, fs.size(), fs.toString());
        assertTrue(fs.get(0).message().startsWith("sgd's applied update is not a number (NaN or infinity) at step 1"), fs.get(0).message());
    }

    @Test
    void anOptimizerThatHoldsNoneOfTheModelsParametersSaysSo() {
        List<Finding> fs = of(check(digits("he", "sgd", "0.05", ""), userParts(LayerBug.NONE, OptimizerBug.NONE, true)), Code.UPDATE_RULE_MISMATCH);
        assertEquals(1, fs.size(), fs.toString());
        assertTrue(fs.get(0).message().startsWith("the optimizer holds 0 of the model's 5 parameters: layers.0.weight, layers.0.bias, layers.2.gain"), fs.get(0).message());
    }

    @Test
    void aClipThatTamesTheSpecsRateKeepsTheUnclippedRangeTestFromCallingItTooHigh() {
        // the range test runs without the clip; sgd 0.1 with momentum 0.9 under clip 1 took the short run
        // to 97.8% of its batch and was "6.7 times above" the unclipped minimum (0.0149)
        Spec spec = SpecParser.parse("""
                name: s
                seed: 55
                data: {source: "synthetic:spirals", options: {samples: 1500, classes: 5, noise: 0.1}}
                model: {layers: [{dense: 128}, relu, {residual: [{dense: 128}, relu, {dense: 128}]}, relu, {dense: 5}]}
                optimizer: {name: sgd, lr: 0.1, momentum: 0.9}
                schedule: {name: step, step_size: 1, gamma: 0.7}
                train: {epochs: 10, batch: 32, clip_norm: 1}
                """, null);
        Checkup.Result r = Checkup.run(spec, null);
        assertTrue(of(r.findings(), Code.LEARNING_RATE_RANGE).isEmpty(), r.findings().toString());
        StepReport range = r.steps().stream().filter(s -> s.name().equals("learning-rate range test")).findFirst().orElseThrow();
        // the test's curve depends on how far it got in its time budget: where it put the minimum low enough
        // to call 0.1 too high, the clip's note says why it did not
        Object minimum = range.measured().get("lr_at_loss_minimum");
        if (minimum instanceof Number m && 0.1 > 3 * m.doubleValue()) {  // 3: the range test's TOO_HIGH
            assertTrue(String.valueOf(range.measured().get("clip_tames_rate")).startsWith("clip_norm 1: the short run at lr 0.1"), range.measured().toString());
        }
    }

    /** The identity, which takes a second and a half at its 65th forward pass: a machine gone busy mid-test. */
    static final class Stalls extends Layer {
        private int passes;

        @Override public String kind() { return "stalls"; }

        @Override protected Shape doBuild(Shape in, BuildContext ctx) { return in; }

        @Override public Tensor forward(Tensor x, Mode mode) {
            if (++passes == 65) {
                try {
                    Thread.sleep(1500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return x;
        }

        @Override public Tensor backward(Tensor g, boolean needInputGrad) { return g; }
    }

    @Test
    void aRangeTestItsTimeBudgetCutShortCallsNoRateTooHigh() {
        // cut at step 65 of 100, near lr 0.015 with the loss still falling: adam's 0.05 read "3 times above the minimum"
        Spec spec = digits("he", "adam", "0.05", "");
        Experiment.Parts stalls = new Experiment.Parts() {
            @Override public Model model(Spec s, Shape input, long seed) {
                return Model.build(List.of(new Stalls(), new dev.vitals.core.nn.Dense(64), new dev.vitals.core.nn.Activation.ReLU(), new dev.vitals.core.nn.Dense(10)),
                        input, new BuildContext(s.model().init(), new SplittableRandom(seed)));
            }
        };
        Measurements m = new Measurements();
        List<Finding> fs = new dev.vitals.doctor.rules.LearningRateRange().probe(new ProbeContext(spec, Experiment.loadData(spec), stalls, m, 1.0));
        assertTrue(fs.isEmpty(), fs.toString());
        assertTrue(m.values().get("cut_short_at_lr") instanceof Number cut && cut.doubleValue() < 0.03, m.values().toString());
        assertTrue(String.valueOf(m.values().get("inconclusive")).startsWith("the time budget ended the test at lr"), m.values().toString());
    }

    @Test
    void aUsersLayerThatIsNoFunctionOfItsInputOrLoopsPastItIsNamed() {
        Spec spec = digits("he", "sgd", "0.05", "");
        for (LayerBug bug : new LayerBug[] {LayerBug.DRAWS_ANEW, LayerBug.IN_PLACE, LayerBug.WHOLE_ARRAY}) {
            Checkup.Result r = Checkup.run(spec, Experiment.loadData(spec), userParts(bug, OptimizerBug.NONE, false), null);
            List<Finding> fs = of(r.findings(), Code.GRADIENT_CHECK_FAILED);
            assertEquals(1, fs.size(), bug + ": " + r.findings());
            Finding f = fs.get(0);
            assertEquals("layers.2", f.layer(), bug.toString());
            switch (bug) {
                // a random draw without Stochastic may compute correctly: a warning, and how to make it checkable
                case DRAWS_ANEW -> {
                    assertEquals(Severity.WARNING, f.severity());
                    assertTrue(f.message().contains("two forward passes over the same input gave different outputs") && f.fix().startsWith("implement Stochastic"), f.toString());
                }
                case IN_PLACE -> {
                    assertEquals(Severity.ERROR, f.severity());
                    assertTrue(f.message().contains("forward changed its input in place"), f.message());
                }
                // the gradient check's input has an array longer than the tensor, as a short last batch does
                default -> assertTrue(f.message().contains("threw ArrayIndexOutOfBoundsException") && f.message().contains("loop to size(), not data().length"), f.message());
            }
        }
    }

    @Test
    void aUsersCodeThatThrowsSkipsTheProbesItBreaksAndTheCheckEnds() {
        Spec spec = digits("he", "sgd", "0.05", "");
        Checkup.Result r = Checkup.run(spec, Experiment.loadData(spec), userParts(LayerBug.NONE, OptimizerBug.THROWS_LATER, false), null);
        List<StepReport> skipped = r.steps().stream().filter(st -> String.valueOf(st.measured().get("skipped")).startsWith("the API user's model or optimizer threw IllegalStateException: no step 41")).toList();
        assertTrue(skipped.stream().anyMatch(st -> st.name().equals("short run")), r.steps().toString());
        // the spec's own parts throwing would be Vitals' failure: not caught (exit 1 from the command line)
    }

    @Test
    void anUpdateRuleMismatchNamesTheParametersItDiffersIn() {
        List<Finding> fs = of(check(digits("he", "sgd", "0.05", ""), userParts(LayerBug.NONE, OptimizerBug.SKIPS_LAST, false)), Code.UPDATE_RULE_MISMATCH);
        assertEquals(1, fs.size(), fs.toString());
        assertTrue(fs.get(0).message().endsWith("; it differs in layers.3.bias of the 5 parameters"), fs.get(0).message());
        assertEquals(List.of("layers.3.bias"), fs.get(0).evidence().get("parameters_differing"));
    }

    @Test
    void aDecayLeftOutIsSaidToBeSo() {
        // a decay of 0.05 left out: the update's norm is the rule's to 0.1%, its direction is not; once read "1 times the prescribed one"
        List<Finding> fs = of(check(digits("he", "sgd, weight_decay: 0.05", "0.05", ""), userParts(LayerBug.NONE, OptimizerBug.IGNORES_DECAY, false)), Code.UPDATE_RULE_MISMATCH);
        assertEquals(1, fs.size(), fs.toString());
        assertTrue(fs.get(0).message().endsWith("the weights did not move, the decay is left out"), fs.get(0).message());
    }
}
