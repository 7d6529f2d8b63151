package dev.vitals.core.nn;

import dev.vitals.core.kernel.Kernels;
import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static dev.vitals.core.nn.GradChecks.assertPasses;
import static dev.vitals.core.nn.GradChecks.built;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The check fails, by orders of magnitude and naming the tensor, on gradients that are wrong. */
class GradientCheckFaultsTest {
    /** Wrong gradients must miss by at least this many times the tolerance. */
    private static final double ORDERS = 100;

    @Test
    void transposedWeightGradientFails() {
        for (long seed = 1; seed <= 3; seed++) {
            GradientCheck.Result r = GradientCheck.defaults().seed(seed).check(built(new BadDense(5, BadDense.Bug.TRANSPOSED), Shape.of(5), seed));
            assertOnlyFails(r, "weight");
        }
    }

    @Test
    void misIndexedWeightGradientFails() {
        for (long seed = 1; seed <= 3; seed++) {
            GradientCheck.Result r = GradientCheck.defaults().seed(seed).check(built(new BadDense(4, BadDense.Bug.SHIFTED), Shape.of(6), seed));
            assertOnlyFails(r, "weight");
        }
    }

    /**
     * Behind a ReLU of many units a kinked coordinate is measured once more at a finer step and the
     * estimates' spread widens its bound; a wrong gradient must still fail by orders of magnitude.
     */
    @Test
    void aWrongGradientBehindManyReLUKinksStillFails() {
        for (long seed = 1; seed <= 3; seed++) {
            Residual block = built(new Residual(List.of(new BadDense(64, BadDense.Bug.SHIFTED), new Activation.ReLU())), Shape.of(64), seed);
            assertOnlyFails(GradientCheck.defaults().seed(seed).check(block), "weight");
        }
    }

    @Test
    void anOffByOneThatSkipsTheLastColumnOfAWideWeightIsInTheSample() {
        // 10 of 5,120 weight entries wrong: a random sample of 96 missed them for every seed; the corners do not
        for (long seed = 1; seed <= 3; seed++) {
            GradientCheck.Result r = GradientCheck.defaults().seed(seed).check(built(new BadDense(10, BadDense.Bug.LAST_INPUT_SKIPPED), Shape.of(512), seed));
            assertFalse(r.passed(), r::toString);
            for (GradientCheck.TensorResult t : r.failures()) {
                assertTrue(t.name().endsWith("weight"), t::toString);
                assertTrue(t.relativeError() > 10 * r.tolerance(), t::toString);
            }
        }
        assertPasses(GradientCheck.defaults().check(built(new BadDense(10, null), Shape.of(512), 1)));
    }

    @Test
    void theCornersOfATensorAreEveryCombinationOfFirstAndLastIndex() {
        assertArrayEquals(new int[] {0, 9, 5110, 5119}, GradientCheck.corners(new int[] {512, 10}, 5120));
        // [batch 4, channels 2, 3 x 3]: 16 corners, the last example's included
        int[] c = GradientCheck.corners(new int[] {4, 2, 3, 3}, 72);
        assertEquals(16, c.length);
        assertEquals(0, c[0]);
        assertEquals(71, c[15]);
        assertArrayEquals(new int[] {0, 6}, GradientCheck.corners(new int[] {7}, 7));
    }

    @Test
    void theTestDenseWithoutItsBugPasses() {
        // The broken layers above differ from this one only in the bug.
        for (long seed = 1; seed <= 3; seed++) assertPasses(GradientCheck.defaults().seed(seed).check(built(new BadDense(5, null), Shape.of(5), seed)));
    }

    @Test
    void wrongBiasGradFaultIsPinnedOnTheBiasOfTheFirstDenseLayer() {
        for (long seed = 1; seed <= 3; seed++) {
            Model model = Model.build(List.of(new Dense(6), new Activation.Tanh(), new Dense(3)), Shape.of(4),
                    new BuildContext(Init.DEFAULT, new SplittableRandom(seed), Set.of(Fault.WRONG_BIAS_GRAD)));
            // Layer by layer: only layers.0 fails, and only its bias.
            List<GradientCheck.Result> each = GradientCheck.defaults().seed(seed).checkLayers(model);
            assertEquals(3, each.size());
            GradientCheck.Result first = each.get(0);
            assertTrue(first.subject().startsWith("layers.0 dense"), first.subject());
            assertOnlyFails(first, "layers.0.bias");
            assertPasses(each.get(1));
            assertPasses(each.get(2));
            GradientCheck.TensorResult bias = first.get("layers.0.bias", Mode.TRAIN);
            assertEquals("layers.0", bias.layer());
            assertEquals("bias", bias.parameter());
            assertTrue(first.get("layers.0.weight", Mode.TRAIN).passed());
            // End to end, the same single tensor fails.
            assertOnlyFails(GradientCheck.defaults().seed(seed).check(model), "layers.0.bias");
        }
    }

