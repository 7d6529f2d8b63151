package dev.vitals.core.optim;

import dev.vitals.core.kernel.Workers;
import dev.vitals.core.nn.Parameter;

import java.util.Arrays;
import java.util.List;

/**
 * An update rule in which each value's change depends on that value alone (its weight, gradient and
 * per-value state), as in SGD and Adam. That lets a large tensor be cut over the cores, and the
 * gradient be cleared chunk by chunk while the chunk is still in the core's cache, instead of in a
 * second pass over the gradients (the trainer's zero_grad) that would also have to fetch them back
 * from the core that updated them.
 */
public abstract class ElementwiseOptimizer extends Optimizer {
    /** Values updated before their gradient is cleared: 16 KB of each array, well inside a core's L1/L2. */
    private static final int CHUNK = 4096;

    protected ElementwiseOptimizer(List<Parameter> params, double weightDecay) { super(params, weightDecay); }

    /**
     * Sets the constants of this step for the parameters that follow ({@code t} counts steps from 1);
     * called on the calling thread before each parameter's {@link #updateRange} calls.
     */
    protected abstract void prepare(float lr, long t);

    /**
     * The rule on {@code w[from..to)} of parameter {@code index}, writing w only when {@code apply}.
     * Called for disjoint ranges of one parameter from several threads at once.
     */
    protected abstract void updateRange(int index, float[] w, float[] g, int from, int to, boolean apply);

    @Override
    protected final void update(int index, float[] w, float[] g, int n, float lr, boolean apply, long t) {
        run(index, w, g, n, lr, apply, t, false);
    }

    @Override
    protected final void updateAndClear(int index, float[] w, float[] g, int n, float lr, boolean apply, long t) {
        run(index, w, g, n, lr, apply, t, true);
    }

    private void run(int index, float[] w, float[] g, int n, float lr, boolean apply, long t, boolean clear) {
        prepare(lr, t);
        Workers.split(n, 4L * n, (from, to) -> {
            for (int c = from; c < to; c += CHUNK) {
                int e = Math.min(to, c + CHUNK);
                updateRange(index, w, g, c, e, apply);
                if (clear) Arrays.fill(g, c, e, 0f);
            }
        });
    }
}
