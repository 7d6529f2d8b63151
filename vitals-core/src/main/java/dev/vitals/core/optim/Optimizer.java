package dev.vitals.core.optim;

import dev.vitals.core.nn.Parameter;

import java.util.Arrays;
import java.util.List;

/**
 * Updates parameters from their gradients. {@link #step} applies one update with the given
 * learning rate; when {@code stats} is given it also records, per parameter, the norm of the value
 * before the step and of the change actually applied, measured on a strided sample of the values
 * (all of them when the stats ask for it) so that the update loop itself stays a tight,
 * vectorisable loop.
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

    public final void step(float lr, UpdateStats stats) { step(lr, stats, false); }

    /**
     * One update; with {@code clearGradients} it also leaves every gradient at zero, in the same pass
     * that reads it: the next step's zero_grad without a second pass over the gradients (which would
     * also have to fetch them back from the core that updated them).
     */
    public final void step(float lr, UpdateStats stats, boolean clearGradients) {
        steps++;
        float scale = doubleLr ? lr * lr : lr;
        if (stats != null) stats.before(params);
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            float[] w = p.value().data(), g = p.grad().data();
            if (clearGradients) updateAndClear(i, w, g, p.size(), scale, !staleUpdates, steps);
            else update(i, w, g, p.size(), scale, !staleUpdates, steps);
        }
        if (stats != null) stats.after(params);
    }

    /**
     * Computes this rule's change of {@code w[0..n)} from {@code g} and its state for parameter
     * {@code index}, scaled by {@code lr}, and writes it into w only when {@code apply} (the bug of
     * a reset update buffer leaves the state updated and the weights untouched). {@code t} counts
     * steps from 1.
     */
    protected abstract void update(int index, float[] w, float[] g, int n, float lr, boolean apply, long t);

    /**
     * {@link #update} and then {@code g[0..n)} set to zero. A rule that can clear each gradient value
     * in the pass that reads it ({@link ElementwiseOptimizer}) overrides this.
     */
    protected void updateAndClear(int index, float[] w, float[] g, int n, float lr, boolean apply, long t) {
        update(index, w, g, n, lr, apply, t);
        Arrays.fill(g, 0, n, 0f);
    }

    /**
     * Per-parameter norms of the weights before the last step and of the change it applied. They are
     * measured on at most {@code sample} values per parameter taken at a fixed stride and scaled to
     * the whole parameter; {@link #exact(boolean)} makes the next step measure every value.
     */
    public static final class UpdateStats {
        public final double[] valueNorm, updateNorm;
        private final int sample;
        private float[][] saved;
        private boolean exact;

        public UpdateStats(int params) { this(params, 4096); }

        public UpdateStats(int params, int sample) {
            valueNorm = new double[params];
            updateNorm = new double[params];
            this.sample = sample;
        }

        /** Whether the next step measures every value instead of a sample. */
        public void exact(boolean e) { this.exact = e; }

        private int stride(int n) { return exact ? 1 : Math.max(1, n / sample); }

        void before(List<Parameter> ps) {
            if (saved == null) saved = new float[ps.size()][];
            for (int i = 0; i < ps.size(); i++) {
                int n = ps.get(i).size(), stride = stride(n), m = (n + stride - 1) / stride;
                if (saved[i] == null || saved[i].length < m) saved[i] = new float[m];
                float[] w = ps.get(i).value().data(), s = saved[i];
                for (int k = 0, j = 0; k < n; k += stride, j++) s[j] = w[k];
            }
        }

        void after(List<Parameter> ps) {
            for (int i = 0; i < ps.size(); i++) {
                int n = ps.get(i).size(), stride = stride(n);
                float[] w = ps.get(i).value().data(), s = saved[i];
                double vs = 0, us = 0;
                int m = 0;
                for (int k = 0, j = 0; k < n; k += stride, j++, m++) {
                    double old = s[j], d = w[k] - old;
                    vs += old * old;
                    us += d * d;
                }
                double scale = m == 0 ? 0 : (double) n / m;
                valueNorm[i] = Math.sqrt(vs * scale);
                updateNorm[i] = Math.sqrt(us * scale);
            }
        }
    }
}
