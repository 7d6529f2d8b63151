package dev.vitals.doctor.rules;

import dev.vitals.core.data.Dataset;
import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.check.DataContext;

import java.util.List;
import java.util.Map;

/**
 * Every training example has the same inputs: whatever the labels, the model can learn nothing but
 * their shares. A loader that returns blank images, a join that filled every row alike, or the wrong
 * column read each do this; the probes then report its consequences (a batch that cannot be
 * memorised, dead units, labels that "do not belong") without saying why.
 */
public final class DataConstantInputs extends Rule implements DataRule {
    static final int MIN_EXAMPLES = 2;

    @Override public Code code() { return Code.DATA_CONSTANT_INPUTS; }

    @Override public Severity severity() { return Severity.ERROR; }

    @Override public String condition() {
        return "the training split has at least " + MIN_EXAMPLES + " examples and every input value (feature, or pixel of an image) is the same in all of them, non-finite values aside";
    }

    @Override public Map<String, Object> thresholds() { return ordered("training examples at least", MIN_EXAMPLES); }

    @Override public String basis() {
        return "exact: inputs without any spread carry no information; 600 rows of 1,2 with balanced labels were reported as a batch the model cannot memorise "
                + "(a bug between the loss and the weights), dead ReLU units and labels that do not belong to their inputs, and nothing at the data step";
    }

    @Override public String cause() {
        return "the inputs were lost before the model: a loader that returns blank images, a join or a fill that gave every row the same values, the wrong columns read";
    }

    @Override public String fix() { return "look at a few training examples as the loader returns them: they must differ; then fix the loading"; }

    @Override
    public List<Finding> check(DataContext ctx) {
        Dataset train = ctx.data().train();
        int n = train.size(), f = train.features();
        if (n < MIN_EXAMPLES || f == 0) return List.of();
        float[] x = train.x();
        float[] first = new float[f];
        boolean[] seen = new boolean[f];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < f; k++) {
                float v = x[i * f + k];
                if (!Float.isFinite(v)) continue;
                if (!seen[k]) {
                    seen[k] = true;
                    first[k] = v;
                } else if (v != first[k]) {
                    return List.of();
                }
            }
        }
        ctx.measured().put("inputs_constant", true);
        return List.of(finding(Stage.DATA, null, null,
                "every one of the " + n + " training examples has the same " + (train.exampleShape().rank() > 1 ? "image" : f == 1 ? "input" : f + " input values")
                        + ": the inputs carry nothing to learn from",
                evidence("training_examples", n, "input_values_per_example", f, "distinct_inputs", 1)));
    }
}
