package dev.vitals.doctor.rules;

import dev.vitals.core.loss.TargetEncoding;
import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.core.train.LayerInfo;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.check.LintContext;

import java.util.List;
import java.util.Map;

/**
 * The loss and the model's output do not fit the task:
 * <ul>
 * <li>error: a bounded or clipped output feeding a loss that takes logits: sigmoid, tanh or ReLU
 *     before cross_entropy; softmax, tanh or ReLU before binary_cross_entropy; softmax over a single
 *     output (always 1) under any loss;</li>
 * <li>warning: mse on the scores of several classes (a classification task trained as regression);</li>
 * <li>warning: mse regressing the class index of more than two classes as a number (right for counts, wrong for categories).</li>
 * </ul>
 * Softmax before cross_entropy and sigmoid before binary_cross_entropy are {@link SoftmaxBeforeCrossEntropy}'s.
 */
public final class LossOutputMismatch extends Rule implements LintRule {
    /** More label values than this, regressed with mse, are read as a quantity rather than categories. */
    static final int QUANTITY_VALUES = 20;


    @Override public Code code() { return Code.LOSS_OUTPUT_MISMATCH; }

    @Override public Severity severity() { return Severity.ERROR; }

    @Override public String condition() {
        return "error: the last layer (dropout aside) is sigmoid, tanh or relu under cross_entropy, softmax, tanh or relu under binary_cross_entropy, or softmax over "
                + "a single output; warning: mse with one output per class, and mse with index targets on one output for more than 2 classes (the class index regressed as a number), "
                + "an info where there are more than " + QUANTITY_VALUES + " label values (a quantity regressed on purpose)";
    }

    @Override public Map<String, Object> thresholds() { return Map.of(); }

    @Override public String basis() {
        return "cross_entropy and binary_cross_entropy take unbounded logits. Logits confined to [0, 1] (sigmoid) or [-1, 1] (tanh) cap the right class's probability "
                + "at e^r/(e^r+C-1) for a range r, so the loss has a floor (10 classes: 1.46 after sigmoid, 0.80 after tanh); ReLU logits are never negative, so under "
                + "binary_cross_entropy no probability falls below 0.5 and under cross_entropy a class whose logit is negative gets no gradient. MSE on class scores "
                + "gives a gradient that fades as an output saturates and penalises the scores of wrong classes as much as the right one's: seed 000's MNIST network "
                + "(tanh, MSE) sat at 9.8% where softmax with cross-entropy learns";
    }

    @Override public String cause() {
        return "the output layer and the loss were chosen separately: the loss expects raw logits (or class probabilities) that the output layer cannot produce";
    }

    @Override public String fix() {
        return "end the model with a plain dense layer (one output per class) and train with cross_entropy; for two classes a single output with binary_cross_entropy";
    }

