package dev.vitals.core.kernel;

/**
 * A stride-1 convolution of few input channels, ReLU and 2x2 max pooling, computed together one
 * example at a time without writing the convolution's or ReLU's output: the forward pass computes
 * each pooling window's four convolution outputs in registers and keeps only the window's maximum and
 * its index; the backward pass sends each window's gradient to the weights through the input values
 * under its maximum alone. For the first layer of an image CNN (one channel of 28x28 into 32 planes
 * of 26x26) the separate passes read and write 5.5 MB a batch four times over; here an example's
 * inputs, 3 KB, stay in the L1 cache (docs/PERFORMANCE.md).
 *
 * <p>Pooled columns go in chunks of {@link #CW} lanes. An example is first copied into shifted
 * planes: for each channel and each column shift s in [0, k], a row of the zero-bordered image
 * sampled at columns 2j + s, j = 0, 1, ... So the input under tap (dy, dx) of the windows' left
 * (b = 0) or right (b = 1) column, for consecutive windows, is one contiguous run of the plane of
 * shift b + dx, and a window's four outputs are four vectors, compared lane by lane.
 *
 * <p>The values: each convolution output is the bias plus the taps' products by {@code Math.fma} in
 * (channel, dy, dx) order (the layer's own pass sums in another order: the same up to rounding), ReLU
 * is {@code Math.max(z, 0f)}, and the window's maximum and index follow {@link Passes#maxPool2} (ties
 * to the first in scan order, NaN wins). The
 * Vector API version ({@link VectorConvPool}) gives bit-identical results: the weight gradient is
 * summed in {@link #CW} lane sums whatever the vector width, each lane seeing the same operations in
 * the same order, then the lanes in order.
 */
public final class ConvPool {
    /** Pooled columns computed together: the lane sums of the weight gradient, on any machine. */
    public static final int CW = 16;
    /**
     * The most taps (channels x k x k) fused: a first layer's, of a greyscale or RGB image. A deeper
     * convolution has many channels, and its own unfolded products run near the GEMM's peak.
     */
    public static final int MAX_TAPS = 32;

    final int c, h, w, k, pad, filters, oh, ow, oh2, ow2, hp, rowLen, taps;

    /** A convolution of {@code c} channels of h x w into {@code filters} planes, k x k kernels, stride 1, padding {@code pad}. */
    public ConvPool(int c, int h, int w, int k, int pad, int filters) {
        this.c = c;
        this.h = h;
        this.w = w;
        this.k = k;
        this.pad = pad;
        this.filters = filters;
        this.hp = h + 2 * pad;
        this.oh = hp - k + 1;
        this.ow = w + 2 * pad - k + 1;
        this.oh2 = oh / 2;
        this.ow2 = ow / 2;
        this.rowLen = (ow2 + CW - 1) / CW * CW;
        this.taps = c * k * k;
        if (oh2 < 1 || ow2 < 1) throw new IllegalArgumentException("no whole 2x2 window in a " + oh + "x" + ow + " output");
    }

    /** Whether a convolution of this many taps (channels x k x k) is fused. */
    public static boolean fits(int channels, int kernel) { return channels * kernel * kernel <= MAX_TAPS; }

    /** Floats of one example's shifted planes ({@link #shift}). */
    public int shiftedFloats() { return c * (k + 1) * hp * rowLen; }

    /**
     * Floats of one part's lane sums of the weight and bias gradients ({@link #backward}), and
     * after them scratch for the window gradients (the vector loops keep a filter's, four per pooled
     * output; the scalar ones a chunk's).
     */
    public int laneFloats() { return sumFloats() + Math.max(4 * oh2 * rowLen, 5 * CW); }

    /** Floats of the lane sums at the start of a part's lanes ([filters, taps + 1, CW]): what must start at zero. */
    public int sumFloats() { return filters * (taps + 1) * CW; }

    /** Start of the row {@code r} of the plane of channel {@code ch}, shift {@code s}. */
    int row(int ch, int s, int r) { return ((ch * (k + 1) + s) * hp + r) * rowLen; }

    /** The taps of a filter: channels x k x k. */
    public int taps() { return taps; }

