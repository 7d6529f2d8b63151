package dev.vitals.core.loss;

import dev.vitals.core.tensor.Tensor;

/** Mean squared error over all output values, {@code mean((z - t)²)}, gradient {@code 2(z - t) / count}. */
public final class MeanSquaredError implements Loss {
    @Override public String key() { return "mse"; }

    @Override public boolean needsTargets(TargetEncoding e) { return true; }

    @Override
    public void checkFits(int outputs, int classes, TargetEncoding encoding) {
        if (encoding == TargetEncoding.INDEX && outputs != 1) {
            throw new IllegalArgumentException("mse with index targets regresses the label value and needs a single output, but the model gives "
                    + outputs + "; use targets: onehot (or cross_entropy)");
        }
        if (encoding != TargetEncoding.INDEX && outputs != classes) {
            throw new IllegalArgumentException("mse with " + encoding.key() + " targets needs one output per class: the data has "
                    + classes + " classes but the model gives " + outputs + " outputs");
        }
    }

    @Override
    public double forward(Tensor output, int[] labels, float[] targets, Tensor grad) {
        int n = output.size();
        float[] z = output.data();
        float[] g = grad == null ? null : grad.data();
        float scale = 2f / n;
        double total = 0;
        for (int i = 0; i < n; i++) {
            double d = (double) z[i] - targets[i];
            total += d * d;
            if (g != null) g[i] = (float) d * scale;
        }
        return total / n;
    }
}
