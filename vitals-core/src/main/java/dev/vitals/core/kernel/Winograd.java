package dev.vitals.core.kernel;

/**
 * Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms for Convolutional
 * Neural Networks", 2016) for the forward pass of a 3x3 convolution with stride 1. A 2x2 block of
 * one filter's outputs comes from a 4x4 tile of the input as {@code Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A}:
 * 16 multiplications per channel instead of 36. Summed over the channels, the 16 element-wise
 * products become 16 matrix products, [tiles, C] · [C, filters], one per position ξ of the 4x4
 * transformed tile, which is where the time goes.
 *
 * <p>Everything is channels-last, so that the transforms are loops over channels (or filters), one
 * vector at a time: the caller ({@code Conv2d}) writes the example into a zero-bordered [H', W', C]
 * image, the tiles' transforms go into V[ξ][tile][C], the products into M[ξ][tile][filters], and the
 * inverse transform into a [2·tilesHigh, 2·tilesWide, filters] image that the caller transposes to
 * the layer's [filters, H, W] output. The JIT leaves the scalar transforms scalar (9.1 and 9.8 us
 * an example for the CNN's conv2, one thread, against 1.2 and 2.1 us with the Vector API); like
 * {@link Passes}, the Vector API versions ({@link VectorPasses}) run once warmed up, with identical
 * results.
 *
 * <p>The transforms add and subtract only (and halve, for the weights), so the result differs from
 * the direct sum by rounding alone: against the definition in double, conv2's outputs are off by
 * less than the unfolded product's (RMS 1.7e-7 against 2.1e-7 of the RMS value), and
 * {@code Conv2dReferenceTest} holds both to the same tolerance.
 */
public final class Winograd {
    private Winograd() {}

    /** Tiles of 2 outputs along a side of {@code outputs}. */
    public static int tiles(int outputs) { return (outputs + 1) / 2; }

    /**
     * Floats from one position's [C, filters] matrix of the transformed weight to the next: one
     * cache line more than the matrix. Written back to back (8 KB apart for 32 x 64), the 16 values
     * of a kernel fell into the same L1 sets and the transform took 107 instead of 21 us; read with
     * rows 16·filters apart instead, the products slowed from 13 to 20 us an example.
     */
    public static int weightStride(int c, int filters) { return c * filters + 16; }

    /**
     * The weight [filters, C, 3, 3] transformed to U[ξ][C][filters] = (G g Gᵀ)[ξ] (matrices
     * {@link #weightStride} apart), with G = [[1, 0, 0], [½, ½, ½], [½, -½, ½], [0, 0, 1]].
     */
    public static void transformWeights(float[] wt, int filters, int c, float[] u) {
        int step = weightStride(c, filters);
        for (int f = 0; f < filters; f++) {
            for (int ch = 0; ch < c; ch++) {
                int g = (f * c + ch) * 9, o = ch * filters + f;
                float g0 = wt[g], g1 = wt[g + 1], g2 = wt[g + 2], g3 = wt[g + 3], g4 = wt[g + 4], g5 = wt[g + 5],
                        g6 = wt[g + 6], g7 = wt[g + 7], g8 = wt[g + 8];
                // the rows of G · g: the kernel's first row, half the sum and half the alternating sum of its rows, its last row
                row(u, o, step, g0, g1, g2);
                row(u, o + 4 * step, step, 0.5f * (g0 + g3 + g6), 0.5f * (g1 + g4 + g7), 0.5f * (g2 + g5 + g8));
                row(u, o + 8 * step, step, 0.5f * (g0 - g3 + g6), 0.5f * (g1 - g4 + g7), 0.5f * (g2 - g5 + g8));
                row(u, o + 12 * step, step, g6, g7, g8);
            }
        }
    }

    /** One row (a, b, c) of G · g times Gᵀ: four values of U, {@code step} apart. */
    private static void row(float[] u, int o, int step, float a, float b, float c) {
        u[o] = a;
        u[o + step] = 0.5f * (a + b + c);
        u[o + 2 * step] = 0.5f * (a - b + c);
        u[o + 3 * step] = c;
    }

    /**
     * The tiles of one padded channels-last image, transformed to V[ξ][t0 + tile][C] (rows of
     * {@code c}, {@code tilesAll} tiles per ξ) with Bᵀ = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]].
     */
    public static void transformInput(float[] img, int c, int wp, int th, int tw, float[] v, int tilesAll, int t0, boolean vector) {
        int from = vector ? VectorPasses.winogradInput(img, c, wp, th, tw, v, tilesAll, t0) : 0;
        if (from < c) transformInput(img, c, from, wp, th, tw, v, tilesAll, t0);
    }

