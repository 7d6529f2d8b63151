package dev.vitals.core.train;

/** Metrics of one finished epoch; validation values are NaN when there is no validation split. */
public record EpochResult(int epoch, double trainLoss, double trainAccuracy, double valLoss, double valAccuracy,
                          double seconds, float lr, long steps) {
    public boolean hasValidation() { return !Double.isNaN(valLoss); }
}
