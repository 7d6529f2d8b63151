package dev.vitals.doctor.rules;

import dev.vitals.core.data.PreparedData;
import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.spec.SpecParser;
import dev.vitals.core.train.Experiment;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.check.LintContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.vitals.doctor.rules.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each lint rule provoked by a spec written for it, with its evidence checked, and kept quiet by its healthy twin. */
class LintRulesTest {
    private static PreparedData digits, breastCancer, documents;

    @BeforeAll static void load() {
        digits = Experiment.loadData(spec("source: digits", "he", "{dense: 10}", "cross_entropy", "name: adam"));
        breastCancer = Experiment.loadData(spec("source: breast-cancer", "he", "{dense: 1}", "binary_cross_entropy", "name: adam"));
        documents = Experiment.loadData(spec("source: 'synthetic:documents', options: {samples: 1000, classes: 50, features: 300}, normalize: none",
                "he", "{dense: 50}", "cross_entropy", "name: adam"));
    }

    private static List<Finding> lint(LintRule r, Spec s, PreparedData d) { return r.lint(Fixtures.lint(s, d)); }

    private static List<Finding> digits(LintRule r, String init, String layers, String loss, String optimizer) {
        return lint(r, spec("source: digits", init, layers, loss, optimizer), digits);
    }

    private static final String SEED_002_LAYERS = "{dense: 256}, sigmoid, {dense: 128}, sigmoid, {dense: 64}, sigmoid, {dense: 64}, sigmoid, {dense: 64}, sigmoid, {dense: 50}, softmax";

    /** Seed 002: six dense layers, five sigmoid, softmax into cross-entropy, default init, plain SGD at 1e-4, nothing held out. */
    private static Spec seed002() {
        return spec("source: 'synthetic:documents', options: {samples: 1000, classes: 50, features: 300}, normalize: none, validation: 0, test: 0",
                "default", SEED_002_LAYERS, "cross_entropy", "name: sgd, lr: 0.0001");
    }

    /** Seed 000: tanh hidden and output layers, MSE, -1/+1 targets. */
    private static Spec seed000() {
        return spec("source: digits, targets: pm1", "default", "{dense: 128}, tanh, {dense: 64}, tanh, {dense: 10}, tanh", "mse", "name: sgd, lr: 0.1");
    }

    @Test void everyDataAndLintCodeHasOneDocumentedRule() {
        for (Code c : Code.values()) {
            if (c.stage() != dev.vitals.core.report.Finding.Stage.DATA && c.stage() != dev.vitals.core.report.Finding.Stage.LINT) continue;
            List<Rule> rules = dev.vitals.doctor.Rules.all().stream().filter(r -> r.code() == c).toList();
            assertEquals(1, rules.size(), c + " has one rule");
            Rule r = rules.get(0);
            assertTrue(r instanceof DataRule || r instanceof LintRule, c + " is decided before training");
            assertTrue(!r.condition().isBlank() && !r.basis().isBlank() && !r.cause().isBlank() && !r.fix().isBlank(), c + " is documented");
        }
    }

    // ---- SOFTMAX_BEFORE_CROSS_ENTROPY ---------------------------------------------------------

    @Test void softmaxBeforeCrossEntropyIsSeed002sFirstBug() {
        Spec s = seed002();
        LintContext c = Fixtures.lint(s, documents);
        Finding f = one(new SoftmaxBeforeCrossEntropy().lint(c), Code.SOFTMAX_BEFORE_CROSS_ENTROPY);
        assertEquals(Severity.ERROR, f.severity());
        assertEquals("layers.11", f.layer());
        assertEquals(50, f.evidence().get("classes"));
        assertEquals(2.946, num(f, "lowest_reachable_loss"));
        assertEquals(3.912, num(f, "loss_at_chance"));
        assertEquals(0.05256, num(f, "best_probability_reachable"));
        assertTrue(f.message().startsWith("layers.11 (softmax) feeds cross_entropy, which applies its own log-softmax"), f.message());
        assertEquals("softmax", c.measured().values().get("output_activation"));
    }

