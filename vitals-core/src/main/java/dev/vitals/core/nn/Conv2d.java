package dev.vitals.core.nn;

import dev.vitals.core.kernel.Gemm;
import dev.vitals.core.kernel.Kernels;
import dev.vitals.core.kernel.Passes;
import dev.vitals.core.kernel.SparseConvGrad;
import dev.vitals.core.kernel.Winograd;
import dev.vitals.core.kernel.Workers;
import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;

/**
 * 2-D convolution (cross-correlation, as in PyTorch) over images [C, H, W], with square kernels,
 * a stride and zero padding. Weight [filters, C, k, k], bias [filters].
 *
 * <p>Each example is unfolded (im2col) into a column matrix [C·k·k, positions] and multiplied by the
 * weight in one product that writes the output in place; the examples are split over the kernels'
 * worker threads, each running its products on its own core ({@link Gemm#onCallerThreads}). A
 * column matrix per example stays in the core's cache between the unfolding and the product, and
 * the output needs no layout copy. This replaced unfolding the whole batch into one large product
 * (one 64x7744x288 GEMM on OpenBLAS's threads for the CNN's conv2): see docs/PERFORMANCE.md.
 *
 * <p>Small images of many channels are unfolded channels-last: the example is first transposed to
 * [H, W, C], so that a window row (k pixels of C channels) is one contiguous run, and the column
 * matrix is [positions, k·k·C]. With C-first order a window row of a small image is only a few
 * floats long (11 for the CNN's conv2), and copying and adding back such short runs cost more than
 * the products; the weight is reordered to [filters, k, k, C] for the products and its gradient
 * back. Few channels (a greyscale or RGB input) and wide images keep the C-first order
 * ({@link #channelsLastPays}).
 *
 * <p>The forward pass of a 3x3, stride-1 convolution of at least 16 channels into at least 16
 * filters runs by Winograd's F(2x2, 3x3) ({@link Winograd}): 16 multiplications for 2x2 outputs of
 * a channel instead of 36, in products that run faster than the unfolded ones (the CNN's conv2: 12.7
 * against ~32 us of products an example, one thread). The backward pass unfolds as above.
 *
 * <p>Followed by ReLU and 2x2 max pooling, a Winograd convolution also has a fused forward pass that
 * writes only the pooled values ({@link #forwardPooled}) and a backward pass from the pooled gradient
 * that sums over the nonzero output gradients alone ({@link #backwardPooled}); {@link WinogradReluPool}
 * decides when they run.
 */
public final class Conv2d extends Layer {
    /**
     * How examples are unfolded: {@code AUTO} asks {@link #channelsLastPays} and {@link #winogradPays}
     * (tests force each). {@code WINOGRAD} computes the forward pass of a 3x3, stride-1 convolution
     * with {@link Winograd}'s transforms, and unfolds as {@code AUTO} for the backward pass and for
     * any other kernel or stride.
     */
    enum Unfold { AUTO, CHANNELS_FIRST, CHANNELS_LAST, WINOGRAD }

    /**
     * Whether {@code AUTO} unfolds channels-last: when C-first window rows are short (under 24
     * outputs) and a channels-last one (k·C floats) is at least twice as long. Unfolding and adding
     * back one example, timed from 7x7 to 56x56 images and 2 to 64 channels, each layout won where
     * this rule picks it or lost by under 5%; transposing the image costs per value, so wide images
     * (26-wide rows and more) stay C-first at any channel count. See docs/PERFORMANCE.md.
     */
    static boolean channelsLastPays(int channels, int kernel, int outWidth) {
        return outWidth < 24 && channels * kernel >= 2 * outWidth;
    }

    /**
     * Whether {@code AUTO} computes a 3x3, stride-1 forward pass with Winograd's F(2x2, 3x3): when
     * its products, [tiles, C] · [C, filters], are deep and wide enough to run near the kernel's
     * peak (measured on the CNN's conv2, see docs/PERFORMANCE.md), and a part's transformed tiles
     * and products, which grow with the image, stay within {@link #WINOGRAD_SCRATCH_BYTES}.
     */
    static boolean winogradPays(int channels, int filters, int tilesPerExample) {
        long scratch = 16L * WINOGRAD_EXAMPLES * tilesPerExample * (channels + filters) * Float.BYTES;
        return channels >= 16 && filters >= 16 && scratch <= WINOGRAD_SCRATCH_BYTES;
    }

    /**
     * The most a part's Winograd tiles and products may take (the CNN's conv2: 0.44 MB). A cap, not
     * a measured limit: larger images were not timed, and beyond a few MB the products' operands no
     * longer stay in a core's cache between the transforms and the products. Above it the forward
     * pass unfolds as before.
     */
    static final long WINOGRAD_SCRATCH_BYTES = 8L << 20;