    /** {@link #transformInput} of channels [from, c). */
    static void transformInput(float[] img, int c, int from, int wp, int th, int tw, float[] v, int tilesAll, int t0) {
        int row = wp * c, plane = tilesAll * c;
        for (int ty = 0; ty < th; ty++) {
            for (int tx = 0; tx < tw; tx++) {
                int r0 = (2 * ty * wp + 2 * tx) * c, r1 = r0 + row, r2 = r1 + row, r3 = r2 + row;
                int o = (t0 + ty * tw + tx) * c;
                for (int ch = from; ch < c; ch++) {
                    // columns of Bᵀ d, one per pixel of the tile's row
                    float s00 = img[r0 + ch] - img[r2 + ch], s01 = img[r0 + c + ch] - img[r2 + c + ch],
                            s02 = img[r0 + 2 * c + ch] - img[r2 + 2 * c + ch], s03 = img[r0 + 3 * c + ch] - img[r2 + 3 * c + ch];
                    float s10 = img[r1 + ch] + img[r2 + ch], s11 = img[r1 + c + ch] + img[r2 + c + ch],
                            s12 = img[r1 + 2 * c + ch] + img[r2 + 2 * c + ch], s13 = img[r1 + 3 * c + ch] + img[r2 + 3 * c + ch];
                    float s20 = img[r2 + ch] - img[r1 + ch], s21 = img[r2 + c + ch] - img[r1 + c + ch],
                            s22 = img[r2 + 2 * c + ch] - img[r1 + 2 * c + ch], s23 = img[r2 + 3 * c + ch] - img[r1 + 3 * c + ch];
                    float s30 = img[r1 + ch] - img[r3 + ch], s31 = img[r1 + c + ch] - img[r3 + c + ch],
                            s32 = img[r1 + 2 * c + ch] - img[r3 + 2 * c + ch], s33 = img[r1 + 3 * c + ch] - img[r3 + 3 * c + ch];
                    // (Bᵀ d) B, row by row
                    int q = o + ch;
                    v[q] = s00 - s02;
                    v[q + plane] = s01 + s02;
                    v[q + 2 * plane] = s02 - s01;
                    v[q + 3 * plane] = s01 - s03;
                    v[q + 4 * plane] = s10 - s12;
                    v[q + 5 * plane] = s11 + s12;
                    v[q + 6 * plane] = s12 - s11;
                    v[q + 7 * plane] = s11 - s13;
                    v[q + 8 * plane] = s20 - s22;
                    v[q + 9 * plane] = s21 + s22;
                    v[q + 10 * plane] = s22 - s21;
                    v[q + 11 * plane] = s21 - s23;
                    v[q + 12 * plane] = s30 - s32;
                    v[q + 13 * plane] = s31 + s32;
                    v[q + 14 * plane] = s32 - s31;
                    v[q + 15 * plane] = s31 - s33;
                }
            }
        }
    }

    /**
     * The products M[ξ][t0 + tile][filters] of one example's tiles transformed back, with
     * Aᵀ = [[1, 1, 1, 0], [0, 1, -1, -1]], plus the bias, into the channels-last image
     * {@code out} [2·th, 2·tw, filters] (the last row and column are past the output when it is odd).
     */
    public static void transformOutput(float[] m, int filters, int th, int tw, int tilesAll, int t0, float[] bias, float[] out,
                                       boolean vector) {
        int from = vector ? VectorPasses.winogradOutput(m, filters, th, tw, tilesAll, t0, bias, out) : 0;
        if (from < filters) transformOutput(m, filters, from, th, tw, tilesAll, t0, bias, out);
    }

    /** {@link #transformOutput} of filters [from, filters). */
    static void transformOutput(float[] m, int filters, int from, int th, int tw, int tilesAll, int t0, float[] bias, float[] out) {
        int plane = tilesAll * filters, row = 2 * tw * filters;
        for (int ty = 0; ty < th; ty++) {
            for (int tx = 0; tx < tw; tx++) {
                int o = (t0 + ty * tw + tx) * filters;
                int d0 = (2 * ty * 2 * tw + 2 * tx) * filters, d1 = d0 + row;
                for (int f = from; f < filters; f++) {
                    int q = o + f;
                    float m0 = m[q], m1 = m[q + plane], m2 = m[q + 2 * plane], m3 = m[q + 3 * plane];
                    float m4 = m[q + 4 * plane], m5 = m[q + 5 * plane], m6 = m[q + 6 * plane], m7 = m[q + 7 * plane];
                    float m8 = m[q + 8 * plane], m9 = m[q + 9 * plane], m10 = m[q + 10 * plane], m11 = m[q + 11 * plane];
                    float m12 = m[q + 12 * plane], m13 = m[q + 13 * plane], m14 = m[q + 14 * plane], m15 = m[q + 15 * plane];
                    // Aᵀ m: two rows of four
                    float r00 = m0 + m4 + m8, r01 = m1 + m5 + m9, r02 = m2 + m6 + m10, r03 = m3 + m7 + m11;
                    float r10 = m4 - m8 - m12, r11 = m5 - m9 - m13, r12 = m6 - m10 - m14, r13 = m7 - m11 - m15;
                    float b = bias[f];
                    out[d0 + f] = b + (r00 + r01 + r02);
                    out[d0 + filters + f] = b + (r01 - r02 - r03);
                    out[d1 + f] = b + (r10 + r11 + r12);
                    out[d1 + filters + f] = b + (r11 - r12 - r13);
                }
            }
        }
    }

