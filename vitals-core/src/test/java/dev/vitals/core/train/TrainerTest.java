package dev.vitals.core.train;

import dev.vitals.core.data.Dataset;
import dev.vitals.core.loss.CrossEntropy;
import dev.vitals.core.loss.Loss;
import dev.vitals.core.loss.MeanSquaredError;
import dev.vitals.core.loss.TargetEncoding;
import dev.vitals.core.nn.Activation;
import dev.vitals.core.nn.BuildContext;
import dev.vitals.core.nn.Dense;
import dev.vitals.core.nn.Init;
import dev.vitals.core.nn.Layer;
import dev.vitals.core.nn.Mode;
import dev.vitals.core.nn.Model;
import dev.vitals.core.optim.Adam;
import dev.vitals.core.optim.Schedule;
import dev.vitals.core.optim.Sgd;
import dev.vitals.core.report.Finding;
import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the trainer promises its users and the doctor: zero_grad, modes, clipping, early stop, NaN. */
class TrainerTest {

    // ---- gradients are cleared (and the no_zero_grad fault really accumulates) ------------------------

    @Test
    void gradientsAreClearedBeforeEachStep() {
        List<double[]> steps = gradNorms(true);
        double g = steps.get(0)[1];
        assertTrue(g > 0.01);
        for (double[] s : steps) {
            assertEquals(0.0, s[0], "gradient buffers must be zero before backward");
            // lr = 0 and the same full batch: every step computes the same gradient.
            assertEquals(g, s[1], 1e-6 * g);
        }
    }

    @Test
    void withoutClearingGradientsTheyAccumulate() {
        List<double[]> steps = gradNorms(false);
        double g = steps.get(0)[1];
        for (int k = 0; k < steps.size(); k++) {
            // Step k starts with the k gradients before it and ends with k + 1 of them.
            assertEquals(k * g, steps.get(k)[0], 1e-5 * g * (k + 1));
            assertEquals((k + 1) * g, steps.get(k)[1], 1e-5 * g * (k + 1));
        }
        assertTrue(steps.get(1)[0] > 0);
    }

    @Test
    void aRunStoppedInsideAnEpochNamesNoEpochAsItsWeights() {
        // Ctrl-C at step 6 of epoch 2 saved weights 6 steps into epoch 2, and best_epoch said 1
        RunResult inside = stoppedAfter(17, true);
        assertEquals(1, inside.epochs().size());
        assertEquals(-1, inside.bestEpoch());
        assertEquals("interrupted; during epoch 2, after 6 of its 12 steps: the weights are as of that step", inside.stopReason());
        assertTrue(inside.hasTest(), "the weights it stopped with are measured");
        // stopped at an epoch's last step, that epoch ends as usual and its weights are the ones kept
        RunResult atEnd = stoppedAfter(11, false);
        assertEquals(1, atEnd.epochs().size());
        assertEquals(0, atEnd.bestEpoch());
        assertEquals("interrupted", atEnd.stopReason());
    }

    /** A run of 5 epochs of 12 steps asked to stop ("interrupted") after step {@code step}, with the training set as its test split or none. */
    private static RunResult stoppedAfter(long step, boolean withTest) {
        Dataset d = blobs(48, 3, 1);
        Trainer.Config cfg = new Trainer.Config("t", 0.01f, 5, 4, 0, 0, TargetEncoding.INDEX, true, 1, true, Mode.TRAIN, 20, 10);
        Model m = mlp(3, 5, 2, 1);
        return new Trainer(m, new CrossEntropy(), new Sgd(m.parameters(), 0, false, 0), Schedule.constant(), cfg)
                .listen(new TrainingListener() {
                    private RunInfo run;

                    @Override public void onRunBegin(RunInfo r) { run = r; }

                    @Override public void onStep(StepEvent e) { if (e.globalStep == step) run.control().requestStop("interrupted"); }
                }).fit(d, null, withTest ? d : null);
    }

    /** [gradNormAtStart, gradNorm] of 5 full-batch steps with learning rate 0. */
    private static List<double[]> gradNorms(boolean clear) {
        Dataset d = blobs(12, 3, 1);
        Model m = mlp(3, 5, 2, 1);
        Trainer.Config cfg = new Trainer.Config("t", 0f, 5, 12, 0, 0, TargetEncoding.INDEX, false, 1, clear, Mode.TRAIN, 50, 10);
        List<double[]> out = new ArrayList<>();
        new Trainer(m, new CrossEntropy(), new Sgd(m.parameters(), 0, false, 0), Schedule.constant(), cfg)
                .listen(new TrainingListener() {
                    @Override public void onStep(StepEvent e) {
                        assertTrue(e.observed);
                        out.add(new double[] {e.gradNormAtStart, e.gradNorm});
                    }
                }).fit(d, null, null);
        assertEquals(5, out.size());
        return out;
    }

