package dev.vitals.doctor.trace;

/**
 * The statistics of one observed step, copied out of the engine's reused event. Arrays are indexed
 * like {@link Trace#parameters()} and {@link Trace#layers()}; a statistic that does not apply is NaN.
 */
public record Observation(long step, int epoch, int batchSize, double loss, float lr, boolean trainMode, double gradNorm,
                          double gradNormAtStart, boolean clipped,
                          double[] paramGrad, double[] paramUpdate, double[] paramValue, double[] paramGradZero,
                          double[] layerZero, double[] layerDead, double[] layerSaturated,
                          double[] layerMean, double[] layerStd, double[] layerGrad, boolean nonFiniteActivation) {

    /** Update/parameter ratio of parameter {@code i}: the size of the step relative to the weights. */
    public double updateRatio(int i) {
        return paramValue[i] > 0 ? paramUpdate[i] / paramValue[i] : Double.NaN;
    }
}
