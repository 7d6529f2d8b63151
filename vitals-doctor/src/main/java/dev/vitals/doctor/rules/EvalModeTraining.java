package dev.vitals.doctor.rules;

import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.core.train.LayerInfo;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.trace.Observation;
import dev.vitals.doctor.trace.Trace;

import java.util.List;
import java.util.Map;

/**
 * Training steps must run in training mode. The engine reports each observed step's mode. With
 * dropout or batch normalisation in the model the mode changes what is trained (an error); without
 * them it changes nothing yet, but it will the day one is added (a warning).
 */
public final class EvalModeTraining extends Rule implements TraceRule {
    @Override public Code code() { return Code.EVAL_MODE_TRAINING; }

    @Override public Severity severity() { return Severity.ERROR; }

    @Override public String condition() {
        return "an observed training step ran in evaluation mode; an error when the model has dropout, batch-norm or another layer that draws random numbers (Stochastic), a warning otherwise";
    }

    @Override public Map<String, Object> thresholds() { return ordered("training steps in evaluation mode", "> 0"); }

    @Override public String basis() { return "exact: the mode of each step is reported by the engine"; }

    @Override public String cause() {
        return "the model is in evaluation mode during training (model.eval() where model.train() was meant): dropout is off and batch-norm uses its running statistics instead of the batch's";
    }

    @Override public String fix() { return "switch the model to training mode for training steps and to evaluation mode only for validation and test"; }

    @Override
    public List<Finding> evaluate(Trace t, Moment moment) {
        if (moment != Moment.STEP) return List.of();
        Observation o = t.lastObservation();
        if (o == null || o.trainMode()) return List.of();
        // dropout and batchnorm, and an API user's own layer that draws random numbers (Stochastic): their training mode is what eval turns off
        List<LayerInfo> modal = t.layers().stream().filter(l -> l.kind().equals("dropout") || l.kind().equals("batchnorm") || l.stochastic()).toList();
        List<String> affected = modal.stream().map(LayerInfo::kind).distinct().toList();
        Severity sev = affected.isEmpty() ? Severity.WARNING : Severity.ERROR;
        String effect = affected.isEmpty()
                ? "; the model has no dropout or batch-norm, so it changes nothing yet, but it will when one is added"
                : "; its " + String.join(" and ", affected) + " layers behave as at test time while training";
        return List.of(finding(Stage.TRAIN, sev, null, o.step(), "training step " + o.step() + " ran in evaluation mode" + effect,
                evidence("step", o.step(), "mode", "eval", "mode_dependent_layers", affected, "layers", modal.stream().map(LayerInfo::path).toList()), cause(), fix()));
    }
}
