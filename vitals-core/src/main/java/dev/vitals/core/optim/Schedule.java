package dev.vitals.core.optim;

/**
 * The learning rate for step {@code step} (0-based) of epoch {@code epoch} (0-based), given the
 * steps per epoch and the planned number of epochs.
 */
public interface Schedule {
    float lr(float baseLr, int epoch, int step, int stepsPerEpoch, int totalEpochs);

    String key();

    static Schedule constant() {
        return new Schedule() {
            @Override public float lr(float base, int epoch, int step, int n, int total) { return base; }

            @Override public String key() { return "constant"; }
        };
    }

    /** Multiplies the rate by {@code gamma} every {@code stepSize} epochs (PyTorch's StepLR). */
    static Schedule step(int stepSize, double gamma) {
        if (stepSize <= 0) throw new IllegalArgumentException("step_size must be a positive number of epochs, not " + stepSize);
        if (!(gamma > 0 && gamma <= 1)) throw new IllegalArgumentException("gamma must be in (0, 1], not " + gamma);
        return new Schedule() {
            @Override public float lr(float base, int epoch, int step, int n, int total) {
                return (float) (base * Math.pow(gamma, epoch / stepSize));
            }

            @Override public String key() { return "step"; }
        };
    }

    /**
     * Linear warm-up over the first {@code warmup} epochs (the first step already moves), then half
     * a cosine per step from the base rate down to {@code minLr} at the end of the last epoch.
     */
    static Schedule cosine(double warmup, double minLr) {
        if (!(warmup >= 0) || Double.isInfinite(warmup)) throw new IllegalArgumentException("warmup must be a number of epochs >= 0, not " + warmup);
        if (!(minLr >= 0) || Double.isInfinite(minLr)) throw new IllegalArgumentException("min_lr must be a number >= 0, not " + minLr);
        return new Schedule() {
            @Override public float lr(float base, int epoch, int step, int n, int total) {
                double done = epoch + (step + 1.0) / n;
                if (warmup > 0 && done <= warmup) return (float) (base * done / warmup);
                double at = epoch + (double) step / n;
                double span = Math.max(total - warmup, 1e-9);
                double progress = Math.min(1, Math.max(0, (at - warmup) / span));
                return (float) (minLr + (base - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress)));
            }

            @Override public String key() { return "cosine"; }
        };
    }
}
