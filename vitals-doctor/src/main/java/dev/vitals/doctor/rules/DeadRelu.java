package dev.vitals.doctor.rules;

import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.core.train.LayerInfo;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.trace.Observation;
import dev.vitals.doctor.trace.Trace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Most units of a ReLU layer output zero for every example of the batch, on each of several
 * observed steps: they pass no gradient and cannot recover. Batches under {@link #MIN_BATCH}
 * examples are too small to tell a dead unit from an unlucky batch and are not judged.
 */
public final class DeadRelu extends Rule implements TraceRule {
    static final double DEAD = 0.7;
    static final int WINDOW = 3, MIN_BATCH = 16;

    @Override public Code code() { return Code.DEAD_RELU; }

    @Override public Severity severity() { return Severity.WARNING; }

    @Override public String condition() {
        return "on each of the last " + WINDOW + " observed steps (batches of at least " + MIN_BATCH + "), more than " + (int) (DEAD * 100)
                + "% of a ReLU layer's units output zero for every example in the batch; an error when it is every unit (a leaky_relu layer's units negative for every example: a warning, since the leak passes some gradient); withdrawn at the end where the last observed steps no longer show it. Under inputs the data check found far from unit scale (DATA_UNSCALED), the cause names that scale first. " + HeldDown.CONDITION;
    }

    @Override public Map<String, Object> thresholds() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dead unit fraction", DEAD);
        m.put("observed steps", WINDOW);
        m.put("minimum batch", MIN_BATCH);
        return m;
    }

    @Override public String basis() { return "AUTOTRAINER and DeepDiagnosis flag 70% zero ReLU outputs or gradients; counted here per unit over a whole batch, which a healthy layer almost never reaches"; }

    @Override public String cause() {
        return "units pushed into the negative region for every input stay there: a learning rate too high knocked them out, a large negative bias, or inputs that are not centred";
    }

    @Override public String fix() { return "lower the learning rate, use He initialisation, add batchnorm before the activation, or use leaky_relu"; }

    @Override
    public List<Finding> evaluate(Trace t, Moment moment) {
        return HeldDown.explain(t, judge(t, moment));
    }

    /**
     * Dead units raised early that the last observed steps no longer show are withdrawn: a layer of
     * one conv channel was all zero at step 5 of adam at 0.1, and the run went on to 72% on its
     * test split through that channel (exit 3 for a "dead" layer that carried the model).
     */
    @Override
    public boolean stillHolds(Trace t, Finding f) {
        List<Observation> obs = t.observations();
        if (obs.size() < WINDOW || f.layer() == null) return true;
        List<Observation> last = obs.subList(obs.size() - WINDOW, obs.size());
        if (f.step() != null && last.get(0).step() <= f.step()) return true;
        for (Observation o : last) if (o.batchSize() < MIN_BATCH) return true;
        for (int l = 0; l < t.layers().size(); l++) {
            if (!t.layers().get(l).path().equals(f.layer())) continue;
            for (Observation o : last) if (!(o.layerDead()[l] > DEAD)) return false;
            return true;
        }
        return true;
    }

    /**
     * Units dead under inputs the data check measured far from unit scale: that scale is the first
     * cause to name (pixels of 0-255 under sgd killed 75-88% of two layers, test 47% against 76%
     * standardised, with the generic "a learning rate too high" as the cause).
     */
    @Override
    public Finding inLightOf(Finding f, List<Finding> earlier) {
        double rms = measuredBefore(earlier, Code.DATA_UNSCALED, "largest_rms");
        if (!Double.isNaN(rms)) {
            return f.explained(f.evidenceWith("input_rms", rms),
                    "inputs far from unit scale (DATA_UNSCALED: root mean square up to " + Numbers.fmt(rms) + "): pre-activations as large make each step "
                            + "swing them far, and units pushed negative for every input stay there; else " + f.cause(),
                    "standardise the inputs (data.normalize: standard) first; then, if units still die, " + f.fix());
        }
        // weights far too small: pre-activations are the biases alone, so a bias the first steps push below
        // zero silences its unit for every example at once (normal:0.001 over 6 ReLU layers: two layers all
        // dead, with "a learning rate too high, a negative bias or inputs not centred" as the cause)
        double scale = measuredBefore(earlier, Code.INIT_MISMATCH, "signal_scale");
        if (scale < TINY_SIGNAL) {
            return f.explained(f.evidenceWith("init_signal_scale", scale),
                    "initial weights far too small (INIT_MISMATCH: the signal starts at " + Numbers.fmt(scale) + " of a variance-preserving start's): "
                            + "each unit's pre-activation is its bias alone, so a bias the first steps push below zero silences the unit for every example at once; else " + f.cause(),
                    "initialise for ReLU (model.init: he) first; then, if units still die, " + f.fix());
        }
        return f;
    }

    /** An initial signal below this share of a variance-preserving start's leaves the biases to set the pre-activations. */
    static final double TINY_SIGNAL = 1e-2;

    private List<Finding> judge(Trace t, Moment moment) {
        if (moment == Moment.EPOCH) return List.of();
        List<Observation> obs = t.observations();
        if (obs.size() < WINDOW) return List.of();
        List<Observation> last = obs.subList(obs.size() - WINDOW, obs.size());
        for (Observation o : last) if (o.batchSize() < MIN_BATCH) return List.of();
        List<Finding> out = new ArrayList<>();
        for (int l = 0; l < t.layers().size(); l++) {
            LayerInfo li = t.layers().get(l);
            if (!li.saturation().equals("negative")) continue;
            double min = 1, sumZero = 0;
            for (Observation o : last) {
                min = Math.min(min, o.layerDead()[l]);
                sumZero += o.layerZero()[l];
            }
            if (!(min > DEAD)) continue;
            // the evidence only for a finding: rounding is slow in the cold code a healthy run asks every observed step
            List<Object> series = new ArrayList<>();
            for (Observation o : last) series.add(Numbers.round(o.layerDead()[l]));
            Observation o = last.get(WINDOW - 1);
            // a leaky unit below zero for every example is not dead: it passes its slope (0.01) of the
            // gradient and can come back, slowly; it was reported as "output zero", with leaky_relu as the fix
            boolean leaky = !li.kind().equals("relu");
            Severity sev = min >= 1 && !leaky ? Severity.ERROR : Severity.WARNING;
            out.add(finding(Stage.TRAIN, sev, li.path(), o.step(),
                    (min >= 1 ? "all" : Numbers.pct(min) + " or more") + " of the units of " + li.path() + " (" + li.description()
                            + (leaky ? ") are negative for every example in the batch, where only the leak's small slope passes any gradient"
                                    : ") output zero for every example in the batch"),
                    evidence("dead_unit_fraction", series, (leaky ? "negative_output_fraction" : "zero_output_fraction"), sumZero / WINDOW, "units", li.outputShape()[0],
                            "steps", last.stream().map(Observation::step).toList()), cause(),
                    leaky ? "lower the learning rate, use He initialisation, or add batchnorm before the activation" : fix()));
        }
        return out;
    }
}
