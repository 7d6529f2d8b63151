package dev.vitals.doctor.rules;

import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.trace.Observation;
import dev.vitals.doctor.trace.Stats;
import dev.vitals.doctor.trace.Trace;
import dev.vitals.doctor.trace.WeightLayers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The first layers' gradients are orders of magnitude below the last layer's and too small in
 * absolute terms to move their weights: the signal dies on its way back. Judged on the median of
 * the last few observed steps, so one quiet batch does not fire it, and reported with every weight
 * layer's gradient norm so the frozen layers can be read off.
 */
public final class VanishingGradients extends Rule implements TraceRule {
    static final double RATIO = 1e-3, FIRST_NORM = 1e-4;
    static final int WINDOW = 3;

    @Override public Code code() { return Code.VANISHING_GRADIENTS; }

    @Override public Severity severity() { return Severity.ERROR; }

    @Override public String condition() {
        return "over the last " + WINDOW + " observed steps the median of (first weight layer's gradient norm / last weight layer's) is below "
                + RATIO + " and the first layer's gradient norm is below " + FIRST_NORM + " but never exactly zero; " + HeldDown.CONDITION;
    }

    @Override public Map<String, Object> thresholds() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("first/last gradient-norm ratio", RATIO);
        m.put("first-layer gradient norm", FIRST_NORM);
        m.put("observed steps", WINDOW);
        return m;
    }

    @Override public String basis() {
        return "AUTOTRAINER's published thresholds (ratio 1e-3, first-layer norm 1e-4), judged on a median of observed steps so that it can fire in the first epoch. "
                + "A first-layer gradient of exactly zero does not count: measured on XOR, a 4-unit ReLU layer off for all four points blocks the gradient "
                + "for a few steps and recovers, which is not vanishing";
    }

    @Override public String cause() {
        return "the gradient shrinks by a factor at every layer on its way back: saturating activations (sigmoid's slope is at most 0.25, tanh's falls to zero in its tails) in a deep stack, small initial weights, no normalisation, or depth alone (a long stack of layers without residual connections, each passing back only part of its gradient)";
    }

    @Override public String fix() {
        return "use ReLU-family activations in the hidden layers with He initialisation (init: he), add batchnorm after the dense layers, or residual connections";
    }

    @Override
    public List<Finding> evaluate(Trace t, Moment moment) {
        return HeldDown.explain(t, judge(t, moment));
    }

    /** The finding the last observed steps show, or null: for the rules whose symptoms vanishing gradients explain. */
    static Finding vanishing(Trace t) {
        List<Finding> f = INSTANCE.judge(t, Moment.STEP);
        return f.isEmpty() ? null : f.get(0);
    }

    private static final VanishingGradients INSTANCE = new VanishingGradients();

    private List<Finding> judge(Trace t, Moment moment) {
        if (moment == Moment.EPOCH) return List.of();
        List<WeightLayers.Entry> w = WeightLayers.of(t);
        List<Observation> obs = t.observations();
        if (w.size() < 3 || obs.size() < WINDOW) return List.of();
        List<Observation> last = obs.subList(obs.size() - WINDOW, obs.size());
        double[] ratio = new double[WINDOW], first = new double[WINDOW];
        for (int i = 0; i < WINDOW; i++) {
            double[] g = last.get(i).paramGrad();
            first[i] = g[w.get(0).param()];
            double lastNorm = g[w.get(w.size() - 1).param()];
            ratio[i] = lastNorm > 0 ? first[i] / lastNorm : Double.NaN;
        }
        double r = Stats.median(ratio), f = Stats.median(first);
        if (!(r < RATIO && f < FIRST_NORM)) return List.of();
        // exactly zero is units switched off for the whole batch (dead ReLUs), not a signal shrinking through depth
        for (double v : first) if (!(v > 0)) return List.of();
        Map<String, Object> norms = new LinkedHashMap<>();
        double lastNorm = medianNorm(last, w.get(w.size() - 1).param());
        List<String> frozen = new ArrayList<>();
        for (WeightLayers.Entry e : w) {
            double n = medianNorm(last, e.param());
            String desc = t.layers().get(e.layer()).description();
            norms.put(desc.isEmpty() ? e.path() : e.path() + " (" + desc + ")", Numbers.round(n));
            if (lastNorm > 0 && n / lastNorm < RATIO) frozen.add(e.path());
        }
        // the median step's ratio is low but no layer's median norm is (the last layer's own norm swung
        // from step to step by orders of magnitude): no layer to name, nothing shown to vanish. sgd with
        // weight decay 1 on digits ended here in an IndexOutOfBoundsException, exit 1
        if (frozen.isEmpty()) return List.of();
        Observation o = last.get(WINDOW - 1);
        String where = frozen.size() == 1 ? frozen.get(0) : frozen.get(0) + " to " + frozen.get(frozen.size() - 1);
        return List.of(finding(Stage.TRAIN, frozen.get(0), o.step(),
                "gradients vanish before they reach the first layers: " + frozen.size() + " of " + w.size() + " weight layers ("
                        + where + ") get gradients below " + RATIO + " of the last layer's; the first layer's norm is " + Numbers.fmt(f),
                evidence("first_over_last_ratio", r, "first_layer_gradient_norm", f, "gradient_norm_by_layer", norms,
                        "layers_below_ratio", frozen, "steps", last.stream().map(Observation::step).toList())));
    }

    private static double medianNorm(List<Observation> obs, int p) {
        double[] v = new double[obs.size()];
        for (int i = 0; i < v.length; i++) v[i] = obs.get(i).paramGrad()[p];
        return Stats.median(v);
    }
}