    /**
     * {@link #transformOutput} followed by ReLU and 2x2 max pooling, whose windows are the tiles
     * (both start at the output's first row and column): for each tile of the pooled output
     * ({@code oh / 2} x {@code ow / 2} tiles), the largest of its four outputs after ReLU and which
     * one it was (0-3 in scan order, ties to the first, as {@link Passes#maxPool2} picks them),
     * channels-last: {@code pooled[(ty·(ow/2) + tx)·filters + f]}, and {@code code} likewise. The
     * values are those of {@link #transformOutput}, ReLU and {@link Passes#maxPool2} one after the
     * other, bit for bit. Tiles past the pooled output (an odd output's last row or column, which the
     * pooling drops) are only checked for NaN. Returns true when an output may have been NaN (the
     * Vector API loop also says so for an infinity that cancels or a sum that overflows): NaN's rules
     * for the maxima, their indices and ReLU's gradient then need the outputs themselves, so the
     * caller computes the layers one by one instead.
     */
    public static boolean transformOutputPooled(float[] m, int filters, int th, int tw, int oh, int ow, int tilesAll, int t0,
                                                float[] bias, float[] pooled, float[] code, boolean vector) {
        int from = vector ? VectorPasses.winogradOutputPooled(m, filters, th, tw, oh, ow, tilesAll, t0, bias, pooled, code) : 0;
        if (from < 0) return true;
        return from < filters && transformOutputPooled(m, filters, from, th, tw, oh, ow, tilesAll, t0, bias, pooled, code);
    }

    /**
     * {@link #transformOutputPooled} of filters [from, filters). The transform repeats
     * {@link #transformOutput}'s line for line, as the Vector API version repeats its own (where a
     * shared helper would box its vectors), so that each scalar loop reads as the vector one it must
     * equal bit for bit.
     */
    static boolean transformOutputPooled(float[] m, int filters, int from, int th, int tw, int oh, int ow, int tilesAll, int t0,
                                         float[] bias, float[] pooled, float[] code) {
        int plane = tilesAll * filters, ph = oh / 2, pw = ow / 2;
        boolean nan = false;
        for (int ty = 0; ty < th; ty++) {
            for (int tx = 0; tx < tw; tx++) {
                int o = (t0 + ty * tw + tx) * filters, p = (ty * pw + tx) * filters;
                boolean window = ty < ph && tx < pw;
                for (int f = from; f < filters; f++) {
                    int q = o + f;
                    float m0 = m[q], m1 = m[q + plane], m2 = m[q + 2 * plane], m3 = m[q + 3 * plane];
                    float m4 = m[q + 4 * plane], m5 = m[q + 5 * plane], m6 = m[q + 6 * plane], m7 = m[q + 7 * plane];
                    float m8 = m[q + 8 * plane], m9 = m[q + 9 * plane], m10 = m[q + 10 * plane], m11 = m[q + 11 * plane];
                    float m12 = m[q + 12 * plane], m13 = m[q + 13 * plane], m14 = m[q + 14 * plane], m15 = m[q + 15 * plane];
                    float r00 = m0 + m4 + m8, r01 = m1 + m5 + m9, r02 = m2 + m6 + m10, r03 = m3 + m7 + m11;
                    float r10 = m4 - m8 - m12, r11 = m5 - m9 - m13, r12 = m6 - m10 - m14, r13 = m7 - m11 - m15;
                    float b = bias[f];
                    float o00 = b + (r00 + r01 + r02), o01 = b + (r01 - r02 - r03);
                    float o10 = b + (r10 + r11 + r12), o11 = b + (r11 - r12 - r13);
                    if (!window) {
                        // the pooling drops these; a NaN here still reaches ReLU's gradient
                        float s = o00 + o01 + o10 + o11;
                        nan |= s != s;
                        continue;
                    }
                    // ReLU, then Passes.maxPool2Row's rules
                    float a = Math.max(o00, 0f), c = Math.max(o01, 0f), d = Math.max(o10, 0f), e = Math.max(o11, 0f);
                    float upper = Math.max(a, c), lower = Math.max(d, e), max = Math.max(upper, lower);
                    int i1 = a >= c | a != a ? 0 : 1, i2 = d >= e | d != d ? 2 : 3;
                    pooled[p + f] = max;
                    code[p + f] = upper >= lower | upper != upper ? i1 : i2;
                    nan |= max != max;
                }
            }
        }
        return nan;
    }
}