    private final int filters, kernel, stride, padding;
    private final Unfold unfold;
    private Parameter weight, bias;
    private int c, h, w, oh, ow, ckk, p;
    private boolean channelsLast, winograd;
    /**
     * Per part of the batch: the unfolded example, its gradient, the part's weight and bias
     * gradients, and (channels-last) the example transposed to [H, W, C] and its gradient. The
     * column matrix has one more row (C-first) or column (channels-last) than the unfolding fills,
     * kept at one: the weight-gradient product then yields the bias gradient, the sum of dy over
     * the positions, as its last column, and no separate pass over dy is needed.
     */
    private float[][] cols = new float[0][], dcols = new float[0][], dwParts = new float[0][], images = new float[0][],
            dimages = new float[0][];
    /** Channels-last: the weight as [filters, k, k, C]. */
    private float[] weightLast = new float[0];
    /**
     * Winograd's forward pass: the transformed weight U[16][C][filters], and per part the padded
     * channels-last example, its transformed tiles V[16][tiles][C], the products M[16][tiles][filters]
     * and the output image [2·tiles high, 2·tiles wide, filters].
     */
    private float[] transformedWeight = new float[0];
    private float[][] paddedImages = new float[0][], tiles = new float[0][], products = new float[0][], outImages = new float[0][];
    /**
     * Per part, for {@link #forwardPooled}: which of its window's four outputs each pooled value is
     * (0-3, channels-last, the values themselves go to the output image's buffer), and whether an
     * output may have been NaN.
     */
    private float[][] poolCodes = new float[0][];
    private boolean[] nanParts = new boolean[0];
    /**
     * Per part, for {@link #backwardPooled}: an example's nonzero output gradients, and its
     * channels-last input gradient, bordered as {@link #paddedImages}.
     */
    private SparseConvGrad[] sparseGrads = new SparseConvGrad[0];
    private float[][] paddedGrads = new float[0][];
    private Tensor input, out, gradIn;

    public Conv2d(int filters, int kernel, int stride, int padding) {
        this(filters, kernel, stride, padding, Unfold.AUTO);
    }

    Conv2d(int filters, int kernel, int stride, int padding, Unfold unfold) {
        if (filters <= 0) throw new IllegalArgumentException("conv2d filters must be positive, not " + filters);
        if (kernel <= 0) throw new IllegalArgumentException("conv2d kernel must be positive, not " + kernel);
        if (stride <= 0) throw new IllegalArgumentException("conv2d stride must be positive, not " + stride);
        if (padding < 0) throw new IllegalArgumentException("conv2d padding must not be negative, not " + padding);
        this.filters = filters;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.unfold = unfold;
    }

    @Override public String kind() { return "conv2d"; }

    @Override
    public String describe() {
        return "conv2d " + filters + " " + kernel + "x" + kernel + (stride != 1 ? " stride " + stride : "") + (padding != 0 ? " pad " + padding : "");
    }

    @Override
    public double inputCoverage() {
        return h == 0 ? 1 : (double) covered(h, kernel, stride, padding, oh) * covered(w, kernel, stride, padding, ow) / ((double) h * w);
    }

    public Parameter weight() { return weight; }

    int filters() { return filters; }

    int kernel() { return kernel; }

    int stride() { return stride; }

    int padding() { return padding; }

    /**
     * The output buffer of a forward pass over {@code x} that a fused group computes in its own way
     * ({@link ConvReluPool}), kept as this layer's input and output as {@link #forward} keeps them.
     */
    Tensor beginOutput(Tensor x) {
        checkInput(x);
        input = x;
        out = Tensor.reuse(out, x.batch(), outputShape());
        lastOutput = out;
        return out;
    }

    /** Whether the forward pass runs by Winograd's transforms (for tests). */
    boolean winograd() { return winograd; }

    public Parameter bias() { return bias; }

