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
 * Most outputs of a sigmoid or tanh layer sit in its flat tails (input beyond ±5, where the slope is
 * under 1% of its peak), on each of several observed steps: those units pass almost no gradient.
 */
public final class SaturatedUnits extends Rule implements TraceRule {
    static final double SATURATED = 0.5;
    static final int WINDOW = 3;

    @Override public Code code() { return Code.SATURATED_UNITS; }

    @Override public Severity severity() { return Severity.WARNING; }

    @Override public String condition() {
        return "on each of the last " + WINDOW + " observed steps more than " + (int) (SATURATED * 100)
                + "% of a sigmoid or tanh layer's outputs come from inputs beyond ±5";
    }

    @Override public Map<String, Object> thresholds() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("saturated output fraction", SATURATED);
        m.put("tail boundary (pre-activation)", 5);
        m.put("observed steps", WINDOW);
        return m;
    }

    @Override public String basis() { return "DeepDiagnosis: 50% of sigmoid/tanh inputs beyond ±5"; }

    @Override public String cause() {
        return "pre-activations are too large: weights initialised too big for the activation, unscaled inputs, or targets that can only be reached in the tails (-1/+1 with tanh, 0/1 with sigmoid under MSE)";
    }

    @Override public String fix() { return "scale the inputs (normalize: standard), initialise with xavier for sigmoid/tanh, add batchnorm before the activation, or use ReLU"; }

    @Override
    public List<Finding> evaluate(Trace t, Moment moment) {
        if (moment == Moment.EPOCH) return List.of();
        List<Observation> obs = t.observations();
        if (obs.size() < WINDOW) return List.of();
        List<Observation> last = obs.subList(obs.size() - WINDOW, obs.size());
        List<Finding> out = new ArrayList<>();
        for (int l = 0; l < t.layers().size(); l++) {
            LayerInfo li = t.layers().get(l);
            if (!li.saturation().equals("tails")) continue;
            double min = 1;
            for (Observation o : last) min = Math.min(min, o.layerSaturated()[l]);
            if (!(min > SATURATED)) continue;
            List<Object> series = new ArrayList<>();
            for (Observation o : last) series.add(Numbers.round(o.layerSaturated()[l]));
            Observation o = last.get(WINDOW - 1);
            out.add(finding(Stage.TRAIN, li.path(), o.step(),
                    Numbers.pct(min) + " or more of the outputs of " + li.path() + " (" + li.kind() + ") sit in its flat tails",
                    evidence("saturated_fraction", series, "output_mean", o.layerMean()[l], "output_std", o.layerStd()[l],
                            "steps", last.stream().map(Observation::step).toList())));
        }
        return out;
    }
}
