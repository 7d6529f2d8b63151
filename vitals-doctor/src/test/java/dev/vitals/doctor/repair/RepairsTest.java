package dev.vitals.doctor.repair;

import dev.vitals.core.data.Normalizer;
import dev.vitals.core.loss.TargetEncoding;
import dev.vitals.core.nn.Init;
import dev.vitals.core.report.Finding;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.spec.SpecParser;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RepairsTest {
    static Spec spec(String data, String init, String layers, String loss, String optimizer, String bugs) {
        return SpecParser.parse("name: t\nseed: 1\ndata: {" + data + "}\nmodel: {init: '" + init + "', layers: [" + layers + "]}\nloss: " + loss
                + "\noptimizer: {" + optimizer + "}\ntrain: {epochs: 1, batch: 32}\nfaults: [" + bugs + "]\n", null);
    }

    static Spec spec(String layers, String loss) {
        return spec("source: digits, targets: pm1", "xavier", layers, loss, "name: sgd, lr: 0.01", "");
    }

    static List<String> kinds(Spec s) { return s.model().layers().stream().map(Spec.LayerSpec::kind).toList(); }

    static Finding finding(String code, Map<String, Object> evidence) {
        return new Finding(code, Finding.Severity.ERROR, Finding.Stage.LINT, null, null, "m", evidence, null, null, null);
    }

    @Test
    void dropSoftmaxRemovesOnlyTheOutputSoftmax() {
        Spec s = spec("{dense: 32}, relu, {dense: 10}, softmax", "cross_entropy");
        Spec r = Repairs.dropSoftmaxBeforeLoss().apply(s);
        assertEquals(List.of("dense", "relu", "dense"), kinds(r));
        assertEquals("model.layers[2]", r.model().layers().get(2).where());
        assertFalse(Repairs.dropSoftmaxBeforeLoss().changes(r), "a second application changes nothing");
        // sigmoid before binary_cross_entropy, which applies its own; a hidden sigmoid stays
        Spec b = spec("source: breast-cancer", "xavier", "{dense: 16}, sigmoid, {dense: 1}, sigmoid", "binary_cross_entropy", "name: adam, lr: 0.001", "");
        assertEquals(List.of("dense", "sigmoid", "dense"), kinds(Repairs.dropSoftmaxBeforeLoss().apply(b)));
        // but not a sigmoid before cross_entropy (another finding, another repair)
        assertFalse(Repairs.dropSoftmaxBeforeLoss().changes(spec("{dense: 32}, relu, {dense: 10}, sigmoid", "cross_entropy")));
    }

    @Test
    void logitsIntoCrossEntropyFixesLossOutputAndTargets() {
        Spec s = spec("{dense: 32}, tanh, {dense: 10}, tanh", "mse");
        Spec r = Repairs.logitsIntoCrossEntropy().apply(s);
        assertEquals(List.of("dense", "tanh", "dense"), kinds(r), "hidden tanh kept, output activation gone");
        assertEquals("cross_entropy", r.loss());
        assertEquals(TargetEncoding.INDEX, r.data().targets());
        Spec binary = Repairs.logitsIntoCrossEntropy().apply(spec("{dense: 8}, relu, {dense: 1}, sigmoid", "mse"));
        assertEquals("binary_cross_entropy", binary.loss());
        assertEquals(List.of("dense", "relu", "dense"), kinds(binary));
    }

    @Test
    void reluReplacesHiddenSaturatingActivationsWithHeInit() {
        Spec s = spec("{dense: 32}, sigmoid, {dense: 32}, tanh, {dense: 1}, sigmoid", "binary_cross_entropy");
        Spec r = Repairs.reluHidden().apply(s);
        assertEquals(List.of("dense", "relu", "dense", "relu", "dense", "sigmoid"), kinds(r));
        assertEquals(Init.Kind.HE, r.model().init().kind());
        Spec bn = Repairs.reluHiddenWithBatchNorm().apply(s);
        assertEquals(List.of("dense", "batchnorm", "relu", "dense", "batchnorm", "relu", "dense", "sigmoid"), kinds(bn));
        // inside residual blocks too, nested ones included: their tanh stayed while the repair said "replaced"
        Spec res = spec("{dense: 16}, sigmoid, {residual: [{dense: 16}, tanh, {residual: [{dense: 16}, sigmoid]}]}, {dense: 3}", "cross_entropy");
        Spec rr = Repairs.reluHidden().apply(res);
        assertEquals(List.of("dense", "relu", "residual", "dense"), kinds(rr));
        List<Spec.LayerSpec> block = rr.model().layers().get(2).block();
        assertEquals(List.of("dense", "relu", "residual"), block.stream().map(Spec.LayerSpec::kind).toList());
        assertEquals(List.of("dense", "relu"), block.get(2).block().stream().map(Spec.LayerSpec::kind).toList());
    }

    @Test
    void batchNormGoesAfterHiddenDenseLayersOnce() {
        Spec s = spec("{dense: 32}, relu, {dense: 32}, relu, {dense: 10}", "cross_entropy");
        Spec r = Repairs.batchNorm().apply(s);
        assertEquals(List.of("dense", "batchnorm", "relu", "dense", "batchnorm", "relu", "dense"), kinds(r));
        assertFalse(Repairs.batchNorm().changes(r));
    }

    @Test
    void batchNormGoesAfterHiddenConvLayersToo() {
        // a conv stack with vanishing gradients had "no candidate repair": batchnorm went after dense layers only
        Spec s = SpecParser.parse("name: t\ndata: {source: fashion-mnist}\nmodel: {layers: [{conv2d: {filters: 4, kernel: 3}}, sigmoid, {maxpool: 2},"
                + " {conv2d: {filters: 8, kernel: 3}}, sigmoid, flatten, {dense: 10}]}\n", null);
        Spec r = Repairs.batchNorm().apply(s);
        assertEquals(List.of("conv2d", "batchnorm", "sigmoid", "maxpool", "conv2d", "batchnorm", "sigmoid", "flatten", "dense"), kinds(r));
        assertFalse(Repairs.batchNorm().changes(r));
        assertEquals(List.of("conv2d", "batchnorm", "relu", "maxpool", "conv2d", "batchnorm", "relu", "flatten", "dense"),
                kinds(Repairs.reluHiddenWithBatchNorm().apply(s)));
    }

    @Test
    void aConvolutionStridingPastItsKernelIsGivenTheKernelsStride() {
        Spec s = SpecParser.parse("name: t\ndata: {source: fashion-mnist}\nmodel: {layers: [{conv2d: {filters: 4, kernel: 3, stride: 20}}, relu,"
                + " {conv2d: {filters: 4, kernel: 3, stride: 2}}, flatten, {dense: 10}]}\n", null);
        Spec r = Repairs.strideWithinKernel().apply(s);
        assertEquals(3, r.model().layers().get(0).conv().stride());
        assertEquals(2, r.model().layers().get(2).conv().stride(), "a stride within its kernel is left alone");
        assertFalse(Repairs.strideWithinKernel().changes(r));
        // offered where the overfit probe measured a layer reading little of its input, first among the model's changes
        List<String> names = RepairCatalogue.candidates(finding("CANNOT_OVERFIT_BATCH", Map.of("least_input_coverage", 0.046)), s, Double.NaN).stream().map(Repair::name).toList();
        assertTrue(names.contains("stride-within-kernel"), names.toString());
        assertFalse(RepairCatalogue.candidates(finding("CANNOT_OVERFIT_BATCH", Map.of()), s, Double.NaN).stream().anyMatch(x -> x.name().equals("stride-within-kernel")));
    }

    @Test
    void initMatchesTheHiddenActivation() {
        assertEquals(Init.Kind.HE, Repairs.matchingInit().apply(spec("{dense: 32}, relu, {dense: 10}", "cross_entropy")).model().init().kind());
        assertEquals(Init.Kind.XAVIER, Repairs.matchingInit().apply(
                spec("source: digits", "he", "{dense: 32}, sigmoid, {dense: 10}", "cross_entropy", "name: sgd", "")).model().init().kind());
    }

    @Test
    void dataAndTrainingSettings() {
        Spec s = spec("source: digits, validation: 0, normalize: none, shuffle: false", "he", "{dense: 32}, relu, {dense: 10}",
                "cross_entropy", "name: adam, lr: 0.001", "");
        assertEquals(0.2, Repairs.validation().apply(s).data().validation());
        assertEquals(Normalizer.Kind.STANDARD, Repairs.standardize().apply(s).data().normalize());
        assertTrue(Repairs.shuffle().apply(s).data().shuffle());
        assertEquals(0.01, Repairs.scaleLearningRate(10).apply(s).optimizer().lr(), 1e-12);
        Spec clipped = Repairs.clipAndLowerLr().apply(s);
        assertEquals(1.0, clipped.train().clipNorm());
        assertEquals(1e-4, clipped.optimizer().lr(), 1e-12);
        Spec decayed = Repairs.weightDecay().apply(s);
        assertEquals("adamw", decayed.optimizer().name());
        assertEquals(1e-4, decayed.optimizer().weightDecay());
        assertFalse(Repairs.earlyStop().changes(s), "early stopping needs a validation split");
        assertEquals(5, Repairs.earlyStop().apply(Repairs.validation().apply(s)).train().earlyStop());
        assertEquals(List.of("dense", "relu", "dropout", "dense"), kinds(Repairs.dropout().apply(s)));
        assertEquals(List.of("dense", "leaky_relu", "dense"), kinds(Repairs.leakyRelu().apply(s)));
        assertEquals(List.of("dense", "relu", "dense", "relu", "dense"), kinds(Repairs.hiddenLayer().apply(s)));
    }

    @Test
    void repairsArePure() {
        Spec s = spec("{dense: 32}, tanh, {dense: 10}, tanh", "mse");
        String before = s.toString();
        for (Repair r : List.of(Repairs.logitsIntoCrossEntropy(), Repairs.reluHiddenWithBatchNorm(), Repairs.dropout(), Repairs.hiddenLayer())) {
            r.apply(s);
        }
        assertEquals(before, s.toString());
    }

    @Test
    void bugRemovalIsOfferedOnlyForBugsTheSpecHasThatProduceTheSymptom() {
        Spec s = spec("source: digits", "he", "{dense: 32}, relu, {dense: 10}", "cross_entropy", "name: sgd, lr: 0.01", "double_lr, nan_inputs");
        List<String> names = RepairCatalogue.candidates(finding("UPDATE_RULE_MISMATCH", Map.of()), s, Double.NaN).stream().map(Repair::name).toList();
        assertEquals(List.of("remove double_lr"), names);
        Spec r = RepairCatalogue.candidates(finding("UPDATE_RULE_MISMATCH", Map.of()), s, Double.NaN).get(0).apply(s);
        assertEquals(List.of("nan_inputs"), List.copyOf(r.injectedBugs()));
        assertTrue(RepairCatalogue.candidates(finding("GRADIENT_ACCUMULATION", Map.of()), s, Double.NaN).isEmpty());
        // both bugs that give the finding: each alone, then the two together (the catalogue does not read
        // the spec's list; a removal that makes no new spec is dropped)
        Spec two = spec("source: digits", "he", "{dense: 32}, relu, {dense: 10}", "cross_entropy", "name: sgd, lr: 0.01", "double_lr, stale_updates");
        assertEquals(List.of("remove double_lr", "remove stale_updates", "remove double_lr and stale_updates"),
                RepairCatalogue.candidates(finding("UPDATE_RULE_MISMATCH", Map.of()), two, Double.NaN).stream().map(Repair::name).toList());
    }

    @Test
    void learningRateCandidatesFollowTheRangeTestThenTheFindingsDirection() {
        Spec s = spec("source: digits", "he", "{dense: 32}, relu, {dense: 10}", "cross_entropy", "name: sgd, lr: 0.00001", "");
        List<Repair> low = RepairCatalogue.candidates(finding("LEARNING_RATE_RANGE", Map.of("lr", 1e-5, "plausible_low", 3e-4)), s, 0.19);
        assertEquals(0.19, low.get(0).apply(s).optimizer().lr(), 1e-12);
        assertEquals(1e-4, low.get(1).apply(s).optimizer().lr(), 1e-12);
        List<Repair> high = RepairCatalogue.candidates(finding("LEARNING_RATE_TOO_HIGH", Map.of()), s, Double.NaN);
        assertEquals(1e-6, high.get(0).apply(s).optimizer().lr(), 1e-15);
        List<Repair> fromEvidence = RepairCatalogue.candidates(finding("LEARNING_RATE_RANGE", Map.of("suggested_lr", 0.05)), s, 0.19);
        assertEquals(0.05, fromEvidence.get(0).apply(s).optimizer().lr(), 1e-12, "the finding's own evidence comes first");
    }

    @Test
    void aRateThatTwoStepsOfTenLeaveOutsideItsRangeIsOfferedTheOptimizersUsualRate() {
        // adam at 1e-7: x10 and x100 stay below adam's 3e-5 and the range test was inconclusive; fix gave up
        Spec adam = spec("source: digits", "he", "{dense: 32}, relu, {dense: 10}", "cross_entropy", "name: adam, lr: 0.0000001", "");
        List<Repair> low = RepairCatalogue.candidates(finding("LEARNING_RATE_RANGE", Map.of("lr", 1e-7, "plausible_low", 3e-5)), adam, Double.NaN);
        assertEquals(List.of("lr x10", "lr x100", "lr 0.001"), low.stream().map(Repair::name).toList());
        assertTrue(low.get(2).description().contains("the usual rate for adam"), low.get(2).description());
        // sgd at 50 with momentum 0.9 (effective 500): /10 and /100 stay above 2; the usual effective 0.01 is lr 0.001 under that momentum
        Spec sgd = spec("source: digits", "he", "{dense: 32}, relu, {dense: 10}", "cross_entropy", "name: sgd, lr: 50, momentum: 0.9", "");
        List<Repair> high = RepairCatalogue.candidates(finding("LEARNING_RATE_TOO_HIGH", Map.of()), sgd, Double.NaN);
        assertEquals(0.001, high.getLast().apply(sgd).optimizer().lr(), 1e-12, high.stream().map(Repair::name).toList().toString());
        // within reach of a step of ten or a hundred: not offered
        Spec near = spec("source: digits", "he", "{dense: 32}, relu, {dense: 10}", "cross_entropy", "name: adam, lr: 0.000001", "");
        assertTrue(RepairCatalogue.candidates(finding("LEARNING_RATE_TOO_LOW", Map.of()), near, Double.NaN).stream().noneMatch(r -> r.description().contains("usual rate")));
    }

    @Test
    void aWeightDecayMeasuredHoldingTheModelDownIsLoweredFirst() {
        Spec s = spec("source: digits", "he", "{dense: 32}, relu, {dense: 10}", "cross_entropy", "name: sgd, lr: 0.01, weight_decay: 0.05", "");
        // the run's measure (the decay's pull) or the probe's (a batch memorised without it): any decay above 1e-4 is lowered, first
        for (Finding f : List.of(finding("VANISHING_GRADIENTS", Map.of(dev.vitals.doctor.rules.HeldDown.PULL, 250.0)),
                finding("CANNOT_OVERFIT_BATCH", Map.of(dev.vitals.doctor.rules.CannotOverfitBatch.WITHOUT_DECAY, 1.0)))) {
            List<Repair> c = RepairCatalogue.candidates(f, s, Double.NaN);
            assertEquals("lighter-weight-decay", c.get(0).name(), f.code());
            assertEquals(1e-4, c.get(0).apply(s).optimizer().weightDecay(), 1e-12);
        }
        // unmeasured, a decay below 0.1 is a usual one and stays
        List<String> plain = RepairCatalogue.candidates(finding("ACCURACY_AT_CHANCE", Map.of()), s, Double.NaN).stream().map(Repair::name).toList();
        assertFalse(plain.contains("lighter-weight-decay"), plain.toString());
        Spec heavy = spec("source: digits", "he", "{dense: 32}, relu, {dense: 10}", "cross_entropy", "name: sgd, lr: 0.01, weight_decay: 1", "");
        assertTrue(RepairCatalogue.candidates(finding("ACCURACY_AT_CHANCE", Map.of()), heavy, Double.NaN).stream().anyMatch(r -> r.name().equals("lighter-weight-decay")));
        // the lint's warning of a decay far above the optimizer's range: lowered to 1e-4, the rate left alone
        List<Repair> linted = RepairCatalogue.candidates(finding("WEIGHT_DECAY_RANGE", Map.of("weight_decay", 1.0)), heavy, 1e-5);
        assertEquals(List.of("lighter-weight-decay"), linted.stream().map(Repair::name).toList());
        assertEquals(1e-4, linted.get(0).apply(heavy).optimizer().weightDecay(), 1e-12);
    }

    @Test
    void aClipMeasuredCuttingEveryStepIsRaisedBeforeAnyRate() {
        Spec s = spec("source: digits", "he", "{dense: 32}, relu, {dense: 10}", "cross_entropy", "name: sgd, lr: 0.05", "");
        Spec clipped = s.withTrain(s.train().withClipNorm(1e-4));
        for (Finding f : List.of(finding("LEARNING_RATE_TOO_LOW", Map.of(dev.vitals.doctor.rules.HeldDown.CLIP_FACTOR, 4e-5)),
                finding("CANNOT_OVERFIT_BATCH", Map.of(dev.vitals.doctor.rules.CannotOverfitBatch.WITHOUT_CLIP, 1.0)))) {
            List<Repair> c = RepairCatalogue.candidates(f, clipped, 1e-3);
            assertEquals("looser-clip", c.get(0).name(), f.code());
            assertEquals(1.0, c.get(0).apply(clipped).train().clipNorm(), 1e-12);
        }
        assertFalse(Repairs.looserClip().changes(s), "no clip: nothing to raise");
    }

    @Test
    void anImpatientEarlyStopThatEndedARunStillLearningIsGivenPatienceFirst() {
        Spec s = spec("source: digits", "he", "{dense: 32}, relu, {dense: 10}", "cross_entropy", "name: adam, lr: 0.003", "");
        Spec impatient = s.withTrain(s.train().withEarlyStop(1));
        List<Repair> c = RepairCatalogue.candidates(finding("UNDERFITTING", Map.of(dev.vitals.doctor.rules.Underfitting.STOPPED_SHORT, true,
                dev.vitals.doctor.rules.Underfitting.EARLY_STOP_PATIENCE, 1)), impatient, Double.NaN);
        assertEquals("patient-early-stop", c.get(0).name());
        assertEquals(5, c.get(0).apply(impatient).train().earlyStop());
        assertFalse(Repairs.patientEarlyStop().changes(s), "no early stop: nothing to make patient");
    }

    @Test
    void batchnormOnTinyBatchesBecomesLayernorm() {
        Spec s = spec("source: digits", "he", "{dense: 96}, batchnorm, relu, {dense: 48}, batchnorm, relu, {dense: 10}", "cross_entropy", "name: adam, lr: 0.003", "");
        List<Repair> c = RepairCatalogue.candidates(finding("BATCHNORM_SMALL_BATCH", Map.of()), s, Double.NaN);
        assertEquals("layernorm", c.get(0).name());
        assertEquals(List.of("dense", "layernorm", "relu", "dense", "layernorm", "relu", "dense"), kinds(c.get(0).apply(s)));
    }

    @Test
    void deadUnitsTryTheCauseTheRunMeasuredFirst() {
        Spec calm = spec("source: digits, normalize: none", "he", "{dense: 32}, relu, {dense: 10}", "cross_entropy", "name: adam, lr: 0.001", "");
        assertEquals(List.of("leaky-relu", "lr /10"), RepairCatalogue.candidates(finding("DEAD_RELU", Map.of()), calm, Double.NaN).stream().map(Repair::name).toList());
        // under unscaled inputs, standardising them; under a rate above adam's range, the rates that bring it into
        // that range before the activation (adam at 1.0: /10 stayed above it, leaky_relu was kept beside the rate cut)
        assertEquals("normalize", RepairCatalogue.candidates(finding("DEAD_RELU", Map.of("input_rms", 111.2)), calm, Double.NaN).get(0).name());
        Spec fast = spec("source: digits", "he", "{dense: 32}, relu, {dense: 10}", "cross_entropy", "name: adam, lr: 0.5", "");
        List<String> dead = RepairCatalogue.candidates(finding("DEAD_RELU", Map.of()), fast, 0.003).stream().map(Repair::name).toList();
        assertEquals("leaky-relu", dead.get(dead.size() - 1), dead.toString());
        assertTrue(dead.containsAll(List.of("lr /10", "lr /100")) && dead.get(0).startsWith("lr"), dead.toString());
        assertEquals(1, dead.stream().filter("lr /10"::equals).count(), dead.toString());
        // a rate far too high tries /10 and /100: adam at 0.5 divided by 10 is still above what adam takes
        List<String> high = RepairCatalogue.candidates(finding("LEARNING_RATE_TOO_HIGH", Map.of()), fast, Double.NaN).stream().map(Repair::name).toList();
        assertTrue(high.containsAll(List.of("lr /10", "lr /100")), high.toString());
    }

    @Test
    void codesWithoutACureHaveNoCandidates() {
        Spec s = spec("{dense: 32}, relu, {dense: 10}", "cross_entropy");
        assertTrue(RepairCatalogue.candidates(finding("DATA_LEAKAGE", Map.of()), s, Double.NaN).isEmpty());
        assertTrue(RepairCatalogue.candidates(finding("DATA_LABEL_RANGE", Map.of()), s, Double.NaN).isEmpty());
        assertTrue(RepairCatalogue.candidates(finding("NOT_A_CODE", Map.of()), s, Double.NaN).isEmpty());
    }

    @Test
    void shortRunsAreWorseOnlyBeyondNoise() {
        ShortTrial.Outcome a = new ShortTrial.Outcome(0.92, 0.5, "cross_entropy", "validation", 287, 5, 180, 1);
        assertFalse(Outcomes.worse(a, new ShortTrial.Outcome(0.90, 0.6, "cross_entropy", "validation", 287, 5, 180, 1)),
                "two points on 287 examples is within two standard errors");
        assertTrue(Outcomes.worse(a, new ShortTrial.Outcome(0.80, 0.6, "cross_entropy", "validation", 287, 5, 180, 1)));
        // within the noise, but lower on both counts: what a warning's repair must not do (batchnorm: 72.3% -> 70.8%, loss 0.743 -> 1.01)
        assertTrue(Outcomes.lowerOnBoth(a, new ShortTrial.Outcome(0.90, 0.6, "cross_entropy", "validation", 287, 5, 180, 1)));
        assertFalse(Outcomes.lowerOnBoth(a, new ShortTrial.Outcome(0.93, 0.6, "cross_entropy", "validation", 287, 5, 180, 1)), "more accurate: mixed");
        assertFalse(Outcomes.lowerOnBoth(a, new ShortTrial.Outcome(0.90, 0.45, "cross_entropy", "validation", 287, 5, 180, 1)), "lower loss: mixed");
        assertFalse(Outcomes.lowerOnBoth(a, new ShortTrial.Outcome(0.5, 0.7, "cross_entropy", "training", 1000, 5, 180, 1)), "different examples");
        assertTrue(Outcomes.worse(a, new ShortTrial.Outcome(Double.NaN, Double.NaN, "cross_entropy", "validation", 287, 1, 3, 1)));
        assertFalse(Outcomes.worse(a, new ShortTrial.Outcome(0.5, 0.7, "cross_entropy", "training", 1000, 5, 180, 1)),
                "different examples are not compared");
        // a regression of the label value is told by its loss: exact hits at 0% before and after say nothing
        ShortTrial.Outcome price = new ShortTrial.Outcome(0.0, 2.41e7, "mse", "validation", 199, 5, 100, 1, true);
        assertTrue(Outcomes.better(price, new ShortTrial.Outcome(0.0, 1.83e4, "mse", "validation", 199, 5, 100, 1, true)));
        assertFalse(Outcomes.worse(price, new ShortTrial.Outcome(0.0, 1.83e4, "mse", "validation", 199, 5, 100, 1, true)));
        // a regression made a classifier: only exact hits compare, and they must get better
        ShortTrial.Outcome counts = new ShortTrial.Outcome(0.241, 3.09, "mse", "validation", 199, 5, 100, 1, true);
        assertTrue(Outcomes.worse(counts, new ShortTrial.Outcome(0.191, 3.64, "cross_entropy", "validation", 199, 5, 100, 1)));
        assertTrue(Outcomes.worse(counts, new ShortTrial.Outcome(0.25, 3.64, "cross_entropy", "validation", 199, 5, 100, 1)), "level is not enough");
        assertFalse(Outcomes.worse(counts, new ShortTrial.Outcome(0.45, 1.2, "cross_entropy", "validation", 199, 5, 100, 1)));
        // 36 validation examples at 100% before and after: the loss tells what accuracy cannot
        ShortTrial.Outcome pinned = new ShortTrial.Outcome(1.0, 0.04, "cross_entropy", "validation", 36, 5, 60, 1);
        assertTrue(Outcomes.worse(pinned, new ShortTrial.Outcome(1.0, 0.21, "cross_entropy", "validation", 36, 5, 60, 1)), "five times the loss");
        assertFalse(Outcomes.worse(pinned, new ShortTrial.Outcome(1.0, 0.07, "cross_entropy", "validation", 36, 5, 60, 1)), "a small loss a little larger");
        assertFalse(Outcomes.worse(a, new ShortTrial.Outcome(0.97, 1.2, "cross_entropy", "validation", 287, 5, 180, 1)),
                "accuracy up beyond noise: better, whatever the loss");
    }

    @Test
    void aLossBelowZeroIsNotComparedOnlyAccuracyIs() {
        // -1/+1 targets under cross-entropy: the loss has no minimum and falls below zero; the repair
        // to index targets took 28 examples from 42.9% to 60.7% and its loss to a real 0.920, and was
        // turned down as "worse" because 0.920 is more than twice -3.06
        ShortTrial.Outcome pm1 = new ShortTrial.Outcome(0.429, -3.06, "cross_entropy", "validation", 28, 5, 60, 1);
        ShortTrial.Outcome indexed = new ShortTrial.Outcome(0.607, 0.920, "cross_entropy", "validation", 28, 5, 60, 1);
        assertFalse(Outcomes.worse(pm1, indexed));
        assertTrue(Outcomes.better(pm1, indexed), "from a loss without a minimum to one with, accuracy not lower");
        assertFalse(Outcomes.worse(new ShortTrial.Outcome(0.964, -53.8, "cross_entropy", "validation", 28, 5, 60, 1),
                new ShortTrial.Outcome(1.0, 0.092, "cross_entropy", "validation", 28, 5, 60, 1)));
        // accuracy still decides against a repair that loses it
        assertTrue(Outcomes.worse(new ShortTrial.Outcome(0.964, -53.8, "cross_entropy", "validation", 28, 5, 60, 1),
                new ShortTrial.Outcome(0.40, 1.05, "cross_entropy", "validation", 28, 5, 60, 1)));
        // and a repair that makes a real loss fall below zero is worse, however it looks
        assertTrue(Outcomes.worse(indexed, pm1));
        assertFalse(Outcomes.better(indexed, pm1));
    }

    @Test
    void aSymptomsCureMustImproveTheShortRunBeyondNoise() {
        // batchnorm at batch 1: a tenfold rate took accuracy at chance from 36.2% to 38.3% on 47
        // validation examples (38.3% for guessing) and was kept as a cure; training it failed again
        ShortTrial.Outcome before = new ShortTrial.Outcome(0.362, 48.8, "cross_entropy", "validation", 47, 3, 600, 1);
        assertFalse(Outcomes.better(before, new ShortTrial.Outcome(0.383, 48.3, "cross_entropy", "validation", 47, 3, 600, 1)));
        assertTrue(Outcomes.better(before, new ShortTrial.Outcome(0.90, 0.3, "cross_entropy", "validation", 47, 3, 600, 1)));
        // accuracy level on few examples, the loss down by a third: dropout 0.9 lowered to 0.3 on spirals
        ShortTrial.Outcome heavy = new ShortTrial.Outcome(0.51, 1.11, "cross_entropy", "validation", 96, 3, 300, 1);
        assertTrue(Outcomes.better(heavy, new ShortTrial.Outcome(0.542, 0.692, "cross_entropy", "validation", 96, 3, 300, 1)));
        assertFalse(Outcomes.better(heavy, new ShortTrial.Outcome(0.542, 0.95, "cross_entropy", "validation", 96, 3, 300, 1)), "a loss down by a seventh");
        assertFalse(Outcomes.better(heavy, new ShortTrial.Outcome(0.49, 0.692, "cross_entropy", "validation", 96, 3, 300, 1)), "accuracy down");
        // without accuracy, a loss down by more than a tenth
        ShortTrial.Outcome mse = new ShortTrial.Outcome(Double.NaN, 120, "mse", "validation", 40, 3, 100, 1);
        assertTrue(Outcomes.better(mse, new ShortTrial.Outcome(Double.NaN, 10, "mse", "validation", 40, 3, 100, 1)));
        assertFalse(Outcomes.better(mse, new ShortTrial.Outcome(Double.NaN, 115, "mse", "validation", 40, 3, 100, 1)));
    }

    @Test
    void aRateTimesTenIsWrittenAsAPersonWouldWriteIt() {
        assertEquals(0.01, Repairs.tidy(0.001 * 10));
        assertEquals("0.01", Double.toString(Repairs.tidy(0.001 * 10)));
        assertEquals(1.5556e-4, Repairs.tidy(1.5556e-4));
    }

    @Test
    void heavyDropoutIsLoweredForASymptomOfNothingLearnt() {
        Spec s = spec("{dense: 32}, relu, {dropout: 0.9}, {residual: [{dense: 32}, relu, {dropout: 0.8}]}, {dense: 10}", "cross_entropy");
        List<Repair> c = RepairCatalogue.candidates(finding("CANNOT_OVERFIT_BATCH", Map.of()), s, Double.NaN);
        Repair lighter = c.stream().filter(r -> r.name().equals("lighter-dropout")).findFirst().orElseThrow(() -> new AssertionError(c.toString()));
        assertEquals(0.3, lighter.apply(s).model().heaviestDropout(), "in the residual block too");
        Spec light = spec("{dense: 32}, relu, {dropout: 0.2}, {dense: 10}", "cross_entropy");
        assertTrue(RepairCatalogue.candidates(finding("CANNOT_OVERFIT_BATCH", Map.of()), light, Double.NaN).stream().noneMatch(r -> r.name().equals("lighter-dropout")));
    }

    @Test
    void aRegressionKeepsItsLossWhenItsOutputActivationGoes() {
        // a sigmoid before mse cannot reach labels up to 109: a linear output, not a 110-class classifier, first
        Spec sig = spec("source: digits", "he", "{dense: 64}, relu, {dense: 1}, sigmoid", "mse", "name: adam, lr: 0.01", "");
        List<String> names = RepairCatalogue.candidates(finding("TARGET_ENCODING", Map.of()), sig, Double.NaN).stream().map(Repair::name).toList();
        assertEquals("linear-output", names.get(0), names.toString());
        Spec linear = Repairs.linearOutput().apply(sig);
        assertEquals("mse", linear.loss());
        assertEquals(List.of("dense", "relu", "dense"), kinds(linear));
        Spec classes = spec("source: digits", "he", "{dense: 64}, relu, {dense: 10}, softmax", "mse", "name: adam, lr: 0.01", "");
        assertFalse(RepairCatalogue.candidates(finding("LOSS_OUTPUT_MISMATCH", Map.of()), classes, Double.NaN).stream().anyMatch(r -> r.name().equals("linear-output")),
                "ten class scores are a classifier");
    }

    @Test
    void anInitialLossFarOffTriesTheInitialisationThenTheInputsScale() {
        Spec raw = spec("source: digits, normalize: none", "he", "{dense: 64}, relu, {dense: 10}", "cross_entropy", "name: adam, lr: 0.001", "");
        List<String> names = RepairCatalogue.candidates(finding("INITIAL_LOSS_OFF", Map.of()), raw, Double.NaN).stream().map(Repair::name).toList();
        assertEquals(List.of("normalize"), names, "he already fits relu: the raw inputs are what is left");
        Spec scaled = spec("source: digits", "normal:1", "{dense: 64}, relu, {dense: 10}", "cross_entropy", "name: adam, lr: 0.001", "");
        assertEquals("matching-init", RepairCatalogue.candidates(finding("INITIAL_LOSS_OFF", Map.of()), scaled, Double.NaN).get(0).name());
    }

    @Test
    void aScheduleThatFrozeTheRunIsReplacedByAConstantRate() {
        Spec s = SpecParser.parse("name: t\nseed: 1\ndata: {source: digits}\nmodel: {layers: [{dense: 64}, relu, {dense: 10}]}\n"
                + "optimizer: {name: sgd, lr: 0.01, momentum: 0.9}\nschedule: {name: step, step_size: 1, gamma: 0.01}\ntrain: {epochs: 30, batch: 32}\n", null);
        List<String> names = RepairCatalogue.candidates(finding("LEARNING_RATE_TOO_LOW", Map.of("tiny_from_epoch", 4)), s, Double.NaN).stream().map(Repair::name).toList();
        assertEquals("constant-rate", names.get(0), names.toString());
        assertEquals("constant", Repairs.constantSchedule().apply(s).schedule().name());
        assertFalse(RepairCatalogue.candidates(finding("LEARNING_RATE_TOO_LOW", Map.of()), s, Double.NaN).stream().anyMatch(r -> r.name().equals("constant-rate")),
                "a rate too low from the start is not the schedule's doing");
    }

    @Test
    void momentumNearOneIsBroughtToTheUsualSettingBeforeTheRate() {
        // sgd at 0.01 with momentum 0.999 on digits diverged; lowering lr alone kept the momentum (97.2%, test loss 1.49),
        // momentum 0.9 at the same rate trains to 96.9% with a test loss of 0.078
        Spec heavy = spec("source: digits", "he", "{dense: 64}, relu, {dense: 10}", "cross_entropy", "name: sgd, lr: 0.01, momentum: 0.999", "");
        assertEquals(0.9, Repairs.usualMomentum().apply(heavy).optimizer().momentum());
        assertEquals(0.01, Repairs.usualMomentum().apply(heavy).optimizer().lr(), "the rate is left as it is");
        assertFalse(Repairs.usualMomentum().changes(spec("source: digits", "he", "{dense: 64}, relu, {dense: 10}", "cross_entropy", "name: sgd, lr: 0.01, momentum: 0.9", "")));
        assertFalse(Repairs.usualMomentum().changes(spec("source: digits", "he", "{dense: 64}, relu, {dense: 10}", "cross_entropy", "name: adam, lr: 0.01", "")));
        for (String code : List.of("LEARNING_RATE_RANGE", "LEARNING_RATE_TOO_HIGH", "EXPLODING_GRADIENTS")) {
            List<String> names = RepairCatalogue.candidates(finding(code, Map.of("effective_lr", 10.0, "plausible_low", 3e-4)), heavy, Double.NaN)
                    .stream().map(Repair::name).toList();
            assertTrue(names.contains("momentum-0.9"), code + ": " + names);
        }
        // a rate too low is not cured by less momentum
        List<String> low = RepairCatalogue.candidates(finding("LEARNING_RATE_RANGE", Map.of("effective_lr", 1e-5, "plausible_low", 3e-4)),
                spec("source: digits", "he", "{dense: 64}, relu, {dense: 10}", "cross_entropy", "name: sgd, lr: 0.00000001, momentum: 0.999", ""), Double.NaN)
                .stream().map(Repair::name).toList();
        assertFalse(low.contains("momentum-0.9"), low.toString());
    }

    @Test
    void unscaledInputsAreStandardisedAloneThenWithALargerRate() {
        // pixels of 0-255 standardised move a hundred times less per step: normalize alone left sgd at
        // 1e-3 LEARNING_RATE_TOO_LOW on a Fashion-MNIST subset and was turned down three times;
        // normalize with lr x100 was kept (short run 20% -> 49%, then 67% with the matching init)
        Spec raw = spec("source: digits, normalize: none", "he", "{dense: 64}, relu, {dense: 10}", "cross_entropy", "name: sgd, lr: 0.001", "");
        List<Repair> c = RepairCatalogue.candidates(finding("DATA_UNSCALED", Map.of()), raw, Double.NaN);
        assertEquals(List.of("normalize", "normalize, lr x10", "normalize, lr x100"), c.stream().map(Repair::name).toList());
        Spec both = c.get(2).apply(raw);
        assertEquals(dev.vitals.core.data.Normalizer.Kind.STANDARD, both.data().normalize());
        assertEquals(0.1, both.optimizer().lr(), 1e-12);
    }

    @Test
    void aPlanOfAHandfulOfStepsIsGivenAboutThreeHundred() {
        // iris at batch 100000 for 5 epochs: 5 steps in all; batch 64 over 96 examples is 2 an epoch, so 150 epochs
        Spec few = spec("source: iris", "he", "{dense: 3}", "cross_entropy", "name: adam, lr: 0.001", "").withTrain(new Spec.Train(5, 100000, 0, 0));
        Spec more = Repairs.moreSteps(96).apply(few);
        assertEquals(64, more.train().batch());
        assertEquals(150, more.train().epochs());
        // a small batch keeps its size and gets the epochs
        Spec small = Repairs.moreSteps(96).apply(few.withTrain(new Spec.Train(3, 16, 0, 0)));
        assertEquals(16, small.train().batch());
        assertEquals(50, small.train().epochs());
        List<String> names = RepairCatalogue.candidates(finding("UNDERFITTING", Map.of("stopped_still_learning", true, "training_examples", 96)), few, Double.NaN)
                .stream().map(Repair::name).toList();
        assertEquals("more-steps", names.get(0), names.toString());
    }

    @Test
    void aRunStoppedStillLearningGetsMoreStepsAnEpochNotAWiderModel() {
        // digits in batches of 2000 (the whole training set): 30 steps, 86% and climbing; batch 64 trains to 96.9%
        Spec whole = spec("source: digits", "he", "{dense: 64}, relu, {dense: 10}", "cross_entropy", "name: sgd, lr: 0.01, momentum: 0.9", "")
                .withTrain(new Spec.Train(30, 2000, 0, 0));
        assertEquals(64, Repairs.smallerBatch().apply(whole).train().batch());
        assertEquals(30, Repairs.smallerBatch().apply(whole).train().epochs());
        assertFalse(Repairs.smallerBatch().changes(whole.withTrain(new Spec.Train(30, 128, 0, 0))), "128 is a usual batch");
        List<String> names = RepairCatalogue.candidates(finding("UNDERFITTING", Map.of("stopped_still_learning", true)), whole, Double.NaN)
                .stream().map(Repair::name).toList();
        assertEquals("smaller-batch", names.get(0), names.toString());
        assertTrue(names.contains("lr x10"), names.toString());
        assertFalse(names.contains("hidden-layer") || names.contains("widen"), "a model still learning is not short of capacity: " + names);
    }

    @Test
    void aBottleneckIsWidenedAndAnOverwhelmingWeightDecayLightened() {
        // a 1-unit layer before 10 outputs: adding a layer after it (the old candidate) left it in place
        Spec narrow = spec("{dense: 1}, relu, {dense: 10}", "cross_entropy");
        Spec wide = Repairs.widenBottleneck().apply(narrow);
        assertEquals(64.0, wide.model().layers().get(0).arg());
        assertEquals(10.0, wide.model().layers().get(2).arg(), "the output keeps its width");
        assertFalse(Repairs.widenBottleneck().changes(spec("{dense: 32}, relu, {dense: 10}", "cross_entropy")), "32 units before 10 outputs are no bottleneck");
        assertTrue(RepairCatalogue.candidates(finding("UNDERFITTING", Map.of()), narrow, Double.NaN).stream().anyMatch(r -> r.name().equals("widen")));
        // a model of one weight layer named as the cause: a hidden layer first
        Spec linear = spec("{dense: 10}", "cross_entropy");
        assertEquals("hidden-layer", RepairCatalogue.candidates(finding("UNDERFITTING", Map.of(dev.vitals.doctor.rules.HeldDown.HIDDEN_LAYERS, 0)), linear, Double.NaN).get(0).name());

        Spec decayed = spec("source: digits", "he", "{dense: 64}, relu, {dense: 10}", "cross_entropy", "name: adam, lr: 0.001, weight_decay: 1.0", "");
        assertEquals(1e-4, Repairs.lighterWeightDecay().apply(decayed).optimizer().weightDecay());
        assertFalse(Repairs.lighterWeightDecay().changes(spec("source: digits", "he", "{dense: 64}, relu, {dense: 10}", "cross_entropy", "name: adam, lr: 0.001, weight_decay: 0.01", "")));
    }

    @Test
    void tooFewOutputsGetOnePerClass() {
        // 5 outputs for digits' 10 classes, and one output regressing 10 classes
        Spec five = spec("source: digits", "he", "{dense: 32}, relu, {dense: 5}", "cross_entropy", "name: adam", "");
        List<Repair> c = RepairCatalogue.candidates(finding("DATA_LABEL_RANGE", Map.of("max_label", 9.0, "negative", 0L, "not_integer", 0L, "looks_one_based", false)), five, Double.NaN);
        Repair r = c.stream().filter(x -> x.name().equals("output-per-class")).findFirst().orElseThrow(() -> new AssertionError(c.toString()));
        assertEquals(10.0, r.apply(five).model().layers().get(2).arg());
        assertTrue(RepairCatalogue.candidates(finding("DATA_LABEL_RANGE", Map.of("max_label", 3.0, "negative", 0L, "not_integer", 0L, "looks_one_based", true)), five, Double.NaN).isEmpty(),
                "1-based labels want shifting, not another output");
        Spec regressed = spec("source: digits", "he", "{dense: 32}, relu, {dense: 1}", "mse", "name: adam", "");
        Spec fixed = RepairCatalogue.candidates(finding("LOSS_OUTPUT_MISMATCH", Map.of("classes", 10)), regressed, Double.NaN).stream()
                .filter(x -> x.name().equals("output-per-class")).findFirst().orElseThrow().apply(regressed);
        assertEquals("cross_entropy", fixed.loss());
        assertEquals(10.0, fixed.model().layers().get(2).arg());
    }
}
