package dev.vitals.core.kernel;

/**
 * The gradients of a stride-1 convolution behind ReLU and 2x2 max pooling, from the pooled
 * gradient: the convolution's output gradient is zero but at each window's maximum, and there only
 * where ReLU let the value through, so at most a quarter of it is nonzero (the CNN's conv2: 1,600
 * of 7,744 values an example, about 1,000 where ReLU cut). Instead of two dense products over every
 * output position (the gradient times the unfolded input, and the weight times the gradient, added
 * back onto the image), each nonzero value v at output (oy, ox) of filter f adds v times the input
 * window under it to filter f's weight gradient, and v times filter f's weight to the input
 * gradient under that window: a quarter of the multiply-adds or fewer, and no unfolded matrices.
 *
 * <p>Both are one pass ({@link #accumulate}): a destination run held in registers while a list of
 * entries adds {@code v · source run}. For the weight gradient the destination is a filter's
 * weights and the entries are its nonzero values, each reading the input window under it; for the
 * input gradient the destination is the window under an output position and the entries are the
 * position's nonzero values, each reading its filter's weights. So nothing is read, added and
 * written back per entry. Images are channels-last ([rows, pitch, C], as Winograd's forward pass
 * lays out an example), so a window row, k pixels of C channels, is one contiguous run; the weight
 * and its gradient are [filters, k, k, C] (the gradient's rows {@code ld} floats apart, its bias
 * gradient after its k·k·C weights).
 *
 * <p>The values: every addition is a {@code Math.fma}, in the entries' order (by filter, then by
 * pooled output), and the bias gradient a float sum in the same order; the Vector API version
 * ({@link VectorSparseConvGrad}) does the same lane by lane, so the two give the same bits. The
 * dense products sum in another order: the same up to rounding.
 *
 * <p>An instance holds one example's entries: one per thread.
 */
public final class SparseConvGrad {
    final int c, k, kc, filters, oh, ow, pitch, rowFloats;
    /** By filter: filter f's entries are [starts[f], starts[f + 1]), their windows' first values in the image, their values. */
    final int[] starts, offsets;
    final float[] values;
    /**
     * By output position: position p's entries are the first {@code posCounts[p]} from
     * {@code p · filters} (a position holds at most one entry per filter), their filters' first
     * weights and their values, by filter.
     */
    final int[] posCounts, bases;
    final float[] posValues;
    /** The window's first value in the image, for each output position. */
    private final int[] windowAt;

    /**
     * For a convolution of {@code c} channels, k x k kernels and {@code filters} filters with an
     * oh x ow output, whose channels-last input has rows of {@code pitch} pixels.
     */
    public SparseConvGrad(int c, int k, int filters, int oh, int ow, int pitch) {
        this.c = c;
        this.k = k;
        this.kc = k * c;
        this.filters = filters;
        this.oh = oh;
        this.ow = ow;
        this.pitch = pitch;
        this.rowFloats = pitch * c;
        int most = filters * (oh / 2) * (ow / 2);
        starts = new int[filters + 1];
        offsets = new int[most];
        values = new float[most];
        posCounts = new int[oh * ow];
        bases = new int[oh * ow * filters];
        posValues = new float[oh * ow * filters];
        windowAt = new int[oh * ow];
        for (int y = 0; y < oh; y++) for (int x = 0; x < ow; x++) windowAt[y * ow + x] = (y * pitch + x) * c;
    }

    /**
     * Takes one example's nonzero output gradients: each pooled output's gradient {@code g} where
     * its pooled value {@code y} is positive (ReLU's output at the window's maximum; elsewhere
     * ReLU's slope is zero), at its maximum {@code argmax} ([filters, oh, ow] an example, from
     * {@code zo}); {@code yo}: the example's first pooled output. No pooled value may be NaN. Returns
     * the entries' count.
     */
    public int collect(float[] g, float[] y, int[] argmax, int yo, int zo) {
        int ph = oh / 2, pw = ow / 2, n = 0, kkc = k * kc;
        int[] counts = posCounts;
        java.util.Arrays.fill(counts, 0);
        for (int f = 0; f < filters; f++) {
            starts[f] = n;
            for (int py = 0; py < ph; py++) {
                int o = yo + (f * ph + py) * pw, top = zo + (f * oh + 2 * py) * ow;
                for (int px = 0; px < pw; px++) {
                    // as the layers' own passes give it: the pooling adds g to zero, ReLU's slope is 1
                    float v = 0f + g[o + px];
                    int d = argmax[o + px] - top - 2 * px, down = d >= ow ? 1 : 0;
                    int pos = (2 * py + down) * ow + 2 * px + d - down * ow;
                    // written whether or not the entry is kept (no branch on the data: whether a
                    // window passed ReLU is a coin toss); a dropped one is overwritten by the next
                    int keep = y[o + px] > 0f & v != 0f ? 1 : 0, slot = pos * filters + counts[pos];
                    offsets[n] = windowAt[pos];
                    values[n] = v;
                    bases[slot] = f * kkc;
                    posValues[slot] = v;
                    n += keep;
                    counts[pos] += keep;
                }
            }
        }
        starts[filters] = n;
        return n;
    }

    /** Adds the entries' weight and bias gradients to {@code dw} ([filters, k, k, C] rows {@code ld} floats apart, the bias last). */
    public void weightGrad(float[] img, float[] dw, int ld, boolean vector) {
        for (int f = 0; f < filters; f++) {
            int s = starts[f], e = starts[f + 1];
            if (s == e) continue;
            accumulate(dw, f * ld, kc, img, offsets, rowFloats, values, s, e, k, kc, vector);
            float b = dw[f * ld + k * kc];
            for (int i = s; i < e; i++) b += values[i];
            dw[f * ld + k * kc] = b;
        }
    }

    /** Adds the entries' input gradients onto the channels-last image {@code dimg} (laid out as the input), from the weight {@code wl} [filters, k, k, C]. */
    public void inputGrad(float[] wl, float[] dimg, boolean vector) {
        for (int p = 0; p < oh * ow; p++) {
            int s = p * filters, e = s + posCounts[p];
            if (s < e) accumulate(dimg, windowAt[p], rowFloats, wl, bases, kc, posValues, s, e, k, kc, vector);
        }
    }

    /**
     * For each of k rows r: {@code dst[d + r·dRow + j] += values[i] · src[bases[i] + r·sRow + j]}
     * for j in [0, kc) and the entries i in [s, e), in that order.
     */
    static void accumulate(float[] dst, int d, int dRow, float[] src, int[] bases, int sRow, float[] values, int s, int e, int k, int kc,
                           boolean vector) {
        if (vector) {
            VectorSparseConvGrad.accumulate(dst, d, dRow, src, bases, sRow, values, s, e, k, kc);
            return;
        }
        for (int r = 0; r < k; r++) {
            int dr = d + r * dRow, sr = r * sRow;
            for (int j = 0; j < kc; j++) {
                float a = dst[dr + j];
                for (int i = s; i < e; i++) a = Math.fma(values[i], src[bases[i] + sr + j], a);
                dst[dr + j] = a;
            }
        }
    }
}
