package dev.vitals.core.train;

/**
 * Norms of one parameter on an observed step: the gradient the optimizer used (after clipping), the
 * value before the update, and the update actually applied.
 */
public final class ParamStats {
    public final String name;
    /** Index into {@link RunInfo#layers()} of the layer that owns it. */
    public final int layer;
    public final int size;
    public double gradNorm, valueNorm, updateNorm;
    /** Largest gradient entry and the share of exact zeros: measured on the first observed steps only, else NaN. */
    public double gradMaxAbs = Double.NaN, gradZeroFraction = Double.NaN;

    public ParamStats(String name, int layer, int size) {
        this.name = name;
        this.layer = layer;
        this.size = size;
    }
}
