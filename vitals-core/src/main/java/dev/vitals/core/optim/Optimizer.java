package dev.vitals.core.optim;

import dev.vitals.core.nn.Parameter;

import java.util.List;

/**
 * Updates parameters from their gradients. {@link #step} applies one update with the given
 * learning rate; when {@code stats} is given it also records, per parameter, the norm of the value
 * before the step and of the change actually applied, computed in the same pass.
 *
 * <p>Two bugs of hand-written update code can be switched on ({@link #reproduce}): the learning rate
 * applied a second time to the step, and the update buffer reset before it is applied.
 */
public abstract class Optimizer {
    protected final List<Parameter> params;
    protected final float weightDecay;
    private boolean doubleLr, staleUpdates;
    private long steps;

    protected Optimizer(List<Parameter> params, double weightDecay) {
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) throw new IllegalArgumentException("weight_decay must be a number >= 0, not " + weightDecay);
        this.params = List.copyOf(params);
        this.weightDecay = (float) weightDecay;
    }

    /** The spec keyword: {@code sgd}, {@code adam}, {@code adamw}. */
    public abstract String key();

    public float weightDecay() { return weightDecay; }

    public List<Parameter> parameters() { return params; }

    /** Steps taken so far. */
    public long steps() { return steps; }

    /** Reproduces the learning-rate-applied-twice bug and/or the reset-update-buffer bug. */
    public void reproduce(boolean doubleLr, boolean staleUpdates) {
        this.doubleLr = doubleLr;
        this.staleUpdates = staleUpdates;
    }

    public final void step(float lr, UpdateStats stats) {
        steps++;
        float scale = doubleLr ? lr * lr : lr;
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            update(i, p.value().data(), p.grad().data(), p.size(), scale, !staleUpdates, stats, steps);
        }
    }

    /**
     * Computes this rule's change of {@code w[0..n)} from {@code g} and its state for parameter
     * {@code index}, scaled by {@code lr}; writes it into w only when {@code apply}; records norms in
     * {@code stats} (nullable). {@code t} counts steps from 1.
     */
    protected abstract void update(int index, float[] w, float[] g, int n, float lr, boolean apply, UpdateStats stats, long t);

    /** Per-parameter norms of the last step, filled by {@link #step} when requested. */
    public static final class UpdateStats {
        public final double[] valueNorm, updateNorm;

        public UpdateStats(int params) {
            valueNorm = new double[params];
            updateNorm = new double[params];
        }

        void record(int index, double valueSq, double updateSq) {
            valueNorm[index] = Math.sqrt(valueSq);
            updateNorm[index] = Math.sqrt(updateSq);
        }
    }

    protected static void record(UpdateStats s, int index, double valueSq, double updateSq) {
        if (s != null) s.record(index, valueSq, updateSq);
    }
}