    /** Copies example x[xo...] ([c, h, w]) into shifted planes s[so...], zero outside the image and past the last window. */
    public void shift(float[] x, int xo, float[] s, int so) {
        for (int ch = 0; ch < c; ch++) {
            for (int sh = 0; sh <= k; sh++) {
                for (int r = 0; r < hp; r++) {
                    int o = so + row(ch, sh, r), iy = r - pad;
                    if (iy < 0 || iy >= h) {
                        java.util.Arrays.fill(s, o, o + rowLen, 0f);
                        continue;
                    }
                    int src = xo + (ch * h + iy) * w;
                    for (int j = 0; j < rowLen; j++) {
                        int ix = 2 * j + sh - pad;
                        s[o + j] = j < ow2 && ix >= 0 && ix < w ? x[src + ix] : 0f;
                    }
                }
            }
        }
    }

    /**
     * The pooled outputs of one example, from its shifted planes s[so...], into y[yo...] ([filters, oh2, ow2]) and their indices into
     * argmax[yo...]: positions in the batch's convolution output, [batch, filters, oh, ow], whose
     * example starts at {@code zo}. {@code wt} is the weight [filters, c, k, k].
     */
    public void forward(float[] s, int so, float[] wt, float[] bias, float[] y, int yo, int[] argmax, int zo, boolean vector) {
        if (vector && VectorConvPool.usable()) {
            VectorConvPool.forward(this, s, so, wt, bias, y, yo, argmax, zo);
            return;
        }
        int sh = hp * rowLen;
        for (int f = 0; f < filters; f++) {
            for (int oy = 0; oy < oh2; oy++) {
                int top = zo + (f * oh + 2 * oy) * ow, o = yo + (f * oh2 + oy) * ow2;
                // four windows at a time: sixteen independent sums (one at a time, the four sums of a
                // window each waited on its own previous product); a row's last windows may be
                // computed past ow2 (the planes are zero there) and are not stored
                for (int j = 0; j < ow2; j += 4) {
                    float b = bias[f];
                    float a0 = b, a1 = b, a2 = b, a3 = b, b0 = b, b1 = b, b2 = b, b3 = b;
                    float c0 = b, c1 = b, c2 = b, c3 = b, d0 = b, d1 = b, d2 = b, d3 = b;
                    int t = f * taps;
                    for (int ch = 0; ch < c; ch++) {
                        for (int dy = 0; dy < k; dy++) {
                            int r0 = 2 * oy + dy;
                            for (int dx = 0; dx < k; dx++) {
                                float wv = wt[t++];
                                int e = so + row(ch, dx, r0) + j, d = e + sh, e1 = e + rowLen, d1r = d + rowLen;
                                a0 = Math.fma(wv, s[e], a0);
                                a1 = Math.fma(wv, s[e + 1], a1);
                                a2 = Math.fma(wv, s[e + 2], a2);
                                a3 = Math.fma(wv, s[e + 3], a3);
                                b0 = Math.fma(wv, s[d], b0);
                                b1 = Math.fma(wv, s[d + 1], b1);
                                b2 = Math.fma(wv, s[d + 2], b2);
                                b3 = Math.fma(wv, s[d + 3], b3);
                                c0 = Math.fma(wv, s[e1], c0);
                                c1 = Math.fma(wv, s[e1 + 1], c1);
                                c2 = Math.fma(wv, s[e1 + 2], c2);
                                c3 = Math.fma(wv, s[e1 + 3], c3);
                                d0 = Math.fma(wv, s[d1r], d0);
                                d1 = Math.fma(wv, s[d1r + 1], d1);
                                d2 = Math.fma(wv, s[d1r + 2], d2);
                                d3 = Math.fma(wv, s[d1r + 3], d3);
                            }
                        }
                    }
                    pool(a0, b0, c0, d0, y, argmax, o, j, top);
                    if (j + 1 < ow2) pool(a1, b1, c1, d1, y, argmax, o, j + 1, top);
                    if (j + 2 < ow2) pool(a2, b2, c2, d2, y, argmax, o, j + 2, top);
                    if (j + 3 < ow2) pool(a3, b3, c3, d3, y, argmax, o, j + 3, top);
                }
            }
        }
    }

    /** ReLU and {@link Passes#maxPool2}'s maximum and index of window j of a row (output o + j, first input top + 2j). */
    private void pool(float z00, float z01, float z10, float z11, float[] y, int[] argmax, int o, int j, int top) {
        float a = Math.max(z00, 0f), b = Math.max(z01, 0f), cc = Math.max(z10, 0f), dd = Math.max(z11, 0f);
        float m1 = Math.max(a, b), m2 = Math.max(cc, dd);
        y[o + j] = Math.max(m1, m2);
        int left = top + 2 * j;
        int i1 = a >= b | a != a ? left : left + 1;
        int i2 = cc >= dd | cc != cc ? left + ow : left + ow + 1;
        argmax[o + j] = m1 >= m2 | m1 != m1 ? i1 : i2;
    }

