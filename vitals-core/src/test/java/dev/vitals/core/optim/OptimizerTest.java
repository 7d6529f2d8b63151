package dev.vitals.core.optim;

import dev.vitals.core.nn.Parameter;
import dev.vitals.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The first steps of every optimizer against the update rule written out here in doubles, for two
 * parameters and gradients that change from step to step; then the two reproducible bugs.
 */
class OptimizerTest {
    private static final double[][] W0 = {{0.5, -1.25, 2.0}, {0.3, -0.7}};
    /** GRADS[step][param][i] */
    private static final double[][][] GRADS = {
            {{0.1, -0.2, 0.3}, {1.5, -0.5}},
            {{-0.4, 0.05, 0.3}, {0.7, 0.25}},
            {{0.2, 0.2, -0.6}, {-1.0, 0.01}}};
    private static final double LR = 0.1;

    // ---- SGD ------------------------------------------------------------------------------------

    @Test
    void plainSgd() {
        assertMatches(new Sgd(params(), 0, false, 0), LR, sgdReference(LR, 0, false, 0, GRADS.length));
    }

    @Test
    void sgdWithMomentum() {
        assertMatches(new Sgd(params(), 0.9, false, 0), LR, sgdReference(LR, 0.9, false, 0, GRADS.length));
    }

    @Test
    void sgdWithNesterovMomentum() {
        assertMatches(new Sgd(params(), 0.9, true, 0), LR, sgdReference(LR, 0.9, true, 0, GRADS.length));
    }

    @Test
    void sgdWithWeightDecay() {
        assertMatches(new Sgd(params(), 0, false, 0.05), LR, sgdReference(LR, 0, false, 0.05, GRADS.length));
        assertMatches(new Sgd(params(), 0.8, true, 0.05), LR, sgdReference(LR, 0.8, true, 0.05, GRADS.length));
    }

    @Test
    void sgdFirstStepByHand() {
        // Momentum 0.9, first step: buf = g, so w1 = w0 - lr·g; second: buf = 0.9·g1 + g2.
        Parameter p = new Parameter("w", Tensor.wrap(new float[] {1f}, 1));
        Sgd sgd = new Sgd(List.of(p), 0.9, false, 0);
        p.grad().data()[0] = 2f;
        sgd.step(0.1f, null);
        assertEquals(1 - 0.1 * 2, p.value().data()[0], 1e-7);
        p.grad().data()[0] = -1f;
        sgd.step(0.1f, null);
        assertEquals(0.8 - 0.1 * (0.9 * 2 - 1), p.value().data()[0], 1e-7);
    }

    /** PyTorch's SGD: g += wd·w; buf = μ·buf + g (buf = g on the first step); d = nesterov ? g + μ·buf : buf; w -= lr·d. */
    private static double[][][] sgdReference(double lr, double mu, boolean nesterov, double wd, int steps) {
        double[][] w = copy(W0), buf = zerosLike(W0);
        double[][][] out = new double[steps][][];
        for (int t = 0; t < steps; t++) {
            for (int p = 0; p < w.length; p++) {
                for (int i = 0; i < w[p].length; i++) {
                    double g = GRADS[t][p][i] + wd * w[p][i];
                    double d = g;
                    if (mu > 0) {
                        buf[p][i] = t == 0 ? g : mu * buf[p][i] + g;
                        d = nesterov ? g + mu * buf[p][i] : buf[p][i];
                    }
                    w[p][i] -= lr * d;
                }
            }
            out[t] = copy(w);
        }
        return out;
    }

    // ---- Adam / AdamW -----------------------------------------------------------------------------

    @Test
    void adam() {
        assertMatches(Adam.adam(params(), 0), LR, adamReference(LR, 0, false, GRADS.length));
    }

    @Test
    void adamWithL2WeightDecay() {
        assertMatches(Adam.adam(params(), 0.1), LR, adamReference(LR, 0.1, false, GRADS.length));
    }

    @Test
    void adamwDecouplesTheDecay() {
        assertMatches(Adam.adamw(params(), 0.1), LR, adamReference(LR, 0.1, true, GRADS.length));
        // Decoupled and coupled decay really differ.
        double[][] coupled = adamReference(LR, 0.1, false, 1)[0], decoupled = adamReference(LR, 0.1, true, 1)[0];
        assertEquals(true, Math.abs(coupled[0][2] - decoupled[0][2]) > 1e-3);
    }

