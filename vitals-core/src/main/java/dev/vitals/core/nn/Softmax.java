package dev.vitals.core.nn;

import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;

/** Softmax over the features of each example (a flat vector), computed stably (max subtracted). */
public final class Softmax extends Layer {
    private Tensor out, gradIn;
    private int n;

    @Override public String kind() { return "softmax"; }

    @Override
    protected Shape doBuild(Shape input, BuildContext ctx) {
        if (input.rank() != 1) throw new IllegalArgumentException("softmax needs a flat input per example but gets " + input);
        n = input.dim(0);
        return input;
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        checkInput(x);
        out = Tensor.reuse(out, x.batch(), outputShape());
        float[] xs = x.data(), y = out.data();
        for (int i = 0; i < x.batch(); i++) {
            int o = i * n;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) max = Math.max(max, xs[o + j]);
            double sum = 0;
            for (int j = 0; j < n; j++) {
                float e = (float) Math.exp(xs[o + j] - max);
                y[o + j] = e;
                sum += e;
            }
            float inv = (float) (1 / sum);
            for (int j = 0; j < n; j++) y[o + j] *= inv;
        }
        lastOutput = out;
        return out;
    }

    @Override
    public Tensor backward(Tensor gy, boolean needInputGrad) {
        if (!needInputGrad) return null;
        gradIn = Tensor.reuse(gradIn, gy.batch(), inputShape());
        float[] g = gy.data(), y = out.data(), gx = gradIn.data();
        for (int i = 0; i < gy.batch(); i++) {
            int o = i * n;
            double dot = 0;
            for (int j = 0; j < n; j++) dot += g[o + j] * y[o + j];
            for (int j = 0; j < n; j++) gx[o + j] = (float) (y[o + j] * (g[o + j] - dot));
        }
        return gradIn;
    }
}
