package dev.vitals.core.nn;

import dev.vitals.core.kernel.VectorSupport;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stride-1 fast paths of Conv2d's im2col (arraycopy between padding zeros) and col2im (a loop
 * without bounds tests) against the general element-wise loops: bit-identical results, columns
 * written at an offset inside a wider matrix (as the batched layout does), nothing else touched;
 * and the channels-last unfolding against the C-first one.
 */
class Conv2dUnfoldTest {
    /** {c, h, w, kernel, padding} with stride 1: no padding, padding, padding wider than the kernel, a 1x1 kernel, a kernel as wide as the image. */
    private static final int[][] CASES = {
            {1, 28, 28, 3, 0}, {32, 13, 13, 3, 0}, {2, 5, 6, 3, 1}, {3, 4, 5, 2, 3}, {2, 3, 4, 1, 0}, {1, 5, 7, 5, 2},
            {2, 4, 4, 4, 0}, {1, 3, 3, 3, 4}};

    @Test
    void fastPathsMatchTheGeneralLoops() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int[] t : CASES) {
            int c = t[0], h = t[1], w = t[2], k = t[3], pad = t[4];
            int oh = h + 2 * pad - k + 1, ow = w + 2 * pad - k + 1, p = oh * ow, ckk = c * k * k;
            int examples = 3, ld = examples * p + 5, example = 1;
            float[] x = new float[examples * c * h * w + 7];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            int xo = example * c * h * w;

            float[] fast = new float[ckk * ld], general = new float[ckk * ld];
            java.util.Arrays.fill(fast, 99f);
            java.util.Arrays.fill(general, 99f);
            Conv2d.im2col(x, xo, fast, example * p, ld, c, h, w, k, 1, pad, oh, ow, false);
            Conv2d.im2col(x, xo, general, example * p, ld, c, h, w, k, 1, pad, oh, ow, true);
            assertArrayEquals(general, fast, () -> "im2col " + java.util.Arrays.toString(t));

            float[] col = new float[ckk * ld];
            for (int i = 0; i < col.length; i++) col[i] = (float) rnd.nextGaussian();
            float[] dxFast = new float[x.length], dxGeneral = new float[x.length];
            for (int i = 0; i < x.length; i++) dxFast[i] = dxGeneral[i] = (float) rnd.nextGaussian();
            float[] dxVector = dxFast.clone();
            Conv2d.col2im(col, example * p, ld, dxFast, xo, c, h, w, k, 1, pad, oh, ow, false, false);
            Conv2d.col2im(col, example * p, ld, dxGeneral, xo, c, h, w, k, 1, pad, oh, ow, true, false);
            assertArrayEquals(dxGeneral, dxFast, () -> "col2im " + java.util.Arrays.toString(t));
            if (VectorSupport.available()) {
                Conv2d.col2im(col, example * p, ld, dxVector, xo, c, h, w, k, 1, pad, oh, ow, false, true);
                assertArrayEquals(dxGeneral, dxVector, () -> "col2im, Vector API additions " + java.util.Arrays.toString(t));
            }
        }
    }

    /** {c, h, w, kernel, stride, padding}: strides, paddings wider than the kernel, a 1x1 kernel, a kernel as wide as the image. */
    private static final int[][] LAST_CASES = {
            {32, 13, 13, 3, 1, 0}, {2, 5, 6, 3, 1, 1}, {3, 4, 5, 2, 1, 3}, {2, 7, 7, 3, 2, 1}, {3, 8, 7, 5, 3, 2},
            {2, 3, 4, 1, 1, 0}, {2, 4, 4, 4, 1, 0}, {1, 3, 3, 3, 2, 4}, {11, 5, 6, 3, 1, 1}};

    /**
     * The transposes into and out of a wider, bordered channels-last image (Winograd's layout): every
     * value lands at its row and column past the border, nothing else is written, and back to
     * [C, H, W] reads only the pixels inside; channel counts with and without a tail of eight.
     */
    @Test
    void borderedTransposesPlaceEveryValueAndTouchNothingElse() {
        SplittableRandom rnd = new SplittableRandom(10);
        for (int[] t : new int[][] {{32, 13, 13, 16, 2}, {11, 5, 6, 10, 1}, {3, 4, 4, 6, 0}, {8, 1, 7, 9, 1},
                {64, 11, 11, 12, 0}, {17, 5, 7, 9, 1}, {48, 2, 9, 11, 1}}) {
            int c = t[0], h = t[1], w = t[2], pitch = t[3], pad = t[4], rows = h + 2 * pad, hw = h * w;
            String what = java.util.Arrays.toString(t);
            float[] x = new float[2 * c * hw];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            float[] img = new float[rows * pitch * c];
            java.util.Arrays.fill(img, Float.NaN);
            Conv2d.toChannelsLast(x, c * hw, c, h, w, img, pitch, pad);
            for (int r = 0; r < rows; r++) {
                for (int col = 0; col < pitch; col++) {
                    for (int ch = 0; ch < c; ch++) {
                        int y = r - pad, xx = col - pad;
                        boolean inside = y >= 0 && y < h && xx >= 0 && xx < w;
                        float got = img[(r * pitch + col) * c + ch];
                        if (inside ? got != x[c * hw + (ch * h + y) * w + xx] : !Float.isNaN(got)) {
                            throw new AssertionError("toChannelsLast " + what + " row " + r + " column " + col + " channel " + ch);
                        }
                    }
                }
            }
            float[] back = new float[x.length];
            // from the image's first row and column of the interior: rows of pitch pixels, W of them read
            float[] interior = java.util.Arrays.copyOfRange(img, (pad * pitch + pad) * c, img.length);
            Conv2d.fromChannelsLast(interior, pitch, back, c * hw, c, h, w);
            assertArrayEquals(java.util.Arrays.copyOfRange(x, c * hw, x.length), java.util.Arrays.copyOfRange(back, c * hw, back.length),
                    () -> "bordered transpose and back " + what);
        }
    }

    /**
     * Channels-last unfolding holds the same values as C-first, transposed (copies: bit-identical);
     * adding channels-last columns back gives C-first's sums (in another order: within float rounding).
     */
    @Test
    void channelsLastIsTheTransposeOfChannelsFirst() {
        SplittableRandom rnd = new SplittableRandom(9);
        for (int[] t : LAST_CASES) {
            int c = t[0], h = t[1], w = t[2], k = t[3], s = t[4], pad = t[5];
            int oh = (h + 2 * pad - k) / s + 1, ow = (w + 2 * pad - k) / s + 1, p = oh * ow, ckk = c * k * k, hw = h * w;
            String what = java.util.Arrays.toString(t);
            float[] x = new float[2 * c * hw];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            int xo = c * hw;

            float[] img = new float[c * hw], back = new float[x.length];
            Conv2d.toChannelsLast(x, xo, img, c, hw);
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < hw; i++) {
                    if (img[i * c + ch] != x[xo + ch * hw + i]) throw new AssertionError("toChannelsLast " + what + " channel " + ch + " pixel " + i);
                }
            }
            Conv2d.fromChannelsLast(img, back, xo, c, hw);
            assertArrayEquals(java.util.Arrays.copyOfRange(x, xo, x.length), java.util.Arrays.copyOfRange(back, xo, back.length),
                    () -> "transpose and back " + what);

            int ld = ckk + 2;
            float[] first = new float[ckk * p], last = new float[ld * p];
            java.util.Arrays.fill(last, 99f);
            Conv2d.im2col(x, xo, first, 0, p, c, h, w, k, s, pad, oh, ow, true);
            Conv2d.im2colLast(img, last, ld, c, h, w, k, s, pad, oh, ow);
            for (int q = 0; q < p; q++) {
                for (int ch = 0; ch < c; ch++) {
                    for (int r = 0; r < k * k; r++) {
                        float a = first[(ch * k * k + r) * p + q], b = last[q * ld + r * c + ch];
                        if (Float.compare(a, b) != 0) throw new AssertionError("im2colLast " + what + " channel " + ch + " tap " + r + " position " + q + ": " + b + " != " + a);
                    }
                }
                assertEquals(99f, last[q * ld + ckk], "im2colLast wrote past its columns " + what);
                assertEquals(99f, last[q * ld + ckk + 1], "im2colLast wrote past its columns " + what);
            }

            float[] col = new float[ckk * p], colLast = new float[ckk * p];
            for (int ch = 0; ch < c; ch++) {
                for (int r = 0; r < k * k; r++) {
                    for (int q = 0; q < p; q++) colLast[q * ckk + r * c + ch] = col[(ch * k * k + r) * p + q] = (float) rnd.nextGaussian();
                }
            }
            float[] dx = new float[x.length], dimg = new float[c * hw], dxLast = new float[x.length];
            Conv2d.col2im(col, 0, p, dx, xo, c, h, w, k, s, pad, oh, ow, true, false);
            Conv2d.col2imLast(colLast, dimg, c, h, w, k, s, pad, oh, ow, false);
            if (VectorSupport.available()) {
                float[] dimgVector = new float[c * hw];
                Conv2d.col2imLast(colLast, dimgVector, c, h, w, k, s, pad, oh, ow, true);
                assertArrayEquals(dimg, dimgVector, "col2imLast, Vector API additions " + what);
            }
            Conv2d.fromChannelsLast(dimg, dxLast, xo, c, hw);
            for (int i = 0; i < dx.length; i++) {
                assertEquals(dx[i], dxLast[i], 1e-5 * (1 + Math.abs(dx[i])), "col2imLast " + what + " at " + i);
            }
        }
    }

    @Test
    void channelsLastIsChosenForShortRowsOfManyChannels() {
        assertTrue(Conv2d.channelsLastPays(32, 3, 11), "the CNN's conv2: 32 channels, 11-wide output rows");
        assertFalse(Conv2d.channelsLastPays(1, 3, 26), "a greyscale input");
        assertFalse(Conv2d.channelsLastPays(4, 3, 11), "few channels: 12-float window rows against 11");
        assertFalse(Conv2d.channelsLastPays(64, 3, 26), "wide rows stay C-first at any channel count");
    }
}
