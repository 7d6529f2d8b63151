package dev.vitals.doctor.rules;

import dev.vitals.core.Words;
import dev.vitals.core.data.Dataset;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.core.report.Finding;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.check.DataContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NaN or infinity anywhere the model will look: in the inputs of any split, or in the label values.
 * One such value in a batch makes that step's loss and every gradient NaN, and the run is lost. The
 * normaliser's statistics skip non-finite values, so they reach the model unchanged and are counted
 * here as the model will see them.
 */
public final class DataNonFinite extends Rule implements DataRule {
    static final int TOLERATED = 0, SHOWN = 5;

    @Override public Code code() { return Code.DATA_NONFINITE; }

    @Override public Severity severity() { return Severity.ERROR; }

    @Override public String condition() {
        return "more than " + TOLERATED + " input values or label values of the training, validation or test split are NaN or infinite (the first "
                + SHOWN + " positions are shown)";
    }

    @Override public Map<String, Object> thresholds() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("non-finite values tolerated", TOLERATED);
        m.put("positions shown", SHOWN);
        return m;
    }

    @Override public String basis() {
        return "none tolerated: one NaN in a batch turns that step's loss and all gradients into NaN, and the optimizer writes NaN into every weight";
    }

    @Override public String cause() {
        return "the source holds missing or corrupt values: empty or unparsable cells, a division by zero or log of zero in preprocessing, an overflowing conversion";
    }

    @Override public String fix() {
        return "remove or impute the affected examples before training (e.g. the feature's training median), and find the step of the data preparation that produces them";
    }

    @Override
    public List<Finding> check(DataContext ctx) {
        Map<String, Object> nanBySplit = new LinkedHashMap<>(), infBySplit = new LinkedHashMap<>(),
                examplesBySplit = new LinkedHashMap<>(), labelsBySplit = new LinkedHashMap<>();
        List<String> first = new ArrayList<>();
        long nans = 0, infs = 0, labels = 0;
        for (DataSplits.Named s : DataSplits.of(ctx.data())) {
            Dataset d = s.data();
            float[] x = d.x();
            int f = d.features();
            long nan = 0, inf = 0, examples = 0;
            for (int i = 0; i < d.size(); i++) {
                boolean bad = false;
                for (int j = i * f, end = j + f; j < end; j++) {
                    float v = x[j];
                    if (Float.isFinite(v)) continue;
                    if (Float.isNaN(v)) nan++;
                    else inf++;
                    bad = true;
                    if (first.size() < SHOWN) first.add(DataSplits.example(ctx.data(), s.name(), i, j - i * f) + ", " + DataSplits.position(ctx.data(), d, j - i * f) + ": " + v);
                }
                if (bad) examples++;
            }
            long badLabels = 0;
            float[] y = d.labelValues();
            for (int i = 0; i < y.length; i++) {
                if (Float.isFinite(y[i])) continue;
                badLabels++;
                if (first.size() < SHOWN) first.add(DataSplits.example(ctx.data(), s.name(), i, -1) + ", label: " + y[i]);
            }
            nanBySplit.put(s.name(), nan);
            infBySplit.put(s.name(), inf);
            examplesBySplit.put(s.name(), examples);
            labelsBySplit.put(s.name(), badLabels);
            nans += nan;
            infs += inf;
            labels += badLabels;
        }
        ctx.measured().put("nonfinite_inputs", nans + infs);
        ctx.measured().put("nonfinite_labels", labels);
        if (nans + infs + labels <= TOLERATED) return List.of();
        StringBuilder msg = new StringBuilder();
        if (nans + infs > 0) {
            msg.append(nans + infs).append(" input value").append(nans + infs == 1 ? " is" : "s are").append(" NaN or infinite (")
                    .append(describe(nanBySplit, infBySplit, examplesBySplit)).append(")");
        }
        if (labels > 0) {
            if (!msg.isEmpty()) msg.append(" and ");
            msg.append(labels).append(" label").append(labels == 1 ? " is" : "s are").append(" NaN or infinite");
        }
        msg.append("; the first at ").append(first.get(0));
        return List.of(finding(Stage.DATA, null, null, msg.toString(),
                evidence("nan_inputs", nanBySplit, "infinite_inputs", infBySplit, "examples_affected", examplesBySplit,
                        "nonfinite_labels", labelsBySplit, "first_positions", first)));
    }

    private static String describe(Map<String, Object> nan, Map<String, Object> inf, Map<String, Object> examples) {
        List<String> parts = new ArrayList<>();
        for (String s : nan.keySet()) {
            long n = (Long) nan.get(s) + (Long) inf.get(s);
            if (n > 0) parts.add(s + ": " + n + " in " + Words.count((Long) examples.get(s), "example"));
        }
        return String.join(", ", parts);
    }
}
