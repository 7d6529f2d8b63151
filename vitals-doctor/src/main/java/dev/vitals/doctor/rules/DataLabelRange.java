package dev.vitals.doctor.rules;

import dev.vitals.core.Words;

import dev.vitals.core.data.Dataset;
import dev.vitals.core.loss.TargetEncoding;
import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.core.spec.Spec;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.check.DataContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Labels the model cannot be trained on: values that are not class indices (fractions, negative
 * numbers), or class indices beyond what the model's outputs stand for. Labels are judged as read,
 * in every split; NaN labels are {@link DataNonFinite}'s. Which range fits depends on the loss and
 * the target encoding the spec chose:
 * <ul>
 * <li>cross_entropy, and any loss with one-hot or -1/+1 targets: one output per class, labels 0..outputs-1;</li>
 * <li>binary_cross_entropy with index targets and one output: labels 0 or 1;</li>
 * <li>mse with index targets and one output regresses the label value: whole numbers below
 *     {@link Dataset#MAX_CLASSES}, since the engine takes labels as class indices, so fractions,
 *     negative values and larger numbers (a price, a typo such as 1e9) still cannot be learned.</li>
 * </ul>
 */
public final class DataLabelRange extends Rule implements DataRule {
    static final int SHOWN = 5;

    @Override public Code code() { return Code.DATA_LABEL_RANGE; }

    @Override public Severity severity() { return Severity.ERROR; }

    @Override public String condition() {
        return "a finite label in any split is not a non-negative integer, or lies outside the classes the outputs stand for: 0..outputs-1 for cross_entropy and for "
                + "one-hot or -1/+1 targets, 0..1 for binary_cross_entropy with one output, and below 2^20 for mse with index targets and one output (which regresses whole-number labels)";
    }

    @Override public Map<String, Object> thresholds() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("labels out of range tolerated", 0);
        m.put("values shown", SHOWN);
        return m;
    }

    @Override public String basis() {
        return "none tolerated: a label outside the outputs has no output to be scored against (cross-entropy cannot be computed for it; "
                + "one-hot encoding leaves its row all zero), and the engine stores labels as class indices, so a fraction or a negative value becomes 'no class'";
    }

    @Override public String cause() {
        return "labels are numbered differently from the model's outputs: 1-based class numbers, -1/+1 or other codes, a regression target, or a model with fewer outputs than the data has classes";
    }

    @Override public String fix() {
        return "map the labels to 0..C-1 (subtract 1 from 1-based labels; map -1/+1 to 0/1) or give the last dense layer one output per class; "
                + "Vitals trains on class indices: mse with one output regresses whole-number labels below 2^20 (counts), not real-valued or negative targets";
    }

    /** The largest label the loss can use, or -1 when only non-negative integers are required. */
    static int maxLabel(Spec spec, int outputs) {
        if (outputs < 1) return -1;
        TargetEncoding t = spec.data().targets();
        return switch (spec.loss()) {
            case "cross_entropy" -> outputs >= 2 ? outputs - 1 : -1;        // one output: the loss check explains it
            case "binary_cross_entropy" -> t != TargetEncoding.INDEX ? outputs - 1 : outputs == 1 ? 1 : -1;
            case "mse" -> t != TargetEncoding.INDEX ? outputs - 1 : -1;
            default -> -1;
        };
    }

    @Override
    public List<Finding> check(DataContext ctx) {
        int hi = maxLabel(ctx.spec(), ctx.outputs());
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        long nonInteger = 0, negative = 0, above = 0, total = 0;
        boolean onlyPlusMinusOne = true;
        Map<String, Object> badBySplit = new LinkedHashMap<>();
        List<String> shown = new ArrayList<>();
        for (DataSplits.Named s : DataSplits.of(ctx.data())) {
            long bad = 0;
            float[] y = s.data().labelValues();
            for (int i = 0; i < y.length; i++) {
                float v = y[i];
                if (!Float.isFinite(v)) continue;
                total++;
                min = Math.min(min, v);
                max = Math.max(max, v);
                if (v != 1 && v != -1) onlyPlusMinusOne = false;
                // counted apart, so that -10.43 is both a fraction and negative in the evidence
                boolean fraction = v != Math.rint(v), below = v < 0, tooHigh = hi >= 0 ? v > hi : v >= Dataset.MAX_CLASSES;
                if (fraction) nonInteger++;
                if (below) negative++;
                if (tooHigh) above++;
                if (fraction || below || tooHigh) {
                    bad++;
                    if (shown.size() < SHOWN) shown.add(DataSplits.example(ctx.data(), s.name(), i, -1) + ": " + Numbers.fmt(v) + named(s.data(), v));
                }
            }
            badBySplit.put(s.name(), bad);
        }
        if (total == 0) return List.of();
        ctx.measured().put("label_min", min);
        ctx.measured().put("label_max", max);
        ctx.measured().put("outputs", ctx.outputs());
        long bad = 0;
        for (Object b : badBySplit.values()) bad += (Long) b;
        if (bad == 0) return List.of();
        String range = hi < 0 ? "whole numbers 0.." + (Dataset.MAX_CLASSES - 1) : "0.." + hi;
        boolean oneBased = nonInteger == 0 && negative == 0 && min == 1 && hi >= 1 && max == hi + 1;
        boolean plusMinus = onlyPlusMinusOne && min == -1;
        // word labels are numbered in sorted order: the numbers alone never show a label the user wrote
        List<String> names = ctx.data().train().classNames();
        String words = names.isEmpty() ? "" : " (" + Words.count(names.size(), "class name") + " in sorted order, '" + names.getFirst() + "' to '" + names.getLast() + "')";
        StringBuilder msg = new StringBuilder("labels run from " + Numbers.fmt(min) + " to " + Numbers.fmt(max) + words + " but ");
        if (hi < 0) msg.append("must be whole numbers from 0 to ").append(Dataset.MAX_CLASSES - 1).append(" (class indices, which mse with one output regresses)");
        else if (ctx.outputs() == 1 && hi == 0) {
            msg.append("the model's single output under ").append(ctx.spec().loss()).append(" with ").append(ctx.spec().data().targets().key())
                    .append(" targets stands for class 0 only (one column per class)");
        } else if (ctx.outputs() == 1) msg.append("the model's single output under ").append(ctx.spec().loss()).append(" stands for classes 0 and 1");
        else msg.append("the model's ").append(ctx.outputs()).append(" outputs under ").append(ctx.spec().loss()).append(" stand for classes ").append(range);
        msg.append(": ").append(bad).append(" of ").append(total).append(" (").append(Numbers.pct((double) bad / total)).append(")");
        msg.append(nonInteger == bad ? " are not integers" : " are out of range");
        if (oneBased) msg.append("; labels look 1-based");
        if (plusMinus) msg.append("; labels look like -1/+1 codes");
        // the label left in the first column (a file exported label first): there a handful of values, as classes have
        int firstColumnValues = nonInteger == bad ? distinctFirstColumn(ctx.data().train(), Math.max(2, ctx.outputs())) : -1;
        if (firstColumnValues > 0) {
            msg.append("; the first column takes only ").append(firstColumnValues).append(" values, as class labels do: if it is the label, move it to the last column");
        }
        return List.of(finding(Stage.DATA, null, null, msg.toString(),
                evidence("min_label", min, "max_label", max, "expected", range, "outputs", ctx.outputs(), "loss", ctx.spec().loss(),
                        "targets", ctx.spec().data().targets().key(), "out_of_range", bad, "not_integer", nonInteger, "negative", negative,
                        "above_range", above, "by_split", badBySplit, "looks_one_based", oneBased, "first_values", shown)));
    }

    /**
     * How many distinct values the first feature takes over {@code d}, where that is 2 to {@code most}
     * (in 20 examples or more, of 2 features or more: a label left in the first column, which
     * normalisation rescales but does not make take more values); -1 otherwise.
     */
    static int distinctFirstColumn(Dataset d, int most) {
        int f = d.features();
        if (d.exampleShape().rank() != 1 || f < 2 || d.size() < 20) return -1;
        java.util.Set<Float> seen = new java.util.HashSet<>();
        float[] x = d.x();
        for (int i = 0; i < d.size(); i++) {
            seen.add(x[i * f]);
            if (seen.size() > most) return -1;
        }
        return seen.size() >= 2 ? seen.size() : -1;
    }

    /** " ('dog')" for a label numbered from a word, else nothing. */
    private static String named(Dataset d, float v) {
        List<String> n = d.classNames();
        int c = (int) v;
        return v == c && c >= 0 && c < n.size() && !n.get(c).equals(Integer.toString(c)) ? " ('" + n.get(c) + "')" : "";
    }
}