    // ---- an optimizer built from the API: its own order, or only some parameters ---------------------

    @Test
    void anOptimizerInItsOwnOrderHasItsMeasurementsFiledUnderTheRightParameters() {
        Map<String, double[]> inOrder = updatesSeen(false, false), reversed = updatesSeen(true, false);
        assertEquals(inOrder.keySet(), reversed.keySet());
        for (String name : inOrder.keySet()) {
            if (name.equals("gradNormAtStart")) continue;
            // the same run (SGD does not care about order): the same value and update norms per parameter
            assertEquals(inOrder.get(name)[0], reversed.get(name)[0], 1e-9, name + " value norm");
            assertEquals(inOrder.get(name)[1], reversed.get(name)[1], 1e-9, name + " update norm");
            assertTrue(inOrder.get(name)[1] > 0, name);
        }
    }

    @Test
    void aParameterNoOptimizerHoldsIsSeenStillAndItsGradientIsClearedAnyway() {
        Map<String, double[]> partial = updatesSeen(false, true);
        // the optimizer holds only the last layer: the first layer's parameters do not move, the last's do
        assertEquals(0.0, partial.get("layers.0.weight")[1]);
        assertEquals(0.0, partial.get("layers.0.bias")[1]);
        assertTrue(partial.get("layers.0.weight")[0] > 0, "its value is measured");
        assertTrue(partial.get("layers.2.weight")[1] > 0);
        // and nothing accumulates in the gradients the optimizer does not clear
        assertEquals(0.0, partial.get("gradNormAtStart")[0]);
    }

    /** Per parameter, the value and update norm of the last observed step; under "gradNormAtStart" the largest seen. */
    private static Map<String, double[]> updatesSeen(boolean reversed, boolean lastLayerOnly) {
        Dataset d = blobs(12, 3, 1);
        Model m = mlp(3, 5, 2, 1);
        List<dev.vitals.core.nn.Parameter> held = new ArrayList<>(m.parameters());
        if (lastLayerOnly) held = held.subList(2, 4);
        if (reversed) held = held.reversed();
        Trainer.Config cfg = new Trainer.Config("t", 0.1f, 3, 4, 0, 0, TargetEncoding.INDEX, false, 1, true, Mode.TRAIN, 50, 10);
        Map<String, double[]> out = new LinkedHashMap<>();
        double[] atStart = {0};
        new Trainer(m, new CrossEntropy(), new Sgd(held, 0, false, 0), Schedule.constant(), cfg)
                .listen(new TrainingListener() {
                    @Override public void onStep(StepEvent e) {
                        atStart[0] = Math.max(atStart[0], e.gradNormAtStart);
                        for (ParamStats p : e.params) out.put(p.name, new double[] {p.valueNorm, p.updateNorm});
                    }
                }).fit(d, null, null);
        out.put("gradNormAtStart", atStart);
        return out;
    }

    // ---- modes ----------------------------------------------------------------------------------------

    @Test
    void stepsRunInTrainingModeAndEvaluationInEvalMode() {
        Map<Integer, List<Mode>> byBatch = modesSeen(Mode.TRAIN);
        // Training batches are 8 examples, the validation set 3, the test set 5.
        assertEquals(List.of(Mode.TRAIN), distinct(byBatch.get(8)));
        assertEquals(List.of(Mode.EVAL), distinct(byBatch.get(3)));
        assertEquals(List.of(Mode.EVAL), distinct(byBatch.get(5)));
        assertEquals(2 * 4, byBatch.get(8).size()); // 2 steps per epoch, 4 epochs
        assertEquals(4, byBatch.get(3).size()); // one validation pass per epoch
        assertEquals(1, byBatch.get(5).size()); // one test pass at the end
    }

    @Test
    void theEvalModeFaultRunsTrainingStepsInEvalMode() {
        Map<Integer, List<Mode>> byBatch = modesSeen(Mode.EVAL);
        assertEquals(List.of(Mode.EVAL), distinct(byBatch.get(8)));
        assertEquals(List.of(Mode.EVAL), distinct(byBatch.get(3)));
    }