    @Test
    void adamFirstStepMovesEachWeightByTheLearningRate() {
        // Bias correction makes the first step lr·g/|g| (up to eps), whatever the gradient's scale.
        Parameter p = new Parameter("w", Tensor.wrap(new float[] {1f, 1f}, 2));
        Adam adam = Adam.adam(List.of(p), 0);
        p.grad().data()[0] = 1e-3f;
        p.grad().data()[1] = -50f;
        adam.step(0.01f, null);
        assertEquals(1 - 0.01, p.value().data()[0], 1e-6);
        assertEquals(1 + 0.01, p.value().data()[1], 1e-6);
    }

    /**
     * PyTorch's Adam/AdamW: g += wd·w (Adam); w -= lr·wd·w (AdamW, from the weight before the step);
     * m = β1·m + (1-β1)·g, v = β2·v + (1-β2)·g², w -= lr·(m/(1-β1^t)) / (√(v/(1-β2^t)) + ε).
     */
    private static double[][][] adamReference(double lr, double wd, boolean decoupled, int steps) {
        double b1 = 0.9, b2 = 0.999, eps = 1e-8;
        double[][] w = copy(W0), m = zerosLike(W0), v = zerosLike(W0);
        double[][][] out = new double[steps][][];
        for (int t = 1; t <= steps; t++) {
            for (int p = 0; p < w.length; p++) {
                for (int i = 0; i < w[p].length; i++) {
                    double g = GRADS[t - 1][p][i] + (decoupled ? 0 : wd * w[p][i]);
                    m[p][i] = b1 * m[p][i] + (1 - b1) * g;
                    v[p][i] = b2 * v[p][i] + (1 - b2) * g * g;
                    double mhat = m[p][i] / (1 - Math.pow(b1, t)), vhat = v[p][i] / (1 - Math.pow(b2, t));
                    double shrink = decoupled ? lr * wd * w[p][i] : 0;
                    w[p][i] = w[p][i] - shrink - lr * mhat / (Math.sqrt(vhat) + eps);
                }
            }
            out[t - 1] = copy(w);
        }
        return out;
    }

    // ---- the bugs -----------------------------------------------------------------------------------

    @Test
    void doubleLrScalesTheStepByTheLearningRateAgain() {
        // The buggy step with lr is the correct step with lr², for every rule.
        double lr = 0.3;
        Sgd sgd = new Sgd(params(), 0.9, false, 0.01);
        sgd.reproduce(true, false);
        assertMatches(sgd, lr, sgdReference(lr * lr, 0.9, false, 0.01, GRADS.length));
        Adam adam = Adam.adam(params(), 0);
        adam.reproduce(true, false);
        assertMatches(adam, lr, adamReference(lr * lr, 0, false, GRADS.length));
        Adam adamw = Adam.adamw(params(), 0.1);
        adamw.reproduce(true, false);
        assertMatches(adamw, lr, adamReference(lr * lr, 0.1, true, GRADS.length));
    }

    @Test
    void staleUpdatesLeaveWeightsWhileTheStateMoves() {
        // Two steps with the bug leave the weights at W0; the third, without it, shows that the
        // momentum buffers and Adam's moments (and its step count) kept moving all along.
        List<Parameter> ps = params();
        Sgd sgd = new Sgd(ps, 0.9, false, 0);
        sgd.reproduce(false, true);
        Optimizer.UpdateStats stats = new Optimizer.UpdateStats(2);
        for (int t = 0; t < 2; t++) {
            setGrads(ps, t);
            sgd.step((float) LR, stats);
            assertUnchanged(ps);
            assertEquals(0.0, stats.updateNorm[0]);
            assertEquals(norm(W0[0]), stats.valueNorm[0], 1e-6);
        }
        sgd.reproduce(false, false);
        setGrads(ps, 2);
        sgd.step((float) LR, null);
        double[][] expected = copy(W0);
        for (int p = 0; p < 2; p++) {
            for (int i = 0; i < W0[p].length; i++) {
                double buf = 0.9 * (0.9 * GRADS[0][p][i] + GRADS[1][p][i]) + GRADS[2][p][i];
                expected[p][i] -= LR * buf;
            }
        }
        assertValues(ps, expected, 1e-6);

        List<Parameter> qs = params();
        Adam adam = Adam.adam(qs, 0);
        adam.reproduce(false, true);
        for (int t = 0; t < 2; t++) {
            setGrads(qs, t);
            adam.step((float) LR, null);
            assertUnchanged(qs);
        }
        adam.reproduce(false, false);
        setGrads(qs, 2);
        adam.step((float) LR, null);
        // The weight stayed put, so the reference's third step applies to W0 the moments of all three.
        double[][] ref3 = adamReference(LR, 0, false, 3)[2], ref2 = adamReference(LR, 0, false, 2)[1];
        for (int p = 0; p < 2; p++) {
            for (int i = 0; i < W0[p].length; i++) {
                double step3 = ref3[p][i] - ref2[p][i];
                assertEquals(W0[p][i] + step3, qs.get(p).value().data()[i], 1e-6);
            }
        }
    }

