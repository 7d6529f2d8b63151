package dev.vitals.doctor.rules;

import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.trace.Observation;
import dev.vitals.doctor.trace.Trace;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A parameter with a non-zero gradient must move when the optimizer steps. The engine reports the
 * norm of the change each step applied; exactly zero with a gradient present, on every one of
 * several observed steps, means the update never reaches the weights.
 */
public final class ParametersFrozen extends Rule implements TraceRule {
    static final int OBSERVATIONS = 3;
    /** lr x gradient norm over weight norm below which float32 may round every update of a parameter to zero (its unit roundoff is 6e-8). */
    static final double RESOLUTION = 1e-6;
    /**
     * A step smaller than float32's smallest normal number rounds to zero whatever the weights: a weight
     * decay of 5 under sgd took a layer's weights to a norm of 3e-44 and its gradient with them (7e-44),
     * so that lr x gradient (3e-45) was below even the subnormal steps float32 has, and the layer
     * "did not move" with no bug in the loop.
     */
    static final double SMALLEST_STEP = Float.MIN_NORMAL;

    @Override public Code code() { return Code.PARAMETERS_FROZEN; }

    @Override public Severity severity() { return Severity.ERROR; }

    @Override public String condition() {
        return "on " + OBSERVATIONS + " consecutive observed steps a parameter has a non-zero gradient but its applied update is exactly zero, "
                + "where lr x its gradient norm is at least " + RESOLUTION + " of its norm and at least float32's smallest normal number, " + Numbers.fmt(SMALLEST_STEP)
                + " (smaller steps may all round away in float32)";
    }

    @Override public Map<String, Object> thresholds() {
        return ordered("consecutive observed steps", OBSERVATIONS, "applied update norm", "= 0", "lr x gradient over weight norm at least", RESOLUTION,
                "lr x gradient norm at least", SMALLEST_STEP);
    }

    @Override public String basis() { return "exact: any step with a non-zero gradient and a non-zero learning rate changes the weights, unless it is below float32's resolution of them"; }

    @Override public String cause() {
        return "the optimizer computes updates that never reach the weights: an update buffer reset or overwritten before it is applied, a copy of the weights updated instead of the model's, or parameters left out of the optimizer";
    }

    @Override public String fix() { return "make sure the optimizer updates the model's own parameter tensors, after computing the update and before clearing any buffer"; }

    @Override
    public List<Finding> evaluate(Trace t, Moment moment) {
        if (moment != Moment.STEP) return List.of();
        List<Observation> obs = t.observations();
        if (obs.size() < OBSERVATIONS) return List.of();
        List<Observation> last = obs.subList(obs.size() - OBSERVATIONS, obs.size());
        if (last.get(0).lr() == 0) return List.of();
        List<String> frozen = new ArrayList<>();
        for (int p = 0; p < t.parameters().size(); p++) {
            boolean stuck = true;
            for (Observation o : last) {
                // a step of lr x gradient below a millionth of the weights rounds to nothing in float32
                // (vanishing gradients of 1e-9 under sgd): frozen by arithmetic, not by the loop
                // (and one below float32's smallest normal number rounds to nothing whatever the weights)
                boolean representable = o.lr() * o.paramGrad()[p] >= RESOLUTION * o.paramValue()[p] && o.lr() * o.paramGrad()[p] >= SMALLEST_STEP;
                stuck &= o.paramGrad()[p] > 0 && o.paramUpdate()[p] == 0 && o.lr() > 0 && representable;
            }
            if (stuck) frozen.add(t.parameters().get(p));
        }
        if (frozen.isEmpty()) return List.of();
        Observation o = last.get(last.size() - 1);
        // "5 of 6 do not move" read as if one trained, where the sixth (a bias before batchnorm) had no gradient to move by
        int moving = 0;
        for (int p = 0; p < t.parameters().size(); p++) {
            boolean moved = false;
            for (Observation x : last) moved |= x.paramUpdate()[p] != 0;
            if (moved) moving++;
        }
        boolean all = moving == 0;
        int still = t.parameters().size() - frozen.size();
        String layer = all ? null : layerOf(t, frozen.get(0));
        return List.of(finding(Stage.TRAIN, layer, o.step(),
                (all ? "no parameter moves" + (still > 0 ? " (" + still + " of " + t.parameters().size() + " have no gradient to move by)" : "")
                        : frozen.size() + " of " + t.parameters().size() + " parameters do not move")
                        + ": gradients are non-zero (" + ownNorms(t, frozen, o) + ") but every applied update is exactly 0 on "
                        + OBSERVATIONS + " observed steps",
                evidence("frozen_parameters", frozen, "frozen_gradient_norms", frozenNorms(t, frozen, o), "gradient_norm", o.gradNorm(), "lr", (double) o.lr(), "steps", stepsOf(last))));
    }

    /**
     * Where the update-rule probe measured the optimizer applying a fraction of its step (a learning rate
     * applied twice under adam: 1e-3 of the step), the steps that round to nothing against weights near 1
     * (layernorm's) are that error's doing, not a buffer lost before it was applied: said so, with the
     * fraction. Measured under adam and adamw with the learning rate applied twice on a layernorm MLP: the
     * frozen layernorm weights read "an update buffer reset or overwritten".
     */
    @Override
    public Finding inLightOf(Finding f, List<Finding> earlier) {
        double applied = measuredBefore(earlier, Code.UPDATE_RULE_MISMATCH, "applied_over_prescribed");
        // above 0: an update that never lands at all is the cause this rule names already
        if (!(applied > 0 && applied < LearningRateTooLow.UNDER_APPLIED)) return f;
        return f.explained(f.evidenceWith("applied_over_prescribed", applied),
                "the optimizer applies " + Numbers.fmt(applied) + " of the step its rule prescribes (UPDATE_RULE_MISMATCH): steps that small round to nothing in float32 against weights of these parameters' size, so they do not move",
                "mend the optimizer's update (UPDATE_RULE_MISMATCH); these parameters move once the applied step is the rule's");
    }

    /** The frozen parameters' own gradient norms at {@code o}: the global norm (a bias's 0.63 beside a layer's 7e-44) said nothing of them. */
    private static List<Object> frozenNorms(Trace t, List<String> frozen, Observation o) {
        return frozen.stream().map(n -> Numbers.round(o.paramGrad()[t.parameters().indexOf(n)])).toList();
    }

    private static String ownNorms(Trace t, List<String> frozen, Observation o) {
        double smallest = Double.POSITIVE_INFINITY;
        for (String n : frozen) smallest = Math.min(smallest, o.paramGrad()[t.parameters().indexOf(n)]);
        return frozen.size() == 1 ? frozen.get(0) + "'s norm " + Numbers.fmt(smallest) : "the smallest of their norms " + Numbers.fmt(smallest);
    }

    private static String layerOf(Trace t, String param) {
        int i = t.parameters().indexOf(param);
        int l = i < 0 ? -1 : t.parameterLayer(i);
        return l < 0 ? null : t.layers().get(l).path();
    }

    private static List<Long> stepsOf(List<Observation> obs) { return obs.stream().map(Observation::step).toList(); }
}
