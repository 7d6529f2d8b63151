package dev.vitals.core.nn;

import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static dev.vitals.core.nn.GradChecks.assertPasses;
import static dev.vitals.core.nn.GradChecks.built;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every layer's backward pass agrees with finite differences, in training and evaluation mode. */
class GradientCheckLayersTest {
    private static final long[] SEEDS = {1, 2, 3};

    static Stream<Arguments> layers() {
        return Stream.of(
                Arguments.of("dense", (Supplier<Layer>) () -> new Dense(5), Shape.of(7)),
                Arguments.of("dense 1 unit", (Supplier<Layer>) () -> new Dense(1), Shape.of(3)),
                Arguments.of("relu", (Supplier<Layer>) Activation.ReLU::new, Shape.of(9)),
                Arguments.of("leaky_relu", (Supplier<Layer>) () -> new Activation.LeakyReLU(0.01f), Shape.of(9)),
                Arguments.of("leaky_relu 0.2", (Supplier<Layer>) () -> new Activation.LeakyReLU(0.2f), Shape.of(2, 3, 3)),
                Arguments.of("gelu", (Supplier<Layer>) Activation.GELU::new, Shape.of(9)),
                Arguments.of("sigmoid", (Supplier<Layer>) Activation.Sigmoid::new, Shape.of(9)),
                Arguments.of("tanh", (Supplier<Layer>) Activation.Tanh::new, Shape.of(9)),
                Arguments.of("softmax", (Supplier<Layer>) Softmax::new, Shape.of(6)),
                Arguments.of("layernorm flat", (Supplier<Layer>) LayerNorm::new, Shape.of(6)),
                Arguments.of("layernorm image", (Supplier<Layer>) LayerNorm::new, Shape.of(2, 3, 3)),
                Arguments.of("conv2d 3x3 s1 p1, 2->3 channels", (Supplier<Layer>) () -> new Conv2d(3, 3, 1, 1), Shape.of(2, 5, 5)),
                Arguments.of("conv2d 3x3 s1 p0, 3->2 channels", (Supplier<Layer>) () -> new Conv2d(2, 3, 1, 0), Shape.of(3, 5, 6)),
                Arguments.of("conv2d 2x2 s2 p0", (Supplier<Layer>) () -> new Conv2d(2, 2, 2, 0), Shape.of(3, 6, 6)),
                Arguments.of("conv2d 3x3 s2 p1", (Supplier<Layer>) () -> new Conv2d(4, 3, 2, 1), Shape.of(2, 7, 7)),
                Arguments.of("conv2d 1x1", (Supplier<Layer>) () -> new Conv2d(3, 1, 1, 0), Shape.of(2, 3, 4)),
                Arguments.of("conv2d 5x5 s3 p2", (Supplier<Layer>) () -> new Conv2d(2, 5, 3, 2), Shape.of(1, 8, 7)),
                Arguments.of("conv2d 3x3 s1 p1 channels-last", (Supplier<Layer>) () -> new Conv2d(3, 3, 1, 1, Conv2d.Unfold.CHANNELS_LAST), Shape.of(2, 5, 5)),
                Arguments.of("conv2d 3x3 s1 p0 channels-last", (Supplier<Layer>) () -> new Conv2d(2, 3, 1, 0, Conv2d.Unfold.CHANNELS_LAST), Shape.of(3, 5, 6)),
                Arguments.of("conv2d 3x3 s2 p1 channels-last", (Supplier<Layer>) () -> new Conv2d(4, 3, 2, 1, Conv2d.Unfold.CHANNELS_LAST), Shape.of(2, 7, 7)),
                Arguments.of("conv2d 5x5 s3 p2 channels-last", (Supplier<Layer>) () -> new Conv2d(2, 5, 3, 2, Conv2d.Unfold.CHANNELS_LAST), Shape.of(3, 8, 7)),
                Arguments.of("conv2d 3x3 s1 p1 winograd", (Supplier<Layer>) () -> new Conv2d(3, 3, 1, 1, Conv2d.Unfold.WINOGRAD), Shape.of(2, 5, 5)),
                Arguments.of("conv2d 3x3 s1 p0 winograd, odd output", (Supplier<Layer>) () -> new Conv2d(2, 3, 1, 0, Conv2d.Unfold.WINOGRAD), Shape.of(3, 5, 6)),
                Arguments.of("conv2d 3x3 s1 p1, 16 -> 16 channels (winograd by default)", (Supplier<Layer>) () -> new Conv2d(16, 3, 1, 1), Shape.of(16, 4, 4)),
                Arguments.of("conv2d 3x3 s1 p1, 8 channels (channels-last by default)", (Supplier<Layer>) () -> new Conv2d(2, 3, 1, 1), Shape.of(8, 4, 4)),
                Arguments.of("maxpool 2", (Supplier<Layer>) () -> new MaxPool(2), Shape.of(2, 4, 5)),
                Arguments.of("maxpool 3", (Supplier<Layer>) () -> new MaxPool(3), Shape.of(1, 6, 7)),
                Arguments.of("flatten", (Supplier<Layer>) Flatten::new, Shape.of(2, 3, 3)),
                Arguments.of("residual dense+relu", (Supplier<Layer>) () -> new Residual(List.of(new Dense(6), new Activation.ReLU())), Shape.of(6)),
                Arguments.of("residual dense+batchnorm+relu+dense", (Supplier<Layer>) () -> new Residual(
                        List.of(new Dense(6), new BatchNorm(), new Activation.ReLU(), new Dense(6))), Shape.of(6)),
                Arguments.of("residual conv+batchnorm", (Supplier<Layer>) () -> new Residual(
                        List.of(new Conv2d(2, 3, 1, 1), new BatchNorm())), Shape.of(2, 4, 4)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void correctLayersPass(String name, Supplier<Layer> make, Shape input) {
        for (long seed : SEEDS) {
            Layer l = built(make.get(), input, seed);
            GradientCheck.Result r = assertPasses(GradientCheck.defaults().seed(seed).check(l));
            // One input gradient and one per parameter, in each of the two modes.
            assertEquals(2 * (1 + l.parameters().size()), r.tensors().size());
            for (Parameter p : l.parameters()) {
                assertNotNull(r.get(p.fullName(), Mode.TRAIN), p.fullName());
                assertNotNull(r.get(p.fullName(), Mode.EVAL), p.fullName());
            }
        }
    }

    @Test
    void batchNormFlatAndImageInBothModes() {
        for (Shape in : List.of(Shape.of(5), Shape.of(3, 4, 4))) {
            for (long seed : SEEDS) {
                BatchNorm bn = built(new BatchNorm(), in, seed);
                SplittableRandom rng = new SplittableRandom(seed);
                // Non-trivial affine and running statistics, so that evaluation mode is not the identity.
                for (Parameter p : bn.parameters()) fill(p.value().data(), p.size(), rng, 0.5, p.name().equals("weight") ? 1 : 0);
                Map<String, Tensor> buf = bn.buffers();
                fill(buf.get("running_mean").data(), in.dim(0), rng, 0.5, 0);
                float[] rv = buf.get("running_var").data();
                for (int c = 0; c < in.dim(0); c++) rv[c] = (float) (0.3 + 2 * rng.nextDouble());
                GradientCheck.Result r = assertPasses(GradientCheck.defaults().seed(seed).check(bn));
                for (Mode m : Mode.values()) {
                    for (String t : List.of("input", "weight", "bias")) assertNotNull(r.get(t, m), t + " " + m);
                    assertEquals(0, r.get("input", m).skipped());
                }
                // In training mode the batch statistics couple the examples, so the input gradient
                // differs from evaluation mode's per-element scale.
                GradientCheck.TensorResult train = r.get("input", Mode.TRAIN), eval = r.get("input", Mode.EVAL);
                assertTrue(Math.abs(train.analyticNorm() - eval.analyticNorm()) > 1e-3 * eval.analyticNorm(), train + " / " + eval);
            }
        }
    }

    @Test
    void batchNormWithLargerBatchAndSampledEntries() {
        BatchNorm bn = built(new BatchNorm(), Shape.of(4, 6, 6), 5);
        GradientCheck.Result r = assertPasses(GradientCheck.defaults().seed(5).batch(8).maxEntries(40).check(bn));
        GradientCheck.TensorResult in = r.get("input", Mode.TRAIN);
        assertEquals(8 * 4 * 36, in.entries());
        assertEquals(40, in.checked());
    }

    @Test
    void dropoutIsCheckedWithItsMaskFrozenAndReleasedAfterwards() {
        Dropout d = built(new Dropout(0.5), Shape.of(40), 3);
        GradientCheck.Result r = assertPasses(GradientCheck.defaults().seed(3).check(d));
        GradientCheck.TensorResult train = r.get("input", Mode.TRAIN), eval = r.get("input", Mode.EVAL);
        // With p = 0.5 the kept entries are scaled by 2 and about half are dropped, so the training
        // gradient differs from the identity of evaluation mode; the numbers still agreed.
        assertTrue(Math.abs(train.analyticNorm() - eval.analyticNorm()) > 0.1 * eval.analyticNorm(), train + " / " + eval);
        // Unfrozen again: two training passes draw different masks.
        Tensor x = Tensor.zeros(4, 40);
        x.fill(1f);
        float[] first = d.forward(x, Mode.TRAIN).copy().data();
        float[] second = d.forward(x, Mode.TRAIN).copy().data();
        assertFalse(Arrays.equals(first, second));
    }

    @Test
    void reluPointsExactlyAtTheKinkAreSkippedAndCounted() {
        Activation.ReLU relu = built(new Activation.ReLU(), Shape.of(9), 0);
        Tensor x = awayFromZero(4, 9, 11);
        int[] zeros = {0, 7, 20};
        for (int z : zeros) x.data()[z] = 0f;
        GradientCheck.Result r = assertPasses(GradientCheck.defaults().check(relu, x));
        for (Mode m : Mode.values()) assertEquals(zeros.length, r.get("input", m).skipped());

        // The same for leaky ReLU, whose slopes on both sides are non-zero.
        Activation.LeakyReLU leaky = built(new Activation.LeakyReLU(0.1f), Shape.of(9), 0);
        GradientCheck.Result rl = assertPasses(GradientCheck.defaults().check(leaky, x));
        assertEquals(zeros.length, rl.get("input", Mode.TRAIN).skipped());
    }

    @Test
    void pointsNearButNotAtAKinkAreCheckedWithASmallerStep() {
        Activation.ReLU relu = built(new Activation.ReLU(), Shape.of(9), 0);
        Tensor x = awayFromZero(4, 9, 12);
        // Inside ±2h of the kink at the default step, but outside it at a sixteenth of the step.
        double h = GradientCheck.DEFAULT_STEP;
        float[] near = {(float) (0.5 * h), (float) (-1.5 * h), (float) (0.2 * h)};
        for (int i = 0; i < near.length; i++) x.data()[3 * i + 1] = near[i];
        GradientCheck.Result r = assertPasses(GradientCheck.defaults().check(relu, x));
        assertEquals(0, r.get("input", Mode.TRAIN).skipped());
    }

    /**
     * A convolution's bias moves every ReLU input of its channel (784 here): several kinks inside
     * the stencil bend the slopes without one large jump, and the estimates at h and h/4 agreed on a
     * wrong value. The doctor's check (seed 7) failed this correct block for model seed 3 (bias
     * analytic 26.54, numeric 28.66); measuring kinked coordinates once more at a finer step counts
     * that spread into the bound.
     */
    @Test
    void aConvolutionEndingInReLUWithManyKinksPerBiasPasses() {
        // the margin the single-layer tests ask for does not apply: the kinks' spread is most of the floor here
        StringBuilder failed = new StringBuilder();
        for (long seed = 0; seed < 8; seed++) {
            // as a spec builds it: a first convolution, tanh and pooling draw from the same stream first
            List<Layer> layers = List.of(new Conv2d(8, 3, 1, 1), new Activation.Tanh(), new MaxPool(2),
                    new Residual(List.of(new Conv2d(8, 3, 1, 1), new Activation.ReLU())), new Flatten(), new Dense(10));
            Model model = Model.build(layers, Shape.of(1, 28, 28), new BuildContext(Init.DEFAULT, new SplittableRandom(seed ^ 0x1417_5EEDL)));
            GradientCheck.Result r = GradientCheck.defaults().seed(7).check(model.layers().get(3));
            if (!r.passed()) failed.append(seed).append(": ").append(r).append('\n');
        }
        assertTrue(failed.isEmpty(), failed::toString);
    }

    @Test
    void tooManyKinksFailTheCheckInsteadOfPassingUnchecked() {
        Activation.ReLU relu = built(new Activation.ReLU(), Shape.of(8), 0);
        Tensor x = awayFromZero(4, 8, 13);
        // Three quarters of the entries at the kink: more than the half that may be skipped.
        for (int i = 0; i < x.size(); i++) if (i % 4 != 0) x.data()[i] = 0f;
        GradientCheck.Result r = GradientCheck.defaults().check(relu, x);
        assertFalse(r.passed());
        GradientCheck.TensorResult t = r.get("input", Mode.TRAIN);
        assertEquals(24, t.skipped());
        assertTrue(t.problem().contains("kinks"), t.problem());
    }

    @Test
    void maxPoolTiesAreSkipped() {
        MaxPool pool = built(new MaxPool(2), Shape.of(2, 4, 4), 0);
        Tensor x = awayFromZero(4, 32, 14).reshape(4, 2, 4, 4);
        float[] v = x.data();
        // Four windows whose two largest values are equal: both sit at a kink.
        int[][] windows = {{0, 0, 0}, {1, 1, 2}, {2, 0, 2}, {3, 1, 0}}; // example, channel, window
        for (int[] w : windows) {
            int base = ((w[0] * 2 + w[1]) * 4) * 4, oy = w[2] / 2 * 2, ox = w[2] % 2 * 2;
            int a = base + oy * 4 + ox, b = base + (oy + 1) * 4 + ox + 1;
            v[a] = 5f;
            v[b] = 5f;
        }
        GradientCheck.Result r = assertPasses(GradientCheck.defaults().maxEntries(1000).check(pool, x));
        assertEquals(128, r.get("input", Mode.TRAIN).checked());
        assertEquals(8, r.get("input", Mode.TRAIN).skipped());
    }

    @Test
    void wholeModelEndToEndNamesEveryParameter() {
        for (long seed : SEEDS) {
            List<Layer> layers = List.of(new Conv2d(3, 3, 1, 1), new BatchNorm(), new Activation.ReLU(), new MaxPool(2),
                    new Flatten(), new Dense(8), new LayerNorm(), new Activation.Tanh(), new Dropout(0.2),
                    new Residual(List.of(new Dense(8), new Activation.GELU())), new Dense(3));
            Model model = Model.build(layers, Shape.of(2, 6, 6), new BuildContext(Init.parse("he"), new SplittableRandom(seed)));
            GradientCheck.Result r = assertPasses(GradientCheck.defaults().seed(seed).check(model), 2);
            List<String> names = new ArrayList<>();
            for (GradientCheck.TensorResult t : r.tensors()) if (t.mode() == Mode.TRAIN) names.add(t.name());
            assertEquals(List.of("input", "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
                    "layers.5.weight", "layers.5.bias", "layers.6.weight", "layers.6.bias",
                    "layers.9.block.0.weight", "layers.9.block.0.bias", "layers.10.weight", "layers.10.bias"), names);
            GradientCheck.TensorResult inner = r.get("layers.9.block.0.weight", Mode.TRAIN);
            assertEquals("layers.9.block.0", inner.layer());
            assertEquals("weight", inner.parameter());
        }
    }

    @Test
    void aLayerInsideAModelIsReportedByItsPath() {
        Model model = Model.build(List.of(new Dense(4), new Activation.ReLU(), new Dense(2)), Shape.of(3),
                new BuildContext(Init.DEFAULT, new SplittableRandom(4)));
        Layer second = model.layers().get(2);
        GradientCheck.Result r = assertPasses(GradientCheck.defaults().check(second));
        assertNotNull(r.get("layers.2.input", Mode.TRAIN));
        assertNotNull(r.get("layers.2.bias", Mode.EVAL));
        assertTrue(r.subject().startsWith("layers.2"), r.subject());
    }

    @Test
    void theCheckedLayerIsLeftAsItWasFound() {
        List<Layer> body = List.of(new Dense(5), new BatchNorm(), new Dropout(0.3));
        Residual res = new Residual(body);
        res.path("layers.3");
        built(res, Shape.of(5), 8);
        SplittableRandom rng = new SplittableRandom(8);
        List<float[]> values = new ArrayList<>(), grads = new ArrayList<>();
        for (Parameter p : res.parameters()) {
            fill(p.grad().data(), p.size(), rng, 1, 0);
            values.add(p.value().copy().data());
            grads.add(p.grad().copy().data());
        }
        Map<String, Tensor> buf = res.buffers();
        fill(buf.get("layers.3.block.1.running_mean").data(), 5, rng, 1, 0);
        float[] mean = buf.get("layers.3.block.1.running_mean").copy().data(), var = buf.get("layers.3.block.1.running_var").copy().data();
        assertPasses(GradientCheck.defaults().check(res));
        for (int i = 0; i < res.parameters().size(); i++) {
            assertArrayEquals(values.get(i), res.parameters().get(i).value().data());
            assertArrayEquals(grads.get(i), res.parameters().get(i).grad().data());
        }
        assertArrayEquals(mean, res.buffers().get("layers.3.block.1.running_mean").data());
        assertArrayEquals(var, res.buffers().get("layers.3.block.1.running_var").data());
    }

    @Test
    void theInputGivenIsNotModified() {
        Dense d = built(new Dense(3), Shape.of(4), 0);
        Tensor x = awayFromZero(2, 4, 1);
        float[] before = x.copy().data();
        assertPasses(GradientCheck.defaults().check(d, x));
        assertArrayEquals(before, x.data());
    }

    @Test
    void sameSeedSameNumbers() {
        Conv2d c1 = built(new Conv2d(2, 3, 1, 1), Shape.of(2, 5, 5), 3), c2 = built(new Conv2d(2, 3, 1, 1), Shape.of(2, 5, 5), 3);
        GradientCheck.Result a = GradientCheck.defaults().seed(9).check(c1), b = GradientCheck.defaults().seed(9).check(c2);
        for (int i = 0; i < a.tensors().size(); i++) {
            assertEquals(a.tensors().get(i).relativeError(), b.tensors().get(i).relativeError());
            assertEquals(a.tensors().get(i).worstIndex(), b.tensors().get(i).worstIndex());
        }
    }

    /** Standard normal values pushed at least 0.1 away from zero, so only planted kinks exist. */
    static Tensor awayFromZero(int batch, int features, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor x = Tensor.zeros(batch, features);
        float[] v = x.data();
        for (int i = 0; i < v.length; i++) {
            double g = rng.nextGaussian();
            v[i] = (float) (g >= 0 ? g + 0.1 : g - 0.1);
        }
        return x;
    }

    private static void fill(float[] a, int n, SplittableRandom rng, double std, double mean) {
        for (int i = 0; i < n; i++) a[i] = (float) (mean + std * rng.nextGaussian());
    }
}
