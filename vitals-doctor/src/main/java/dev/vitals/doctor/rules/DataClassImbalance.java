package dev.vitals.doctor.rules;

import dev.vitals.core.Words;

import dev.vitals.core.data.Dataset;
import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.core.train.RunInfo;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.check.DataContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One class dwarfs another in the training split: the largest class has at least {@link #RATIO}
 * times the examples of the smallest class present. Classes with no training example at all are
 * listed but not judged (labels that miss the model's classes are {@link DataLabelRange}'s). Not
 * judged when the loss regresses the label value (mse, index targets, one output).
 */
public final class DataClassImbalance extends Rule implements DataRule {
    static final double RATIO = 10;

    @Override public Code code() { return Code.DATA_CLASS_IMBALANCE; }

    @Override public Severity severity() { return Severity.WARNING; }

    @Override public String condition() {
        return "in the training split, the largest class has at least " + (int) RATIO + " times as many examples as the smallest class present; "
                + "an error when only one class is present; a warning when a class of the validation or test split has no training example; not judged while labels lie outside the classes (DATA_LABEL_RANGE's)";
    }

    @Override public Map<String, Object> thresholds() { return Map.of("largest over smallest class", RATIO); }

    @Override public String basis() {
        return "at 10:1 a model that always answers the majority class already scores 91% on two classes, and the smaller class contributes under a tenth of the "
                + "gradient; the bundled sets measure at most 1.69:1 (breast-cancer, 243 benign to 144 malignant training examples; 357:212 in all), wine 1.5:1, "
                + "digits 1.05:1, iris and fashion-mnist 1:1";
    }

    @Override public String cause() {
        return "the data collects far more examples of some classes than of others (rare events, a filtered or truncated source)";
    }

    @Override public String fix() {
        return "judge the model by per-class recall or balanced accuracy, not accuracy; collect or oversample examples of the small classes, or undersample the large ones";
    }

    @Override
    public List<Finding> check(DataContext ctx) {
        if (RunInfo.regressesLabels(ctx.spec().loss(), ctx.spec().data().targets().key(), ctx.outputs())) return List.of();
        Dataset train = ctx.data().train();
        int[] counts = train.classCounts();
        long counted = 0;
        for (int c : counts) counted += c;
        // labels outside the classes (-1/+1 codes: the -1s) are DATA_LABEL_RANGE's to name; the shares of
        // the rest are no class balance ("every one is class 1" of a 50/50 set)
        if (counted < train.size()) return List.of();
        int big = -1, small = -1;
        List<String> empty = new ArrayList<>();
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] == 0) {
                empty.add(name(train, c));
                continue;
            }
            if (big < 0 || counts[c] > counts[big]) big = c;
            if (small < 0 || counts[c] < counts[small]) small = c;
        }
        if (big < 0) return List.of();
        if (empty.size() == counts.length - 1) {
            // every training label is the same: a model scores 100% by ignoring its inputs, and its
            // gradients soon vanish; with binary_cross_entropy such a run trained "healthy"
            return List.of(finding(Stage.DATA, Severity.ERROR, null, null,
                    "every one of the " + counts[big] + " training examples is class " + name(train, big) + ": there is nothing to tell apart",
                    evidence("only_class", name(train, big), "count", counts[big], "classes_without_examples", empty),
                    "the labels were lost or overwritten (a constant column read as the label, a filter that kept one class), or the wrong column is the label",
                    "check the label column (the last in a CSV): a classifier needs examples of at least two classes"));
        }
        // a class the held-out splits have and training has not: the model cannot learn it, and each of
        // its examples is scored as an error (digits without a 9 in training, 9s in the test set: "healthy")
        Map<String, Object> unseen = new LinkedHashMap<>();
        for (Dataset held : new Dataset[] {ctx.data().validation(), ctx.data().test()}) {
            if (held == null) continue;
            int[] hc = held.classCounts();
            for (int c = 0; c < hc.length; c++) {
                if (hc[c] > 0 && (c >= counts.length || counts[c] == 0)) unseen.merge(name(held, c), hc[c], (a, b) -> (Integer) a + (Integer) b);
            }
        }
        if (!unseen.isEmpty()) {
            var first = unseen.entrySet().iterator().next();
            return List.of(finding(Stage.DATA, Severity.WARNING, null, null,
                    "class " + first.getKey() + " has no training examples but " + first.getValue() + " held-out ones"
                            + (unseen.size() > 1 ? " (and " + Words.count(unseen.size() - 1, "other class") + " alike)" : "")
                            + ": the model cannot learn it, and each of them is scored as an error",
                    evidence("held_out_examples_of_classes_not_in_training", unseen, "training_examples_by_class", counts.length <= 50 ? byClass(train, counts) : "(" + counts.length + " classes)"),
                    "the split or the source left a class out of training (a filter, a partial download, a split by label)",
                    "give every class training examples (data.validation splits by class; check the source), or leave the class out of the held-out splits"));
        }
        double ratio = (double) counts[big] / counts[small];
        ctx.measured().put("class_ratio_largest_to_smallest", ratio);
        if (ratio < RATIO) return List.of();
        int total = 0;
        for (int c : counts) total += c;
        Map<String, Object> byClass = byClass(train, counts);
        double share = (double) counts[big] / total;
        return List.of(finding(Stage.DATA, null, null,
                "class " + name(train, big) + " has " + counts[big] + " training examples and class " + name(train, small) + " only " + counts[small]
                        + " (" + Numbers.fmt(ratio) + ":1); always answering " + name(train, big) + " would score " + Numbers.pct(share),
                evidence("largest_class", name(train, big), "largest_count", counts[big], "smallest_class", name(train, small), "smallest_count", counts[small],
                        "ratio", ratio, "majority_share", share, "examples_by_class", byClass, "classes_without_examples", empty)));
    }

    private static Map<String, Object> byClass(Dataset d, int[] counts) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int c = 0; c < counts.length; c++) m.put(name(d, c), counts[c]);
        return m;
    }

    private static String name(Dataset d, int c) {
        List<String> n = d.classNames();
        return c < n.size() && !n.get(c).equals(Integer.toString(c)) ? c + " (" + n.get(c) + ")" : Integer.toString(c);
    }
}