    @Test void sigmoidBeforeBinaryCrossEntropy() {
        Finding f = one(lint(new SoftmaxBeforeCrossEntropy(), spec("source: breast-cancer", "he", "{dense: 16}, relu, {dense: 1}, sigmoid", "binary_cross_entropy", "name: adam"),
                breastCancer), Code.SOFTMAX_BEFORE_CROSS_ENTROPY);
        assertEquals(Severity.ERROR, f.severity());
        assertEquals("layers.3", f.layer());
        assertEquals("sigmoid", f.evidence().get("loss_applies"));
        assertEquals(0.6931, num(f, "lowest_reachable_loss_class_0"));
        assertEquals(List.of(0.5, 0.7311), f.evidence().get("probability_range"));
    }

    @Test void logitsIntoTheirLossAreFine() {
        none(digits(new SoftmaxBeforeCrossEntropy(), "he", "{dense: 16}, relu, {dense: 10}", "cross_entropy", "name: adam"), Code.SOFTMAX_BEFORE_CROSS_ENTROPY);
        // softmax into mse is a different mismatch (LOSS_OUTPUT_MISMATCH), not a double softmax
        none(lint(new SoftmaxBeforeCrossEntropy(), spec("source: digits, targets: onehot", "he", "{dense: 16}, relu, {dense: 10}, softmax", "mse", "name: adam"), digits),
                Code.SOFTMAX_BEFORE_CROSS_ENTROPY);
    }

    // ---- LOSS_OUTPUT_MISMATCH ----------------------------------------------------------------

    @Test void tanhLogitsUnderCrossEntropyHaveALossFloor() {
        Finding f = one(digits(new LossOutputMismatch(), "he", "{dense: 16}, relu, {dense: 10}, tanh", "cross_entropy", "name: adam"), Code.LOSS_OUTPUT_MISMATCH);
        assertEquals(Severity.ERROR, f.severity());
        assertEquals("layers.3", f.layer());
        assertEquals(List.of(-1, 1), f.evidence().get("logit_range"));
        assertEquals(0.4509, num(f, "best_probability_reachable"), "e^2 / (e^2 + 9)");
        assertEquals(0.7966, num(f, "lowest_reachable_loss"));
    }

    @Test void sigmoidAndReluLogitsUnderCrossEntropy() {
        Finding s = one(digits(new LossOutputMismatch(), "he", "{dense: 16}, relu, {dense: 10}, sigmoid", "cross_entropy", "name: adam"), Code.LOSS_OUTPUT_MISMATCH);
        assertEquals(1.461, num(s, "lowest_reachable_loss"), "ln((e + 9) / e), as a double softmax");
        Finding r = one(digits(new LossOutputMismatch(), "he", "{dense: 16}, relu, {dense: 10}, relu", "cross_entropy", "name: adam"), Code.LOSS_OUTPUT_MISMATCH);
        assertEquals(Severity.ERROR, r.severity());
        assertEquals("layers.3", r.layer());
        assertEquals(List.of(0, "Infinity"), r.evidence().get("logit_range"));
    }

    @Test void boundedLogitsUnderBinaryCrossEntropy() {
        Finding r = one(lint(new LossOutputMismatch(), spec("source: breast-cancer", "he", "{dense: 16}, relu, {dense: 1}, relu", "binary_cross_entropy", "name: adam"), breastCancer),
                Code.LOSS_OUTPUT_MISMATCH);
        assertEquals(Severity.ERROR, r.severity());
        assertEquals(0.6931, num(r, "lowest_reachable_loss_for_target_0"));
        Finding t = one(lint(new LossOutputMismatch(), spec("source: breast-cancer", "he", "{dense: 16}, relu, {dense: 1}, tanh", "binary_cross_entropy", "name: adam"), breastCancer),
                Code.LOSS_OUTPUT_MISMATCH);
        assertEquals(0.3133, num(t, "lowest_reachable_loss"), "-ln(sigmoid(1))");
    }

