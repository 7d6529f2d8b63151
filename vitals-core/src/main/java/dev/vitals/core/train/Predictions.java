package dev.vitals.core.train;

import dev.vitals.core.loss.TargetEncoding;
import dev.vitals.core.tensor.Tensor;

/**
 * Turns outputs into class predictions: the arg-max of several outputs; for a single output,
 * the sign of the logit under binary cross-entropy, else the rounded value (a regressed label).
 */
public final class Predictions {
    private final boolean logit;

    public Predictions(String lossKey, TargetEncoding encoding) {
        this.logit = lossKey.equals("binary_cross_entropy");
    }

    public int predict(float[] z, int offset, int k) {
        if (k == 1) {
            float v = z[offset];
            if (logit) return v > 0 ? 1 : 0;
            return Float.isFinite(v) ? Math.round(v) : -1;
        }
        int best = 0;
        float m = z[offset];
        for (int j = 1; j < k; j++) {
            if (z[offset + j] > m) {
                m = z[offset + j];
                best = j;
            }
        }
        return m == m ? best : -1;
    }

    /** Number of rows of {@code out} whose prediction equals the label. */
    public int correct(Tensor out, int[] labels) {
        int b = out.batch(), k = out.exampleSize(), c = 0;
        float[] z = out.data();
        for (int i = 0; i < b; i++) if (predict(z, i * k, k) == labels[i]) c++;
        return c;
    }
}