    @Test
    void batchNormWithoutTheMeanTermFailsInTrainingModeOnly() {
        for (long seed = 1; seed <= 3; seed++) {
            GradientCheck.Result r = GradientCheck.defaults().seed(seed).check(built(new NoMeanBatchNorm(), Shape.of(5), seed));
            List<GradientCheck.TensorResult> f = r.failures();
            assertEquals(1, f.size(), r::toString);
            assertEquals("input", f.get(0).name());
            assertEquals(Mode.TRAIN, f.get(0).mode());
            assertTrue(f.get(0).relativeError() > ORDERS * r.tolerance(), r::toString);
            // The parameters' gradients do not involve the dropped term.
            assertTrue(r.get("gamma", Mode.TRAIN).passed() && r.get("beta", Mode.TRAIN).passed(), r::toString);
        }
    }

    @Test
    void mixedBatchKeepsAnExactGradientButLeaksAcrossExamples() {
        for (boolean viaFlatten : new boolean[] {false, true}) {
            List<Layer> layers = viaFlatten ? List.of(new Flatten(), new Dense(3)) : List.of(new Dense(3));
            Shape in = viaFlatten ? Shape.of(2, 2) : Shape.of(4);
            Model mixed = Model.build(layers, in, new BuildContext(Init.DEFAULT, new SplittableRandom(7), Set.of(Fault.MIXED_BATCH)));
            Model clean = Model.build(viaFlatten ? List.of(new Flatten(), new Dense(3)) : List.of(new Dense(3)), in,
                    new BuildContext(Init.DEFAULT, new SplittableRandom(7)));
            // The reshape is a permutation, so the gradient of the function as computed is exact.
            assertPasses(GradientCheck.defaults().check(mixed));

            int batch = 4;
            Tensor x = Tensor.zeros(in.withBatch(batch));
            SplittableRandom rng = new SplittableRandom(3);
            for (int i = 0; i < x.size(); i++) x.data()[i] = (float) rng.nextGaussian();
            assertTrue(otherExamplesGradient(mixed, x) > 0.1, "example 0's loss must reach other examples' inputs");
            assertEquals(0.0, otherExamplesGradient(clean, x));
            // Independently of backward: moving example 1's input moves example 0's output.
            assertTrue(outputMoves(mixed, x), "mixed");
            assertFalse(outputMoves(clean, x), "clean");
        }
    }

    /** Norm of dLoss0/dx over examples 1.., where Loss0 depends only on example 0's output. */
    private static double otherExamplesGradient(Model m, Tensor x) {
        Tensor y = m.forward(x, Mode.TRAIN);
        Tensor g = Tensor.zeros(y.shape());
        int k = y.exampleSize();
        for (int j = 0; j < k; j++) g.data()[j] = 1f;
        m.zeroGrad();
        Tensor gx = m.backward(g, true);
        double s = 0;
        for (int i = gx.exampleSize(); i < gx.size(); i++) s += gx.data()[i] * gx.data()[i];
        return Math.sqrt(s);
    }

    private static boolean outputMoves(Model m, Tensor x) {
        int k = m.outputShape().size();
        float[] before = new float[k];
        System.arraycopy(m.forward(x, Mode.TRAIN).data(), 0, before, 0, k);
        Tensor moved = x.copy();
        for (int i = x.exampleSize(); i < 2 * x.exampleSize(); i++) moved.data()[i] += 1f;
        float[] after = m.forward(moved, Mode.TRAIN).data();
        for (int j = 0; j < k; j++) if (before[j] != after[j]) return true;
        return false;
    }

    /** Fails in both modes for the tensor named (by suffix) and nowhere else, by orders of magnitude. */
    private static void assertOnlyFails(GradientCheck.Result r, String name) {
        assertFalse(r.passed(), r::toString);
        List<String> failed = new ArrayList<>();
        for (GradientCheck.TensorResult t : r.failures()) {
            failed.add(t.name() + " " + t.mode());
            assertTrue(t.relativeError() > ORDERS * r.tolerance(), () -> "not by orders of magnitude: " + t);
            double diff = t.relativeError() * Math.max(t.analyticNorm(), t.numericNorm());
            assertTrue(diff > ORDERS * t.noiseFloor(), () -> "not far above the noise floor: " + t);
        }
        String full = r.failures().get(0).name();
        assertTrue(full.endsWith(name), full);
        assertEquals(List.of(full + " TRAIN", full + " EVAL"), failed, r::toString);
    }

    /** A dense layer (y = x Wᵀ + b) whose weight gradient has one of the classic indexing slips. */
    static final class BadDense extends Layer {
        enum Bug { TRANSPOSED, SHIFTED, LAST_INPUT_SKIPPED }

        private final int units;
        private final Bug bug;
        private Parameter weight, bias;
        private int in;
        private Tensor input, out, gradIn;

        BadDense(int units, Bug bug) {
            this.units = units;
            this.bug = bug;
        }

        @Override public String kind() { return "bad_dense"; }