    @Override
    protected Shape doBuild(Shape input, BuildContext ctx) {
        if (input.rank() != 3) {
            throw new IllegalArgumentException("conv2d needs an image [channels, height, width] per example but gets " + input);
        }
        c = input.dim(0);
        h = input.dim(1);
        w = input.dim(2);
        // in long: a padding near 2^31 overflowed int, and "padding: 2147483647" built a 4x4 output and trained
        if (h + 2L * padding < kernel || w + 2L * padding < kernel) {
            throw new IllegalArgumentException("conv2d kernel " + kernel + "x" + kernel + " does not fit the input " + input
                    + " with padding " + padding);
        }
        long outH = (h + 2L * padding - kernel) / stride + 1, outW = (w + 2L * padding - kernel) / stride + 1;
        if (outH > Integer.MAX_VALUE || outW > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("shape [" + filters + ", " + outH + ", " + outW + "] is too large");
        }
        oh = (int) outH;
        ow = (int) outW;
        ckk = c * kernel * kernel;
        p = oh * ow;
        boolean auto = unfold == Unfold.AUTO || unfold == Unfold.WINOGRAD;
        channelsLast = unfold == Unfold.CHANNELS_LAST || auto && channelsLastPays(c, kernel, ow);
        winograd = kernel == 3 && stride == 1 && (unfold == Unfold.WINOGRAD
                || unfold == Unfold.AUTO && winogradPays(c, filters, Winograd.tiles(oh) * Winograd.tiles(ow)));
        weight = addParameter("weight", Tensor.zeros(filters, c, kernel, kernel));
        bias = addParameter("bias", Tensor.zeros(filters));
        ctx.init().fillWeights(weight.value().data(), filters * ckk, ckk, filters * kernel * kernel, ctx.rng());
        ctx.init().fillBias(bias.value().data(), filters, ckk, ctx.rng());
        return Shape.of(filters, oh, ow);
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        checkInput(x);
        int b = x.batch(), parts = parts(b);
        input = x;
        out = Tensor.reuse(out, b, outputShape());
        prepare(parts, false);
        float[] xs = x.data(), y = out.data(), bs = bias.value().data(), wt = weight.value().data();
        int inSize = c * h * w, outSize = filters * p;
        if (winograd) {
            forwardWinograd(b, parts, xs, y, bs, wt, inSize, outSize);
            lastOutput = out;
            return out;
        }
        float[] wl = channelsLast ? toLastWeight(wt) : wt;
        Kernels.gemm().onCallerThreads(g -> run(b, parts, (part, from, to) -> {
            float[] col = cols[part];
            for (int i = from; i < to; i++) {
                int yo = i * outSize;
                for (int f = 0; f < filters; f++) java.util.Arrays.fill(y, yo + f * p, yo + (f + 1) * p, bs[f]);
                if (channelsLast) {
                    toChannelsLast(xs, i * inSize, images[part], c, h * w);
                    im2colLast(images[part], col, ckk + 1, c, h, w, kernel, stride, padding, oh, ow);
                    // y_i[filters, positions] = bias + W[filters, k·k·C] · colᵀ, col being [positions, k·k·C (+1)]
                    g.sgemm(false, true, filters, p, ckk, 1f, wl, 0, ckk, col, 0, ckk + 1, 1f, y, yo, p);
                } else {
                    im2col(xs, i * inSize, col, 0, p);
                    // y_i[filters, positions] = bias + W[filters, ckk] · col[ckk, positions]
                    g.sgemm(false, false, filters, p, ckk, 1f, wl, 0, ckk, col, 0, p, 1f, y, yo, p);
                }
            }
        }));
        lastOutput = out;
        return out;
    }

    @Override
    public Tensor backward(Tensor gy, boolean needInputGrad) {
        int b = gy.batch(), parts = parts(b);
        prepare(parts, needInputGrad);
        float[] dy = gy.data(), xs = input.data(), wt = weight.value().data();
        float[] dx = needInputGrad ? (gradIn = Tensor.reuse(gradIn, b, inputShape())).data() : null;
        // whether the columns are added back with the vector loops
        boolean vector = dx != null && Passes.vectorFor((long) b * p * ckk);
        int inSize = c * h * w, outSize = filters * p;
        if (channelsLast) {
            backwardLast(b, parts, dy, xs, toLastWeight(wt), dx, inSize, outSize, vector);
        } else Kernels.gemm().onCallerThreads(g -> run(b, parts, (part, from, to) -> {
            float[] col = cols[part], dwp = dwParts[part], dc = dcols[part];
            java.util.Arrays.fill(col, ckk * p, (ckk + 1) * p, 1f);
            for (int i = from; i < to; i++) {
                int yo = i * outSize;
                im2col(xs, i * inSize, col, 0, p);
                // the part's [dW | db][filters, ckk + 1] (+)= dy_i[filters, positions] · [col; 1]ᵀ
                g.sgemm(false, true, filters, ckk + 1, p, 1f, dy, yo, p, col, 0, p, i == from ? 0f : 1f, dwp, 0, ckk + 1);
                if (dx == null) continue;
                // dcol[ckk, positions] = Wᵀ · dy_i, added back onto the image positions it came from
                g.sgemm(true, false, ckk, p, filters, 1f, wt, 0, ckk, dy, yo, p, 0f, dc, 0, p);
                java.util.Arrays.fill(dx, i * inSize, (i + 1) * inSize, 0f);
                col2im(dc, 0, p, dx, i * inSize, c, h, w, kernel, stride, padding, oh, ow, false, vector);
            }
        }));
        addParts(parts, channelsLast);
        return dx == null ? null : gradIn;
    }

