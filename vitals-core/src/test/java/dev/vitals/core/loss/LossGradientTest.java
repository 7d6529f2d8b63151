package dev.vitals.core.loss;

import dev.vitals.core.nn.GradientCheck;
import dev.vitals.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each loss: its value against a formula written out here in doubles, and its gradient against
 * finite differences of that value, for every target encoding it accepts.
 */
class LossGradientTest {
    private static final int B = 5, K = 4;
    private static final long[] SEEDS = {1, 2, 3};

    @Test
    void crossEntropyWithIndexTargets() {
        for (long seed : SEEDS) {
            Tensor z = logits(B, K, seed, 3);
            int[] y = labels(B, K, seed);
            double expected = 0;
            for (int i = 0; i < B; i++) expected += lse(z, i) - z.data()[i * K + y[i]];
            expected /= B;
            assertEquals(expected, new CrossEntropy().forward(z, y, null, null), 1e-12 * Math.abs(expected));
            assertLossGradient(new CrossEntropy(), z, y, null, seed);
        }
    }

    @Test
    void crossEntropyWithOneHotTargetsEqualsIndexTargets() {
        for (long seed : SEEDS) {
            Tensor z = logits(B, K, seed, 3);
            int[] y = labels(B, K, seed);
            float[] t = new float[B * K];
            TargetEncoding.ONEHOT.encode(y, B, K, t);
            CrossEntropy ce = new CrossEntropy();
            Tensor gi = Tensor.zeros(B, K), go = Tensor.zeros(B, K);
            assertEquals(ce.forward(z, y, null, gi), ce.forward(z, y, t, go), 1e-12);
            for (int i = 0; i < B * K; i++) assertEquals(gi.data()[i], go.data()[i], 1e-7f);
            assertLossGradient(ce, z, y, t, seed);
        }
    }

    @Test
    void crossEntropyWithPlusMinusOneTargets() {
        for (long seed : SEEDS) {
            Tensor z = logits(B, K, seed, 3);
            int[] y = labels(B, K, seed);
            float[] t = new float[B * K];
            TargetEncoding.PM1.encode(y, B, K, t);
            // Σ_k t_k·(-log softmax_k) with t = -1 off the class: the loss the mistake optimises.
            double expected = 0;
            for (int i = 0; i < B; i++) for (int k = 0; k < K; k++) expected += t[i * K + k] * (lse(z, i) - z.data()[i * K + k]);
            expected /= B;
            assertEquals(expected, new CrossEntropy().forward(z, y, t, null), 1e-12 * Math.abs(expected) + 1e-12);
            assertLossGradient(new CrossEntropy(), z, y, t, seed);
        }
    }

    @Test
    void crossEntropyIsStableForHugeLogits() {
        Tensor z = Tensor.wrap(new float[] {1000f, -1000f, 0f, 999f, 0f, -5f}, 2, 3);
        int[] y = {1, 0};
        double l = new CrossEntropy().forward(z, y, null, null);
        // Example 0: lse ≈ 1000, loss 2000; example 1: lse ≈ 999 + log(1 + e^-999 + ...), loss ≈ 0.
        assertEquals((2000 + 0) / 2.0, l, 1e-9);
        assertLossGradient(new CrossEntropy(), Tensor.wrap(new float[] {80f, -80f, 0f, 79f, 0f, -5f}, 2, 3), y, null, 1);
    }

    @Test
    void binaryCrossEntropySingleOutput() {
        for (long seed : SEEDS) {
            Tensor z = logits(B, 1, seed, 3);
            int[] y = labels(B, 2, seed);
            float[] t = new float[B];
            TargetEncoding.INDEX.encode(y, B, 1, t);
            double expected = 0;
            for (int i = 0; i < B; i++) {
                double p = 1 / (1 + Math.exp(-z.data()[i]));
                expected += -(t[i] * Math.log(p) + (1 - t[i]) * Math.log(1 - p));
            }
            expected /= B;
            assertEquals(expected, new BinaryCrossEntropy().forward(z, y, t, null), 1e-12 * expected);
            assertLossGradient(new BinaryCrossEntropy(), z, y, t, seed);
        }
    }

