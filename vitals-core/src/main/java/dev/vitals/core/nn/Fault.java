package dev.vitals.core.nn;

import java.util.Locale;

/**
 * Deliberate bugs of hand-written training loops, reproduced as the real bug behaves so that their
 * signatures can be studied. Each is implemented where the real bug lives (the trainer, the
 * optimizer, a layer, the data pipeline) and changes nothing else.
 */
public enum Fault {
    /** Gradients are never cleared, so each step's gradient adds to all earlier ones. */
    NO_ZERO_GRAD,
    /** Training steps run the model in evaluation mode. */
    EVAL_MODE,
    /** The optimizer multiplies its step by the learning rate a second time. */
    DOUBLE_LR,
    /** The optimizer's update buffer is reset after it is computed and before it is applied. */
    STALE_UPDATES,
    /** Training labels are permuted against their inputs. */
    SHUFFLED_LABELS,
    /** A few training inputs are NaN. */
    NAN_INPUTS,
    /** Training data sorted by label and never shuffled. */
    UNSHUFFLED,
    /** The first dense layer sums its bias gradient over every axis instead of the batch axis. */
    WRONG_BIAS_GRAD,
    /** The first reshaping layer reads its batch with the wrong axes, mixing examples. */
    MIXED_BATCH;

    /** The spec's spelling, e.g. {@code no_zero_grad}. */
    public String key() { return name().toLowerCase(Locale.ROOT); }

    public static Fault fromKey(String key) {
        for (Fault f : values()) if (f.key().equals(key)) return f;
        return null;
    }
}