    /** The modes a layer inside the model was run in, by batch size. */
    private static Map<Integer, List<Mode>> modesSeen(Mode stepMode) {
        ModeSpy spy = new ModeSpy();
        Model m = Model.build(List.of(new Dense(4), spy, new Activation.ReLU(), new Dense(2)), Shape.of(3),
                new BuildContext(Init.DEFAULT, new SplittableRandom(1)));
        Trainer.Config cfg = new Trainer.Config("t", 0.05f, 4, 8, 0, 0, TargetEncoding.INDEX, true, 1, true, stepMode, 50, 10);
        List<Mode> reported = new ArrayList<>();
        new Trainer(m, new CrossEntropy(), new Sgd(m.parameters(), 0, false, 0), Schedule.constant(), cfg)
                .listen(new TrainingListener() {
                    @Override public void onStep(StepEvent e) { reported.add(e.mode); }
                }).fit(blobs(16, 3, 2), blobs(3, 3, 3), blobs(5, 3, 4));
        assertEquals(List.of(stepMode), distinct(reported));
        return spy.seen;
    }

    /** The identity, recording the mode and batch size of every forward pass. */
    private static final class ModeSpy extends Layer {
        final Map<Integer, List<Mode>> seen = new LinkedHashMap<>();

        @Override public String kind() { return "spy"; }

        @Override protected Shape doBuild(Shape input, BuildContext ctx) { return input; }

        @Override public Tensor forward(Tensor x, Mode mode) {
            seen.computeIfAbsent(x.batch(), k -> new ArrayList<>()).add(mode);
            lastOutput = x;
            return x;
        }

        @Override public Tensor backward(Tensor g, boolean needInputGrad) { return g; }
    }

    // ---- clipping -------------------------------------------------------------------------------------

    @Test
    void clippingScalesTheGlobalGradientNormToClipNorm() {
        double clip = 0.05;
        Dataset d = blobs(16, 3, 5);
        Model m = mlp(3, 6, 2, 5);
        Trainer.Config cfg = new Trainer.Config("t", 1f, 3, 8, clip, 0, TargetEncoding.INDEX, true, 5, true, Mode.TRAIN, 50, 10);
        List<double[]> seen = new ArrayList<>();
        new Trainer(m, new CrossEntropy(), new Sgd(m.parameters(), 0, false, 0), Schedule.constant(), cfg)
                .listen(new TrainingListener() {
                    @Override public void onStep(StepEvent e) {
                        double upd = 0;
                        for (ParamStats p : e.params) upd += p.updateNorm * p.updateNorm;
                        seen.add(new double[] {e.gradNorm, Math.sqrt(upd), e.clipped ? 1 : 0});
                    }
                }).fit(d, null, null);
        int clipped = 0;
        for (double[] s : seen) {
            // Plain SGD with lr 1 applies exactly the (clipped) gradient.
            if (s[0] > clip) {
                clipped++;
                assertEquals(1, s[2]);
                assertEquals(clip, s[1], 1e-4 * clip);
            } else {
                assertEquals(0, s[2]);
                assertEquals(s[0], s[1], 1e-4 * s[0]);
            }
        }
        assertTrue(clipped > 0, "the test needs gradients above clip_norm");
    }

    @Test
    void gradientsBelowClipNormAreLeftAlone() {
        Dataset d = blobs(16, 3, 5);
        Model m = mlp(3, 6, 2, 5);
        Trainer.Config cfg = new Trainer.Config("t", 1f, 2, 8, 1e6, 0, TargetEncoding.INDEX, true, 5, true, Mode.TRAIN, 50, 10);
        List<double[]> seen = new ArrayList<>();
        new Trainer(m, new CrossEntropy(), new Sgd(m.parameters(), 0, false, 0), Schedule.constant(), cfg)
                .listen(new TrainingListener() {
                    @Override public void onStep(StepEvent e) {
                        double upd = 0;
                        for (ParamStats p : e.params) upd += p.updateNorm * p.updateNorm;
                        seen.add(new double[] {e.gradNorm, Math.sqrt(upd)});
                        assertFalse(e.clipped);
                    }
                }).fit(d, null, null);
        for (double[] s : seen) assertEquals(s[0], s[1], 1e-4 * s[0]);
    }

    // ---- early stopping -------------------------------------------------------------------------------