    @Test
    void binaryCrossEntropyOneOutputPerClass() {
        for (long seed : SEEDS) {
            Tensor z = logits(B, K, seed, 3);
            int[] y = labels(B, K, seed);
            float[] t = new float[B * K];
            TargetEncoding.ONEHOT.encode(y, B, K, t);
            double expected = 0;
            for (int i = 0; i < B * K; i++) {
                double p = 1 / (1 + Math.exp(-z.data()[i]));
                expected += -(t[i] * Math.log(p) + (1 - t[i]) * Math.log(1 - p));
            }
            expected /= B * K;
            assertEquals(expected, new BinaryCrossEntropy().forward(z, y, t, null), 1e-12 * expected);
            assertLossGradient(new BinaryCrossEntropy(), z, y, t, seed);
            // -1/+1 targets are a mistake for BCE but still a function with a gradient.
            float[] pm = new float[B * K];
            TargetEncoding.PM1.encode(y, B, K, pm);
            assertLossGradient(new BinaryCrossEntropy(), z, y, pm, seed);
        }
    }

    @Test
    void binaryCrossEntropyIsStableForHugeLogits() {
        Tensor z = Tensor.wrap(new float[] {200f, -200f}, 2, 1);
        double l = new BinaryCrossEntropy().forward(z, new int[] {0, 0}, new float[] {0f, 0f}, null);
        assertEquals(100.0, l, 1e-9); // softplus(200) = 200, softplus(-200) ≈ 0
    }

    @Test
    void meanSquaredError() {
        for (long seed : SEEDS) {
            Tensor z = logits(B, K, seed, 2);
            int[] y = labels(B, K, seed);
            float[] t = new float[B * K];
            TargetEncoding.ONEHOT.encode(y, B, K, t);
            double expected = 0;
            for (int i = 0; i < B * K; i++) expected += Math.pow((double) z.data()[i] - t[i], 2);
            expected /= B * K;
            assertEquals(expected, new MeanSquaredError().forward(z, y, t, null), 1e-12 * expected);
            assertLossGradient(new MeanSquaredError(), z, y, t, seed);
            // A single output regressing the label value.
            Tensor z1 = logits(B, 1, seed, 2);
            float[] t1 = new float[B];
            TargetEncoding.INDEX.encode(y, B, 1, t1);
            assertLossGradient(new MeanSquaredError(), z1, y, t1, seed);
        }
    }

    @Test
    void aLossThatForgetsTheBatchMeanInItsGradientFails() {
        Loss forgetful = new Loss() {
            final CrossEntropy ce = new CrossEntropy();

            @Override public String key() { return "forgetful"; }

            @Override public double forward(Tensor output, int[] labels, float[] targets, Tensor grad) {
                double l = ce.forward(output, labels, targets, grad);
                if (grad != null) for (int i = 0; i < grad.size(); i++) grad.data()[i] *= output.batch();
                return l;
            }

            @Override public boolean needsTargets(TargetEncoding e) { return false; }

            @Override public void checkFits(int outputs, int classes, TargetEncoding encoding) {}
        };
        GradientCheck.Result r = GradientCheck.defaults().checkLoss(forgetful, logits(B, K, 1, 3), labels(B, K, 1), null);
        assertFalse(r.passed());
        GradientCheck.TensorResult t = r.tensors().get(0);
        assertEquals("output", t.name());
        assertNull(t.mode());
        // The analytic gradient is B times too large: relative error (B-1)/B.
        assertEquals((B - 1.0) / B, t.relativeError(), 1e-6);
    }

    private static void assertLossGradient(Loss loss, Tensor z, int[] y, float[] t, long seed) {
        float[] before = z.copy().data();
        GradientCheck.Result r = GradientCheck.defaults().seed(seed).checkLoss(loss, z, y, t);
        assertTrue(r.passed(), r::toString);
        GradientCheck.TensorResult out = r.tensors().get(0);
        assertEquals(z.size(), out.checked());
        assertEquals(0, out.skipped());
        // Computed in double from exactly set float logits: far below the tolerance.
        assertTrue(out.relativeError() < 1e-6, out::toString);
        assertTrue(java.util.Arrays.equals(before, z.data()), "the output given must not change");
    }

    private static double lse(Tensor z, int i) {
        int k = z.exampleSize();
        double max = Double.NEGATIVE_INFINITY, s = 0;
        for (int j = 0; j < k; j++) max = Math.max(max, z.data()[i * k + j]);
        for (int j = 0; j < k; j++) s += Math.exp(z.data()[i * k + j] - max);
        return max + Math.log(s);
    }

    private static Tensor logits(int b, int k, long seed, double scale) {
        SplittableRandom rng = new SplittableRandom(seed * 7919);
        Tensor z = Tensor.zeros(b, k);
        for (int i = 0; i < z.size(); i++) z.data()[i] = (float) (scale * rng.nextGaussian());
        return z;
    }

    private static int[] labels(int b, int classes, long seed) {
        SplittableRandom rng = new SplittableRandom(seed * 104729);
        int[] y = new int[b];
        for (int i = 0; i < b; i++) y[i] = rng.nextInt(classes);
        return y;
    }
}