    /**
     * Adds the parts' [dW | db] sums to the parameters' gradients, always in part order, so the result
     * does not depend on who computed a part. A part is [filters, ckk + 1], the bias gradient last;
     * {@code last}: its weight columns are channels-last, [k, k, C], while the parameter is [filters, C, k, k].
     */
    private void addParts(int parts, boolean last) {
        float[] dw = weight.grad().data(), db = bias.grad().data();
        int kk = kernel * kernel, rows = last ? kk : c, inner = last ? c : kk, ld = ckk + 1;
        for (int f = 0; f < filters; f++) {
            for (int r = 0; r < rows; r++) {
                for (int t = 0; t < inner; t++) {
                    int j = f * ld + r * inner + t;
                    float s = dwParts[0][j];
                    for (int q = 1; q < parts; q++) s += dwParts[q][j];
                    dw[f * ckk + (last ? t * kk + r : r * inner + t)] += s;
                }
            }
            float s = dwParts[0][f * ld + ckk];
            for (int q = 1; q < parts; q++) s += dwParts[q][f * ld + ckk];
            db[f] += s;
        }
    }

    /**
     * The backward pass after {@link #forwardPooled}, from the pooled gradient {@code gy}, the pooled
     * values and the indices of their maxima: the convolution's output gradient is nonzero only at
     * those maxima, so each example's gradients are summed from its nonzero values alone
     * ({@link SparseConvGrad}), from the channels-last input that the forward pass lays out. Adds the
     * weight and bias gradients; returns the input gradient when {@code needInputGrad}. The values
     * differ from {@link #backward}'s by rounding (another order of the sums): whole training runs
     * only (see {@link WinogradReluPool}).
     */
    Tensor backwardPooled(Tensor gy, float[] pooled, int[] argmax, boolean needInputGrad) {
        int b = gy.batch(), parts = parts(b);
        prepare(parts, false);
        prepareSparse(parts, needInputGrad);
        float[] g = gy.data(), xs = input.data();
        float[] dx = needInputGrad ? (gradIn = Tensor.reuse(gradIn, b, inputShape())).data() : null;
        // the weight channels-last only for the input gradient
        float[] wl = needInputGrad ? toLastWeight(weight.value().data()) : null;
        int inSize = c * h * w, ySize = filters * (oh / 2) * (ow / 2), zSize = filters * p, pitch = paddedPitch();
        boolean vector = Passes.vectorSoon((long) b * ySize * 2 * ckk);
        run(b, parts, (part, from, to) -> {
            float[] dwp = dwParts[part], img = paddedImages[part], dimg = paddedGrads[part];
            SparseConvGrad grads = sparseGrads[part];
            java.util.Arrays.fill(dwp, 0f);
            for (int i = from; i < to; i++) {
                toChannelsLast(xs, i * inSize, c, h, w, img, pitch, padding);
                grads.collect(g, pooled, argmax, i * ySize, i * zSize);
                grads.weightGrad(img, dwp, ckk + 1, vector);
                if (dx == null) continue;
                java.util.Arrays.fill(dimg, 0f);
                grads.inputGrad(wl, dimg, vector);
                fromChannelsLast(dimg, (padding * pitch + padding) * c, pitch, dx, i * inSize, c, h, w);
            }
        });
        addParts(parts, true);
        return dx == null ? null : gradIn;
    }

    /** Per part, for {@link #backwardPooled}: the nonzero gradients' lists and the channels-last input gradient. */
    private void prepareSparse(int parts, boolean inputGrad) {
        if (sparseGrads.length < parts) {
            sparseGrads = java.util.Arrays.copyOf(sparseGrads, parts);
            paddedGrads = java.util.Arrays.copyOf(paddedGrads, parts);
        }
        for (int q = 0; q < parts; q++) {
            if (sparseGrads[q] == null) sparseGrads[q] = new SparseConvGrad(c, kernel, filters, oh, ow, paddedPitch());
            // the image's size (cleared whole for each example)
            if (inputGrad) paddedGrads[q] = grow(paddedGrads[q], paddedImages[q].length);
        }
    }

    /**
     * Examples whose tiles go through one set of Winograd products: two made the CNN's conv2 products
     * 12% faster than one (64 x 36 x 32 each: 14.5 against 12.7 us an example, one thread), four or
     * eight no faster still, and the buffers grow with it.
     */
    static final int WINOGRAD_EXAMPLES = 2;

    /** The forward pass by Winograd's F(2x2, 3x3), a few examples at a time; see {@link Winograd}. */
    private void forwardWinograd(int b, int parts, float[] xs, float[] y, float[] bs, float[] wt, int inSize, int outSize) {
        forwardWinograd(b, parts, xs, bs, wt, inSize, (part, i, m, n, t0, vector) -> {
            float[] o = outImages[part];
            Winograd.transformOutput(m, filters, Winograd.tiles(oh), Winograd.tiles(ow), n, t0, bs, o, vector);
            fromChannelsLast(o, 2 * Winograd.tiles(ow), y, i * outSize, filters, oh, ow);
        });
    }

    /** What becomes of one example's Winograd products M (its tiles from {@code t0}, {@code n} tiles per position). */
    private interface TileOutput { void write(int part, int example, float[] m, int n, int t0, boolean vector); }

