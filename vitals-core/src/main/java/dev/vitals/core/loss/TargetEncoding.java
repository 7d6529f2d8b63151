package dev.vitals.core.loss;

import java.util.Locale;

/** How class labels become the targets a loss compares the output with. */
public enum TargetEncoding {
    /** The class index itself (or, for a single output, the label value). */
    INDEX,
    /** 1 for the class, 0 elsewhere. */
    ONEHOT,
    /** +1 for the class, -1 elsewhere: a classic mistake with sigmoid or softmax outputs. */
    PM1;

    public String key() { return name().toLowerCase(Locale.ROOT); }

    public static TargetEncoding fromKey(String s) {
        for (TargetEncoding t : values()) if (t.key().equals(s)) return t;
        return null;
    }

    /**
     * Writes the encoded targets of {@code labels[0..n)} into {@code out} as [n, outputs]. For
     * INDEX this is the label value in a single column; a label outside [0, outputs) under ONEHOT or
     * PM1 leaves its row without a positive entry.
     */
    public void encode(int[] labels, int n, int outputs, float[] out) {
        switch (this) {
            case INDEX -> {
                for (int i = 0; i < n; i++) out[i] = labels[i];
            }
            case ONEHOT, PM1 -> {
                float off = this == ONEHOT ? 0f : -1f;
                java.util.Arrays.fill(out, 0, n * outputs, off);
                for (int i = 0; i < n; i++) {
                    int y = labels[i];
                    if (y >= 0 && y < outputs) out[i * outputs + y] = 1f;
                }
            }
        }
    }

    /** Values per example after encoding for a model with {@code outputs} outputs. */
    public int width(int outputs) { return this == INDEX ? 1 : outputs; }
}
