package dev.vitals.core.nn;

import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Conv2d's parts of the batch computed on the worker threads give exactly what one thread gives:
 * output, input gradient, weight and bias gradients, bit for bit, on batches large enough to be
 * split, including one whose size does not divide evenly into the parts, unfolded C-first and
 * channels-last, and with Winograd's forward pass (whose examples go through the products in pairs,
 * so a part of odd length ends with one alone).
 */
class Conv2dParallelTest {
    @Test
    void splitMatchesOneThread() {
        int[][] cases = {{40, 3, 14, 14, 16, 3, 1, 0}, {37, 4, 13, 13, 24, 3, 1, 1}, {33, 2, 15, 15, 32, 3, 2, 1}, {19, 20, 9, 9, 24, 3, 1, 1}};
        for (int[] t : cases) {
            for (Conv2d.Unfold u : Conv2d.Unfold.values()) check(t, u);
        }
    }

    private static void check(int[] t, Conv2d.Unfold unfold) {
        {
            int batch = t[0];
            Shape in = Shape.of(t[1], t[2], t[3]);
            Conv2d one = build(t, in, unfold), split = build(t, in, unfold);
            long macs = (long) batch * one.outputShape().size() * t[1] * t[5] * t[5];
            assertTrue(macs >= Conv2d.PARALLEL_MIN_MACS, "case too small to split");
            Tensor x = GradChecks.random(batch, in, 11), gy = GradChecks.random(batch, one.outputShape(), 12);
            boolean before = Conv2d.parallel;
            try {
                Conv2d.parallel = false;
                float[] y1 = one.forward(x, Mode.TRAIN).data().clone();
                float[] dx1 = one.backward(gy, true).data().clone();
                Conv2d.parallel = true;
                float[] y2 = split.forward(x, Mode.TRAIN).data().clone();
                float[] dx2 = split.backward(gy, true).data().clone();
                String what = java.util.Arrays.toString(t) + " " + unfold;
                assertArrayEquals(y1, y2, "output " + what);
                assertArrayEquals(dx1, dx2, "input gradient " + what);
                assertArrayEquals(one.weight().grad().data(), split.weight().grad().data(), "weight gradient " + what);
                assertArrayEquals(one.bias().grad().data(), split.bias().grad().data(), "bias gradient " + what);
            } finally {
                Conv2d.parallel = before;
            }
        }
    }

    private static Conv2d build(int[] t, Shape in, Conv2d.Unfold unfold) {
        Conv2d c = new Conv2d(t[4], t[5], t[6], t[7], unfold);
        c.build(in, new BuildContext(Init.DEFAULT, new SplittableRandom(3)));
        return c;
    }
}