    private void forwardWinograd(int b, int parts, float[] xs, float[] bs, float[] wt, int inSize, TileOutput output) {
        int th = Winograd.tiles(oh), tw = Winograd.tiles(ow), perExample = th * tw, wp = paddedPitch();
        Winograd.transformWeights(wt, filters, c, transformedWeight);
        float[] u = transformedWeight;
        int us = Winograd.weightStride(c, filters);
        // the values the two transforms write
        boolean vector = Passes.vectorFor((long) b * 16 * perExample * (c + filters));
        Kernels.gemm().onCallerThreads(g -> run(b, parts, (part, from, to) -> {
            float[] img = paddedImages[part], v = tiles[part], m = products[part];
            for (int first = from; first < to; first += WINOGRAD_EXAMPLES) {
                int last = Math.min(to, first + WINOGRAD_EXAMPLES), n = (last - first) * perExample;
                for (int i = first; i < last; i++) {
                    toChannelsLast(xs, i * inSize, c, h, w, img, wp, padding);
                    Winograd.transformInput(img, c, wp, th, tw, v, n, (i - first) * perExample, vector);
                }
                // M[ξ][tiles, filters] = V[ξ][tiles, C] · U[ξ][C, filters], for the 16 positions ξ
                for (int xi = 0; xi < 16; xi++) {
                    g.sgemm(false, false, n, filters, c, 1f, v, xi * n * c, c, u, xi * us, filters, 0f, m, xi * n * filters, filters);
                }
                for (int i = first; i < last; i++) output.write(part, i, m, n, (i - first) * perExample, vector);
            }
        }));
    }

    /**
     * The forward pass by Winograd's transforms with ReLU and 2x2 max pooling applied as each
     * example's tiles are transformed back ({@link Winograd#transformOutputPooled}; for
     * {@link WinogradReluPool}): writes the pooling's output {@code y} [filters, oh/2, ow/2] per
     * example and the index of each maximum in this layer's output, as {@link MaxPool} records them,
     * but not this layer's own output. The values are those of this pass, ReLU's and the pooling's,
     * bit for bit. Returns false when an output may have been NaN; {@code y} and {@code argmax} are
     * then incomplete, and the caller runs the layers one by one.
     */
    boolean forwardPooled(Tensor x, float[] y, int[] argmax) {
        if (!winograd) throw new IllegalStateException("forwardPooled needs a Winograd forward pass");
        checkInput(x);
        int b = x.batch(), parts = parts(b);
        input = x;
        prepare(parts, false);
        if (nanParts.length < parts) nanParts = new boolean[parts];
        java.util.Arrays.fill(nanParts, false);
        int th = Winograd.tiles(oh), tw = Winograd.tiles(ow), ph = oh / 2, pw = ow / 2, ySize = filters * ph * pw, zSize = filters * p;
        float[] bs = bias.value().data();
        forwardWinograd(b, parts, x.data(), bs, weight.value().data(), c * h * w, (part, i, m, n, t0, vector) -> {
            // the pooled values and their codes, channels-last
            float[] o = outImages[part], k4 = poolCodes[part];
            if (Winograd.transformOutputPooled(m, filters, th, tw, oh, ow, n, t0, bs, o, k4, vector)) {
                nanParts[part] = true;
                return;
            }
            int yo = i * ySize, zo = i * zSize;
            for (int f = 0; f < filters; f++) {
                for (int py = 0; py < ph; py++) {
                    for (int px = 0; px < pw; px++) {
                        int s = (py * pw + px) * filters + f, k = (int) k4[s];
                        y[yo + (f * ph + py) * pw + px] = o[s];
                        argmax[yo + (f * ph + py) * pw + px] = zo + (f * oh + 2 * py + (k >> 1)) * ow + 2 * px + (k & 1);
                    }
                }
            }
        });
        for (int q = 0; q < parts; q++) if (nanParts[q]) return false;
        return true;
    }

    /** The channels-last backward pass: the same products as C-first on the transposed columns. */
    private void backwardLast(int b, int parts, float[] dy, float[] xs, float[] wl, float[] dx, int inSize, int outSize,
                              boolean vector) {
        Kernels.gemm().onCallerThreads(g -> run(b, parts, (part, from, to) -> {
            float[] col = cols[part], dwp = dwParts[part], dc = dcols[part], img = images[part], dimg = dimages[part];
            for (int q = 0; q < p; q++) col[q * (ckk + 1) + ckk] = 1f;
            for (int i = from; i < to; i++) {
                int yo = i * outSize;
                toChannelsLast(xs, i * inSize, img, c, h * w);
                im2colLast(img, col, ckk + 1, c, h, w, kernel, stride, padding, oh, ow);
                // the part's [dW | db][filters, k·k·C + 1] (+)= dy_i[filters, positions] · [col | 1][positions, k·k·C + 1]
                g.sgemm(false, false, filters, ckk + 1, p, 1f, dy, yo, p, col, 0, ckk + 1, i == from ? 0f : 1f, dwp, 0, ckk + 1);
                if (dx == null) continue;
                // dcol[positions, k·k·C] = dy_iᵀ · W, added back onto the pixels it came from
                g.sgemm(true, false, p, ckk, filters, 1f, dy, yo, p, wl, 0, ckk, 0f, dc, 0, ckk);
                java.util.Arrays.fill(dimg, 0, inSize, 0f);
                col2imLast(dc, dimg, c, h, w, kernel, stride, padding, oh, ow, vector);
                fromChannelsLast(dimg, dx, i * inSize, c, h * w);
            }
        }));
    }

