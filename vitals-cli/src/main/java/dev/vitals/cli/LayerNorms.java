package dev.vitals.cli;

import dev.vitals.core.train.LayerInfo;
import dev.vitals.core.train.ParamStats;
import dev.vitals.core.train.RunInfo;

import java.util.Arrays;
import java.util.List;

/**
 * What the logs record of an observed step's parameters: the gradient norm of each weight layer's
 * parameters (dense and conv2d, {@code grad_norm/layers.0.weight}), the tensors the live rules compare
 * (a layer's weight against another's: its bias's gradient, alive where the weights' has died, read
 * as a vanishing gradient when summed in) and their update/weight ratios (the applied update's norm
 * over the parameter's), and each layer's gradient norm and update/weight ratio over all its
 * parameters (the picture's per-layer lines).
 */
final class LayerNorms {
    /** Per parameter, its log names ({@code grad_norm/NAME}, {@code update_ratio/NAME}) where its layer is a weight layer, else null. */
    final String[] gradTags, updateTags;
    /** Per layer, its name where it has parameters ({@code layers.0}, as findings name it), else null. */
    final String[] names;
    private final double[] gradSq, updateSq, valueSq;

    LayerNorms(RunInfo run) {
        List<LayerInfo> layers = run.layers();
        names = new String[layers.size()];
        for (int i = 0; i < names.length; i++) if (!layers.get(i).parameters().isEmpty()) names[i] = layers.get(i).path();
        gradTags = new String[run.parameters().size()];
        updateTags = new String[gradTags.length];
        for (LayerInfo l : layers) {
            if (!l.kind().equals("dense") && !l.kind().equals("conv2d")) continue;
            for (String p : l.parameters()) {
                int i = run.parameters().indexOf(p);
                if (i < 0) continue;
                gradTags[i] = "grad_norm/" + p;
                updateTags[i] = "update_ratio/" + p;
            }
        }
        gradSq = new double[names.length];
        updateSq = new double[names.length];
        valueSq = new double[names.length];
    }

    void measure(ParamStats[] params) {
        Arrays.fill(gradSq, 0);
        Arrays.fill(updateSq, 0);
        Arrays.fill(valueSq, 0);
        for (ParamStats p : params) {
            if (p.layer < 0) continue;  // a parameter no layer of the model owns: nothing to sum it into
            gradSq[p.layer] += p.gradNorm * p.gradNorm;
            updateSq[p.layer] += p.updateNorm * p.updateNorm;
            valueSq[p.layer] += p.valueNorm * p.valueNorm;
        }
    }

    /** The layer's gradient norm over all its parameters (the picture's per-layer line). */
    double grad(int layer) { return Math.sqrt(gradSq[layer]); }

    /** A parameter's applied update's norm over its norm before it; NaN for a parameter all zero (a bias at its start). */
    static double updateRatio(ParamStats p) { return p.valueNorm > 0 ? p.updateNorm / p.valueNorm : Double.NaN; }

    /** The applied update's norm over the weights' norm before it; NaN for weights all zero. */
    double updateRatio(int layer) { return valueSq[layer] > 0 ? Math.sqrt(updateSq[layer] / valueSq[layer]) : Double.NaN; }
}
