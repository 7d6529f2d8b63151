package dev.vitals.doctor.rules;

import dev.vitals.core.loss.TargetEncoding;
import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.core.train.LayerInfo;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.check.LintContext;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Targets the loss cannot reach with the model's output (rule for {@link Code#TARGET_ENCODING}):
 * <ul>
 * <li>error: -1/+1 targets with cross_entropy or binary_cross_entropy (the loss then has no minimum:
 *     it falls without bound as the logits grow); -1/+1 targets with mse on a sigmoid, softmax or
 *     ReLU output (never below 0); index targets with mse on a single sigmoid or tanh output when
 *     the labels go beyond 1;</li>
 * <li>warning: -1/+1 targets with mse on a tanh output, reached only as tanh saturates.</li>
 * </ul>
 */
public final class TargetEncodingMismatch extends Rule implements LintRule {
    /** How close to ±1 a tanh output must come to count as reaching its target. */
    static final double NEAR = 0.05;

    @Override public Code code() { return Code.TARGET_ENCODING; }

    @Override public Severity severity() { return Severity.ERROR; }

    @Override public String condition() {
        return "error: targets pm1 with cross_entropy or binary_cross_entropy, or with mse on a sigmoid, softmax or relu output; targets index with mse on one sigmoid "
                + "or tanh output for more than 2 classes; warning: targets pm1 with mse on a tanh output, which reaches within " + NEAR + " of ±1 only where its slope is below 0.1";
    }

    @Override public Map<String, Object> thresholds() { return Map.of("distance from ±1 that counts as reached", NEAR); }

    @Override public String basis() {
        return "ranges: sigmoid (0, 1), softmax [0, 1], relu [0, ∞) never reach -1; tanh reaches 0.95 at z = 1.83, where its slope is 0.098. With -1/+1 targets "
                + "cross_entropy becomes -(C-1)(z_y - z_other) plus a bounded term, and binary_cross_entropy softplus(z) + z for a -1 target: both fall without bound, "
                + "so the logits grow until they overflow. Seed 000's MNIST network (tanh outputs, MSE, -1/+1 targets) sat at 9.8%";
    }

    @Override public String cause() {
        return "the targets were encoded for another output or loss: -1/+1 suits a tanh output with a margin loss, not probabilities or cross-entropy";
    }

    @Override public String fix() {
        return "use data.targets: index with cross_entropy on raw logits (or onehot with a sigmoid/softmax output if mse must stay)";
    }

    @Override
    public List<Finding> lint(LintContext ctx) {
        TargetEncoding t = ctx.spec().data().targets();
        String loss = ctx.spec().loss();
        LayerInfo out = Structure.outputActivation(ctx);
        String act = out == null ? "none" : out.kind();
        int outputs = ctx.output().length == 1 ? ctx.output()[0] : 0;
        String at = out == null ? null : out.path();
        if (t == TargetEncoding.PM1 && loss.equals("cross_entropy")) {
            return List.of(finding(Stage.LINT, at, null,
                    "-1/+1 targets under cross_entropy weight the log-probability of every wrong class by -1: each example's targets sum to 2-C = " + (2 - outputs)
                            + ", and the loss has no minimum; it falls without bound as the right logit pulls away, so logits grow until they overflow",
                    ev(ctx, act, "target_sum_per_example", 2 - outputs, "lowest_reachable_loss", "-Infinity")));
        }
        if (t == TargetEncoding.PM1 && loss.equals("binary_cross_entropy")) {
            return List.of(finding(Stage.LINT, at, null,
                    "-1 targets under binary_cross_entropy lie outside the (0, 1) a sigmoid can predict: their loss softplus(z) + z has no minimum and falls without bound "
                            + "as z goes to -infinity, so logits grow until they overflow",
                    ev(ctx, act, "reachable_range", List.of(0, 1), "lowest_reachable_loss", "-Infinity")));
        }
        if (t == TargetEncoding.PM1 && loss.equals("mse") && out != null && List.of("sigmoid", "softmax", "relu").contains(act)) {
            double floor = outputs > 0 ? (double) (outputs - 1) / outputs : 1;
            return List.of(finding(Stage.LINT, at, null,
                    Structure.name(out) + " never goes below 0, so the -1 targets of " + (outputs - 1) + " of " + outputs + " outputs per example are unreachable: "
                            + "the mse cannot fall below " + Numbers.fmt(floor),
                    ev(ctx, act, "reachable_range", act.equals("relu") ? List.of(0, "Infinity") : List.of(0, 1), "lowest_reachable_loss", floor)));
        }
        if (t == TargetEncoding.PM1 && loss.equals("mse") && act.equals("tanh")) {
            double z = atanh(1 - NEAR), slope = 1 - (1 - NEAR) * (1 - NEAR);
            return List.of(finding(Stage.LINT, Severity.WARNING, at, null,
                    Structure.name(out) + " reaches the -1/+1 targets only in saturation: to come within " + NEAR + " of ±1 it needs |z| >= " + Numbers.fmt(z)
                            + ", where its slope is " + Numbers.fmt(slope) + ", so the gradient fades as the outputs approach their targets",
                    ev(ctx, act, "pre_activation_needed", z, "slope_there", slope),
                    // its own words: the general cause ("suits a tanh output with a margin loss") and fix (onehot
                    // with a sigmoid under mse, whose 0/1 sit in its saturation as well) did not fit this pairing
                    "-1/+1 are the asymptotes of a tanh: under mse each output is pulled towards a value it reaches only as its pre-activation "
                            + "grows without bound, where the tanh's slope, and with it the gradient, vanishes",
                    "use data.targets: index with cross_entropy on raw logits (remove the output tanh); if mse must stay, remove the output tanh: "
                            + "a linear output reaches -1 and +1 with its full gradient"));
        }
        if (t == TargetEncoding.INDEX && loss.equals("mse") && outputs == 1 && out != null && ctx.classes() > 2
                && (act.equals("sigmoid") || act.equals("tanh"))) {
            return List.of(finding(Stage.LINT, at, null,
                    Structure.name(out) + " stays within " + (act.equals("sigmoid") ? "(0, 1)" : "(-1, 1)") + " but mse regresses the label value, which goes up to "
                            + (ctx.classes() - 1) + ": labels above 1 are unreachable",
                    ev(ctx, act, "reachable_range", act.equals("sigmoid") ? List.of(0, 1) : List.of(-1, 1), "largest_label", ctx.classes() - 1)));
        }
        return List.of();
    }

    private static Map<String, Object> ev(LintContext ctx, String act, Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("setting", "data.targets");
        m.put("targets", ctx.spec().data().targets().key());
        m.put("loss", ctx.spec().loss());
        m.put("output_activation", act);
        m.put("outputs", ctx.output().length == 1 ? ctx.output()[0] : 0);
        m.putAll(evidence(kv));
        return m;
    }

    private static double atanh(double v) { return 0.5 * Math.log((1 + v) / (1 - v)); }
}