    /** The weight [filters, C, k, k] reordered to [filters, k, k, C] (once per pass: it changes every step). */
    private float[] toLastWeight(float[] wt) {
        if (weightLast.length < wt.length) weightLast = new float[wt.length];
        int kk = kernel * kernel;
        for (int f = 0; f < filters; f++) {
            int base = f * ckk;
            for (int ch = 0; ch < c; ch++) {
                for (int r = 0; r < kk; r++) weightLast[base + r * c + ch] = wt[base + ch * kk + r];
            }
        }
        return weightLast;
    }

    /**
     * The batch is cut into at most this many parts of consecutive examples, whatever the number of
     * cores, so the gradients (summed per part, then over the parts in order) are the same on every
     * machine; it also caps the threads one convolution uses.
     */
    static final int PARTS = 8;
    /**
     * {@code -Dvitals.conv.parallel=false} computes the parts on the calling thread (same results,
     * Conv2dParallelTest).
     */
    static boolean parallel = !"false".equals(System.getProperty("vitals.conv.parallel"));
    /** Below this many multiply-adds per batch, one thread does it: handing out parts would cost more. */
    static final long PARALLEL_MIN_MACS = 1 << 18;

    static int parts(int batch) { return Math.max(1, Math.min(batch, PARTS)); }

    /** The per-part buffers, grown (never shrunk) to the layer's sizes. */
    private void prepare(int parts, boolean inputGrad) {
        if (cols.length < parts) {
            cols = java.util.Arrays.copyOf(cols, parts);
            dcols = java.util.Arrays.copyOf(dcols, parts);
            dwParts = java.util.Arrays.copyOf(dwParts, parts);
        }
        if (images.length < parts) {
            images = java.util.Arrays.copyOf(images, parts);
            dimages = java.util.Arrays.copyOf(dimages, parts);
        }
        if (winograd) prepareWinograd(parts);
        for (int q = 0; q < parts; q++) {
            cols[q] = grow(cols[q], (ckk + 1) * p);
            if (inputGrad) dcols[q] = grow(dcols[q], ckk * p);
            if (channelsLast) images[q] = grow(images[q], c * h * w);
            if (channelsLast && inputGrad) dimages[q] = grow(dimages[q], c * h * w);
            if (dwParts[q] == null) dwParts[q] = new float[filters * (ckk + 1)];
        }
    }

    private void prepareWinograd(int parts) {
        int th = Winograd.tiles(oh), tw = Winograd.tiles(ow), n = th * tw;
        transformedWeight = grow(transformedWeight, 16 * Winograd.weightStride(c, filters));
        if (paddedImages.length < parts) {
            paddedImages = java.util.Arrays.copyOf(paddedImages, parts);
            tiles = java.util.Arrays.copyOf(tiles, parts);
            products = java.util.Arrays.copyOf(products, parts);
            outImages = java.util.Arrays.copyOf(outImages, parts);
            poolCodes = java.util.Arrays.copyOf(poolCodes, parts);
        }
        for (int q = 0; q < parts; q++) {
            // zero-bordered: only the interior is ever written
            paddedImages[q] = grow(paddedImages[q], (2 * th + 2) * paddedPitch() * c);
            tiles[q] = grow(tiles[q], 16 * WINOGRAD_EXAMPLES * n * c);
            products[q] = grow(products[q], 16 * WINOGRAD_EXAMPLES * n * filters);
            outImages[q] = grow(outImages[q], 4 * n * filters);
            poolCodes[q] = grow(poolCodes[q], (oh / 2) * (ow / 2) * filters);
        }
    }

    /**
     * Pixels in a row of the zero-bordered channels-last image of Winograd's forward pass
     * ({@link #paddedImages}): two per tile and a border, which also holds every 3x3 window of the
     * sparse backward pass.
     */
    private int paddedPitch() { return 2 * Winograd.tiles(ow) + 2; }

    /** Runs the parts of a batch of {@code b} examples on the worker threads, or all on the caller when small. */
    private void run(int b, int parts, Workers.Part body) {
        boolean small = (long) b * p * ckk * filters < PARALLEL_MIN_MACS;
        Workers.runParts(b, parts, parallel && !small, body);
    }

