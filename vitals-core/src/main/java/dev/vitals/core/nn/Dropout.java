package dev.vitals.core.nn;

import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Inverted dropout: in training mode each value is zeroed with probability p and the survivors are
 * scaled by 1/(1-p), so evaluation mode is the identity.
 */
public final class Dropout extends Layer implements Stochastic {
    private final float p;
    private SplittableRandom rng;
    private Tensor out, gradIn, mask;
    private boolean frozen, lastTrain;

    public Dropout(double p) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout probability must be in [0, 1), not " + p);
        this.p = (float) p;
    }

    @Override public String kind() { return "dropout"; }

    @Override public String describe() { return "dropout " + p; }

    public float probability() { return p; }

    @Override
    protected Shape doBuild(Shape input, BuildContext ctx) {
        rng = new SplittableRandom(ctx.rng().nextLong());
        return input;
    }

    @Override public void freeze(boolean frozen) { this.frozen = frozen; }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        checkInput(x);
        lastTrain = mode == Mode.TRAIN && p > 0;
        if (!lastTrain) {
            lastOutput = x;
            return x;
        }
        int n = x.size();
        out = Tensor.reuse(out, x.batch(), outputShape());
        if (!frozen || mask == null || mask.size() != n) {
            mask = Tensor.reuse(mask, x.batch(), outputShape());
            float[] m = mask.data();
            float keep = 1f / (1f - p);
            for (int i = 0; i < n; i++) m[i] = rng.nextFloat() < p ? 0f : keep;
        }
        float[] xs = x.data(), y = out.data(), m = mask.data();
        for (int i = 0; i < n; i++) y[i] = xs[i] * m[i];
        lastOutput = out;
        return out;
    }

    @Override
    public Tensor backward(Tensor gy, boolean needInputGrad) {
        if (!needInputGrad) return null;
        if (!lastTrain) return gy;
        gradIn = Tensor.reuse(gradIn, gy.batch(), inputShape());
        float[] g = gy.data(), gx = gradIn.data(), m = mask.data();
        for (int i = 0; i < gy.size(); i++) gx[i] = g[i] * m[i];
        return gradIn;
    }
}
