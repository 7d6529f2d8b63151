package dev.vitals.core.nn;

import dev.vitals.core.kernel.Gemm;
import dev.vitals.core.kernel.Kernels;
import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;

/**
 * 2-D convolution (cross-correlation, as in PyTorch) over images [C, H, W], with square kernels,
 * a stride and zero padding. Weight [filters, C, k, k], bias [filters]. Each example is unfolded
 * into columns (im2col) and multiplied by the weight matrix, so the work is GEMM.
 */
public final class Conv2d extends Layer {
    private final int filters, kernel, stride, padding;
    private Parameter weight, bias;
    private int c, h, w, oh, ow, ckk, p;
    private float[] cols = new float[0], dcol = new float[0];
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
        int b = x.batch();
        out = Tensor.reuse(out, b, outputShape());
        int colSize = ckk * p;
        if (cols.length < b * colSize) cols = new float[b * colSize];
        float[] xs = x.data(), y = out.data(), wt = weight.value().data(), bs = bias.value().data();
        Gemm gemm = Kernels.gemm();
        for (int i = 0; i < b; i++) {
            im2col(xs, i * c * h * w, cols, i * colSize);
            int yo = i * filters * p;
            for (int f = 0; f < filters; f++) java.util.Arrays.fill(y, yo + f * p, yo + (f + 1) * p, bs[f]);
            gemm.sgemm(false, false, filters, p, ckk, 1f, wt, 0, ckk, cols, i * colSize, p, 1f, y, yo, p);
        }
        lastOutput = out;
        return out;
    }

    @Override
    public Tensor backward(Tensor gy, boolean needInputGrad) {
        int b = gy.batch();
        int colSize = ckk * p;
        float[] dy = gy.data(), dw = weight.grad().data(), db = bias.grad().data(), wt = weight.value().data();
        Gemm gemm = Kernels.gemm();
        float[] dx = null;
        if (needInputGrad) {
            gradIn = Tensor.reuse(gradIn, b, inputShape());
            dx = gradIn.data();
            java.util.Arrays.fill(dx, 0, gradIn.size(), 0f);
            if (dcol.length < colSize) dcol = new float[colSize];
        }
        for (int i = 0; i < b; i++) {
            int yo = i * filters * p;
            gemm.sgemm(false, true, filters, ckk, p, 1f, dy, yo, p, cols, i * colSize, p, 1f, dw, 0, ckk);
            for (int f = 0; f < filters; f++) {
                double s = 0;
                for (int k = 0; k < p; k++) s += dy[yo + f * p + k];
                db[f] += (float) s;
            }
            if (dx != null) {
                gemm.sgemm(true, false, ckk, p, filters, 1f, wt, 0, ckk, dy, yo, p, 0f, dcol, 0, p);
                col2im(dcol, dx, i * c * h * w);
            }
        }
        return gradIn;
    }

    /** cols[(ch*k + ki)*k + kj][oy*ow + ox] = x[ch][oy*stride - pad + ki][ox*stride - pad + kj], zero outside. */
    private void im2col(float[] x, int xo, float[] col, int co) {
        int row = 0;
        for (int ch = 0; ch < c; ch++) {
            for (int ki = 0; ki < kernel; ki++) {
                for (int kj = 0; kj < kernel; kj++, row++) {
                    int dst = co + row * p;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * stride - padding + ki;
                        if (iy < 0 || iy >= h) {
                            java.util.Arrays.fill(col, dst, dst + ow, 0f);
                            dst += ow;
                            continue;
                        }
                        int src = xo + (ch * h + iy) * w;
                        for (int ox = 0; ox < ow; ox++) {
                            int ix = ox * stride - padding + kj;
                            col[dst++] = ix >= 0 && ix < w ? x[src + ix] : 0f;
                        }
                    }
                }
            }
        }
    }

    /** Adds the columns back onto the image positions they were read from (the transpose of im2col). */
    private void col2im(float[] col, float[] dx, int xo) {
        int row = 0;
        for (int ch = 0; ch < c; ch++) {
            for (int ki = 0; ki < kernel; ki++) {
                for (int kj = 0; kj < kernel; kj++, row++) {
                    int srcRow = row * p;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * stride - padding + ki;
                        if (iy < 0 || iy >= h) continue;
                        int dst = xo + (ch * h + iy) * w;
                        int s = srcRow + oy * ow;
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
