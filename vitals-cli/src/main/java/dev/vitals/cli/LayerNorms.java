package dev.vitals.cli;

import dev.vitals.core.train.LayerInfo;
import dev.vitals.core.train.ParamStats;
import dev.vitals.core.train.RunInfo;

import java.util.Arrays;
import java.util.List;

/**
 * Per-layer norms of an observed step, summed over the layer's parameters (a dense layer's weight
 * and bias together), for the logs: what a PyTorch user logs as a layer's gradient norm.
 */
final class LayerNorms {
    /** The names of the layers with parameters, as findings name them ({@code layers.0}); null for the others. */
    final String[] names;
    private final double[] gradSq, updateSq, valueSq;

    LayerNorms(RunInfo run) {
        List<LayerInfo> layers = run.layers();
        names = new String[layers.size()];
        for (int i = 0; i < names.length; i++) if (!layers.get(i).parameters().isEmpty()) names[i] = layers.get(i).path();
        gradSq = new double[names.length];
        updateSq = new double[names.length];
        valueSq = new double[names.length];
    }

    void measure(ParamStats[] params) {
        Arrays.fill(gradSq, 0);
        Arrays.fill(updateSq, 0);
        Arrays.fill(valueSq, 0);
        for (ParamStats p : params) {
            gradSq[p.layer] += p.gradNorm * p.gradNorm;
            updateSq[p.layer] += p.updateNorm * p.updateNorm;
            valueSq[p.layer] += p.valueNorm * p.valueNorm;
        }
    }

    double grad(int layer) { return Math.sqrt(gradSq[layer]); }

    /** The applied update's norm over the weights' norm before it; NaN for weights all zero. */
    double updateRatio(int layer) { return valueSq[layer] > 0 ? Math.sqrt(updateSq[layer] / valueSq[layer]) : Double.NaN; }
}
