package dev.vitals.core.kernel;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The fused convolution, ReLU and 2x2 pooling: the scalar loops against the definition (a
 * convolution by {@code Math.fma} in tap order, ReLU, then {@link Passes#maxPool2}'s maxima and
 * indices; the weight gradient in double through the window maxima), and the Vector API loops against
 * the scalar ones bit for bit.
 */
class ConvPoolTest {
    /** channels, height, width, kernel, padding, filters: the CNN's conv1, odd and even edges, RGB, 5x5, rows of more than one chunk. */
    private static final int[][] CASES = {{1, 28, 28, 3, 0, 32}, {1, 9, 10, 3, 1, 3}, {3, 8, 7, 3, 1, 5}, {1, 11, 12, 5, 2, 2},
            {2, 6, 6, 2, 0, 4}, {1, 12, 41, 3, 0, 2}, {1, 5, 5, 1, 0, 3}};

    @Test
    void scalarLoopsFollowTheDefinition() {
        for (int[] t : CASES) {
            ConvPool p = new ConvPool(t[0], t[1], t[2], t[3], t[4], t[5]);
            Example e = new Example(p, t, 2, 11);
            e.run(false);
            float[] z = new float[2 * p.filters * p.oh * p.ow];
            for (int i = 0; i < 2; i++) p.convolve(e.x, i * p.c * p.h * p.w, e.wt, e.bias, z, i * p.filters * p.oh * p.ow);
            // the definition: each output by fma in (channel, dy, dx) order from the bias
            for (int i = 0; i < 2; i++) {
                for (int f = 0; f < p.filters; f++) {
                    for (int oy = 0; oy < p.oh; oy++) {
                        for (int ox = 0; ox < p.ow; ox++) {
                            float v = e.bias[f];
                            for (int ch = 0; ch < p.c; ch++) {
                                for (int dy = 0; dy < p.k; dy++) {
                                    for (int dx = 0; dx < p.k; dx++) {
                                        int iy = oy + dy - p.pad, ix = ox + dx - p.pad;
                                        float xv = iy < 0 || iy >= p.h || ix < 0 || ix >= p.w ? 0f : e.x[((i * p.c + ch) * p.h + iy) * p.w + ix];
                                        v = Math.fma(e.wt[((f * p.c + ch) * p.k + dy) * p.k + dx], xv, v);
                                    }
                                }
                            }
                            assertEquals(v, z[((i * p.filters + f) * p.oh + oy) * p.ow + ox], "convolve " + java.util.Arrays.toString(t));
                        }
                    }
                }
            }
            // ReLU, then the pooling's own loop: the same maxima and indices
            float[] relu = new float[z.length], y = new float[e.y.length];
            int[] argmax = new int[y.length];
            for (int i = 0; i < z.length; i++) relu[i] = Math.max(z[i], 0f);
            Passes.maxPool2Scalar(relu, y, argmax, p.oh, p.ow, p.oh2, p.ow2, 0, 2 * p.filters);
            assertArrayEquals(y, e.y, "pooled values " + java.util.Arrays.toString(t));
            assertArrayEquals(argmax, e.argmax, "indices " + java.util.Arrays.toString(t));
            // the weight and bias gradients in double: each window's gradient through ReLU's slope at its maximum
            int taps = p.taps;
            double[] expected = new double[p.filters * (taps + 1)];
            for (int o = 0; o < y.length; o++) {
                if (!(relu[argmax[o]] > 0)) continue;
                int i = o / (p.filters * p.oh2 * p.ow2), f = o / (p.oh2 * p.ow2) % p.filters, at = argmax[o] % (p.oh * p.ow);
                int oy = at / p.ow, ox = at % p.ow;
                double g = e.g[o];
                expected[f * (taps + 1) + taps] += g;
                for (int ch = 0, tap = 0; ch < p.c; ch++) {
                    for (int dy = 0; dy < p.k; dy++) {
                        for (int dx = 0; dx < p.k; dx++, tap++) {
                            int iy = oy + dy - p.pad, ix = ox + dx - p.pad;
                            double xv = iy < 0 || iy >= p.h || ix < 0 || ix >= p.w ? 0 : e.x[((i * p.c + ch) * p.h + iy) * p.w + ix];
                            expected[f * (taps + 1) + tap] += g * xv;
                        }
                    }
                }
            }
            for (int j = 0; j < expected.length; j++) {
                assertEquals(expected[j], e.sums[j], 1e-5 * (1 + Math.abs(expected[j])), "gradient " + j + " " + java.util.Arrays.toString(t));
            }
        }
    }

    @Test
    void vectorLoopsEqualTheScalarOnes() {
        assumeTrue(VectorSupport.available(), "the Vector API module is not in this JVM");
        for (int[] t : CASES) {
            ConvPool p = new ConvPool(t[0], t[1], t[2], t[3], t[4], t[5]);
            for (long seed : new long[] {3, 4}) {
                Example scalar = new Example(p, t, 3, seed), vector = new Example(p, t, 3, seed);
                scalar.run(false);
                vector.run(true);
                String where = java.util.Arrays.toString(t) + " seed " + seed;
                assertArrayEquals(scalar.y, vector.y, "pooled values " + where);
                assertArrayEquals(scalar.argmax, vector.argmax, "indices " + where);
                assertArrayEquals(scalar.sumsOfLanes(), vector.sumsOfLanes(), "gradient lane sums " + where);
            }
        }
    }

    /** NaN and infinities in the input and the gradient come out of both versions alike, and a NaN input reaches the gradient. */
    @Test
    void specialValues() {
        assumeTrue(VectorSupport.available(), "the Vector API module is not in this JVM");
        int[] t = {1, 10, 10, 3, 1, 4};
        ConvPool p = new ConvPool(t[0], t[1], t[2], t[3], t[4], t[5]);
        Example scalar = new Example(p, t, 2, 9), vector = new Example(p, t, 2, 9);
        for (Example e : new Example[] {scalar, vector}) {
            e.x[13] = Float.NaN;
            e.x[57] = Float.POSITIVE_INFINITY;
            e.x[140] = Float.NEGATIVE_INFINITY;
            e.x[150] = -0f;
            e.g[3] = Float.NaN;
            e.g[30] = Float.POSITIVE_INFINITY;
        }
        scalar.run(false);
        vector.run(true);
        assertArrayEquals(scalar.y, vector.y);
        assertArrayEquals(scalar.argmax, vector.argmax);
        assertArrayEquals(scalar.sumsOfLanes(), vector.sumsOfLanes());
        assertEquals(true, Float.isNaN(scalar.sums[0]) || Float.isNaN(scalar.sums[1]), "a NaN input under a window reaches the weight gradient");
    }

    private static int[] bits(float[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) b[i] = Float.floatToIntBits(a[i]);
        return b;
    }

    /** A batch of random examples, weights and pooled gradients, and what the fused passes make of them. */
    private static final class Example {
        final ConvPool p;
        final int batch;
        final float[] x, wt, bias, g, y, lanes, sums, shifted;
        final int[] argmax;

        Example(ConvPool p, int[] t, int batch, long seed) {
            this.p = p;
            this.batch = batch;
            SplittableRandom r = new SplittableRandom(seed * 1000 + t[1] * 31L + t[2]);
            x = new float[batch * p.c * p.h * p.w];
            // a few levels: ReLU's zeros and equal values make ties in the windows
            for (int i = 0; i < x.length; i++) x[i] = r.nextInt(4) == 0 ? (r.nextInt(5) - 2) * 0.5f : (float) r.nextGaussian();
            wt = new float[p.filters * p.taps];
            for (int i = 0; i < wt.length; i++) wt[i] = (float) r.nextGaussian() * 0.5f;
            bias = new float[p.filters];
            for (int i = 0; i < bias.length; i++) bias[i] = (float) r.nextGaussian() * 0.1f;
            y = new float[batch * p.filters * p.oh2 * p.ow2];
            g = new float[y.length];
            for (int i = 0; i < g.length; i++) g[i] = (float) r.nextGaussian();
            argmax = new int[y.length];
            lanes = new float[p.laneFloats()];
            sums = new float[p.filters * (p.taps + 1)];
            shifted = new float[batch * p.shiftedFloats()];
        }

        /** The lane sums' bits (the vector loops' scratch after them left out). */
        int[] sumsOfLanes() { return bits(java.util.Arrays.copyOf(lanes, p.sumFloats())); }

        void run(boolean vector) {
            int per = p.shiftedFloats(), in = p.c * p.h * p.w, ys = p.filters * p.oh2 * p.ow2, zs = p.filters * p.oh * p.ow;
            for (int i = 0; i < batch; i++) {
                p.shift(x, i * in, shifted, i * per);
                p.forward(shifted, i * per, wt, bias, y, i * ys, argmax, i * zs, vector);
            }
            for (int i = 0; i < batch; i++) p.backward(shifted, i * per, g, y, argmax, i * ys, i * zs, lanes, vector);
            p.reduceLanes(lanes, sums);
        }
    }
}
