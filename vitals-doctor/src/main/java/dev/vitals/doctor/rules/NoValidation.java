package dev.vitals.doctor.rules;

import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.check.LintContext;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Nothing measures generalisation: no validation split and no test split (warning), or a test
 * split only, which is read once at the end and cannot steer training (info). Silent for training
 * sets too small to hold anything out.
 */
public final class NoValidation extends Rule implements LintRule {
    static final int MIN_TRAIN = 50;

    @Override public Code code() { return Code.NO_VALIDATION; }

    @Override public Severity severity() { return Severity.WARNING; }

    @Override public String condition() {
        return "the data has neither a validation nor a test split (warning), or a test split but no validation split (info); not judged for fewer than "
                + MIN_TRAIN + " training examples";
    }

    @Override public Map<String, Object> thresholds() { return Map.of("minimum training examples", MIN_TRAIN); }

    @Override public String basis() {
        return "below 50 examples a 20% hold-out has fewer than 10, whose accuracy moves in steps of 10 points or more: too coarse to measure generalisation "
                + "(xor's 4 points are the whole task). Seed 002's classifier had no validation and its overfitting went unseen";
    }

    @Override public String cause() { return "no data is held out from training, so overfitting and a run that stopped generalising look like progress"; }

    @Override public String fix() { return "hold out validation data: data.validation: 0.1 (or 0.2), and keep a test split for the final score"; }

    @Override
    public List<Finding> lint(LintContext ctx) {
        ctx.measured().put("validation_examples", ctx.validationSize());
        ctx.measured().put("test_examples", ctx.testSize());
        if (ctx.trainSize() < MIN_TRAIN || ctx.validationSize() > 0) return List.of();
        Map<String, Object> ev = evidence("setting", "data.validation", "validation", ctx.spec().data().validation(),
                "training_examples", ctx.trainSize(), "validation_examples", 0, "test_examples", ctx.testSize());
        if (ctx.testSize() > 0) {
            return List.of(finding(Stage.LINT, Severity.INFO, null, null,
                    "no validation split: only the " + ctx.testSize() + " test examples, read once after training, measure generalisation; nothing watches it during training",
                    ev, "training runs without a validation split, so overfitting and early stopping cannot be judged while it runs",
                    "hold out validation data (data.validation: 0.1) to watch generalisation per epoch and to use train.early_stop"));
        }
        return List.of(finding(Stage.LINT, null, null,
                "no validation and no test split: nothing measures how the model does on examples it was not trained on (" + ctx.trainSize() + " training examples)",
                new LinkedHashMap<>(ev)));
    }
}
