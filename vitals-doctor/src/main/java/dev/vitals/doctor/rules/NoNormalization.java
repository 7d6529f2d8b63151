package dev.vitals.doctor.rules;

import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.core.train.LayerInfo;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.check.LintContext;

import java.util.List;
import java.util.Map;

/** A deep network (weight layers counted, nested ones included) with no batchnorm or layernorm anywhere. */
public final class NoNormalization extends Rule implements LintRule {
    static final int DEPTH = 5;

    @Override public Code code() { return Code.NO_NORMALIZATION; }

    @Override public Severity severity() { return Severity.WARNING; }

    @Override public String condition() {
        return "the model has at least " + DEPTH + " weight layers (dense, conv2d) and no batchnorm or layernorm; `vitals train` withdraws it where the run, "
                + "a classification, ended at least halfway from chance to a perfect score with no error and no sign of trouble through its layers "
                + "(vanishing or exploding gradients, a non-finite loss, a rate too high or too low, saturated or dead units, a plateau, underfitting, accuracy at chance)";
    }

    @Override public Map<String, Object> thresholds() { return Map.of("weight layers", DEPTH); }

    @Override public String basis() {
        return "the bundled healthy models have 2 to 4 weight layers (the fashion CNN: two conv2d and two dense) and train without normalisation; seed 002's "
                + "6-layer classifier and the casebook's 6-layer exploding and 11-layer vanishing networks have fixed twins that add batchnorm. At 5 weight layers "
                + "the scale errors of initialisation and activations compound over 4 hidden layers, the depth at which SATURATING_ACTIVATIONS and "
                + "INIT_MISMATCH also speak of a deep network";
    }

    @Override public String cause() {
        return "without normalisation, each layer's output scale depends on every layer before it, so small scale errors compound with depth and the usable learning rate narrows";
    }

    @Override public String fix() {
        return "add batchnorm after each hidden dense or conv2d layer (before its activation), or layernorm for small batches";
    }

    @Override
    public List<Finding> lint(LintContext ctx) {
        List<LayerInfo> w = ctx.weightLayers();
        ctx.measured().put("weight_layers", w.size());
        if (w.size() < DEPTH || Structure.normalised(ctx)) return List.of();
        return List.of(finding(Stage.LINT, null, null,
                w.size() + " weight layers (" + Structure.names(w) + ") and no batchnorm or layernorm: nothing holds each layer's input scale steady as the layers before it change",
                evidence("weight_layers", w.size(), "layers", Structure.paths(w), "normalisation_layers", 0)));
    }
}
