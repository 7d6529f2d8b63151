package dev.vitals.core.loss;

import dev.vitals.core.nn.MathUtil;
import dev.vitals.core.tensor.Tensor;

/**
 * Binary cross-entropy on logits (sigmoid inside, as PyTorch's BCEWithLogitsLoss), per output value,
 * averaged over all values: {@code softplus(z) - t·z}, gradient {@code (σ(z) - t) / count}.
 * One output with 0/1 labels, or one output per class with one-hot targets.
 */
public final class BinaryCrossEntropy implements Loss {
    @Override public String key() { return "binary_cross_entropy"; }

    @Override public boolean needsTargets(TargetEncoding e) { return true; }

    @Override
    public void checkFits(int outputs, int classes, TargetEncoding encoding) {
        if (encoding == TargetEncoding.INDEX) {
            if (outputs != 1) {
                throw new IllegalArgumentException("binary_cross_entropy with index targets needs a single output, but the model gives "
                        + outputs + "; use cross_entropy for " + classes + " classes, or targets: onehot");
            }
            if (classes > 2) {
                throw new IllegalArgumentException("binary_cross_entropy with a single output fits two classes, but the data has "
                        + classes + "; use cross_entropy with one output per class");
            }
        } else if (outputs != classes) {
            throw new IllegalArgumentException("binary_cross_entropy with " + encoding.key() + " targets needs one output per class: the data has "
                    + classes + " classes but the model gives " + outputs + " outputs");
        }
    }

    @Override
    public double forward(Tensor output, int[] labels, float[] targets, Tensor grad) {
        int n = output.size();
        float[] z = output.data();
        float[] g = grad == null ? null : grad.data();
        float inv = 1f / n;
        double total = 0;
        for (int i = 0; i < n; i++) {
            double t = targets[i], v = z[i];
            total += MathUtil.softplus(v) - t * v;
            if (g != null) g[i] = (float) ((MathUtil.sigmoid(z[i]) - t) * inv);
        }
        return total / n;
    }
}
