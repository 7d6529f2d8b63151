package dev.vitals.core.train;

/**
 * Statistics of one layer's output and of the gradient that reached it, measured on an observed
 * step. Fractions are in [0, 1]; NaN where a statistic does not apply to the layer's kind.
 */
public final class LayerStats {
    public final String path, kind;
    /** Mean and standard deviation of the output values. */
    public double mean, std;
    /** Outputs at exactly zero (ReLU-type layers). */
    public double zeroFraction = Double.NaN;
    /** Units (features, or channels of an image) that output zero for every example of the batch (ReLU-type). */
    public double deadFraction = Double.NaN;
    /** Outputs in the flat tails (sigmoid, tanh): pre-activation beyond ±5, slope below ~0.7% of its peak. */
    public double saturatedFraction = Double.NaN;
    /** L2 norm of dLoss/dOutput for the batch. */
    public double gradNorm;
    /** Whether any output value was NaN or infinite. */
    public boolean nonFinite;

    public LayerStats(String path, String kind) {
        this.path = path;
        this.kind = kind;
    }
}
