package dev.vitals.doctor.rules;

import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.trace.Observation;
import dev.vitals.doctor.trace.Trace;

import java.util.List;
import java.util.Map;

/**
 * Gradients must be zero when a step's backward pass starts. The engine reports the norm of the
 * gradient buffers at that moment; anything but zero means the previous steps' gradients are still
 * there and this step's gradient adds to them.
 */
public final class GradientAccumulation extends Rule implements TraceRule {
    @Override public Code code() { return Code.GRADIENT_ACCUMULATION; }

    @Override public Severity severity() { return Severity.ERROR; }

    @Override public String condition() {
        return "on an observed training step after the first, the gradient buffers are not zero when backward starts";
    }

    @Override public Map<String, Object> thresholds() { return ordered("gradient norm at step start", "> 0"); }

    @Override public String basis() { return "exact: a cleared gradient buffer has norm 0, whatever the model"; }

    @Override public String cause() {
        return "gradients are not cleared between steps (a missing zero_grad), so every update uses the sum of all gradients so far";
    }

    @Override public String fix() {
        return "clear the gradients before each backward pass (optimizer.zero_grad() / model.zeroGrad()); Vitals' own trainer does this for you";
    }

    @Override
    public List<Finding> evaluate(Trace t, Moment moment) {
        if (moment != Moment.STEP) return List.of();
        Observation o = t.lastObservation();
        if (o == null || o.step() == 0 || !(o.gradNormAtStart() > 0)) return List.of();
        return List.of(finding(Stage.TRAIN, null, o.step(),
                "gradients are not cleared between steps: at step " + o.step() + " the gradient buffers already hold norm "
                        + Numbers.fmt(o.gradNormAtStart()) + " before backward",
                evidence("step", o.step(), "gradient_norm_before_backward", o.gradNormAtStart(), "gradient_norm_after_backward", o.gradNorm())));
    }
}
