package dev.vitals.core.optim;

import dev.vitals.core.nn.Parameter;

import java.util.List;

/**
 * Stochastic gradient descent as PyTorch defines it: {@code g += wd·w}; with momentum μ,
 * {@code buf = μ·buf + g} and the step uses {@code buf} (or {@code g + μ·buf} with Nesterov);
 * {@code w -= lr·step}.
 */
public final class Sgd extends ElementwiseOptimizer {
    private final float momentum;
    private final boolean nesterov;
    private final float[][] buf;

    public Sgd(List<Parameter> params, double momentum, boolean nesterov, double weightDecay) {
        super(params, weightDecay);
        if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("momentum must be in [0, 1), not " + momentum);
        if (nesterov && momentum == 0) throw new IllegalArgumentException("nesterov needs a momentum above 0");
        this.momentum = (float) momentum;
        this.nesterov = nesterov;
        this.buf = new float[this.params.size()][];
    }

    @Override public String key() { return "sgd"; }

    public float momentum() { return momentum; }

    public boolean nesterov() { return nesterov; }

    private float lr; // this step's, set by prepare

    @Override
    protected void prepare(float lr, long t) {
        this.lr = lr;
        // the momentum buffers come with the first step (as Adam's moments)
        if (momentum > 0 && buf.length > 0 && buf[0] == null) for (int i = 0; i < buf.length; i++) buf[i] = new float[params.get(i).size()];
    }

    @Override
    protected void updateRange(int index, float[] w, float[] g, int from, int to, boolean apply) {
        float[] b = buf[index];
        float mu = momentum, wd = weightDecay, lr = this.lr;
        if (b == null) {
            if (apply) for (int i = from; i < to; i++) w[i] -= lr * (g[i] + wd * w[i]);
            return;
        }
        for (int i = from; i < to; i++) {
            float d = g[i] + wd * w[i];
            float bi = mu * b[i] + d;
            b[i] = bi;
            float step = nesterov ? d + mu * bi : bi;
            if (apply) w[i] -= lr * step;
        }
    }
}
