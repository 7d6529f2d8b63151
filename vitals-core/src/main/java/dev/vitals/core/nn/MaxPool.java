package dev.vitals.core.nn;

import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;

/** Max pooling over k×k windows with stride k (PyTorch's MaxPool2d(k)); a partial edge window is dropped. */
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
        int o = 0;
        for (int plane = 0; plane < b * c; plane++) {
            int base = plane * h * w;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++, o++) {
                    int best = base + oy * k * w + ox * k;
                    float m = xs[best];
                    for (int dy = 0; dy < k; dy++) {
                        int r = base + (oy * k + dy) * w + ox * k;
                        for (int dx = 0; dx < k; dx++) {
                            float v = xs[r + dx];
                            // NaN wins, so a NaN input is never silently dropped
                            if (v > m || v != v) {
                                m = v;
                                best = r + dx;
                            }
                        }
                    }
                    y[o] = m;
                    argmax[o] = best;
                }
            }
        }
        lastOutput = out;
        return out;
    }

    @Override
    public Tensor backward(Tensor gy, boolean needInputGrad) {
        if (!needInputGrad) return null;
        gradIn = Tensor.reuse(gradIn, gy.batch(), inputShape());
        float[] g = gy.data(), gx = gradIn.data();
        java.util.Arrays.fill(gx, 0, gradIn.size(), 0f);
        for (int o = 0; o < gy.size(); o++) gx[argmax[o]] += g[o];
        return gradIn;
    }
}