    /**
     * Adds one example's weight and bias gradients to a part's lane sums {@code lanes}
     * ([filters, taps + 1, CW], the bias last), from the gradient g[go...] of its pooled outputs,
     * the pooled values y[go...] (ReLU's slope at a window's maximum is that of its output there)
     * and their indices (as {@link #forward} wrote them, example at {@code zo}).
     */
    public void backward(float[] s, int so, float[] g, float[] y, int[] argmax, int go, int zo, float[] lanes, boolean vector) {
        if (vector && VectorConvPool.usable()) {
            VectorConvPool.backward(this, s, so, g, y, argmax, go, zo, lanes);
            return;
        }
        // a chunk's window gradients, by position (four rows of CW) and all together, in the scratch after the sums
        int dz = sumFloats(), all = dz + 4 * CW, sh = hp * rowLen;
        for (int f = 0; f < filters; f++) {
            int acc = f * (taps + 1) * CW;
            for (int oy = 0; oy < oh2; oy++) {
                int top = zo + (f * oh + 2 * oy) * ow, o = go + (f * oh2 + oy) * ow2;
                for (int j0 = 0; j0 < rowLen; j0 += CW) {
                    for (int lane = 0; lane < CW; lane++) {
                        int j = j0 + lane;
                        // lanes past the last window see a zero gradient, as the vector loop's do
                        float dzv = 0f;
                        int phase = -1;
                        if (j < ow2) {
                            float gv = 0f + g[o + j];
                            dzv = gv * Math.max(Math.signum(y[o + j]), 0f);
                            int d = argmax[o + j] - (top + 2 * j);
                            phase = d == 0 ? 0 : d == 1 ? 1 : d == ow ? 2 : d == ow + 1 ? 3 : -1;
                        }
                        for (int q = 0; q < 4; q++) lanes[dz + q * CW + lane] = q == phase ? dzv : 0f;
                        lanes[all + lane] = dzv;
                    }
                    // tap by tap, the lanes innermost: independent sums, each lane's in the vector loop's order
                    int t = 0;
                    for (int ch = 0; ch < c; ch++) {
                        for (int dy = 0; dy < k; dy++) {
                            int r0 = 2 * oy + dy;
                            for (int dx = 0; dx < k; dx++, t++) {
                                int e = so + row(ch, dx, r0) + j0, at = acc + t * CW;
                                for (int lane = 0; lane < CW; lane++) {
                                    float a = lanes[at + lane];
                                    a = Math.fma(lanes[dz + lane], s[e + lane], a);
                                    a = Math.fma(lanes[dz + CW + lane], s[e + sh + lane], a);
                                    a = Math.fma(lanes[dz + 2 * CW + lane], s[e + rowLen + lane], a);
                                    a = Math.fma(lanes[dz + 3 * CW + lane], s[e + sh + rowLen + lane], a);
                                    lanes[at + lane] = a;
                                }
                            }
                        }
                    }
                    for (int lane = 0; lane < CW; lane++) lanes[acc + taps * CW + lane] += lanes[all + lane];
                }
            }
        }
    }

    /**
     * A part's lane sums, each (filter, tap) summed over its lanes in order, into sums[filter·(taps + 1) + tap].
     */
    public void reduceLanes(float[] lanes, float[] sums) {
        for (int i = 0, n = filters * (taps + 1); i < n; i++) {
            float v = lanes[i * CW];
            for (int lane = 1; lane < CW; lane++) v += lanes[i * CW + lane];
            sums[i] = v;
        }
    }

    /**
     * The whole convolution output of one example, z[zo...] ([filters, oh, ow]), each value as
     * {@link #forward} computes it (for an observed step, whose observers read every output), from
     * the example itself (x[xo...]).
     */
    public void convolve(float[] x, int xo, float[] wt, float[] bias, float[] z, int zo) {
        for (int f = 0; f < filters; f++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float v = bias[f];
                    int t = f * taps;
                    for (int ch = 0; ch < c; ch++) {
                        for (int dy = 0; dy < k; dy++) {
                            int iy = oy + dy - pad;
                            for (int dx = 0; dx < k; dx++) {
                                int ix = ox + dx - pad;
                                float xv = iy >= 0 && iy < h && ix >= 0 && ix < w ? x[xo + (ch * h + iy) * w + ix] : 0f;
                                v = Math.fma(wt[t++], xv, v);
                            }
                        }
                    }
                    z[zo + (f * oh + oy) * ow + ox] = v;
                }
            }
        }
    }
}
