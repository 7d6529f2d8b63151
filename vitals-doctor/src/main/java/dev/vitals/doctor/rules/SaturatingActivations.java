package dev.vitals.doctor.rules;

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
 * A deep stack of sigmoid or tanh hidden layers: every such layer multiplies the gradient on its way
 * back by its slope, at most 0.25 for sigmoid and falling to zero in both functions' tails. Counted
 * among the model's own hidden layers (a residual block's skip path carries the gradient past its
 * body). The runtime rules VANISHING_GRADIENTS and SATURATED_UNITS confirm it in training.
 */
public final class SaturatingActivations extends Rule implements LintRule {
    static final int DEPTH = 4;

    @Override public Code code() { return Code.SATURATING_ACTIVATIONS; }

    @Override public Severity severity() { return Severity.WARNING; }

    @Override public String condition() {
        return "at least " + DEPTH + " hidden layers (the model's own, before its last weight layer) are sigmoid or tanh";
    }

    @Override public Map<String, Object> thresholds() { return Map.of("saturating hidden layers", DEPTH); }

    @Override public String basis() {
        return "measured on digits at initialisation (64 units per layer, 256 examples, 3 seeds), the first layer's gradient norm over the last's for k sigmoid "
                + "hidden layers: k=2 0.07-0.16, k=3 0.007-0.045, k=4 0.0014-0.018, k=5 0.00025-0.0045 (default, xavier, lecun and he init); at 4 the gradient already "
                + "loses two to three orders of magnitude before any training saturates the units, within reach of VANISHING_GRADIENTS' 1e-3. Seed 002's 5 sigmoid "
                + "hidden layers and seed 001's 15 froze; seed 000's 2 tanh hidden layers are below the line (tanh with xavier or lecun keeps the ratio near 1 at "
                + "initialisation and only fades as units saturate in training)";
    }

    @Override public String cause() {
        return "sigmoid's slope is at most 0.25 and both sigmoid's and tanh's vanish in their tails, so the gradient shrinks at every such layer on its way back";
    }

    @Override public String fix() {
        return "use relu (or leaky_relu, gelu) in the hidden layers with init: he; if the saturating units must stay, add batchnorm before them and use init: xavier";
    }

    @Override
    public List<Finding> lint(LintContext ctx) {
        List<LayerInfo> sat = Structure.hidden(ctx, Structure.SATURATING);
        ctx.measured().put("saturating_hidden_layers", sat.size());
        if (sat.size() < DEPTH) return List.of();
        long sigmoids = sat.stream().filter(l -> l.kind().equals("sigmoid")).count();
        double bound = Math.pow(0.25, sigmoids);
        Map<String, Object> kinds = new LinkedHashMap<>();
        for (LayerInfo l : sat) kinds.merge(l.kind(), 1, (a, b) -> (Integer) a + (Integer) b);
        String what = kinds.size() == 1 ? sat.get(0).kind() : "sigmoid or tanh";
        String msg = sat.size() + " hidden layers use " + what + " (" + Structure.names(sat) + ")"
                + (sigmoids > 0 ? ": at a sigmoid's best slope of 0.25 the gradient reaching the first layer is at most " + Numbers.fmt(bound) + " of what leaves the last"
                : ": tanh's slope falls to zero as units saturate, and the gradient shrinks at each of them");
        return List.of(finding(Stage.LINT, sat.get(0).path(), null, msg,
                evidence("saturating_hidden_layers", sat.size(), "layers", Structure.paths(sat), "by_kind", kinds,
                        "weight_layers", ctx.weightLayers().size(), "gradient_bound_from_slopes", bound)));
    }
}