    @Test void softmaxOverOneOutputIsConstant() {
        Finding f = one(lint(new LossOutputMismatch(), spec("source: breast-cancer", "he", "{dense: 16}, relu, {dense: 1}, softmax", "binary_cross_entropy", "name: adam"), breastCancer),
                Code.LOSS_OUTPUT_MISMATCH);
        assertEquals(Severity.ERROR, f.severity());
        assertEquals(1.0, num(f, "output_value"));
        assertTrue(f.fix().contains("binary_cross_entropy on the raw logit"), f.fix());
    }

    @Test void mseOnClassScoresWarnsAndNamesTheOutputLayer() {
        List<Finding> fs = lint(new LossOutputMismatch(), seed000(), digits);
        Finding f = one(fs, Code.LOSS_OUTPUT_MISMATCH);
        assertEquals(Severity.WARNING, f.severity());
        assertEquals("layers.5", f.layer());
        assertEquals(Map.of("loss", "mse", "targets", "pm1", "outputs", 10, "output_activation", "tanh"), f.evidence());
        assertTrue(f.message().contains("through layers.5 (tanh) its gradient also fades"), f.message());
        Finding plain = one(lint(new LossOutputMismatch(), spec("source: digits, targets: onehot", "he", "{dense: 16}, relu, {dense: 10}", "mse", "name: adam"), digits),
                Code.LOSS_OUTPUT_MISMATCH);
        assertEquals("layers.2", plain.layer(), "the last dense layer when nothing follows it");
    }

    @Test void mseOnOneOutputForManyClassesIsAWarning() {
        // digits regressed as one number trained to 32% and was called healthy with an info
        Finding f = one(digits(new LossOutputMismatch(), "he", "{dense: 16}, relu, {dense: 1}", "mse", "name: adam"), Code.LOSS_OUTPUT_MISMATCH);
        assertEquals(Severity.WARNING, f.severity());
        assertEquals(10, f.evidence().get("classes"));
    }

    @Test void mseOnOneOutputForManyLabelValuesIsANoteAboutAQuantity() {
        // 50 label values regressed with mse: more likely a count or a price than categories
        Finding f = one(lint(new LossOutputMismatch(), spec("source: 'synthetic:documents', options: {samples: 1000, classes: 50, features: 300}, normalize: none",
                "he", "{dense: 16}, relu, {dense: 1}", "mse", "name: adam"), documents), Code.LOSS_OUTPUT_MISMATCH);
        assertEquals(Severity.INFO, f.severity());
        assertTrue(f.message().startsWith("mse regresses the label value with one output: labels up to 49 are treated as numbers on a line"), f.message());
    }

    @Test void fittingPairsAreQuiet() {
        none(digits(new LossOutputMismatch(), "he", "{dense: 16}, relu, {dense: 10}", "cross_entropy", "name: adam"), Code.LOSS_OUTPUT_MISMATCH);
        none(lint(new LossOutputMismatch(), spec("source: breast-cancer", "he", "{dense: 16}, relu, {dense: 1}", "binary_cross_entropy", "name: adam"), breastCancer),
                Code.LOSS_OUTPUT_MISMATCH);
        none(lint(new LossOutputMismatch(), spec("source: breast-cancer", "he", "{dense: 16}, relu, {dense: 1}", "mse", "name: adam"), breastCancer),
                Code.LOSS_OUTPUT_MISMATCH);
    }

    // ---- TARGET_ENCODING ---------------------------------------------------------------------

    @Test void minusOneTargetsOnATanhOutputAreSeed000() {
        Finding f = one(lint(new TargetEncodingMismatch(), seed000(), digits), Code.TARGET_ENCODING);
        assertEquals(Severity.WARNING, f.severity());
        assertEquals("layers.5", f.layer());
        assertEquals("data.targets", f.evidence().get("setting"));
        assertEquals(1.832, num(f, "pre_activation_needed"), "atanh(0.95)");
        assertEquals(0.0975, num(f, "slope_there"));
    }

    @Test void minusOneTargetsUnderCrossEntropyHaveNoMinimum() {
        Finding f = one(lint(new TargetEncodingMismatch(), spec("source: digits, targets: pm1", "he", "{dense: 16}, relu, {dense: 10}", "cross_entropy", "name: adam"), digits),
                Code.TARGET_ENCODING);
        assertEquals(Severity.ERROR, f.severity());
        assertNull(f.layer(), "no output layer is at fault");
        assertEquals(-8, f.evidence().get("target_sum_per_example"));
        assertEquals("-Infinity", f.evidence().get("lowest_reachable_loss"));
    }

