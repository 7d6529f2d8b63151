package dev.vitals.core.nn;

import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * An activation followed by max pooling runs plane by plane in one pass (MaxPool.forwardAfter,
 * backwardThrough). It must give what the two layers give one after the other, bit for bit, in every
 * buffer an observer reads: both outputs, both gradients that reached them, and the input gradient.
 */
class ActivationPoolingTest {
    private static final List<Supplier<Activation>> ACTIVATIONS = List.of(Activation.ReLU::new,
            () -> new Activation.LeakyReLU(0.1f), Activation.GELU::new, Activation.Sigmoid::new, Activation.Tanh::new);

    @Test
    void sameBuffersAsTheLayersOneAfterTheOther() {
        // batch, channels, height, width, k: the CNN's two poolings (split over the workers, several
        // planes a chunk, odd edges), a window of 3, and planes larger than a chunk
        int[][] cases = {{64, 32, 26, 26, 2}, {64, 64, 11, 11, 2}, {3, 2, 7, 9, 2}, {5, 3, 9, 8, 3}, {4, 2, 50, 48, 2}};
        for (Supplier<Activation> make : ACTIVATIONS) {
            for (int[] t : cases) {
                Shape in = Shape.of(t[1], t[2], t[3]);
                Tensor x = Tensor.reuse(null, t[0], in);
                SplittableRandom r = new SplittableRandom(t[0] * 31L + t[4]);
                // a few levels (ties after the activation), both zeros, and a NaN
                for (int i = 0; i < x.size(); i++) x.data()[i] = (r.nextInt(9) - 4) * 0.5f;
                x.data()[1] = -0f;
                x.data()[5] = 0f;
                x.data()[x.size() / 2] = Float.NaN;
                check(make, t[4], x, t[0] * 7L + t[1]);
            }
        }
    }

    /**
     * NaN and infinities in the input (two NaNs in one window, a NaN where no window reaches) and in
     * the gradient come out as from the two passes: a shortcut that skips values (such as taking
     * ReLU's slope from the pooled values, tried) must keep the NaN a zero gradient times a NaN slope makes.
     */
    @Test
    void specialValuesComeOutAsFromTheTwoPasses() {
        int[][] cases = {{4, 3, 8, 8, 2}, {3, 2, 7, 9, 2}, {2, 2, 9, 12, 3}, {2, 2, 10, 11, 3}};
        for (Supplier<Activation> make : ACTIVATIONS) {
            for (int[] t : cases) {
                Shape in = Shape.of(t[1], t[2], t[3]);
                Tensor x = Tensor.reuse(null, t[0], in);
                SplittableRandom r = new SplittableRandom(t[2] * 131L + t[3]);
                float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f};
                for (int i = 0; i < x.size(); i++) {
                    x.data()[i] = r.nextInt(10) == 0 ? specials[r.nextInt(specials.length)] : (r.nextInt(9) - 4) * 0.5f;
                }
                int w = t[3];
                x.data()[0] = Float.NaN;            // two NaNs in the first window
                x.data()[w + 1] = Float.NaN;
                x.data()[t[2] * w - 1] = Float.NaN; // the last pixel of the first plane: outside every window where k does not divide the size
                check(make, t[4], x, t[0] * 11L + t[1], true);
            }
        }
    }

    private static void check(Supplier<Activation> make, int k, Tensor x, long seed) { check(make, k, x, seed, false); }

    private static void check(Supplier<Activation> make, int k, Tensor x, long seed, boolean specialGradients) {
        Shape in = x.exampleShape();
        Activation act = make.get(), soloAct = make.get();
        MaxPool pool = new MaxPool(k), soloPool = GradChecks.built(new MaxPool(k), in, 1);
        Sequential both = GradChecks.built(new Sequential(List.of(act, pool)), in, 1);
        GradChecks.built(soloAct, in, 1);
        String what = act.describe() + " then maxpool " + k + " on " + in;

        for (int round = 0; round < 2; round++) {    // the second round reuses every buffer
            Tensor y = both.forward(x, Mode.TRAIN);
            Tensor a = soloAct.forward(x, Mode.TRAIN);
            Tensor ySolo = soloPool.forward(a, Mode.TRAIN);
            assertBits(a, act.lastOutput(), what + ": the activation's output");
            assertBits(ySolo, y, what + ": the pooling's output");

            Tensor g = GradChecks.random(x.batch(), y.exampleShape(), seed + round);
            if (specialGradients) {
                float[] gs = g.data();
                gs[0] = Float.NaN;
                gs[gs.length / 3] = Float.POSITIVE_INFINITY;
                gs[gs.length / 2] = -0f;
                gs[gs.length - 1] = Float.NEGATIVE_INFINITY;
            }
            Tensor gx = both.backward(g, true);
            Tensor gPool = soloPool.backward(g, true);
            Tensor gxSolo = soloAct.backward(gPool, true);
            assertBits(gPool, act.lastGradOutput(), what + ": the gradient that reached the activation");
            assertSame(g, pool.lastGradOutput(), what);
            assertBits(gxSolo, gx, what + ": the input gradient");
        }
    }

    @Test
    void belowTheFirstLayerWithParametersNothingRuns() {
        Shape in = Shape.of(2, 4, 4);
        Sequential s = GradChecks.built(new Sequential(List.of(new Activation.ReLU(), new MaxPool(2), new Flatten(), new Dense(3))), in, 1);
        Tensor x = GradChecks.random(5, in, 2);
        Tensor y = s.forward(x, Mode.TRAIN);
        assertNull(s.backward(GradChecks.random(5, y.exampleShape(), 3), false));
        assertNull(s.children().get(0).lastGradOutput(), "the activation's backward did not run");
    }

    private static void assertBits(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        for (int i = 0; i < expected.size(); i++) {
            float e = expected.data()[i], a = actual.data()[i];
            if (Float.floatToIntBits(e) != Float.floatToIntBits(a)) fail(what + " differs at " + i + ": " + e + " vs " + a);
        }
    }
}
