package dev.vitals.doctor.rules;

import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.core.train.LayerInfo;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.check.LintContext;

import java.util.List;
import java.util.Map;

/**
 * Batchnorm over flat features with batches too small to estimate their statistics: each feature is
 * normalised by the mean and variance of the batch's few values, a noise that swamps the signal in
 * training, and evaluation uses running averages of those noisy estimates. Over images a channel's
 * statistics pool the batch's pixels, so small batches are not flagged there.
 */
public final class BatchnormSmallBatch extends Rule implements LintRule {
    /** Batches below this size (flat features) are flagged. */
    static final int MIN_BATCH = 4;

    @Override public Code code() { return Code.BATCHNORM_SMALL_BATCH; }

    @Override public Severity severity() { return Severity.WARNING; }

    @Override public String condition() {
        return "a batchnorm layer over flat features (after a dense layer, not over image channels) with train.batch below " + MIN_BATCH
                + " (batch 1 is refused as bad input)";
    }

    @Override public Map<String, Object> thresholds() { return Map.of("batch below", MIN_BATCH); }

    @Override public String basis() {
        return "measured on digits, dense 96-48 with batchnorm, adam 1e-3, 6 epochs: test accuracy 79.7% at batch 2, 95.3% at 4, 96.4% at 8, 97.2% at 16, "
                + "against 96.9% without batchnorm at batch 2; spirals through dense 64-64 with batchnorm at batch 2: 43% against 99% without. "
                + "Wu and He (2018, group normalization) report batchnorm's error rising steeply as the batch shrinks below 8";
    }

    @Override public String cause() {
        return "batchnorm normalises each feature by the mean and variance of its batch: two or three values estimate neither, so training sees mostly that noise, "
                + "and evaluation's running averages of it fit neither";
    }

    @Override public String fix() {
        return "use layernorm (it normalises each example on its own), or a batch of 16 or more; vitals fix tries layernorm";
    }

    /** The batchnorm layers over flat features among {@code layers} where {@code batch} is too small for them; none otherwise (batch 1 is refused before). */
    static List<LayerInfo> tooSmall(List<LayerInfo> layers, int batch) {
        if (batch >= MIN_BATCH || batch < 2) return List.of();
        return layers.stream().filter(l -> l.kind().equals("batchnorm") && l.inputShape().length == 1).toList();
    }

    @Override
    public List<Finding> lint(LintContext ctx) {
        int batch = ctx.spec().train().batch();
        List<LayerInfo> flat = tooSmall(ctx.layers(), batch);
        if (flat.isEmpty()) return List.of();
        return List.of(finding(Stage.LINT, flat.get(0).path(), null,
                "batchnorm over flat features (" + Structure.names(flat) + ") at a batch of " + batch + ": each feature is normalised by the mean and variance of "
                        + batch + " values, estimates too noisy to normalise by",
                evidence("batch", batch, "layers", Structure.paths(flat), "minimum_batch", MIN_BATCH)));
    }
}
