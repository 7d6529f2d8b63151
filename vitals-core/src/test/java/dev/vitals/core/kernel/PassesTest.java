package dev.vitals.core.kernel;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The Vector API passes against the scalar loops, bit for bit (MaxPoolTest checks pooling against its definition). */
class PassesTest {
    @Test
    void vectorAddToEqualsTheScalarLoop() {
        assumeTrue(VectorSupport.available(), "the Vector API module is not in this JVM");
        SplittableRandom r = new SplittableRandom(3);
        for (int n = 0; n <= 70; n++) {
            for (int d : new int[] {0, 1, 13}) {
                int s = 7 + n % 5;
                float[] src = new float[s + n + 3], dst = new float[d + n + 5];
                for (int i = 0; i < src.length; i++) src[i] = (float) r.nextGaussian();
                for (int i = 0; i < dst.length; i++) dst[i] = (float) r.nextGaussian();
                float[] expected = dst.clone(), actual = dst.clone();
                Passes.addToScalar(expected, d, src, s, n);
                VectorPasses.addTo(actual, d, src, s, n);
                assertArrayEquals(expected, actual, "n=" + n + ", d=" + d);
            }
        }
    }

    /**
     * The Vector API 2x2 pooling gives the scalar loop's values and indices bit for bit: ties among
     * few levels, +0 against -0, NaN, odd heights and widths, rows wider and narrower than a vector,
     * planes ending at the array's end (where the scalar loop takes over) and ranges of planes.
     */
    @Test
    void vectorPoolingEqualsTheScalarLoop() {
        assumeTrue(VectorSupport.available(), "the Vector API module is not in this JVM");
        int[][] shapes = {{26, 26}, {11, 11}, {2, 2}, {3, 5}, {7, 9}, {4, 40}, {5, 67}, {64, 64}, {13, 33}};
        SplittableRandom r = new SplittableRandom(7);
        float[] levels = {-1, -0f, 0f, 0.5f, 2};
        for (int[] hw : shapes) {
            int h = hw[0], w = hw[1], oh = h / 2, ow = w / 2;
            for (int planes : new int[] {1, 3, 17}) {
                float[] x = new float[planes * h * w];
                for (int i = 0; i < x.length; i++) x[i] = r.nextInt(50) == 0 ? Float.NaN : levels[r.nextInt(levels.length)];
                float[] y = new float[planes * oh * ow], vy = new float[y.length];
                int[] at = new int[y.length], vat = new int[y.length];
                Passes.maxPool2Scalar(x, y, at, h, w, oh, ow, 0, planes);
                VectorPasses.maxPool2(x, vy, vat, h, w, oh, ow, 0, planes);
                String what = h + "x" + w + ", " + planes + " planes";
                for (int o = 0; o < y.length; o++) {
                    assertEquals(Float.floatToRawIntBits(y[o]), Float.floatToRawIntBits(vy[o]), "value " + o + ", " + what);
                }
                assertArrayEquals(at, vat, "indices, " + what);
                if (planes == 17) {
                    // planes 5-8 alone write only their own outputs, the same ones
                    int[] part = new int[y.length];
                    VectorPasses.maxPool2(x, new float[y.length], part, h, w, oh, ow, 5, 9);
                    for (int o = 0; o < y.length; o++) {
                        boolean inside = o >= 5 * oh * ow && o < 9 * oh * ow;
                        assertEquals(inside ? at[o] : 0, part[o], "planes 5-8 only, index " + o + ", " + what);
                    }
                }
            }
        }
    }

    /**
     * Winograd's input and output transforms with the Vector API give the scalar loops' values bit
     * for bit: channel and filter counts below, at and past a vector (the scalar loop takes the
     * rest), several tiles, and tiles written at an offset into a larger product.
     */
    @Test
    void vectorWinogradTransformsEqualTheScalarLoops() {
        assumeTrue(VectorSupport.available(), "the Vector API module is not in this JVM");
        SplittableRandom r = new SplittableRandom(11);
        int lanes = VectorPasses.lanes();
        for (int c : new int[] {1, lanes - 1, lanes, lanes + 3, 2 * lanes, 40}) {
            for (int[] t : new int[][] {{1, 1}, {2, 3}, {6, 6}}) {
                int th = t[0], tw = t[1], wp = 2 * tw + 2, n = th * tw, tilesAll = 2 * n + 1, t0 = n + 1;
                float[] img = new float[(2 * th + 2) * wp * c];
                for (int i = 0; i < img.length; i++) img[i] = (float) r.nextGaussian();
                float[] expected = new float[16 * tilesAll * c], actual = new float[expected.length];
                Winograd.transformInput(img, c, wp, th, tw, expected, tilesAll, t0, false);
                Winograd.transformInput(img, c, wp, th, tw, actual, tilesAll, t0, true);
                assertArrayEquals(expected, actual, "input, " + c + " channels, " + th + "x" + tw + " tiles");
                // the same counts as filters
                float[] m = new float[16 * tilesAll * c], bias = new float[c];
                for (int i = 0; i < m.length; i++) m[i] = (float) r.nextGaussian();
                for (int i = 0; i < c; i++) bias[i] = (float) r.nextGaussian();
                float[] out = new float[4 * n * c], vout = new float[out.length];
                Winograd.transformOutput(m, c, th, tw, tilesAll, t0, bias, out, false);
                Winograd.transformOutput(m, c, th, tw, tilesAll, t0, bias, vout, true);
                assertArrayEquals(out, vout, "output, " + c + " filters, " + th + "x" + tw + " tiles");
            }
        }
    }