    @Test
    void earlyStoppingStopsAfterPatienceAndRestoresTheBestWeights() {
        int patience = 3;
        Dataset train = blobs(40, 4, 11);
        // Validation: the training inputs with 40% of the labels flipped. Fitting the training set
        // first helps (60% agree), then hurts as the model grows confident on the flipped 40%.
        float[] flipped = train.labelValues().clone();
        for (int i = 0; i < flipped.length; i += 5) {
            flipped[i] = 1 - flipped[i];
            if (i + 1 < flipped.length) flipped[i + 1] = 1 - flipped[i + 1];
        }
        Dataset val = train.withLabels(flipped);
        Model m = mlp(4, 16, 2, 11);
        Trainer.Config cfg = new Trainer.Config("t", 0.003f, 60, 8, 0, patience, TargetEncoding.INDEX, true, 11, true, Mode.TRAIN, 50, 10);
        Trainer t = new Trainer(m, new CrossEntropy(), Adam.adam(m.parameters(), 0), Schedule.constant(), cfg);
        List<Map<String, Tensor>> snapshots = new ArrayList<>();
        t.listen(new TrainingListener() {
            @Override public void onEpochEnd(EpochResult e) { snapshots.add(m.snapshot()); }
        });
        RunResult r = t.fit(train, val, null);

        List<EpochResult> h = r.epochs();
        int best = 0;
        for (int e = 1; e < h.size(); e++) if (h.get(e).valLoss() < h.get(best).valLoss()) best = e;
        assertTrue(best > 0, () -> "the data should make the best epoch an interior one: " + h);
        assertEquals(best, r.bestEpoch());
        assertEquals(best + 1 + patience, h.size(), "stops after `patience` epochs without improvement");
        assertTrue(h.size() < 60);
        assertNotNull(r.stopReason());
        assertTrue(r.stopReason().contains("early stop") && r.stopReason().contains("for 3 epochs after epoch " + (best + 1)), r.stopReason());
        // The weights are those of the best epoch, bit for bit, and evaluate to its validation loss.
        Map<String, Tensor> kept = snapshots.get(best), now = m.state();
        assertEquals(kept.keySet(), now.keySet());
        for (String k : kept.keySet()) assertArrayEquals(kept.get(k).data(), Arrays.copyOf(now.get(k).data(), now.get(k).size()), k);
        assertEquals(h.get(best).valLoss(), t.evaluateOn(val)[0]);
        assertFalse(Arrays.equals(snapshots.get(h.size() - 1).get("layers.0.weight").data(), kept.get("layers.0.weight").data()));
    }

    // ---- non-finite loss ------------------------------------------------------------------------------

    @Test
    void aRunWithEarlyStoppingStoppedInsideAnEpochSaysItKeepsItsBestEpoch() {
        // it said "the weights are as of that step" while early stopping restored its best epoch's
        Dataset d = blobs(48, 3, 1);
        Trainer.Config cfg = new Trainer.Config("t", 0.01f, 8, 4, 0, 100, TargetEncoding.INDEX, true, 1, true, Mode.TRAIN, 20, 10);
        Model m = mlp(3, 5, 2, 1);
        RunResult r = new Trainer(m, new CrossEntropy(), new Sgd(m.parameters(), 0, false, 0), Schedule.constant(), cfg)
                .listen(new TrainingListener() {
                    private RunInfo run;

                    @Override public void onRunBegin(RunInfo i) { run = i; }

                    @Override public void onStep(StepEvent e) { if (e.globalStep == 29) run.control().requestStop("interrupted"); }
                }).fit(d, blobs(16, 3, 2), null);
        assertTrue(r.bestEpoch() >= 0 && r.bestEpoch() < 2, String.valueOf(r.bestEpoch()));
        assertEquals("interrupted; during epoch 3, after 6 of its 12 steps: the weights are epoch " + (r.bestEpoch() + 1)
                + "'s, the best validation loss (early stopping restores it)", r.stopReason());
    }

