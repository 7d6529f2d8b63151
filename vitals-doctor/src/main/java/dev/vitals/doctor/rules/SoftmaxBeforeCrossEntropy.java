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
                + "In another trainer's log (vitals diagnose: the model unknown), at its end, a warning where the cross-entropy of " + FLOOR_CLASSES
                + " classes or more never fell below " + FLOOR_BELOW + " of ln(1 + (C - 1) / e), the lowest it reaches on probabilities, and ended within "
                + FLOOR_NEAR + " of it at training accuracy " + FLOOR_ACCURACY + " or more";
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

    /** The lowest cross-entropy reaches when it is given probabilities for {@code classes} classes: ln(1 + (C - 1) / e). */
    static double floor(int classes) { return Math.log(1 + (classes - 1) / Math.E); }

    /** Never below this share of the floor, ended within this multiple of it, at this training accuracy or more, from this many classes. */
    static final double FLOOR_BELOW = 0.98, FLOOR_NEAR = 1.25, FLOOR_ACCURACY = 0.8;
    static final int FLOOR_CLASSES = 5;

    /** What a user of another trainer does about it: the model there is not a spec this tool can edit. */
    static final String LOG_FIX = "if the model ends in a softmax, remove it: PyTorch's CrossEntropyLoss and Keras' from_logits=True take raw scores and apply their own softmax";

    /**
     * A log's classes (its model unknown) where its cross-entropy never fell below {@link #floor} and
     * ended near it while training accuracy is high: a model that accurate scores a loss well below it
     * otherwise (PyTorch, softmax before CrossEntropyLoss on Fashion-MNIST: 1.617 at 86%, floor 1.461);
     * 0 otherwise. Five classes or more, where the floor is far from what an accurate model's loss
     * would be. The epochs are read first: a healthy log fails there, before its steps are scanned.
     */
    static int flooredInLog(Trace t) {
        if (t.info() == null || dev.vitals.doctor.trace.Curves.live(t) || !"cross_entropy".equals(t.info().loss())) return 0;
        int c = t.info().classes();
        List<dev.vitals.core.train.EpochResult> ep = t.epochs();
        if (c < FLOOR_CLASSES || ep.isEmpty() || !(ep.getLast().trainAccuracy() >= FLOOR_ACCURACY)) return 0;
        double floor = floor(c);
        if (!(ep.getLast().trainLoss() <= FLOOR_NEAR * floor)) return 0;
        for (var e : ep) if (e.trainLoss() < FLOOR_BELOW * floor) return 0;
        for (int i = 0; i < t.steps(); i++) if (t.loss(i) < FLOOR_BELOW * floor) return 0;
        return c;
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
        int classes = flooredInLog(t);
        if (classes == 0) return List.of();
        var last = t.epochs().getLast();
        double floor = floor(classes);
        return List.of(finding(Stage.TRAIN, Severity.WARNING, null, t.stepsDone(last.steps()),
                "the training loss never fell below " + Numbers.fmt(floor) + ", the lowest cross-entropy reaches on probabilities for " + classes
                        + " classes, and ended at " + Numbers.fmt(last.trainLoss()) + " with training accuracy " + Numbers.pct(last.trainAccuracy())
                        + ": the loss looks computed on a softmax's output",
                evidence("classes", classes, "lowest_reachable_loss", floor, "loss_at_end", last.trainLoss(), "train_accuracy", last.trainAccuracy()),
                cause() + " (a model this accurate otherwise scores a loss well below that floor; unless the targets are smoothed or mixed on purpose: label smoothing, mixup)",
                LOG_FIX));
    }

    @Override
    public List<Finding> lint(LintContext ctx) {
        LayerInfo out = Structure.outputActivation(ctx);
        ctx.measured().put("output_activation", out == null ? "none" : out.kind());
        if (out == null) return List.of();
        String loss = ctx.spec().loss();
        int classes = ctx.output().length == 1 ? ctx.output()[0] : 0;
        if (out.kind().equals("softmax") && loss.equals("cross_entropy") && classes >= 2) {
            double lowest = floor(classes), chance = Math.log(classes);
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