    /**
     * Winograd's output transform with ReLU and pooling against the output transform, ReLU and
     * {@link Passes#maxPool2Scalar} one after the other, bit for bit, with the Vector API loop and
     * without: tiles of odd and even outputs, filter counts off the vector width, ties (tiles of zeros,
     * negative outputs) and NaN.
     */
    @Test
    void winogradPoolingIsTheOutputTransformThenReluAndPooling() {
        SplittableRandom r = new SplittableRandom(21);
        int lanes = VectorPasses.lanes();
        boolean[] vectors = VectorSupport.available() ? new boolean[] {false, true} : new boolean[] {false};
        for (int filters : new int[] {1, lanes - 1, lanes, lanes + 3, 2 * lanes, 40}) {
            // tiles high and wide, output high and wide
            for (int[] t : new int[][] {{1, 1, 2, 2}, {1, 1, 1, 1}, {2, 3, 4, 6}, {2, 3, 3, 5}, {3, 2, 6, 3}, {6, 6, 11, 11}, {6, 6, 12, 12}}) {
                int th = t[0], tw = t[1], oh = t[2], ow = t[3], n = th * tw, tilesAll = 2 * n + 1, t0 = n + 1, ph = oh / 2, pw = ow / 2;
                float[] m = new float[16 * tilesAll * filters], bias = new float[filters];
                for (int i = 0; i < m.length; i++) m[i] = (float) r.nextGaussian();
                for (int i = 0; i < filters; i++) bias[i] = (float) r.nextGaussian();
                // the first tile of every third filter all zeros: four equal outputs (the bias)
                for (int f = 0; f < filters; f += 3) for (int xi = 0; xi < 16; xi++) m[(xi * tilesAll + t0) * filters + f] = 0f;
                float[] out = new float[4 * n * filters];
                Winograd.transformOutput(m, filters, th, tw, tilesAll, t0, bias, out, false);
                // as the layers compute it: [filters, oh, ow], ReLU, then the pooling
                float[] planes = new float[filters * oh * ow], y = new float[filters * ph * pw];
                int[] argmax = new int[y.length];
                for (int f = 0; f < filters; f++) {
                    for (int yy = 0; yy < oh; yy++) {
                        for (int xx = 0; xx < ow; xx++) planes[(f * oh + yy) * ow + xx] = Math.max(out[(yy * 2 * tw + xx) * filters + f], 0f);
                    }
                }
                Passes.maxPool2Scalar(planes, y, argmax, oh, ow, ph, pw, 0, filters);
                String where = filters + " filters, " + java.util.Arrays.toString(t);
                for (boolean vector : vectors) {
                    float[] pooled = new float[ph * pw * filters], code = new float[pooled.length];
                    assertFalse(Winograd.transformOutputPooled(m, filters, th, tw, oh, ow, tilesAll, t0, bias, pooled, code, vector), where);
                    for (int f = 0; f < filters; f++) {
                        for (int py = 0; py < ph; py++) {
                            for (int px = 0; px < pw; px++) {
                                int s = (py * pw + px) * filters + f, o = (f * ph + py) * pw + px, k = (int) code[s];
                                assertEquals(Float.floatToRawIntBits(y[o]), Float.floatToRawIntBits(pooled[s]), where + ", vector " + vector);
                                assertEquals(argmax[o], (f * oh + 2 * py + (k >> 1)) * ow + 2 * px + (k & 1), where + ", vector " + vector);
                            }
                        }
                    }
                }
                // a NaN in a pooled tile, and in a tile the pooling drops
                for (int tile : new int[] {0, n - 1}) {
                    if (tile == n - 1 && ph == th && pw == tw) continue;
                    float[] bad = m.clone();
                    bad[(5 * tilesAll + t0 + tile) * filters + filters - 1] = Float.NaN;
                    for (boolean vector : vectors) {
                        float[] pooled = new float[ph * pw * filters + 1], code = new float[pooled.length];
                        assertTrue(Winograd.transformOutputPooled(bad, filters, th, tw, oh, ow, tilesAll, t0, bias, pooled, code, vector),
                                "NaN in tile " + tile + ", " + where + ", vector " + vector);
                    }
                }
            }
        }
    }

    @Test
    void addToTouchesOnlyItsRange() {
        for (boolean vector : new boolean[] {false, VectorSupport.available()}) {
            float[] dst = {1, 1, 1, 1, 1, 1}, src = {9, 2, 3, 9};
            Passes.addTo(dst, 2, src, 1, 2, vector);
            assertArrayEquals(new float[] {1, 1, 3, 4, 1, 1}, dst);
        }
    }

    /**
     * The scalar loops run until a layer has asked for enough values; then the warm-up runs on its
     * own thread and ends (on this machine the vector loops then win; where they do not, they
     * stay unused, which is also correct).
     */
    @Test
    void theVectorLoopsRunOnlyAfterTheWarmUp() throws InterruptedException {
        assumeTrue(Passes.vector(), "the Vector API module is not in this JVM");
        if (!VectorPasses.ready()) {
            assertFalse(Passes.vectorFor(1), "not before the warm-up");
            assertTrue(Passes.describe().startsWith("scalar passes"), Passes.describe());
        }
        Passes.vectorFor(Passes.WARM_UP_AFTER + 1);
        long deadline = System.nanoTime() + VectorPasses.WARM_UP_LIMIT_NS + 30_000_000_000L;
        while (!VectorPasses.warmUpEnded && System.nanoTime() < deadline) Thread.sleep(10);
        assertTrue(VectorPasses.warmUpEnded, "the warm-up ended within its time limit");
        assertEquals(VectorPasses.ready(), Passes.vectorFor(1), "once warm, the layers take the vector loops if they won");
        assertEquals(VectorPasses.ready() ? "Vector API passes after a warm-up" : "scalar passes (the Vector API loops lost their warm-up)",
                Passes.describe());
    }
}