    @Test
    void updateStatsHoldTheValueNormBeforeAndTheAppliedChange() {
        for (Optimizer opt : List.of(new Sgd(params(), 0.5, true, 0.01), Adam.adamw(params(), 0.05))) {
            List<Parameter> ps = opt.parameters();
            Optimizer.UpdateStats stats = new Optimizer.UpdateStats(2);
            for (int t = 0; t < GRADS.length; t++) {
                setGrads(ps, t);
                double[][] before = values(ps);
                opt.step((float) LR, stats);
                double[][] after = values(ps);
                for (int p = 0; p < 2; p++) {
                    double[] change = new double[before[p].length];
                    for (int i = 0; i < change.length; i++) change[i] = after[p][i] - before[p][i];
                    assertEquals(norm(before[p]), stats.valueNorm[p], 1e-6 * norm(before[p]));
                    assertEquals(norm(change), stats.updateNorm[p], 1e-5 * norm(change));
                }
            }
            assertEquals(GRADS.length, opt.steps());
        }
    }

    /**
     * Tensors large enough to be cut over the cores and into several chunks give, value for value, what
     * one pass on one thread gives; clearing the gradients in the update's pass leaves the same weights
     * as clearing them after it. Also for an optimizer that only implements the whole-tensor update.
     */
    @Test
    void largeTensorsSplitAndTheFusedClearGiveTheSameWeightsAsOnePass() {
        int big = 70_001; // 4 x 70,001 values: over Workers.MIN_SPLIT_VALUES, and 18 chunks of 4,096 (the last ragged)
        for (int kind = 0; kind < 4; kind++) {
            List<Parameter> a = bigParams(big), b = bigParams(big), c = bigParams(big);
            Optimizer split = optimizer(kind, a), fused = optimizer(kind, b), serial = optimizer(kind, c);
            SplittableRandom r = new SplittableRandom(kind);
            for (int t = 0; t < 3; t++) {
                float[][] g = new float[2][];
                for (int p = 0; p < 2; p++) {
                    g[p] = new float[a.get(p).size()];
                    for (int i = 0; i < g[p].length; i++) g[p][i] = (float) r.nextGaussian();
                    System.arraycopy(g[p], 0, a.get(p).grad().data(), 0, g[p].length);
                    System.arraycopy(g[p], 0, b.get(p).grad().data(), 0, g[p].length);
                    System.arraycopy(g[p], 0, c.get(p).grad().data(), 0, g[p].length);
                }
                split.step(0.01f, null);
                fused.step(0.01f, null, true);
                serialStep(serial, 0.01f, t + 1);
                for (int p = 0; p < 2; p++) {
                    String what = split.key() + " kind " + kind + ", step " + t + ", parameter " + p;
                    assertArrayEquals(c.get(p).value().data(), a.get(p).value().data(), what + ": split == one pass");
                    assertArrayEquals(c.get(p).value().data(), b.get(p).value().data(), what + ": fused clear == one pass");
                    assertArrayEquals(g[p], a.get(p).grad().data(), what + ": without the clear the gradient stays");
                    assertArrayEquals(new float[g[p].length], b.get(p).grad().data(), what + ": fused clear leaves zeros");
                }
            }
        }
    }