    @Override
    public List<Finding> lint(LintContext ctx) {
        LayerInfo out = Structure.outputActivation(ctx);
        String loss = ctx.spec().loss();
        int outputs = ctx.output().length == 1 ? ctx.output()[0] : 0;
        TargetEncoding targets = ctx.spec().data().targets();
        if (outputs == 0) return List.of();
        if (out != null && out.kind().equals("softmax") && outputs == 1) {
            return List.of(error(out, loss, Structure.name(out) + " normalises a single output: softmax of one value is always 1, so the output never depends on "
                    + "the input and no gradient flows back", "remove the softmax: with one output use binary_cross_entropy on the raw logit", "output_value", 1.0));
        }
        if (out != null && loss.equals("cross_entropy")) {
            switch (out.kind()) {
                case "sigmoid", "tanh" -> {
                    double range = out.kind().equals("sigmoid") ? 1 : 2;
                    double best = Math.exp(range) / (Math.exp(range) + outputs - 1);
                    return List.of(error(out, loss, Structure.name(out) + " bounds the logits cross_entropy takes to " + (range == 1 ? "[0, 1]" : "[-1, 1]")
                                    + ": the right class can get at most " + Numbers.pct(best) + " probability among " + outputs + " classes, so the loss cannot fall below "
                                    + Numbers.fmt(-Math.log(best)), removeIt(out),
                            "logit_range", range == 1 ? List.of(0, 1) : List.of(-1, 1), "classes", outputs, "best_probability_reachable", best,
                            "lowest_reachable_loss", -Math.log(best), "loss_at_chance", Math.log(outputs)));
                }
                case "relu" -> {
                    return List.of(error(out, loss, Structure.name(out) + " clips the logits cross_entropy takes at 0: a class whose logit is negative gets no gradient "
                                    + "and can only be predicted by pushing every other logit to 0 as well", removeIt(out),
                            "logit_range", List.of(0, "Infinity"), "classes", outputs));
                }
                default -> { }
            }
        }
        if (out != null && loss.equals("binary_cross_entropy")) {
            switch (out.kind()) {
                case "softmax" -> {
                    double hi = sigmoid(1);
                    return List.of(error(out, loss, Structure.name(out) + " squashes the logits binary_cross_entropy takes into [0, 1]: predicted probabilities stay "
                                    + "between 0.5 and " + Numbers.fmt(hi) + ", so no output can say 'no'", removeIt(out),
                            "logit_range", List.of(0, 1), "probability_range", List.of(0.5, Numbers.round(hi)), "lowest_reachable_loss_for_target_0", Math.log(2)));
                }
                case "tanh" -> {
                    double lo = sigmoid(-1), hi = sigmoid(1);
                    return List.of(error(out, loss, Structure.name(out) + " bounds the logits binary_cross_entropy takes to [-1, 1]: predicted probabilities stay between "
                                    + Numbers.fmt(lo) + " and " + Numbers.fmt(hi) + ", so the loss cannot fall below " + Numbers.fmt(-Math.log(hi)), removeIt(out),
                            "logit_range", List.of(-1, 1), "probability_range", List.of(Numbers.round(lo), Numbers.round(hi)), "lowest_reachable_loss", -Math.log(hi)));
                }
                case "relu" -> {
                    return List.of(error(out, loss, Structure.name(out) + " clips the logits binary_cross_entropy takes at 0: no predicted probability falls below 0.5, "
                                    + "so a negative example never costs less than ln 2 = 0.693 and gets no gradient once its logit is 0", removeIt(out),
                            "logit_range", List.of(0, "Infinity"), "probability_range", List.of(0.5, 1), "lowest_reachable_loss_for_target_0", Math.log(2)));
                }
                default -> { }
            }
        }
        if (loss.equals("mse") && targets != TargetEncoding.INDEX && outputs >= 2) {
            String tail = out == null ? "" : out.kind().equals("softmax")
                    ? "; through " + Structure.name(out) + " its gradient also vanishes as a wrong class's probability nears 1"
                    : Structure.SATURATING.contains(out.kind()) ? "; through " + Structure.name(out) + " its gradient also fades as the outputs saturate" : "";
            return List.of(finding(Stage.LINT, Severity.WARNING, out == null ? ctx.last().path() : out.path(), null,
                    "mse on " + outputs + " class scores (" + targets.key() + " targets) trains a classification task as regression: every wrong class's score costs "
                            + "as much as the right one's, and the gradient does not grow with how wrong the prediction is" + tail,
                    evidence("loss", loss, "targets", targets.key(), "outputs", outputs, "output_activation", out == null ? "none" : out.kind()),
                    "a regression loss was used for a classification task", "use cross_entropy on raw logits (targets: index) and remove any output activation"));
        }
        if (loss.equals("mse") && targets == TargetEncoding.INDEX && outputs == 1 && ctx.classes() > 2) {
            // a warning where the labels are few, as categories are (digits regressed as a number reached
            // 32% and was called healthy); many label values are more likely a quantity regressed on
            // purpose (counts of 6-54, prices of 1680-7620), and a note is enough
            boolean quantity = ctx.classes() > QUANTITY_VALUES;
            return List.of(finding(Stage.LINT, quantity ? Severity.INFO : Severity.WARNING, ctx.last().path(), null,
                    "mse regresses the label value with one output: labels up to " + (ctx.classes() - 1) + " are treated as numbers on a line, so neighbouring labels count as nearly right"
                            + (quantity ? " (right for a quantity such as a count or a price)" : ""),
                    evidence("loss", loss, "targets", targets.key(), "outputs", outputs, "classes", ctx.classes()),
                    "a regression loss on class indices", "if the labels are categories, not quantities, give the last dense layer one output per class and use cross_entropy"));
        }
        return List.of();
    }

    private static double sigmoid(double z) { return 1 / (1 + Math.exp(-z)); }

    private static String removeIt(LayerInfo out) {
        return "remove " + Structure.name(out) + ": the loss takes the raw outputs (logits) of the last dense layer and applies its own softmax or sigmoid";
    }

    private Finding error(LayerInfo out, String loss, String message, String fix, Object... kv) {
        Object[] all = new Object[kv.length + 4];
        all[0] = "layer";
        all[1] = out.path();
        all[2] = "loss";
        all[3] = loss;
        System.arraycopy(kv, 0, all, 4, kv.length);
        return finding(Stage.LINT, Severity.ERROR, out.path(), null, message, evidence(all), cause(), fix);
    }
}
