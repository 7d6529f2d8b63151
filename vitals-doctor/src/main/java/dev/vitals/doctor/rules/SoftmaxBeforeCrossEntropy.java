package dev.vitals.doctor.rules;

import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.core.train.LayerInfo;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.check.LintContext;
import dev.vitals.doctor.trace.Trace;

import java.util.List;
import java.util.Map;

/**
 * The model squashes its output with the function the loss applies itself: softmax before
 * cross_entropy (which takes logits and applies log-softmax), or sigmoid before
 * binary_cross_entropy (which takes logits and applies sigmoid). The loss then sees
 * softmax(softmax(z)) or sigmoid(sigmoid(z)): its inputs are confined to [0, 1], it can never be
 * confident, and its gradient shrinks.
 */
public final class SoftmaxBeforeCrossEntropy extends Rule implements LintRule, TraceRule {

    @Override public Code code() { return Code.SOFTMAX_BEFORE_CROSS_ENTROPY; }

    @Override public Severity severity() { return Severity.ERROR; }

    @Override public String condition() {
        return "the model's last layer (dropout aside) is softmax and the loss is cross_entropy, or is sigmoid and the loss is binary_cross_entropy. "
                + "In another trainer's log (vitals diagnose: the model unknown), at its end, a warning where the cross-entropy of " + HeldDown.FLOOR_CLASSES
                + " classes or more never fell below " + HeldDown.FLOOR_BELOW + " of ln(1 + (C - 1) / e), the lowest it reaches on probabilities, and ended within "
                + HeldDown.FLOOR_NEAR + " of it at training accuracy " + HeldDown.FLOOR_ACCURACY + " or more";
    }

    @Override public Map<String, Object> thresholds() { return Map.of(); }

    @Override public String basis() {
        return "both losses take logits, as PyTorch's CrossEntropyLoss and BCEWithLogitsLoss do. Squashed twice, the logits lie in [0, 1]: with C classes the right "
                + "class gets a probability of at most e/(e+C-1), so the loss cannot fall below ln((e+C-1)/e): 1.46 for 10 classes, 2.94 for 50 (where guessing scores 3.91); "
                + "sigmoid twice keeps probabilities in [0.5, 0.73], so a class-0 example never costs less than ln 2. Seed 002's 50-class document classifier had this bug";
    }

    @Override public String cause() {
        return "the model applies the output function the loss already applies: the loss is computed on probabilities as if they were logits";
    }

    @Override public String fix() {
        return "remove the final softmax/sigmoid layer: the loss applies it; apply softmax (or sigmoid) only when turning logits into probabilities for a prediction";
    }

    /**
     * From a log alone: the loss floored where a softmax before the loss floors it, at an accuracy
     * that would score well below it (PyTorch, softmax before CrossEntropyLoss on Fashion-MNIST: never
     * below 1.461 for 10 classes, 1.606 at 85.7% training accuracy; only its plateau was named).
     * A live run's model is known: the lint says it there.
     */
    @Override
    public List<Finding> evaluate(Trace t, Moment moment) {
        if (moment != Moment.END) return List.of();
        int classes = HeldDown.softmaxFloorInLog(t);
        if (classes == 0) return List.of();
        var last = t.epochs().getLast();
        double floor = Math.log(1 + (classes - 1) / Math.E);
        return List.of(finding(Stage.TRAIN, Severity.WARNING, null, t.stepsDone(last.steps()),
                "the training loss never fell below " + Numbers.fmt(floor) + ", the lowest cross-entropy reaches on probabilities for " + classes
                        + " classes, and ended at " + Numbers.fmt(last.trainLoss()) + " with training accuracy " + Numbers.pct(last.trainAccuracy())
                        + ": the loss looks computed on a softmax's output",
                evidence("classes", classes, "lowest_reachable_loss", floor, "loss_at_end", last.trainLoss(), "train_accuracy", last.trainAccuracy()),
                cause() + " (a model this accurate otherwise scores a loss well below that floor; unless the targets are smoothed or mixed on purpose: label smoothing, mixup)",
                "if the model ends in a softmax, remove it: PyTorch's CrossEntropyLoss and Keras' from_logits=True take raw scores and apply their own softmax"));
    }

    @Override
    public List<Finding> lint(LintContext ctx) {
        LayerInfo out = Structure.outputActivation(ctx);
        ctx.measured().put("output_activation", out == null ? "none" : out.kind());
        if (out == null) return List.of();
        String loss = ctx.spec().loss();
        int classes = ctx.output().length == 1 ? ctx.output()[0] : 0;
        if (out.kind().equals("softmax") && loss.equals("cross_entropy") && classes >= 2) {
            double lowest = Math.log((Math.E + classes - 1) / Math.E), chance = Math.log(classes);
            return List.of(finding(Stage.LINT, out.path(), null,
                    Structure.name(out) + " feeds cross_entropy, which applies its own log-softmax: the loss sees softmax(softmax(z)) and cannot fall below "
                            + Numbers.fmt(lowest) + " for " + classes + " classes (guessing scores " + Numbers.fmt(chance) + ")",
                    evidence("layer", out.path(), "kind", out.kind(), "loss", loss, "loss_applies", "log-softmax", "classes", classes,
                            "best_probability_reachable", Math.E / (Math.E + classes - 1), "lowest_reachable_loss", lowest, "loss_at_chance", chance)));
        }
        if (out.kind().equals("sigmoid") && loss.equals("binary_cross_entropy")) {
            double hi = 1 / (1 + Math.exp(-1));
            return List.of(finding(Stage.LINT, out.path(), null,
                    Structure.name(out) + " feeds binary_cross_entropy, which applies its own sigmoid: predicted probabilities stay between 0.5 and "
                            + Numbers.fmt(hi) + ", so a class-0 example never costs less than ln 2 = 0.693",
                    evidence("layer", out.path(), "kind", out.kind(), "loss", loss, "loss_applies", "sigmoid",
                            "probability_range", List.of(0.5, Numbers.round(hi)), "lowest_reachable_loss_class_0", Math.log(2),
                            "lowest_reachable_loss_class_1", -Math.log(hi))));
        }
        return List.of();
    }
}