    private static List<Parameter> bigParams(int n) {
        Parameter a = new Parameter("a", Tensor.zeros(n)), b = new Parameter("b", Tensor.zeros(5));
        SplittableRandom r = new SplittableRandom(42);
        for (Parameter p : List.of(a, b)) for (int i = 0; i < p.size(); i++) p.value().data()[i] = (float) r.nextGaussian();
        return List.of(a, b);
    }

    private static Optimizer optimizer(int kind, List<Parameter> ps) {
        return switch (kind) {
            case 0 -> Adam.adam(ps, 0.01);
            case 1 -> Adam.adamw(ps, 0.01);
            case 2 -> new Sgd(ps, 0.9, true, 0.01);
            default -> new WholeTensorSgd(ps);
        };
    }

    /** The same update, one parameter at a time on this thread, as a rule without ranges would do it. */
    private static void serialStep(Optimizer o, float lr, long t) {
        if (o instanceof ElementwiseOptimizer e) {
            e.prepare(lr, t);
            for (int p = 0; p < e.parameters().size(); p++) {
                Parameter q = e.parameters().get(p);
                e.updateRange(p, q.value().data(), q.grad().data(), 0, q.size(), true);
            }
        } else {
            o.step(lr, null);
        }
    }

    /** A user's optimizer: only the whole-tensor update, so the fused clear falls back to a second pass. */
    static final class WholeTensorSgd extends Optimizer {
        WholeTensorSgd(List<Parameter> params) { super(params, 0); }

        @Override public String key() { return "sgd"; }

        @Override protected void update(int index, float[] w, float[] g, int n, float lr, boolean apply, long t) {
            if (apply) for (int i = 0; i < n; i++) w[i] -= lr * g[i];
        }
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Sgd(params(), 1.0, false, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(params(), 0, true, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(params(), 0, false, -1));
        assertThrows(IllegalArgumentException.class, () -> new Adam(params(), 1.0, 0.999, 1e-8, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new Adam(params(), 0.9, 0.999, 0, 0, false));
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /** Runs GRADS through the optimizer with a constant rate and compares each step's weights. */
    private static void assertMatches(Optimizer opt, double lr, double[][][] expected) {
        List<Parameter> ps = opt.parameters();
        for (int t = 0; t < expected.length; t++) {
            setGrads(ps, t);
            opt.step((float) lr, null);
            assertValues(ps, expected[t], 2e-6);
        }
    }

    private static void assertValues(List<Parameter> ps, double[][] expected, double tol) {
        for (int p = 0; p < ps.size(); p++) {
            for (int i = 0; i < expected[p].length; i++) {
                assertEquals(expected[p][i], ps.get(p).value().data()[i], tol * Math.max(1, Math.abs(expected[p][i])),
                        "parameter " + p + " entry " + i);
            }
        }
    }

    /** Bit for bit the float values of W0. */
    private static void assertUnchanged(List<Parameter> ps) {
        for (int p = 0; p < ps.size(); p++) for (int i = 0; i < W0[p].length; i++) assertEquals((float) W0[p][i], ps.get(p).value().data()[i]);
    }

    private static List<Parameter> params() {
        Parameter a = new Parameter("a", Tensor.zeros(3)), b = new Parameter("b", Tensor.zeros(2));
        for (int i = 0; i < 3; i++) a.value().data()[i] = (float) W0[0][i];
        for (int i = 0; i < 2; i++) b.value().data()[i] = (float) W0[1][i];
        return List.of(a, b);
    }

    private static void setGrads(List<Parameter> ps, int t) {
        for (int p = 0; p < ps.size(); p++) for (int i = 0; i < ps.get(p).size(); i++) ps.get(p).grad().data()[i] = (float) GRADS[t][p][i];
    }

    private static double[][] values(List<Parameter> ps) {
        double[][] v = new double[ps.size()][];
        for (int p = 0; p < ps.size(); p++) {
            v[p] = new double[ps.get(p).size()];
            for (int i = 0; i < v[p].length; i++) v[p][i] = ps.get(p).value().data()[i];
        }
        return v;
    }

    private static double norm(double[] a) {
        double s = 0;
        for (double x : a) s += x * x;
        return Math.sqrt(s);
    }

    private static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) c[i] = a[i].clone();
        return c;
    }

    private static double[][] zerosLike(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) c[i] = new double[a[i].length];
        return c;
    }
}
