package dev.vitals.doctor.rules;

import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.trace.Observation;
import dev.vitals.doctor.trace.Stats;
import dev.vitals.doctor.trace.Trace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The global gradient norm grows by orders of magnitude while the loss does not improve, or
 * becomes non-finite: the →∞ / NaN signature. The growth is measured against the median of the
 * first observed steps, and the loss condition keeps a healthy run whose gradients grow as it
 * leaves its flat starting region from firing it.
 */
public final class ExplodingGradients extends Rule implements TraceRule {
    static final double GROWTH = 100;
    static final int EARLY = 5, RECENT = 3;
    /** Gradient-norm growth over the first observed step's, with the loss growing too, that is an explosion however the run goes on. */
    static final double BURST = GROWTH, LOSS_BURST = 100;

    @Override public Code code() { return Code.EXPLODING_GRADIENTS; }

    @Override public Severity severity() { return Severity.ERROR; }

    @Override public String condition() {
        return "the median global gradient norm of the last " + RECENT + " observed steps is more than " + GROWTH
                + " times the median of the first " + EARLY + " while the loss is no lower than at the start, or the gradient norm is non-finite; "
                + "or, at any observed step, the gradient norm is more than " + (long) BURST + " times the first step's and the loss more than "
                + (long) LOSS_BURST + " times its first value (a warning when the run came back from it: over its last " + RECOVERY_STEPS + " steps a loss below " + RECOVERED + " times the class shares')";
    }