    private static float[] grow(float[] a, int n) { return a != null && a.length >= n ? a : new float[n]; }

    private void im2col(float[] x, int xo, float[] col, int co, int ld) {
        im2col(x, xo, col, co, ld, c, h, w, kernel, stride, padding, oh, ow, false);
    }

    /**
     * Writes one example's patches into columns {@code co..co+positions} of a column matrix whose rows
     * are {@code ld} long: col[(ch*k + ki)*k + kj][co + oy*ow + ox] = x[ch][oy*stride - pad + ki][ox*stride - pad + kj],
     * zero outside the image. With stride 1 each output row is one contiguous run of an input row
     * (copied with arraycopy) between zeros for the padding; {@code general} forces the element-wise
     * loop that handles any stride (tests compare the two).
     */
    static void im2col(float[] x, int xo, float[] col, int co, int ld, int c, int h, int w, int kernel, int stride,
                       int padding, int oh, int ow, boolean general) {
        boolean unit = stride == 1 && !general;
        int row = 0;
        for (int ch = 0; ch < c; ch++) {
            for (int ki = 0; ki < kernel; ki++) {
                for (int kj = 0; kj < kernel; kj++, row++) {
                    int dst = co + row * ld;
                    // with stride 1, ox in [lo, hi) reads inside the row: ix = ox - padding + kj in [0, w)
                    int lo = Math.min(ow, Math.max(0, padding - kj)), hi = Math.max(lo, Math.min(ow, w + padding - kj));
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * stride - padding + ki;
                        if (iy < 0 || iy >= h) {
                            java.util.Arrays.fill(col, dst, dst + ow, 0f);
                            dst += ow;
                            continue;
                        }
                        int src = xo + (ch * h + iy) * w;
                        if (unit) {
                            if (lo > 0) java.util.Arrays.fill(col, dst, dst + lo, 0f);
                            System.arraycopy(x, src + lo - padding + kj, col, dst + lo, hi - lo);
                            if (hi < ow) java.util.Arrays.fill(col, dst + hi, dst + ow, 0f);
                            dst += ow;
                            continue;
                        }
                        for (int ox = 0; ox < ow; ox++) {
                            int ix = ox * stride - padding + kj;
                            col[dst++] = ix >= 0 && ix < w ? x[src + ix] : 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * Adds one example's columns back onto the image positions they were read from (the transpose of
     * im2col). With stride 1 each run of an output row is added in one {@link Passes#addTo} (with the
     * vector loop or not); the sums are made in the same order as the general loop, so all give
     * identical results.
     */
    static void col2im(float[] col, int co, int ld, float[] dx, int xo, int c, int h, int w, int kernel, int stride,
                       int padding, int oh, int ow, boolean general, boolean vector) {
        boolean unit = stride == 1 && !general;
        int row = 0;
        for (int ch = 0; ch < c; ch++) {
            for (int ki = 0; ki < kernel; ki++) {
                for (int kj = 0; kj < kernel; kj++, row++) {
                    int srcRow = co + row * ld;
                    int lo = Math.min(ow, Math.max(0, padding - kj)), hi = Math.max(lo, Math.min(ow, w + padding - kj));
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * stride - padding + ki;
                        if (iy < 0 || iy >= h) continue;
                        int dst = xo + (ch * h + iy) * w;
                        int s = srcRow + oy * ow;
                        if (unit) {
                            Passes.addTo(dx, dst - padding + kj + lo, col, s + lo, hi - lo, vector);
                            continue;
                        }
                        for (int ox = 0; ox < ow; ox++) {
                            int ix = ox * stride - padding + kj;
                            if (ix >= 0 && ix < w) dx[dst + ix] += col[s + ox];
                        }
                    }
                }
            }
        }
    }

    /** One example [C, H·W] at {@code xo} transposed to [H·W, C]. */
    static void toChannelsLast(float[] x, int xo, float[] img, int c, int hw) { toChannelsLast(x, xo, c, 1, hw, img, hw, 0); }

    /**
     * One example [C, H, W] at {@code xo} written channels-last into {@code img}, whose rows are
     * {@code pitch} pixels of C values, from row and column {@code padding} on; the rest of
     * {@code img} is left as it is (Winograd's zero border). Eight channels a turn, so each pixel
     * gets eight neighbouring values written at once: one channel a turn writes a float every C
     * floats, and took 3.0 instead of 2.0 us for conv2's 32 x 13 x 13 (one thread).
     */
    static void toChannelsLast(float[] x, int xo, int c, int h, int w, float[] img, int pitch, int padding) {
        int hw = h * w;
        int ch = 0;
        for (; ch + 8 <= c; ch += 8) {
            int s = xo + ch * hw;
            for (int y = 0; y < h; y++) {
                for (int i = y * w, e = i + w, d = ((y + padding) * pitch + padding) * c + ch; i < e; i++, d += c) {
                    img[d] = x[s + i];
                    img[d + 1] = x[s + hw + i];
                    img[d + 2] = x[s + 2 * hw + i];
                    img[d + 3] = x[s + 3 * hw + i];
                    img[d + 4] = x[s + 4 * hw + i];
                    img[d + 5] = x[s + 5 * hw + i];
                    img[d + 6] = x[s + 6 * hw + i];
                    img[d + 7] = x[s + 7 * hw + i];
                }
            }
        }
        for (; ch < c; ch++) {
            int s = xo + ch * hw;
            for (int y = 0; y < h; y++) {
                for (int i = y * w, e = i + w, d = ((y + padding) * pitch + padding) * c + ch; i < e; i++, d += c) img[d] = x[s + i];
            }
        }
    }

    /** The inverse of {@link #toChannelsLast(float[], int, float[], int, int)}: [H·W, C] written to one example [C, H·W] at {@code xo}. */
    static void fromChannelsLast(float[] img, float[] x, int xo, int c, int hw) { fromChannelsLast(img, 0, hw, x, xo, c, 1, hw); }

    static void fromChannelsLast(float[] img, int pitch, float[] x, int xo, int c, int h, int w) { fromChannelsLast(img, 0, pitch, x, xo, c, h, w); }

    /**
     * The channels-last image {@code img} from {@code io} (rows of {@code pitch} pixels of C values;
     * columns past {@code w} are skipped) written to one example [C, H, W] at {@code xo}, eight
     * channels a turn (one a turn: 3.0 instead of 1.6 us for conv2's input gradient).
     */
    static void fromChannelsLast(float[] img, int io, int pitch, float[] x, int xo, int c, int h, int w) {
        int hw = h * w;
        int ch = 0;
        for (; ch + 8 <= c; ch += 8) {
            for (int y = 0; y < h; y++) {
                int d = xo + ch * hw + y * w;
                for (int i = 0, s = io + y * pitch * c + ch; i < w; i++, s += c) {
                    x[d + i] = img[s];
                    x[d + hw + i] = img[s + 1];
                    x[d + 2 * hw + i] = img[s + 2];
                    x[d + 3 * hw + i] = img[s + 3];
                    x[d + 4 * hw + i] = img[s + 4];
                    x[d + 5 * hw + i] = img[s + 5];
                    x[d + 6 * hw + i] = img[s + 6];
                    x[d + 7 * hw + i] = img[s + 7];
                }
            }
        }
        for (; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                int d = xo + ch * hw + y * w;
                for (int i = 0, s = io + y * pitch * c + ch; i < w; i++, s += c) x[d + i] = img[s];
            }
        }
    }

    /**
     * Unfolds one channels-last image [H, W, C] into col[position·ld + (ki·k + kj)·C + ch] (zero
     * outside the image; columns from k·k·C to ld are left alone). A window row inside the image is
     * k·C contiguous floats, copied in one piece; at an edge each pixel's C channels are copied or zeroed.
     */
    static void im2colLast(float[] img, float[] col, int ld, int c, int h, int w, int kernel, int stride, int padding, int oh, int ow) {
        int kc = kernel * c;
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                int ix0 = ox * stride - padding, d = (oy * ow + ox) * ld;
                boolean inside = ix0 >= 0 && ix0 + kernel <= w;
                for (int ki = 0; ki < kernel; ki++, d += kc) {
                    int iy = oy * stride - padding + ki;
                    if (iy < 0 || iy >= h) {
                        java.util.Arrays.fill(col, d, d + kc, 0f);
                    } else if (inside) {
                        System.arraycopy(img, (iy * w + ix0) * c, col, d, kc);
                    } else {
                        for (int kj = 0; kj < kernel; kj++) {
                            int ix = ix0 + kj, o = d + kj * c;
                            if (ix < 0 || ix >= w) java.util.Arrays.fill(col, o, o + c, 0f);
                            else System.arraycopy(img, (iy * w + ix) * c, col, o, c);
                        }
                    }
                }
            }
        }
    }

    /** Adds one example's channels-last columns back onto the pixels they were read from (the transpose of {@link #im2colLast}). */
    static void col2imLast(float[] col, float[] img, int c, int h, int w, int kernel, int stride, int padding, int oh, int ow,
                           boolean vector) {
        int kc = kernel * c, s = 0;
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                int ix0 = ox * stride - padding;
                // the kernel columns inside the image: kj in [lo, hi)
                int lo = Math.max(0, -ix0), hi = Math.min(kernel, w - ix0);
                for (int ki = 0; ki < kernel; ki++, s += kc) {
                    int iy = oy * stride - padding + ki;
                    if (iy < 0 || iy >= h || lo >= hi) continue;
                    int d = (iy * w + ix0) * c;
                    Passes.addTo(img, d + lo * c, col, s + lo * c, (hi - lo) * c, vector);
                }
            }
        }
    }
}
