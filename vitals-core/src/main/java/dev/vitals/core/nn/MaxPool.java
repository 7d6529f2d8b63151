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

    @Override public String describe() { return "maxpool " + k; }

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

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        checkInput(x);
        int b = x.batch();
        out = Tensor.reuse(out, b, outputShape());
        int n = out.size();
        if (argmax.length < n) argmax = new int[n];
        float[] xs = x.data(), y = out.data();
        boolean vector = k == 2 && Passes.vectorFor(n);
        Workers.split(b * c, x.size(), (from, to) -> {
            if (k == 2) Passes.maxPool2(xs, y, argmax, h, w, oh, ow, from, to, vector);
            else poolK(xs, y, from, to);
        });
        lastOutput = out;
        return out;
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
        int in = h * w, outs = oh * ow;
        Workers.split(gy.batch() * c, gradIn.size(), (from, to) -> {
            java.util.Arrays.fill(gx, from * in, to * in, 0f);
            for (int o = from * outs, e = to * outs; o < e; o++) gx[argmax[o]] += g[o];
        });
        return gradIn;
    }
}