    @Override public Map<String, Object> thresholds() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("gradient-norm growth", GROWTH);
        m.put("early observed steps", EARLY);
        m.put("recent observed steps", RECENT);
        m.put("burst: gradient-norm growth over the first step's", BURST);
        m.put("burst: loss growth over the first step's", LOSS_BURST);
        return m;
    }

    @Override public String basis() {
        return "the →∞/NaN signature of the failure-signature table; a growth of 100 leaves room for healthy runs, whose gradient norm measured here grows at most a few times";
    }

    @Override public String cause() {
        return "each layer multiplies the gradient by a factor above one on its way back, or the learning rate is so high that every step overshoots into steeper regions: weights, activations and gradients grow until they overflow";
    }

    @Override public String fix() {
        return "lower the learning rate, clip gradients by global norm (train.clip_norm: 1.0), add batchnorm or layernorm, and use a scaled initialisation (he for ReLU, xavier for tanh)";
    }

    @Override
    public List<Finding> evaluate(Trace t, Moment moment) {
        List<Observation> obs = t.observations();
        if (obs.isEmpty()) return List.of();
        Observation last = obs.get(obs.size() - 1);
        boolean nonFinite = !Double.isFinite(last.gradNorm()) && !Double.isNaN(last.gradNorm()) || Double.isNaN(last.gradNorm()) && Double.isFinite(last.loss());
        double growth = Double.NaN;
        if (obs.size() >= EARLY + RECENT) {
            double[] early = new double[EARLY], recent = new double[RECENT];
            for (int i = 0; i < EARLY; i++) early[i] = obs.get(i).gradNorm();
            for (int i = 0; i < RECENT; i++) recent[i] = obs.get(obs.size() - RECENT + i).gradNorm();
            growth = Stats.median(recent) / Stats.median(early);
        }
        int n = t.steps();
        // the start's loss from steps before the blow-up: a run that exploded within its first ten steps
        // read "the loss went from 1.56e+29 over the first 4 steps" of a first step at 7161
        int head = n < 20 ? 1 : 10;
        double startLoss = t.meanLoss(0, Math.min(head, n)), nowLoss = t.meanLoss(Math.max(0, n - 10), n);
        boolean lossBad = !(nowLoss < startLoss) || Double.isNaN(nowLoss);
        boolean lossNonFinite = n > 0 && !Double.isFinite(t.loss(n - 1));
        if (lossNonFinite) growth = LossNonFinite.growth(obs);
        if (!(nonFinite || growth > GROWTH && (lossBad || lossNonFinite))) return burst(t, obs);
        List<Object> series = new ArrayList<>();
        for (int i = Math.max(0, obs.size() - 8); i < obs.size(); i++) series.add(Numbers.round(obs.get(i).gradNorm()));
        Map<String, Object> byLayer = new LinkedHashMap<>();
        for (var e : dev.vitals.doctor.trace.WeightLayers.of(t)) {
            byLayer.put(e.path(), Numbers.round(last.paramGrad()[e.param()]));
        }
        String msg = nonFinite ? "the gradient norm became non-finite at step " + last.step()
                : "gradient norms grew " + Numbers.fmt(growth) + "x since the first steps while the loss went from "
                  + Numbers.fmt(startLoss) + (Math.min(head, n) > 1 ? " over the first " + Math.min(head, n) + " steps" : " at the first step") + " to "
                  + (lossNonFinite ? "NaN" : Numbers.fmt(nowLoss));
        return List.of(finding(Stage.TRAIN, null, last.step(), msg,
                unlogged(evidence("gradient_norm_growth", growth, "recent_gradient_norms", series, "loss_at_start", startLoss, "loss_first_step", t.loss(0),
                        "loss_now", lossNonFinite ? Double.NaN : nowLoss, "gradient_norm_by_weight_layer", byLayer, "lr", (double) last.lr()), "lr")));
    }

    /**
     * A non-finite gradient norm the run recovered from is withdrawn: finite norms on the last
     * {@link #RECENT} observed steps and a finite loss below the one at that step. A mixed-precision
     * loss scaler skips such steps while it calibrates (Hugging Face's fp16 runs log grad_norm inf
     * for them); a real overflow poisons the weights and the loss goes non-finite on the next step.
     */
    @Override
    public boolean stillHolds(Trace t, Finding f) {
        // a burst is judged again on the whole run: one it came back from is raised anew as the warning it has become
        if (f.evidence().containsKey("peak_step")) {
            return evaluate(t, Moment.END).stream().anyMatch(now -> now.severity().ordinal() <= f.severity().ordinal());
        }
        List<Observation> obs = t.observations();
        int at = -1;
        for (int i = 0; i < obs.size(); i++) if (f.step() != null && obs.get(i).step() == f.step()) at = i;
        if (at < 0 || Double.isFinite(obs.get(at).gradNorm()) || obs.size() - 1 - at < RECENT) return true;
        for (int i = obs.size() - RECENT; i < obs.size(); i++) if (!Double.isFinite(obs.get(i).gradNorm())) return true;
        int n = t.steps();
        double now = t.meanLoss(Math.max(0, n - 10), n);
        return !(Double.isFinite(now) && now < obs.get(at).loss());
    }

    /**
     * An explosion within the first observed steps, after which the network may die rather than reach
     * NaN: the gradient norm more than {@link #BURST} times the first step's and the loss more than
     * {@link #LOSS_BURST} times its first value at the same step (sgd at 5 on unscaled wine: norms
     * 1,120 -> 9.3e13 and the loss 334 -> 6.1e16 in three steps, then every ReLU dead). The median
     * of the first steps, which the growth test compares with, held the explosion itself.
     */
    /** The burst's peak among the observations read so far (the first step's norm and loss, which it is judged against, never change). */
    private static final class Peak {
        int read;
        Observation peak;
    }

    private List<Finding> burst(Trace t, List<Observation> obs) {
        double first = obs.get(0).gradNorm(), firstLoss = t.steps() > 0 ? t.loss(0) : Double.NaN;
        if (!(first > 0) || !(firstLoss > 0)) return List.of();
        Peak p = t.memo(Peak.class, Peak::new);
        for (; p.read < obs.size(); p.read++) {
            Observation o = obs.get(p.read);
            if (o.gradNorm() > BURST * first && o.loss() > LOSS_BURST * firstLoss && (p.peak == null || o.gradNorm() > p.peak.gradNorm())) p.peak = o;
        }
        Observation peak = p.peak;
        if (peak == null) return List.of();
        Observation last = obs.get(obs.size() - 1);
        List<Object> series = new ArrayList<>();
        for (int i = 0; i < Math.min(8, obs.size()); i++) series.add(Numbers.round(obs.get(i).gradNorm()));
        // a run that came back from it and learned (5 blobs at adam lr 10: a burst at step 9, then a loss of 0
        // and 100%) shows a rate at the edge of divergence, not a broken run; a dead network's loss stays near
        // the class shares' (unscaled wine at sgd 5: every ReLU dead after the burst)
        int n = t.steps();
        double now = t.meanLoss(Math.max(0, n - RECOVERY_STEPS), n), prior = t.info() == null ? Double.NaN : dev.vitals.doctor.trace.Curves.priorLoss(t.info());
        boolean learning = Double.isFinite(now) && now < RECOVERED * prior;
        boolean recovered = learning && n > 0 && t.stepNumber(n - 1) > peak.step() + RECOVERY_STEPS;
        String after = recovered ? "; the run came back from it: its loss is now " + Numbers.fmt(now) + ", below the " + Numbers.fmt(prior)
                + " of predicting the class shares, but a rate at which the norm bursts " + Numbers.fmt(peak.gradNorm() / first) + "x is at the edge of divergence (another seed or data order may not come back)"
                : !learning && Double.isFinite(last.gradNorm()) && last.gradNorm() < first ? "; the norm has since collapsed to " + Numbers.fmt(last.gradNorm()) + ": the explosion left the network dead or saturated" : "";
        Map<String, Object> ev = unlogged(evidence("gradient_norm_growth", peak.gradNorm() / first, "first_gradient_norms", series, "loss_at_start", firstLoss,
                "loss_at_peak", peak.loss(), "peak_step", peak.step(), "gradient_norm_now", last.gradNorm(), "lr", (double) last.lr()), "lr");
        if (recovered) {
            ev.put("loss_now", now);
            ev.put("prior_loss", prior);
        }
        return List.of(finding(Stage.TRAIN, recovered ? Severity.WARNING : Severity.ERROR, null, peak.step(),
                "the gradient norm burst from " + Numbers.fmt(first) + " at the first step to " + Numbers.fmt(peak.gradNorm()) + " at step " + peak.step()
                        + " (" + Numbers.fmt(peak.gradNorm() / first) + "x) and the loss from " + Numbers.fmt(firstLoss) + " to " + Numbers.fmt(peak.loss()) + after,
                ev, cause(), fix()));
    }

    /** A burst the run came back from: over the last steps (at least this many after the peak), a loss below this share of the class shares' loss. */
    static final int RECOVERY_STEPS = 10;
    static final double RECOVERED = 0.5;
}
