package dev.vitals.core.nn;

import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Conv2d's fast path (an unfolded product per example, parts of the batch on the worker threads)
 * against the convolution written out as its definition, in double: the output, the input gradient
 * and the weight and bias gradients, for strides, paddings, a 1-channel input and batches that do
 * and do not divide into the parts, on the process's kernel (OpenBLAS where present), with the
 * examples unfolded C-first and channels-last, and the forward pass by Winograd's transforms (3x3,
 * stride 1: odd and even outputs, paddings 0 to 3, 1x1 and 3x2 images, channel and filter counts off
 * the vector width).
 */
class Conv2dReferenceTest {
    @Test
    void matchesTheDefinition() {
        // batch, channels, height, width, filters, kernel, stride, padding
        int[][] cases = {{64, 1, 28, 28, 8, 3, 1, 0}, {37, 4, 13, 13, 24, 3, 1, 1}, {5, 3, 9, 8, 6, 3, 2, 1},
                {3, 2, 7, 7, 4, 5, 3, 2}, {19, 6, 5, 5, 7, 1, 1, 0}, {1, 2, 6, 6, 3, 3, 1, 0},
                {12, 32, 13, 13, 16, 3, 1, 0}, {9, 8, 10, 9, 5, 4, 2, 3}, {6, 20, 8, 9, 40, 3, 1, 2}, {7, 17, 6, 7, 18, 3, 1, 0},
                {4, 3, 5, 6, 4, 3, 1, 3}, {3, 2, 1, 1, 3, 3, 1, 1}, {2, 16, 3, 2, 16, 3, 1, 1}};
        for (int[] t : cases) {
            for (Conv2d.Unfold u : Conv2d.Unfold.values()) check(t, u);
        }
    }

    /** AUTO takes Winograd for the CNN's conv2 and not for its conv1, nor where the image makes its scratch too large. */
    @Test
    void winogradWhereItPays() {
        assertTrue(built(64, 32, 13, 13).winograd(), "conv2 of the Fashion-MNIST CNN");
        assertTrue(!built(32, 1, 28, 28).winograd(), "one input channel");
        assertTrue(built(16, 16, 28, 28).winograd(), "16 -> 16 channels of 28x28");
        // 64 -> 128 channels of 56x56: 54x54 outputs, 729 tiles, 2 x 16 x 729 x 192 floats = 18 MB a part
        assertTrue(!built(128, 64, 56, 56).winograd(), "scratch above the cap");
    }

    private static Conv2d built(int filters, int channels, int h, int w) {
        Conv2d conv = new Conv2d(filters, 3, 1, 0);
        conv.build(Shape.of(channels, h, w), new BuildContext(Init.DEFAULT, new SplittableRandom(1)));
        return conv;
    }

    private static void check(int[] t, Conv2d.Unfold unfold) {
        int b = t[0], c = t[1], h = t[2], w = t[3], f = t[4], k = t[5], s = t[6], pad = t[7];
        Conv2d conv = new Conv2d(f, k, s, pad, unfold);
        conv.build(Shape.of(c, h, w), new BuildContext(Init.DEFAULT, new SplittableRandom(5)));
        // every case here is small enough for the scratch cap
        boolean winograd = k == 3 && s == 1 && (unfold == Conv2d.Unfold.WINOGRAD || unfold == Conv2d.Unfold.AUTO && c >= 16 && f >= 16);
        assertEquals(winograd, conv.winograd(), "Winograd's forward pass for " + java.util.Arrays.toString(t) + " " + unfold);
        int oh = (h + 2 * pad - k) / s + 1, ow = (w + 2 * pad - k) / s + 1;
        Tensor x = GradChecks.random(b, Shape.of(c, h, w), 1), gy = GradChecks.random(b, Shape.of(f, oh, ow), 2);
        float[] wt = conv.weight().value().data(), bs = conv.bias().value().data();
        float[] y = conv.forward(x, Mode.TRAIN).data();
        float[] dx = conv.backward(gy, true).data();
        float[] dw = conv.weight().grad().data(), db = conv.bias().grad().data();

        double[] ry = new double[y.length], rdx = new double[dx.length], rdw = new double[dw.length], rdb = new double[db.length];
        float[] xs = x.data(), g = gy.data();
        for (int i = 0; i < b; i++) {
            for (int o = 0; o < f; o++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        int yi = ((i * f + o) * oh + oy) * ow + ox;
                        double sum = bs[o];
                        rdb[o] += g[yi];
                        for (int ch = 0; ch < c; ch++) {
                            for (int ki = 0; ki < k; ki++) {
                                for (int kj = 0; kj < k; kj++) {
                                    int iy = oy * s - pad + ki, ix = ox * s - pad + kj;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                    int xi = ((i * c + ch) * h + iy) * w + ix, wi = ((o * c + ch) * k + ki) * k + kj;
                                    sum += (double) wt[wi] * xs[xi];
                                    rdx[xi] += (double) wt[wi] * g[yi];
                                    rdw[wi] += (double) xs[xi] * g[yi];
                                }
                            }
                        }
                        ry[yi] = sum;
                    }
                }
            }
        }
        String what = java.util.Arrays.toString(t) + " " + unfold;
        close(ry, y, "output " + what);
        close(rdx, dx, "input gradient " + what);
        close(rdw, dw, "weight gradient " + what);
        close(rdb, db, "bias gradient " + what);
    }

    /** Float sums of up to a few thousand terms: within 1e-4 of the largest reference value. */
    private static void close(double[] ref, float[] got, String what) {
        double scale = 0, worst = 0;
        for (double v : ref) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(ref[i] - got[i]));
        double err = worst / Math.max(scale, 1e-30);
        assertTrue(err < 1e-4, what + ": relative error " + err);
    }
}