    @Test void minusOneTargetsUnderBinaryCrossEntropy() {
        Finding f = one(lint(new TargetEncodingMismatch(), spec("source: digits, targets: pm1", "he", "{dense: 16}, relu, {dense: 10}", "binary_cross_entropy", "name: adam"), digits),
                Code.TARGET_ENCODING);
        assertEquals(Severity.ERROR, f.severity());
        assertEquals(List.of(0, 1), f.evidence().get("reachable_range"));
    }

    @Test void minusOneTargetsOnASigmoidOutputAreUnreachable() {
        Finding f = one(lint(new TargetEncodingMismatch(), spec("source: digits, targets: pm1", "he", "{dense: 16}, relu, {dense: 10}, sigmoid", "mse", "name: adam"), digits),
                Code.TARGET_ENCODING);
        assertEquals(Severity.ERROR, f.severity());
        assertEquals("layers.3", f.layer());
        assertEquals(0.9, num(f, "lowest_reachable_loss"), "9 of 10 outputs miss by at least 1");
    }

    @Test void classIndicesAboveOneOnASigmoidOutput() {
        Finding f = one(digits(new TargetEncodingMismatch(), "he", "{dense: 16}, relu, {dense: 1}, sigmoid", "mse", "name: adam"), Code.TARGET_ENCODING);
        assertEquals(Severity.ERROR, f.severity());
        assertEquals(9, f.evidence().get("largest_label"));
    }

    @Test void reachableTargetsAreQuiet() {
        none(lint(new TargetEncodingMismatch(), spec("source: digits, targets: onehot", "he", "{dense: 16}, relu, {dense: 10}, sigmoid", "mse", "name: adam"), digits),
                Code.TARGET_ENCODING);
        none(lint(new TargetEncodingMismatch(), spec("source: digits, targets: pm1", "he", "{dense: 16}, relu, {dense: 10}", "mse", "name: adam"), digits),
                Code.TARGET_ENCODING);
        none(digits(new TargetEncodingMismatch(), "he", "{dense: 16}, relu, {dense: 10}", "cross_entropy", "name: adam"), Code.TARGET_ENCODING);
    }

    // ---- SATURATING_ACTIVATIONS --------------------------------------------------------------

