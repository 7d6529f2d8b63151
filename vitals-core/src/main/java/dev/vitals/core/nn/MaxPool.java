package dev.vitals.core.nn;

import dev.vitals.core.kernel.Passes;
import dev.vitals.core.kernel.Workers;
import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;

/**
 * Max pooling over k×k windows with stride k (PyTorch's MaxPool2d(k)); a partial edge window is
 * dropped. Large batches are cut into ranges of planes (one channel of one example) computed on the
 * worker threads; a plane's outputs and gradients depend only on that plane.
 */
public final class MaxPool extends Layer {
    private final int k;
    private int c, h, w, oh, ow;
    private Tensor out, gradIn;
    private int[] argmax = new int[0];

    public MaxPool(int k) {
        if (k <= 0) throw new IllegalArgumentException("maxpool size must be positive, not " + k);
        this.k = k;
    }

    @Override public String kind() { return "maxpool"; }

    /** The window size (and stride). */
    int size() { return k; }

    /** The input index of each output's maximum, from the last forward pass. */
    int[] argmax() { return argmax; }

    @Override public String describe() { return "maxpool " + k; }

    @Override
    public double inputCoverage() { return h == 0 ? 1 : (double) covered(h, k, k, 0, oh) * covered(w, k, k, 0, ow) / ((double) h * w); }

    @Override
    protected Shape doBuild(Shape input, BuildContext ctx) {
        if (input.rank() != 3) {
            throw new IllegalArgumentException("maxpool needs an image [channels, height, width] per example but gets " + input);
        }
        c = input.dim(0);
        h = input.dim(1);
        w = input.dim(2);
        if (h < k || w < k) throw new IllegalArgumentException("maxpool " + k + " does not fit the input " + input);
        oh = h / k;
        ow = w / k;
        return Shape.of(c, oh, ow);
    }

    /**
     * Planes an activation and this pooling compute together before going on ({@link #forwardAfter}):
     * about 2,048 values, 8 KB, so that what the activation wrote is still in the L1 cache when the
     * pooling reads it. A probe of ReLU and 2x2 pooling on a batch of 64 x 32 planes of 26 x 26, two
     * threads: one plane at a time 344, three 304, six 312, twelve 407 us a batch, one pass after
     * the other 400-425.
     */
    private static final int FUSED_VALUES = 2_048;

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        checkInput(x);
        float[] xs = x.data(), y = begin(x.batch());
        boolean vector = k == 2 && Passes.vectorFor(out.size());
        Workers.split(x.batch() * c, x.size(), (from, to) -> pool(xs, y, from, to, vector));
        return out;
    }

    /**
     * {@code act}'s forward pass and then this one's on its output, a few planes at a time
     * ({@link #FUSED_VALUES}): each plane is read from the L1 cache instead of memory. The same
     * results and buffers (both layers' outputs) as the two passes one after the other; a ReLU and
     * 2x2 pooling of the CNN's first convolution took 323 instead of 408 us a batch (two threads, hot).
     */
    Tensor forwardAfter(Activation act, Tensor x, Mode mode) {
        Tensor a = act.beginForward(x);
        checkInput(a);
        float[] xs = a.data(), y = begin(x.batch());
        boolean vector = k == 2 && Passes.vectorFor(out.size());
        int hw = h * w, chunk = Math.max(1, FUSED_VALUES / hw);
        Workers.split(x.batch() * c, x.size(), (from, to) -> {
            for (int p = from; p < to; p += chunk) {
                int q = Math.min(to, p + chunk);
                act.forwardRange(p * hw, q * hw);
                pool(xs, y, p, q, vector);
            }
        });
        return out;
    }

    /** The output buffer (and indices) for a batch; returns the output's values. */
    float[] begin(int batch) {
        out = Tensor.reuse(out, batch, outputShape());
        if (argmax.length < out.size()) argmax = new int[out.size()];
        lastOutput = out;
        return out.data();
    }

    private void pool(float[] xs, float[] y, int planeFrom, int planeTo, boolean vector) {
        if (k == 2) Passes.maxPool2(xs, y, argmax, h, w, oh, ow, planeFrom, planeTo, vector);
        else poolK(xs, y, planeFrom, planeTo);
    }

    /** Any window size, with the indices (ties, NaN) of {@link Passes#maxPool2}, which computes the common 2x2 window. */
    private void poolK(float[] xs, float[] y, int planeFrom, int planeTo) {
        int o = planeFrom * oh * ow;
        for (int plane = planeFrom; plane < planeTo; plane++) {
            int base = plane * h * w;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++, o++) {
                    int best = base + oy * k * w + ox * k;
                    float m = xs[best];
                    for (int dy = 0; dy < k; dy++) {
                        int r = base + (oy * k + dy) * w + ox * k;
                        for (int dx = 0; dx < k; dx++) {
                            float v = xs[r + dx];
                            boolean take = v > m || v != v && m == m;
                            m = take ? v : m;
                            best = take ? r + dx : best;
                        }
                    }
                    y[o] = m;
                    argmax[o] = best;
                }
            }
        }
    }

    @Override
    public Tensor backward(Tensor gy, boolean needInputGrad) {
        if (!needInputGrad) return null;
        gradIn = Tensor.reuse(gradIn, gy.batch(), inputShape());
        float[] g = gy.data(), gx = gradIn.data();
        Workers.split(gy.batch() * c, gradIn.size(), (from, to) -> unpool(g, gx, from, to));
        return gradIn;
    }

    /**
     * This layer's backward pass and then that of {@code act}, the activation whose output it pooled
     * ({@link #forwardAfter}), a few planes at a time; returns {@code act}'s input gradient. Both
     * layers' gradient buffers are filled as by the two passes one after the other (the pooling's
     * input gradient is the activation's {@link #lastGradOutput}), with the same values; the
     * activation reads the planes just written from the L1 cache (the CNN's first ReLU and pooling:
     * 282 instead of 398 us a batch).
     */
    Tensor backwardThrough(Activation act, Tensor gy) {
        gradIn = Tensor.reuse(gradIn, gy.batch(), inputShape());
        act.lastGradOutput(gradIn);
        Tensor ga = act.beginBackward(gy.batch());
        float[] g = gy.data(), gx = gradIn.data();
        int hw = h * w, chunk = Math.max(1, FUSED_VALUES / hw);
        Workers.split(gy.batch() * c, gradIn.size(), (from, to) -> {
            for (int p = from; p < to; p += chunk) {
                int q = Math.min(to, p + chunk);
                unpool(g, gx, p, q);
                act.backwardRange(gx, p * hw, q * hw);
            }
        });
        return ga;
    }

    /** Input gradient of planes [planeFrom, planeTo): each output's gradient goes to its maximum, zero elsewhere. */
    private void unpool(float[] g, float[] gx, int planeFrom, int planeTo) {
        int in = h * w, outs = oh * ow;
        java.util.Arrays.fill(gx, planeFrom * in, planeTo * in, 0f);
        for (int o = planeFrom * outs, e = planeTo * outs; o < e; o++) gx[argmax[o]] += g[o];
    }
}
