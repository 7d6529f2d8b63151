package dev.vitals.core.nn;

import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;

/**
 * Layer normalisation over all values of each example, with a learnable scale and shift of the
 * example's shape (PyTorch's LayerNorm(example shape)). Same in training and evaluation.
 */
public final class LayerNorm extends Layer {
    public static final double EPS = 1e-5;
    private Parameter gamma, beta;
    private int d;
    private Tensor out, xhat, gradIn;
    private float[] invStd = new float[0];

    @Override public String kind() { return "layernorm"; }

    @Override
    protected Shape doBuild(Shape input, BuildContext ctx) {
        d = input.size();
        gamma = addParameter("weight", Tensor.zeros(input.dims()));
        gamma.value().fill(1f);
        beta = addParameter("bias", Tensor.zeros(input.dims()));
        return input;
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        checkInput(x);
        int b = x.batch();
        out = Tensor.reuse(out, b, outputShape());
        xhat = Tensor.reuse(xhat, b, outputShape());
        if (invStd.length < b) invStd = new float[b];
        float[] xs = x.data(), y = out.data(), xh = xhat.data(), g = gamma.value().data(), bt = beta.value().data();
        for (int i = 0; i < b; i++) {
            int o = i * d;
            double s = 0;
            for (int k = 0; k < d; k++) s += xs[o + k];
            double mean = s / d, ss = 0;
            for (int k = 0; k < d; k++) {
                double t = xs[o + k] - mean;
                ss += t * t;
            }
            float inv = (float) (1 / Math.sqrt(ss / d + EPS)), mf = (float) mean;
            invStd[i] = inv;
            for (int k = 0; k < d; k++) {
                float h = (xs[o + k] - mf) * inv;
                xh[o + k] = h;
                y[o + k] = g[k] * h + bt[k];
            }
        }
        lastOutput = out;
        return out;
    }

    @Override
    public Tensor backward(Tensor gy, boolean needInputGrad) {
        int b = gy.batch();
        float[] dy = gy.data(), xh = xhat.data(), g = gamma.value().data(), dg = gamma.grad().data(), db = beta.grad().data();
        for (int i = 0; i < b; i++) {
            int o = i * d;
            for (int k = 0; k < d; k++) {
                dg[k] += dy[o + k] * xh[o + k];
                db[k] += dy[o + k];
            }
        }
        if (!needInputGrad) return null;
        gradIn = Tensor.reuse(gradIn, b, inputShape());
        float[] gx = gradIn.data();
        for (int i = 0; i < b; i++) {
            int o = i * d;
            double sum = 0, sumXh = 0;
            for (int k = 0; k < d; k++) {
                double dxh = dy[o + k] * g[k];
                sum += dxh;
                sumXh += dxh * xh[o + k];
            }
            float mean = (float) (sum / d), meanXh = (float) (sumXh / d), inv = invStd[i];
            for (int k = 0; k < d; k++) gx[o + k] = inv * (dy[o + k] * g[k] - mean - xh[o + k] * meanXh);
        }
        return gradIn;
    }
}
