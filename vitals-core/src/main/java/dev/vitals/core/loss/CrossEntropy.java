package dev.vitals.core.loss;

import dev.vitals.core.Words;
import dev.vitals.core.tensor.Tensor;

/**
 * Softmax cross-entropy on logits, fused: {@code log-sum-exp(z) - z[y]} with the maximum subtracted,
 * so it never overflows, and gradient {@code softmax(z) - target}. With encoded targets t (one-hot,
 * or the -1/+1 mistake) the loss is {@code Σ t_k (lse - z_k)} and the gradient {@code p·Σt - t}.
 */
public final class CrossEntropy implements Loss {
    @Override public String key() { return "cross_entropy"; }

    @Override public boolean needsTargets(TargetEncoding e) { return e != TargetEncoding.INDEX; }

    @Override
    public void checkFits(int outputs, int classes, TargetEncoding encoding) {
        // every label 0: the data's fault, not the model's (the advice to change the outputs sent a user round in circles)
        if (classes == 1) {
            throw new IllegalArgumentException("cross_entropy needs two classes at least, but every label in the data is 0: one class, nothing to tell apart; "
                    + "check that the label is the last column, or that the export kept every class");
        }
        if (outputs < 2) {
            throw new IllegalArgumentException("cross_entropy needs one output per class, but the model has " + outputs
                    + " output; use binary_cross_entropy for a single output");
        }
        if (outputs != classes) {
            throw new IllegalArgumentException("cross_entropy needs one output per class: the data has " + Words.count(classes, "class")
                    + " but the model's last layer gives " + outputs + " outputs");
        }
    }

    @Override
    public double forward(Tensor output, int[] labels, float[] targets, Tensor grad) {
        int b = output.batch(), k = output.exampleSize();
        float[] z = output.data();
        float[] g = grad == null ? null : grad.data();
        double total = 0;
        float invB = 1f / b;
        for (int i = 0; i < b; i++) {
            int o = i * k;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) max = Math.max(max, z[o + j]);
            double sum = 0;
            for (int j = 0; j < k; j++) sum += Math.exp((double) z[o + j] - max); // in double: a float difference would round
            double lse = max + Math.log(sum);
            if (targets == null) {
                int y = labels[i];
                if (y < 0 || y >= k) throw new IllegalArgumentException("label " + y + " is outside the " + k + " classes the model predicts");
                total += lse - z[o + y];
                if (g != null) {
                    for (int j = 0; j < k; j++) g[o + j] = (float) (Math.exp(z[o + j] - lse)) * invB;
                    g[o + y] -= invB;
                }
            } else {
                double tsum = 0, tz = 0;
                for (int j = 0; j < k; j++) {
                    tsum += targets[o + j];
                    tz += targets[o + j] * (double) z[o + j];
                }
                total += tsum * lse - tz;
                if (g != null) {
                    for (int j = 0; j < k; j++) g[o + j] = (float) ((Math.exp(z[o + j] - lse) * tsum - targets[o + j]) * invB);
                }
            }
        }
        return total / b;
    }
}