    @Test
    void aNaNInputStopsTrainingWithALossNonfiniteFinding() {
        Dataset d = blobs(16, 3, 6);
        float[] x = d.x().clone();
        x[3 * 9 + 1] = Float.NaN; // example 9, in the second batch when not shuffled
        Dataset bad = d.withX(x);
        Model m = mlp(3, 4, 2, 6);
        Trainer.Config cfg = new Trainer.Config("t", 0.1f, 5, 8, 0, 0, TargetEncoding.INDEX, false, 6, true, Mode.TRAIN, 50, 10);
        List<Double> losses = new ArrayList<>();
        RunResult r = new Trainer(m, new CrossEntropy(), new Sgd(m.parameters(), 0, false, 0), Schedule.constant(), cfg)
                .listen(new TrainingListener() {
                    @Override public void onStep(StepEvent e) { losses.add(e.loss); }
                }).fit(bad, null, blobs(4, 3, 7));
        assertEquals(2, losses.size(), "training stops at the step whose loss is not finite");
        assertTrue(Double.isFinite(losses.get(0)));
        assertTrue(Double.isNaN(losses.get(1)));
        assertEquals(1, r.findings().size());
        Finding f = r.findings().get(0);
        assertEquals("LOSS_NONFINITE", f.code());
        assertEquals(Finding.Severity.ERROR, f.severity());
        assertEquals(1L, f.step());
        assertEquals("NaN", f.evidence().get("loss"));
        // stopped inside epoch 1 with the weights of its first step: no finished epoch's (best_epoch said 0)
        assertEquals(-1, r.bestEpoch());
        assertEquals("the loss became NaN at step 1 (epoch 1); during epoch 1, after 1 of its 2 steps: the weights are as of that step", r.stopReason());
        // the step whose loss was NaN is not applied: the weights stay finite, and are measured as they are
        for (var p : m.parameters()) for (float w : p.value().data()) assertTrue(Float.isFinite(w));
        assertTrue(r.hasTest(), "the weights it stopped with are measured on the clean test split");
        // a test split that meets NaN itself gives no test metrics
        Model m2 = mlp(3, 4, 2, 6);
        RunResult nanTest = new Trainer(m2, new CrossEntropy(), new Sgd(m2.parameters(), 0, false, 0), Schedule.constant(), cfg).fit(bad, null, bad);
        assertFalse(nanTest.hasTest(), "a measurement that met NaN says nothing");
    }

    @Test
    void aDivergingRunStopsWhenTheLossOverflows() {
        // MSE with a learning rate far too high: the weights blow up until the loss is infinite or NaN.
        Dataset d = blobs(16, 3, 8);
        Model m = mlp(3, 8, 2, 8);
        Trainer.Config cfg = new Trainer.Config("t", 50f, 200, 16, 0, 0, TargetEncoding.ONEHOT, false, 8, true, Mode.TRAIN, 50, 10);
        Loss mse = new MeanSquaredError();
        RunResult r = new Trainer(m, mse, new Sgd(m.parameters(), 0, false, 0), Schedule.constant(), cfg).fit(d, null, null);
        assertEquals(1, r.findings().size());
        assertEquals("LOSS_NONFINITE", r.findings().get(0).code());
        @SuppressWarnings("unchecked")
        List<Double> previous = (List<Double>) r.findings().get(0).evidence().get("previous_losses");
        assertFalse(previous.isEmpty());
        assertTrue(r.epochs().size() < 200);
    }

    @Test
    void aHealthyRunHasNoFindingAndNoStopReason() {
        Model m = mlp(3, 8, 2, 9);
        Trainer.Config cfg = new Trainer.Config("t", 0.05f, 5, 8, 0, 0, TargetEncoding.INDEX, true, 9, true, Mode.TRAIN, 50, 10);
        RunResult r = new Trainer(m, new CrossEntropy(), Adam.adam(m.parameters(), 0), Schedule.constant(), cfg)
                .fit(blobs(32, 3, 9), blobs(8, 3, 10), null);
        assertTrue(r.findings().isEmpty());
        assertNull(r.stopReason());
        assertEquals(5, r.epochs().size());
        assertEquals(4, r.bestEpoch());
        assertTrue(r.last().trainLoss() < r.epochs().get(0).trainLoss());
    }

    // ---- helpers --------------------------------------------------------------------------------------

    /** Two Gaussian blobs in {@code features} dimensions, centred at ±1, alternating labels 0, 1, 0, ... */
    static Dataset blobs(int n, int features, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[n * features], y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            for (int j = 0; j < features; j++) x[i * features + j] = (float) ((i % 2 == 0 ? -1 : 1) + 0.7 * rng.nextGaussian());
        }
        return new Dataset(Shape.of(features), x, y, 2, null);
    }

    static Model mlp(int in, int hidden, int out, long seed) {
        return Model.build(List.of(new Dense(hidden), new Activation.ReLU(), new Dense(out)), Shape.of(in),
                new BuildContext(Init.parse("he"), new SplittableRandom(seed)));
    }

    private static <T> List<T> distinct(List<T> xs) {
        return xs.stream().distinct().toList();
    }

}
