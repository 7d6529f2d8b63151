package dev.vitals.core.nn;

import dev.vitals.core.kernel.Gemm;
import dev.vitals.core.kernel.Kernels;
import dev.vitals.core.kernel.Workers;
import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;

/**
 * 2-D convolution (cross-correlation, as in PyTorch) over images [C, H, W], with square kernels,
 * a stride and zero padding. Weight [filters, C, k, k], bias [filters]. The whole batch is unfolded
 * into one column matrix [C·k·k, batch·positions] (im2col), so each pass is a single large GEMM
 * rather than one small product per example, which is where BLAS is efficient.
 */
public final class Conv2d extends Layer {
    private final int filters, kernel, stride, padding;
    private Parameter weight, bias;
    private int c, h, w, oh, ow, ckk, p;
    private float[] cols = new float[0], dcol = new float[0], yt = new float[0];
    private Tensor out, gradIn;

    public Conv2d(int filters, int kernel, int stride, int padding) {
        if (filters <= 0) throw new IllegalArgumentException("conv2d filters must be positive, not " + filters);
        if (kernel <= 0) throw new IllegalArgumentException("conv2d kernel must be positive, not " + kernel);
        if (stride <= 0) throw new IllegalArgumentException("conv2d stride must be positive, not " + stride);
        if (padding < 0) throw new IllegalArgumentException("conv2d padding must not be negative, not " + padding);
        this.filters = filters;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    @Override public String kind() { return "conv2d"; }

    @Override
    public String describe() {
        return "conv2d " + filters + " " + kernel + "x" + kernel + (stride != 1 ? " stride " + stride : "") + (padding != 0 ? " pad " + padding : "");
    }

    public Parameter weight() { return weight; }

    public Parameter bias() { return bias; }

    @Override
    protected Shape doBuild(Shape input, BuildContext ctx) {
        if (input.rank() != 3) {
            throw new IllegalArgumentException("conv2d needs an image [channels, height, width] per example but gets " + input);
        }
        c = input.dim(0);
        h = input.dim(1);
        w = input.dim(2);
        if (h + 2 * padding < kernel || w + 2 * padding < kernel) {
            throw new IllegalArgumentException("conv2d kernel " + kernel + "x" + kernel + " does not fit the input " + input
                    + " with padding " + padding);
        }
        oh = (h + 2 * padding - kernel) / stride + 1;
        ow = (w + 2 * padding - kernel) / stride + 1;
        ckk = c * kernel * kernel;
        p = oh * ow;
        weight = addParameter("weight", Tensor.zeros(filters, c, kernel, kernel));
        bias = addParameter("bias", Tensor.zeros(filters));
        ctx.init().fillWeights(weight.value().data(), filters * ckk, ckk, filters * kernel * kernel, ctx.rng());
        ctx.init().fillBias(bias.value().data(), filters, ckk, ctx.rng());
        return Shape.of(filters, oh, ow);
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        checkInput(x);
        int b = x.batch(), n = b * p;
        out = Tensor.reuse(out, b, outputShape());
        cols = grow(cols, ckk * n);
        yt = grow(yt, filters * n);
        float[] xs = x.data(), y = out.data(), bs = bias.value().data(), col = cols, ytl = yt;
        split(b, ckk * n, (from, to) -> {
            for (int i = from; i < to; i++) im2col(xs, i * c * h * w, col, i * p, n);
        });
        // yt[filters, batch·positions] = W[filters, ckk] · cols[ckk, batch·positions]
        Kernels.gemm().sgemm(false, false, filters, n, ckk, 1f, weight.value().data(), 0, ckk, cols, 0, n, 0f, yt, 0, n);
        split(b, filters * n, (from, to) -> {
            for (int i = from; i < to; i++) {
                for (int f = 0; f < filters; f++) {
                    int src = f * n + i * p, dst = (i * filters + f) * p;
                    float bf = bs[f];
                    for (int k = 0; k < p; k++) y[dst + k] = ytl[src + k] + bf;
                }
            }
        });
        lastOutput = out;
        return out;
    }

    /**
     * The unfolding, the layout copies and the bias gradient work on whole examples (or filters), each
     * writing only its own part of the output, so they can be split over the kernels' worker threads
     * ({@link Workers}): the results are the same whoever computes a part (Conv2dParallelTest).
     * On by default ({@code -Dvitals.conv.parallel=false} turns it off): on a quiet 2-core machine,
     * alternating full CNN runs took 15.6-16.2 s per warm epoch split against 17.4-17.6 s on one
     * thread, with identical results.
     */
    static boolean parallel = !"false".equals(System.getProperty("vitals.conv.parallel"));
    /** Below this many values moved, one thread does it: handing out the parts would cost more. */
    static final int PARALLEL_MIN_VALUES = 1 << 15;

    private interface Range { void run(int from, int to); }

    /**
     * Runs {@code body} over items [0, items) in contiguous, nearly equal parts on the worker threads,
     * or in one piece on the caller when the work ({@code values} moved) is too small to share.
     */
    private static void split(int items, long values, Range body) {
        int parts = !parallel || values < PARALLEL_MIN_VALUES ? 1 : Math.min(items, 2 * Workers.threads());
        if (parts <= 1) {
            body.run(0, items);
            return;
        }
        Workers.run(parts, part -> body.run(first(items, parts, part), first(items, parts, part + 1)));
    }

    /** The first of {@code items} in part {@code part} of {@code parts} contiguous, nearly equal parts. */
    private static int first(int items, int parts, int part) { return (int) ((long) items * part / parts); }

    @Override
    public Tensor backward(Tensor gy, boolean needInputGrad) {
        int b = gy.batch(), n = b * p;
        float[] dy = gy.data(), dw = weight.grad().data(), db = bias.grad().data(), wt = weight.value().data();
        yt = grow(yt, filters * n);
        float[] ytl = yt;
        split(b, filters * n, (from, to) -> {
            for (int i = from; i < to; i++) {
                for (int f = 0; f < filters; f++) System.arraycopy(dy, (i * filters + f) * p, ytl, f * n + i * p, p);
            }
        });
        split(filters, filters * n, (from, to) -> {
            for (int f = from; f < to; f++) {
                double s = 0;
                for (int k = f * n, e = k + n; k < e; k++) s += ytl[k];
                db[f] += (float) s;
            }
        });
        Gemm gemm = Kernels.gemm();
        // dW[filters, ckk] += dy[filters, batch·positions] · colsᵀ
        gemm.sgemm(false, true, filters, ckk, n, 1f, yt, 0, n, cols, 0, n, 1f, dw, 0, ckk);
        if (!needInputGrad) return null;
        gradIn = Tensor.reuse(gradIn, b, inputShape());
        float[] dx = gradIn.data();
        java.util.Arrays.fill(dx, 0, gradIn.size(), 0f);
        dcol = grow(dcol, ckk * n);
        // dcols[ckk, batch·positions] = Wᵀ · dy
        gemm.sgemm(true, false, ckk, n, filters, 1f, wt, 0, ckk, yt, 0, n, 0f, dcol, 0, n);
        float[] dc = dcol;
        split(b, ckk * n, (from, to) -> {
            for (int i = from; i < to; i++) col2im(dc, i * p, n, dx, i * c * h * w);
        });
        return gradIn;
    }

    private static float[] grow(float[] a, int n) { return a.length >= n ? a : new float[n]; }

    private void im2col(float[] x, int xo, float[] col, int co, int ld) {
        im2col(x, xo, col, co, ld, c, h, w, kernel, stride, padding, oh, ow, false);
    }

    private void col2im(float[] col, int co, int ld, float[] dx, int xo) {
        col2im(col, co, ld, dx, xo, c, h, w, kernel, stride, padding, oh, ow, false);
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
     * im2col). With stride 1 the inner loop has no bounds test (the JIT vectorises it); the sums are
     * made in the same order as the general loop, so both give identical results.
     */
    static void col2im(float[] col, int co, int ld, float[] dx, int xo, int c, int h, int w, int kernel, int stride,
                       int padding, int oh, int ow, boolean general) {
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
                            int d = dst - padding + kj;
                            for (int ox = lo; ox < hi; ox++) dx[d + ox] += col[s + ox];
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
}
