package dev.vitals.core.nn;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The stride-1 fast paths of Conv2d's im2col (arraycopy between padding zeros) and col2im (a loop
 * without bounds tests) against the general element-wise loops: bit-identical results, columns
 * written at an offset inside a wider matrix (as the batched layout does), nothing else touched.
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
            Conv2d.col2im(col, example * p, ld, dxFast, xo, c, h, w, k, 1, pad, oh, ow, false);
            Conv2d.col2im(col, example * p, ld, dxGeneral, xo, c, h, w, k, 1, pad, oh, ow, true);
            assertArrayEquals(dxGeneral, dxFast, () -> "col2im " + java.util.Arrays.toString(t));
        }
    }
}
