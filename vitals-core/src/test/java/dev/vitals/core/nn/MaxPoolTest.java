package dev.vitals.core.nn;

import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MaxPool against the simple definition: each window's maximum, and its gradient on the first
 * position in scan order that holds it; ties, NaN, negative zero, ragged edges, and batches large
 * enough to be split over the worker threads.
 */
class MaxPoolTest {
    @Test
    void matchesTheDefinition() {
        // batch, channels, height, width, k; values drawn from a few levels, so windows have ties
        int[][] cases = {{64, 32, 26, 26, 2}, {3, 2, 7, 9, 2}, {5, 3, 9, 8, 3}, {2, 1, 4, 4, 4}, {40, 8, 11, 11, 2}};
        for (int[] t : cases) {
            Shape in = Shape.of(t[1], t[2], t[3]);
            Tensor x = Tensor.reuse(null, t[0], in);
            SplittableRandom r = new SplittableRandom(t[0] * 31L + t[4]);
            for (int i = 0; i < x.size(); i++) x.data()[i] = r.nextInt(5) - 2;
            check(t[4], x);
        }
    }

    @Test
    void nanWinsItsWindowAndTakesTheGradient() {
        Tensor x = Tensor.reuse(null, 1, Shape.of(1, 2, 4));
        float[] v = {1, 5, Float.NaN, 7, 3, Float.NaN, 2, -0f};
        System.arraycopy(v, 0, x.data(), 0, v.length);
        MaxPool p = GradChecks.built(new MaxPool(2), Shape.of(1, 2, 4), 1);
        float[] y = p.forward(x, Mode.TRAIN).data();
        assertTrue(Float.isNaN(y[0]) && Float.isNaN(y[1]), "NaN is each window's maximum");
        Tensor g = Tensor.reuse(null, 1, Shape.of(1, 1, 2));
        g.data()[0] = 10;
        g.data()[1] = 20;
        float[] gx = p.backward(g, true).data();
        assertArrayEquals(new float[] {0, 0, 20, 0, 0, 10, 0, 0}, gx);
    }

    @Test
    void negativeAndPositiveZeroTieToTheFirst() {
        Tensor x = Tensor.reuse(null, 1, Shape.of(1, 2, 2));
        float[] v = {-0f, 0f, -1, -2};
        System.arraycopy(v, 0, x.data(), 0, v.length);
        MaxPool p = GradChecks.built(new MaxPool(2), Shape.of(1, 2, 2), 1);
        assertEquals(0f, p.forward(x, Mode.TRAIN).data()[0]);
        Tensor g = Tensor.reuse(null, 1, Shape.of(1, 1, 1));
        g.data()[0] = 1;
        assertArrayEquals(new float[] {1, 0, 0, 0}, p.backward(g, true).data());
    }

    private static void check(int k, Tensor x) {
        int b = x.batch(), c = x.dim(1), h = x.dim(2), w = x.dim(3), oh = h / k, ow = w / k;
        MaxPool p = GradChecks.built(new MaxPool(k), Shape.of(c, h, w), 1);
        float[] y = p.forward(x, Mode.TRAIN).data().clone();
        Tensor g = Tensor.reuse(null, b, Shape.of(c, oh, ow));
        for (int i = 0; i < g.size(); i++) g.data()[i] = i + 1;
        float[] gx = p.backward(g, true).data();
        float[] ry = new float[y.length], rgx = new float[gx.length];
        float[] xs = x.data();
        for (int plane = 0; plane < b * c; plane++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int best = -1;
                    for (int dy = 0; dy < k; dy++) {
                        for (int dx = 0; dx < k; dx++) {
                            int at = plane * h * w + (oy * k + dy) * w + ox * k + dx;
                            if (best < 0 || xs[at] > xs[best]) best = at;
                        }
                    }
                    int o = (plane * oh + oy) * ow + ox;
                    ry[o] = xs[best];
                    rgx[best] += g.data()[o];
                }
            }
        }
        assertArrayEquals(ry, y, "output, k=" + k);
        assertArrayEquals(rgx, gx, "input gradient, k=" + k);
    }
}