        @Override protected Shape doBuild(Shape input, BuildContext ctx) {
            in = input.dim(0);
            if (bug == Bug.TRANSPOSED && in != units) throw new IllegalArgumentException("the transposed bug needs a square weight");
            weight = addParameter("weight", Tensor.zeros(units, in));
            bias = addParameter("bias", Tensor.zeros(units));
            ctx.init().fillWeights(weight.value().data(), units * in, in, units, ctx.rng());
            ctx.init().fillBias(bias.value().data(), units, in, ctx.rng());
            return Shape.of(units);
        }

        @Override public Tensor forward(Tensor x, Mode mode) {
            input = x;
            int b = x.batch();
            out = Tensor.reuse(out, b, outputShape());
            float[] w = weight.value().data(), xs = x.data(), y = out.data();
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < units; j++) {
                    double s = bias.value().data()[j];
                    for (int k = 0; k < in; k++) s += (double) w[j * in + k] * xs[i * in + k];
                    y[i * units + j] = (float) s;
                }
            }
            lastOutput = out;
            return out;
        }

        @Override public Tensor backward(Tensor gy, boolean needInputGrad) {
            int b = gy.batch();
            float[] g = gy.data(), xs = input.data(), dw = weight.grad().data(), db = bias.grad().data(), w = weight.value().data();
            for (int j = 0; j < units; j++) {
                // the off-by-one of a loop written k < in - 1: one column of a wide weight never gets its gradient
                for (int k = 0; k < (bug == Bug.LAST_INPUT_SKIPPED ? in - 1 : in); k++) {
                    double s = 0;
                    for (int i = 0; i < b; i++) {
                        int kk = bug == Bug.SHIFTED ? (k + 1) % in : k;
                        s += (double) g[i * units + j] * xs[i * in + kk];
                    }
                    // dW[j][k] lands at [k][j] under the transposed bug.
                    dw[bug == Bug.TRANSPOSED ? k * in + j : j * in + k] += (float) s;
                }
            }
            for (int i = 0; i < b; i++) for (int j = 0; j < units; j++) db[j] += g[i * units + j];
            if (!needInputGrad) return null;
            gradIn = Tensor.reuse(gradIn, b, inputShape());
            Kernels.gemm().sgemm(false, false, b, in, units, 1f, g, 0, units, w, 0, in, 0f, gradIn.data(), 0, in);
            return gradIn;
        }
    }

    /**
     * Batch normalisation of flat inputs whose training-mode input gradient forgets that the batch
     * mean depends on every input: dx = γ/σ · (dy - x̂·mean(dy·x̂)), without the - mean(dy) term.
     */
    static final class NoMeanBatchNorm extends Layer {
        private Parameter gamma, beta;
        private int c;
        private Tensor out, xhat, gradIn;
        private float[] inv;
        private boolean train;

        @Override public String kind() { return "no_mean_batchnorm"; }

        @Override protected Shape doBuild(Shape input, BuildContext ctx) {
            c = input.dim(0);
            gamma = addParameter("gamma", Tensor.zeros(c));
            gamma.value().fill(1.5f);
            beta = addParameter("beta", Tensor.zeros(c));
            beta.value().fill(0.25f);
            inv = new float[c];
            return input;
        }

        @Override public Tensor forward(Tensor x, Mode mode) {
            int b = x.batch();
            train = mode == Mode.TRAIN;
            out = Tensor.reuse(out, b, outputShape());
            xhat = Tensor.reuse(xhat, b, outputShape());
            float[] xs = x.data(), y = out.data(), xh = xhat.data();
            for (int j = 0; j < c; j++) {
                double mean = 0, var = 1;
                if (train) {
                    double s = 0, ss = 0;
                    for (int i = 0; i < b; i++) s += xs[i * c + j];
                    mean = s / b;
                    for (int i = 0; i < b; i++) ss += (xs[i * c + j] - mean) * (xs[i * c + j] - mean);
                    var = ss / b;
                }
                inv[j] = (float) (1 / Math.sqrt(var + 1e-5));
                for (int i = 0; i < b; i++) {
                    xh[i * c + j] = (float) ((xs[i * c + j] - mean) * inv[j]);
                    y[i * c + j] = gamma.value().data()[j] * xh[i * c + j] + beta.value().data()[j];
                }
            }
            lastOutput = out;
            return out;
        }

        @Override public Tensor backward(Tensor gy, boolean needInputGrad) {
            int b = gy.batch();
            float[] dy = gy.data(), xh = xhat.data();
            gradIn = Tensor.reuse(gradIn, b, inputShape());
            float[] gx = gradIn.data();
            for (int j = 0; j < c; j++) {
                double sdy = 0, sdyx = 0;
                for (int i = 0; i < b; i++) {
                    sdy += dy[i * c + j];
                    sdyx += dy[i * c + j] * xh[i * c + j];
                }
                gamma.grad().data()[j] += (float) sdyx;
                beta.grad().data()[j] += (float) sdy;
                float scale = gamma.value().data()[j] * inv[j];
                for (int i = 0; i < b; i++) {
                    gx[i * c + j] = train ? (float) (scale * (dy[i * c + j] - xh[i * c + j] * sdyx / b)) : scale * dy[i * c + j];
                }
            }
            return needInputGrad ? gradIn : null;
        }
    }
}