    private static String stack(String act, int hidden, int width) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < hidden; i++) b.append("{dense: ").append(width).append("}, ").append(act).append(", ");
        return b.toString();
    }

    @Test void seed002sFiveSigmoidLayersSaturate() {
        LintContext c = Fixtures.lint(seed002(), documents);
        Finding f = one(new SaturatingActivations().lint(c), Code.SATURATING_ACTIVATIONS);
        assertEquals(Severity.WARNING, f.severity());
        assertEquals("layers.1", f.layer());
        assertEquals(5, f.evidence().get("saturating_hidden_layers"));
        assertEquals(List.of("layers.1", "layers.3", "layers.5", "layers.7", "layers.9"), f.evidence().get("layers"));
        assertEquals(9.766e-4, num(f, "gradient_bound_from_slopes"), "0.25^5");
        assertEquals(6, f.evidence().get("weight_layers"));
        assertEquals(5, c.measured().values().get("saturating_hidden_layers"));
    }

    @Test void seed001sFifteenLayerSigmoidNetworkSaturates() {
        Finding f = one(lint(new SaturatingActivations(), spec("source: breast-cancer", "he", stack("sigmoid", 14, 32) + "{dense: 1}", "binary_cross_entropy", "name: adam"),
                breastCancer), Code.SATURATING_ACTIVATIONS);
        assertEquals(14, f.evidence().get("saturating_hidden_layers"));
        assertEquals(15, f.evidence().get("weight_layers"));
    }

    @Test void depthDecides() {
        none(lint(new SaturatingActivations(), seed000(), digits), Code.SATURATING_ACTIVATIONS);        // 2 tanh hidden layers
        none(digits(new SaturatingActivations(), "xavier", stack("tanh", 3, 32) + "{dense: 10}", "cross_entropy", "name: adam"), Code.SATURATING_ACTIVATIONS);
        Finding f = one(digits(new SaturatingActivations(), "xavier", stack("tanh", 4, 32) + "{dense: 10}", "cross_entropy", "name: adam"), Code.SATURATING_ACTIVATIONS);
        assertEquals(Map.of("tanh", 4), f.evidence().get("by_kind"));
        assertEquals(1.0, num(f, "gradient_bound_from_slopes"), "tanh's best slope is 1");
        none(digits(new SaturatingActivations(), "he", stack("relu", 10, 32) + "{dense: 10}", "cross_entropy", "name: adam"), Code.SATURATING_ACTIVATIONS);
    }

    // ---- INIT_MISMATCH -----------------------------------------------------------------------

    @Test void defaultInitWithSeed002sSigmoids() {
        Finding f = one(lint(new InitMismatch(), seed002(), documents), Code.INIT_MISMATCH);
        assertEquals(Severity.WARNING, f.severity());
        assertEquals("layers.1", f.layer());
        assertEquals("default", f.evidence().get("init"));
        assertEquals(5, f.evidence().get("saturating_hidden_layers"));
        assertEquals(0.3333, num(f, "variance_gain_per_layer"));
    }

    @Test void heWithTanhHiddenLayers() {
        Finding f = one(digits(new InitMismatch(), "he", stack("tanh", 2, 32) + "{dense: 10}", "cross_entropy", "name: adam"), Code.INIT_MISMATCH);
        assertEquals(2.0, num(f, "variance_gain_per_layer"));
        assertEquals(List.of("layers.1", "layers.3"), f.evidence().get("layers"));
        none(digits(new InitMismatch(), "he", stack("tanh", 1, 32) + "{dense: 10}", "cross_entropy", "name: adam"), Code.INIT_MISMATCH);
        none(digits(new InitMismatch(), "xavier", stack("tanh", 5, 32) + "{dense: 10}", "cross_entropy", "name: adam"), Code.INIT_MISMATCH);
        // under default, two tanh layers trained as under xavier (moons 97.0% against 96.5%): three are the bar
        none(digits(new InitMismatch(), "default", stack("tanh", 2, 32) + "{dense: 10}", "cross_entropy", "name: adam"), Code.INIT_MISMATCH);
        assertEquals(3, one(digits(new InitMismatch(), "default", stack("tanh", 3, 32) + "{dense: 10}", "cross_entropy", "name: adam"), Code.INIT_MISMATCH)
                .evidence().get("saturating_hidden_layers"));
    }

    @Test void xavierInADeepReluNetwork() {
        Finding f = one(digits(new InitMismatch(), "xavier", stack("relu", 4, 64) + "{dense: 10}", "cross_entropy", "name: adam"), Code.INIT_MISMATCH);
        assertEquals("layers.1", f.layer());
        assertEquals(4, f.evidence().get("relu_hidden_layers"));
        assertEquals(0.25, num(f, "signal_scale_at_last_hidden_layer"));
        none(digits(new InitMismatch(), "lecun", stack("relu", 3, 64) + "{dense: 10}", "cross_entropy", "name: adam"), Code.INIT_MISMATCH);
        // batchnorm restores each layer's scale
        none(digits(new InitMismatch(), "xavier", stack("batchnorm, relu", 4, 64) + "{dense: 10}", "cross_entropy", "name: adam"), Code.INIT_MISMATCH);
    }

    @Test void tinyNormalInitCollapsesADeepReluNetwork() {
        LintContext c = Fixtures.lint(spec("source: digits", "normal:0.01", "{dense: 64}, relu, {dense: 64}, relu, {dense: 10}", "cross_entropy", "name: adam"), digits);
        Finding f = one(new InitMismatch().lint(c), Code.INIT_MISMATCH);
        assertEquals("layers.0", f.layer());
        // He's std is sqrt(2/64) = 0.177 before both ReLUs, LeCun's sqrt(1/64) = 0.125 for the output: gains 0.0566, 0.0566, 0.08
        assertEquals(Map.of("layers.0", 0.05657, "layers.2", 0.05657, "layers.4", 0.08), f.evidence().get("gain_by_layer"));
        assertEquals(2.56e-4, num(f, "signal_scale"));
        assertTrue(f.message().contains("far below"), f.message());
        assertEquals(2.56e-4, ((Number) c.measured().values().get("init_signal_scale")).doubleValue());
        // one hidden layer: small init is the classic two-layer setup and does not compound
        none(digits(new InitMismatch(), "normal:0.01", "{dense: 64}, relu, {dense: 10}", "cross_entropy", "name: adam"), Code.INIT_MISMATCH);
        none(digits(new InitMismatch(), "uniform:0.3", "{dense: 64}, relu, {dense: 64}, relu, {dense: 10}", "cross_entropy", "name: adam"), Code.INIT_MISMATCH);
    }

    @Test void largeNormalInitIsTheExplodingCasebookSpec() throws Exception {
        Spec s = SpecParser.read(repo().resolve("casebook/003-failure-modes/exploding.yaml"));
        Finding f = one(new InitMismatch().lint(Fixtures.lint(s)), Code.INIT_MISMATCH);
        assertEquals(4096.0, num(f, "signal_scale"), "2.83 x 4^4 x 5.66");
        assertTrue(f.message().contains("far above"), f.message());
    }

    @Test void convLayersCountChannelsTimesKernelArea() {
        LintContext c = Fixtures.lint(spec("source: digits", "he", "{dense: 10}", "cross_entropy", "name: adam"), digits);
        dev.vitals.core.train.LayerInfo conv = new dev.vitals.core.train.LayerInfo(0, "layers.0", "conv2d", "conv2d 32 3x3", new int[] {16, 28, 28},
                new int[] {32, 26, 26}, List.of(), "none", 0);
        assertEquals(144, InitMismatch.fanIn(conv));
        assertEquals(64, InitMismatch.fanIn(c.layers().get(0)));
    }

    // ---- NO_NORMALIZATION --------------------------------------------------------------------

    @Test void fiveWeightLayersWithoutNormalisation() {
        LintContext c = Fixtures.lint(spec("source: digits", "he", stack("relu", 4, 32) + "{dense: 10}", "cross_entropy", "name: adam"), digits);
        Finding f = one(new NoNormalization().lint(c), Code.NO_NORMALIZATION);
        assertEquals(Severity.WARNING, f.severity());
        assertEquals(5, f.evidence().get("weight_layers"));
        assertEquals(List.of("layers.0", "layers.2", "layers.4", "layers.6", "layers.8"), f.evidence().get("layers"));
        assertEquals(5, c.measured().values().get("weight_layers"));
        none(digits(new NoNormalization(), "he", stack("relu", 3, 32) + "{dense: 10}", "cross_entropy", "name: adam"), Code.NO_NORMALIZATION);
        none(digits(new NoNormalization(), "he", stack("relu", 4, 32) + "layernorm, {dense: 10}", "cross_entropy", "name: adam"), Code.NO_NORMALIZATION);
        none(digits(new NoNormalization(), "he", "{dense: 32}, relu, {residual: [{dense: 32}, batchnorm, relu, {dense: 32}]}, relu, {dense: 32}, relu, {dense: 32}, relu, {dense: 10}",
                "cross_entropy", "name: adam"), Code.NO_NORMALIZATION);
    }

    // ---- BATCHNORM_SMALL_BATCH ---------------------------------------------------------------

    private static List<Finding> atBatch(String layers, int batch) {
        Spec s = spec("source: digits", "he", layers, "cross_entropy", "name: adam");
        return lint(new BatchnormSmallBatch(), s.withTrain(s.train().withBatch(batch)), digits);
    }

    @Test void batchnormOverFlatFeaturesAtABatchOfTwoWarns() {
        // digits through dense 96-48 with batchnorm: 79.7% test at batch 2, 95.3% at 4, 96.9% without batchnorm
        String bn = "{dense: 96}, batchnorm, relu, {dense: 48}, batchnorm, relu, {dense: 10}";
        Finding f = one(atBatch(bn, 2), Code.BATCHNORM_SMALL_BATCH);
        assertEquals(Severity.WARNING, f.severity());
        assertEquals("layers.1", f.layer());
        assertEquals(List.of("layers.1", "layers.4"), f.evidence().get("layers"));
        assertTrue(f.fix().startsWith("use layernorm"), f.fix());
        none(atBatch(bn, 4), Code.BATCHNORM_SMALL_BATCH);
        none(atBatch(bn, 32), Code.BATCHNORM_SMALL_BATCH);
        none(atBatch(bn.replace("batchnorm", "layernorm"), 2), Code.BATCHNORM_SMALL_BATCH);
    }

    // ---- NO_VALIDATION -----------------------------------------------------------------------

    @Test void nothingHeldOutWarns() {
        Finding f = one(lint(new NoValidation(), seed002(), Experiment.loadData(seed002())), Code.NO_VALIDATION);
        assertEquals(Severity.WARNING, f.severity());
        assertEquals("data.validation", f.evidence().get("setting"));
        assertEquals(1000, f.evidence().get("training_examples"));
        assertEquals(0, f.evidence().get("test_examples"));
    }

    @Test void aTestSplitAloneIsInformation() {
        Spec s = spec("source: iris, validation: 0", "he", "{dense: 8}, relu, {dense: 3}", "cross_entropy", "name: adam");
        Finding f = one(lint(new NoValidation(), s, Experiment.loadData(s)), Code.NO_VALIDATION);
        assertEquals(Severity.INFO, f.severity());
        assertEquals(30, f.evidence().get("test_examples"));
    }

    @Test void xorIsTooSmallToHoldOut() {
        Spec s = spec(Fixtures.XOR);
        none(lint(new NoValidation(), s, Experiment.loadData(s)), Code.NO_VALIDATION);
        Spec tiny = spec("source: 'synthetic:xor', options: {samples: 40}, validation: 0, test: 0", "he", "{dense: 4}, relu, {dense: 1}", "binary_cross_entropy", "name: adam");
        none(lint(new NoValidation(), tiny, Experiment.loadData(tiny)), Code.NO_VALIDATION);
    }

    // ---- LEARNING_RATE_RANGE -----------------------------------------------------------------

    @Test void adamFarAboveItsRange() {
        Finding f = one(digits(new LearningRateRange(), "he", "{dense: 16}, relu, {dense: 10}", "cross_entropy", "name: adam, lr: 0.1"), Code.LEARNING_RATE_RANGE);
        assertEquals(Severity.WARNING, f.severity());
        assertEquals("optimizer.lr", f.evidence().get("setting"));
        assertEquals(0.1, num(f, "lr"));
        assertEquals(0.03, num(f, "plausible_high"));
        assertTrue(f.message().startsWith("adam at lr 0.1, 3.333 times above"), f.message());
    }

    @Test void sgdIsJudgedOnItsEffectiveStep() {
        Finding high = one(digits(new LearningRateRange(), "he", "{dense: 16}, relu, {dense: 10}", "cross_entropy", "name: sgd, lr: 0.5, momentum: 0.9"),
                Code.LEARNING_RATE_RANGE);
        assertEquals(5.0, num(high, "effective_lr"), "0.5 / (1 - 0.9)");
        Finding low = one(lint(new LearningRateRange(), seed002(), documents), Code.LEARNING_RATE_RANGE);
        assertEquals(1e-4, num(low, "effective_lr"));
        assertTrue(low.message().contains("3 times below"), low.message());
        // the usual ResNet setting and momentum-free SGD at 0.1 are fine; 0.05 with momentum is 0.5 effective
        none(digits(new LearningRateRange(), "he", "{dense: 16}, relu, {dense: 10}", "cross_entropy", "name: sgd, lr: 0.1, momentum: 0.9"), Code.LEARNING_RATE_RANGE);
        // at the range's end: 0.2 / (1 - 0.9) is 2.0000000000000004 in doubles ("2, 1 times above the 3.00e-04 to 2")
        none(digits(new LearningRateRange(), "he", "{dense: 16}, relu, {dense: 10}", "cross_entropy", "name: sgd, lr: 0.2, momentum: 0.9"), Code.LEARNING_RATE_RANGE);
        none(digits(new LearningRateRange(), "he", "{dense: 16}, relu, {dense: 10}", "cross_entropy", "name: sgd, lr: 0.001"), Code.LEARNING_RATE_RANGE);
    }

    @Test void adamFarBelowItsRangeAndThePlausibleRanges() {
        one(digits(new LearningRateRange(), "he", "{dense: 16}, relu, {dense: 10}", "cross_entropy", "name: adamw, lr: 0.00001"), Code.LEARNING_RATE_RANGE);
        none(digits(new LearningRateRange(), "he", "{dense: 16}, relu, {dense: 10}", "cross_entropy", "name: adam, lr: 0.01"), Code.LEARNING_RATE_RANGE);
        LearningRateRange.Range r = LearningRateRange.plausible(spec("source: digits", "he", "{dense: 10}", "cross_entropy", "name: sgd, lr: 0.01, momentum: 0.5").optimizer());
        assertEquals(0.02, r.effective(), 1e-12);
        assertTrue(r.contains(r.effective()));
        assertEquals(0.03, LearningRateRange.plausible(spec("source: digits", "he", "{dense: 10}", "cross_entropy", "name: adam").optimizer()).high());
    }

    // ---- WEIGHT_DECAY_RANGE ------------------------------------------------------------------

    @Test void aWeightDecayFarAboveWhatItsOptimizerTakes() {
        // sgd with weight decay 5 at batch 2 ended at chance (10.3%) where 1e-4 reaches 97.8%
        Finding f = one(digits(new WeightDecayRange(), "he", "{dense: 64}, relu, {dense: 10}", "cross_entropy", "name: sgd, lr: 0.05, weight_decay: 5"), Code.WEIGHT_DECAY_RANGE);
        assertEquals(Severity.WARNING, f.severity());
        assertEquals("optimizer.weight_decay", f.evidence().get("setting"));
        assertEquals(0.1, num(f, "plausible_high"));
        assertTrue(f.message().startsWith("sgd with weight_decay 5 (added to the gradient, as L2), 50 times above the 0.1"), f.message());
        // adam's L2 at 1 (65% on digits with dropout, 94.4% at 1e-4); adamw's decoupled decay only far beyond its 0.01 to 0.1
        one(digits(new WeightDecayRange(), "he", "{dense: 64}, relu, {dense: 10}", "cross_entropy", "name: adam, lr: 0.001, weight_decay: 1"), Code.WEIGHT_DECAY_RANGE);
        Finding w = one(digits(new WeightDecayRange(), "he", "{dense: 64}, relu, {dense: 10}", "cross_entropy", "name: adamw, lr: 0.001, weight_decay: 10"), Code.WEIGHT_DECAY_RANGE);
        assertTrue(w.message().startsWith("adamw with weight_decay 10 (decoupled), 10 times above the 1 "), w.message());
    }

    @Test void theUsualWeightDecaysAreNotWarnedOf() {
        for (String o : List.of("name: adam, lr: 0.001, weight_decay: 0.0001", "name: adam, lr: 0.001, weight_decay: 0.01", "name: adam, lr: 0.001, weight_decay: 0.1",
                "name: sgd, lr: 0.1, momentum: 0.9, weight_decay: 0.0005", "name: sgd, lr: 0.05, weight_decay: 0.01", "name: adam, lr: 0.001",
                "name: adamw, lr: 0.001, weight_decay: 0.01", "name: adamw, lr: 0.001, weight_decay: 0.1", "name: adamw, lr: 0.00003, weight_decay: 0.5",
                "name: adamw, lr: 0.001, weight_decay: 1")) {
            none(digits(new WeightDecayRange(), "he", "{dense: 64}, relu, {dense: 10}", "cross_entropy", o), Code.WEIGHT_DECAY_RANGE);
        }
    }
}
