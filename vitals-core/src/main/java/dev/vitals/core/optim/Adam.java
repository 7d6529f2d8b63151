package dev.vitals.core.optim;

import dev.vitals.core.nn.Parameter;

import java.util.List;

/**
 * Adam (Kingma and Ba), with PyTorch's conventions: {@code m = β1·m + (1-β1)·g},
 * {@code v = β2·v + (1-β2)·g²}, {@code w -= lr · m̂ / (√v̂ + ε)} with bias-corrected m̂, v̂.
 * Weight decay is either coupled L2 ({@code g += wd·w}, Adam) or decoupled
 * ({@code w -= lr·wd·w} before the step, AdamW, Loshchilov and Hutter).
 */
public class Adam extends ElementwiseOptimizer {
    private final float beta1, beta2, eps;
    private final boolean decoupled;
    private final float[][] m, v;

    public Adam(List<Parameter> params, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        super(params, weightDecay);
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 must be in [0, 1), not " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0, 1), not " + beta2);
        if (!(eps > 0)) throw new IllegalArgumentException("eps must be positive, not " + eps);
        this.beta1 = (float) beta1;
        this.beta2 = (float) beta2;
        this.eps = (float) eps;
        this.decoupled = decoupled;
        m = new float[this.params.size()][];
        v = new float[this.params.size()][];
    }

    public static Adam adam(List<Parameter> params, double weightDecay) { return new Adam(params, 0.9, 0.999, 1e-8, weightDecay, false); }

    public static Adam adamw(List<Parameter> params, double weightDecay) { return new Adam(params, 0.9, 0.999, 1e-8, weightDecay, true); }

    @Override public String key() { return decoupled ? "adamw" : "adam"; }

    public float beta1() { return beta1; }

    public float beta2() { return beta2; }

    public float eps() { return eps; }

    public boolean decoupled() { return decoupled; }

    // this step's constants, set by prepare before the updateRange calls read them
    private float stepSize, invSqrtBc2, l2, shrink;

    @Override
    protected void prepare(float lr, long t) {
        // the moments come with the first step, not the optimizer: probes that build an experiment
        // and never step (initial loss, gradient check) held two unused copies of a large model
        if (m.length > 0 && m[0] == null) {
            for (int i = 0; i < m.length; i++) {
                m[i] = new float[params.get(i).size()];
                v[i] = new float[params.get(i).size()];
            }
        }
        double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
        stepSize = (float) (lr / bc1);
        invSqrtBc2 = (float) (1 / Math.sqrt(bc2));
        l2 = decoupled ? 0f : weightDecay;
        shrink = decoupled ? lr * weightDecay : 0f;
    }

    @Override
    protected void updateRange(int index, float[] w, float[] g, int from, int to, boolean apply) {
        float[] mi = m[index], vi = v[index];
        float b1 = beta1, b2 = beta2, c1 = 1 - b1, c2 = 1 - b2;
        float stepSize = this.stepSize, invSqrtBc2 = this.invSqrtBc2, l2 = this.l2, shrink = this.shrink;
        for (int i = from; i < to; i++) {
            float wi = w[i];
            float gi = g[i] + l2 * wi;
            float mm = b1 * mi[i] + c1 * gi;
            float vv = b2 * vi[i] + c2 * gi * gi;
            mi[i] = mm;
            vi[i] = vv;
            float delta = -shrink * wi - stepSize * mm / ((float) Math.sqrt(vv) * invSqrtBc2 + eps);
            if (apply) w[i] = wi + delta;
        }
    }
}
