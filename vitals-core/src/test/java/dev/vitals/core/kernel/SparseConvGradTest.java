package dev.vitals.core.kernel;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The gradients of a convolution behind ReLU and 2x2 pooling from its nonzero output gradients
 * alone, against the dense sums of the definition (in double), and the Vector API loop against the
 * scalar one, bit for bit.
 */
class SparseConvGradTest {
    /** channels, kernel, filters, output high, output wide, extra pitch: conv2's, odd and even outputs, widths off the vector. */
    private static final int[][] CASES = {{32, 3, 64, 11, 11, 3}, {16, 3, 16, 8, 6, 2}, {17, 3, 20, 9, 8, 2}, {3, 5, 4, 7, 6, 0},
            {1, 1, 3, 4, 5, 1}, {40, 3, 5, 2, 3, 2}};

    /** One example: the channels-last input, weight, pooled gradient and values, and the maxima's indices. */
    private record Example(int c, int k, int filters, int oh, int ow, int pitch, int rows, float[] img, float[] wl, float[] g, float[] y,
                           int[] argmax) {
        static Example random(int[] t, long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            int c = t[0], k = t[1], filters = t[2], oh = t[3], ow = t[4], pitch = ow + k - 1 + t[5], rows = oh + k - 1 + 1;
            float[] img = new float[rows * pitch * c], wl = new float[filters * k * k * c];
            for (int i = 0; i < img.length; i++) img[i] = (float) r.nextGaussian();
            for (int i = 0; i < wl.length; i++) wl[i] = (float) r.nextGaussian();
            int ph = oh / 2, pw = ow / 2;
            float[] g = new float[filters * ph * pw], y = new float[g.length];
            int[] argmax = new int[g.length];
            for (int f = 0; f < filters; f++) {
                for (int py = 0; py < ph; py++) {
                    for (int px = 0; px < pw; px++) {
                        int o = (f * ph + py) * pw + px, u = r.nextInt(10);
                        // ReLU cut about a third; some gradients exactly zero or -0
                        y[o] = u < 3 ? 0f : (float) r.nextDouble();
                        g[o] = u == 3 ? 0f : u == 4 ? -0f : (float) r.nextGaussian();
                        argmax[o] = (f * oh + 2 * py + r.nextInt(2)) * ow + 2 * px + r.nextInt(2);
                    }
                }
            }
            return new Example(c, k, filters, oh, ow, pitch, rows, img, wl, g, y, argmax);
        }

        /** The convolution's output gradient [filters, oh, ow] as the pooling and ReLU give it. */
        double[] dy() {
            double[] dy = new double[filters * oh * ow];
            for (int o = 0; o < g.length; o++) if (y[o] > 0) dy[argmax[o]] = g[o];
            return dy;
        }
    }

    @Test
    void theGradientsAreTheDenseSums() {
        for (int[] t : CASES) {
            Example e = Example.random(t, t[0] + 31L * t[2]);
            int c = e.c, k = e.k, kc = k * c, ld = k * kc + 1;
            SparseConvGrad s = new SparseConvGrad(c, k, e.filters, e.oh, e.ow, e.pitch);
            s.collect(e.g, e.y, e.argmax, 0, 0);
            float[] dw = new float[e.filters * ld], dimg = new float[e.img.length];
            s.weightGrad(e.img, dw, ld, false);
            s.inputGrad(e.wl, dimg, false);
            double[] dy = e.dy(), rw = new double[dw.length], rx = new double[dimg.length];
            for (int f = 0; f < e.filters; f++) {
                for (int oy = 0; oy < e.oh; oy++) {
                    for (int ox = 0; ox < e.ow; ox++) {
                        double d = dy[(f * e.oh + oy) * e.ow + ox];
                        rw[f * ld + k * kc] += d;
                        for (int ki = 0; ki < k; ki++) {
                            for (int j = 0; j < kc; j++) {
                                int at = ((oy + ki) * e.pitch + ox) * c + j;
                                rw[f * ld + ki * kc + j] += d * e.img[at];
                                rx[at] += d * e.wl[(f * k + ki) * kc + j];
                            }
                        }
                    }
                }
            }
            String where = java.util.Arrays.toString(t);
            assertClose(rw, dw, "weight and bias gradient " + where);
            assertClose(rx, dimg, "input gradient " + where);
        }
    }

    @Test
    void theEntriesAreTheNonzeroGradientsByFilterAndByPosition() {
        Example e = Example.random(CASES[2], 5);
        SparseConvGrad s = new SparseConvGrad(e.c, e.k, e.filters, e.oh, e.ow, e.pitch);
        int n = s.collect(e.g, e.y, e.argmax, 0, 0);
        double[] dy = e.dy();
        int nonzero = 0;
        for (double d : dy) nonzero += d != 0 ? 1 : 0;
        assertEquals(nonzero, n);
        assertEquals(n, s.starts[e.filters]);
        int kkc = e.k * e.k * e.c, byPosition = 0;
        for (int p = 0; p < e.oh * e.ow; p++) {
            int last = -1;
            for (int i = p * e.filters; i < p * e.filters + s.posCounts[p]; i++, byPosition++) {
                int f = s.bases[i] / kkc;
                assertTrue(f > last, "by filter within a position");
                last = f;
                assertEquals(dy[f * e.oh * e.ow + p], s.posValues[i], 0.0);
            }
        }
        assertEquals(n, byPosition);
    }

    @Test
    void theVectorLoopGivesTheScalarLoopsBits() {
        assumeTrue(VectorSupport.available(), "the Vector API module is not in this JVM");
        for (int[] t : CASES) {
            Example e = Example.random(t, 77 + t[1]);
            int kc = e.k * e.c, ld = e.k * kc + 1;
            SparseConvGrad s = new SparseConvGrad(e.c, e.k, e.filters, e.oh, e.ow, e.pitch);
            float[] dw = new float[e.filters * ld], vdw = new float[dw.length], dimg = new float[e.img.length], vdimg = new float[dimg.length];
            // two examples into the same sums
            for (int i = 0; i < 2; i++) {
                s.collect(e.g, e.y, e.argmax, 0, 0);
                s.weightGrad(e.img, dw, ld, false);
                s.weightGrad(e.img, vdw, ld, true);
                s.inputGrad(e.wl, dimg, false);
                s.inputGrad(e.wl, vdimg, true);
                e = Example.random(t, 78 + t[1]);
            }
            String where = java.util.Arrays.toString(t);
            assertArrayEquals(dw, vdw, "weight gradient " + where);
            assertArrayEquals(dimg, vdimg, "input gradient " + where);
        }
    }

    /** Each value within 1e-5 of the largest reference magnitude. */
    private static void assertClose(double[] expected, float[] actual, String what) {
        double scale = 1e-30;
        for (double v : expected) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < expected.length; i++) {
            int at = i;
            assertTrue(Math.abs(expected[i] - actual[i]) <= 1e-5 * scale, () -> what + ": at " + at + " expected " + expected[at] + " but got " + actual[at]);
        }
    }
}
