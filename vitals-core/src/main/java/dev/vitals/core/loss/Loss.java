package dev.vitals.core.loss;

import dev.vitals.core.tensor.Tensor;

import java.util.Locale;

/**
 * A training objective: the mean loss of a batch and its gradient with respect to the model's
 * output. {@code labels} are class indices; {@code targets} are the encoded targets [batch, width]
 * (see {@link TargetEncoding}) or null where the loss reads the labels directly.
 */
public interface Loss {
    /** The spec keyword: {@code cross_entropy}, {@code binary_cross_entropy}, {@code mse}. */
    String key();

    /**
     * Mean loss over the batch (accumulated in double). When {@code grad} is not null it receives
     * dLoss/dOutput, already divided by the batch as the mean requires.
     */
    double forward(Tensor output, int[] labels, float[] targets, Tensor grad);

    /** Whether this loss uses the encoded targets (else only the labels). */
    boolean needsTargets(TargetEncoding encoding);

    /**
     * Checks that this loss can be computed on an output of {@code outputs} values per example for
     * data with {@code classes} classes encoded as {@code encoding}; throws with the reason if not.
     */
    void checkFits(int outputs, int classes, TargetEncoding encoding);

    static Loss fromKey(String key) {
        return switch (key.toLowerCase(Locale.ROOT)) {
            case "cross_entropy" -> new CrossEntropy();
            case "binary_cross_entropy" -> new BinaryCrossEntropy();
            case "mse" -> new MeanSquaredError();
            default -> null;
        };
    }
}
