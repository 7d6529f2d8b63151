package dev.vitals.doctor.rules;

import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.core.spec.Spec;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.check.LintContext;

import java.util.List;
import java.util.Map;

/**
 * The weight decay is far above what works for the optimizer. sgd and adam add it to the gradient
 * (L2: g + wd·w), where it competes with the loss's gradient step by step; adamw shrinks the weights
 * by lr·wd outside the gradient, which tolerates settings ten times larger. The run itself measures
 * a decay holding the model down (see {@link dev.vitals.doctor.trace.Decay}); this is the spec's
 * setting judged before any step, as LEARNING_RATE_RANGE judges the rate.
 */
public final class WeightDecayRange extends Rule implements LintRule {
    /** Above these the decay costs a run much of its fit (see {@link #basis()}). */
    static final double COUPLED_HIGH = 0.1, DECOUPLED_HIGH = 1;

    @Override public Code code() { return Code.WEIGHT_DECAY_RANGE; }

    @Override public Severity severity() { return Severity.WARNING; }

    /** The highest weight decay that still trains under {@code optimizer}: adamw's decoupled one, else the L2 one of sgd and adam. */
    public static double high(String optimizer) { return "adamw".equals(optimizer) ? DECOUPLED_HIGH : COUPLED_HIGH; }

    @Override public String condition() {
        return "sgd or adam (the decay added to the gradient, as L2) with weight_decay above " + COUPLED_HIGH + "; adamw (decoupled) with weight_decay above " + Numbers.fmt(DECOUPLED_HIGH)
                + "; an error in check where its short run measured the decay holding the weights down: weight_decay x a weight layer's norm at least "
                + dev.vitals.doctor.trace.Decay.HOLDS + " of its loss gradient's norm (the median over the weight layers of the median over the last 20 observed steps) and the weights below "
                + dev.vitals.doctor.trace.Decay.SHRUNK + " of their starting norm";
    }

    @Override public Map<String, Object> thresholds() {
        return ordered("sgd and adam weight_decay, high", COUPLED_HIGH, "adamw weight_decay, high", DECOUPLED_HIGH);
    }

    @Override public String basis() {
        return "measured: digits through 64 ReLU units, 8 epochs at batch 32, test accuracy. Adam at lr 1e-3: 93.6% from no decay to 0.03, 91.9% at 0.1, 85.8% at 0.3, 53.5% at 1. "
                + "SGD at 0.05 with momentum 0.9: 96.7-97.8% up to 0.03, 93.6% at 0.1, 72.7% at 0.3, chance (9.7%) at 1. AdamW at lr 1e-3: 92.5-93.9% from 0.01 to 3, 81.3% at 10 "
                + "(30 epochs: 97.5% at 0.1 and 1, 95.5% at 3); wine under adamw trained the same with 0 to 2 at lr 3e-5, 3e-4 and 3e-3. Each line is the last setting that still trains near "
                + "the best. Anchors: 5e-4 for sgd (ResNets), 1e-4 usual for adam; 0.01 (PyTorch's default) to 0.1 for adamw (Loshchilov & Hutter)";
    }

    @Override public String cause() {
        return "a weight decay this strong pulls the weights towards zero harder than the loss's gradient moves them: the model stays near its simplest prediction, "
                + "or its training loss climbs back up as the weights shrink";
    }

    @Override public String fix() {
        return "sgd and adam: weight_decay 1e-4 to 1e-2 (5e-4 is usual); adamw: 0.01 to 0.1; vitals fix tries 1e-4";
    }

    /**
     * The lint's warning where check's short run measured the decay holding the weights down (a pull of
     * {@link dev.vitals.doctor.trace.Decay#HOLDS} or more of the loss's gradient, the weights below
     * {@link dev.vitals.doctor.trace.Decay#SHRUNK} of their start): an error, with what was measured. sgd
     * at decay 5 on digits was "healthy" by check with the warning alone, and the run ended at chance.
     */
    public static Finding confirmed(Finding lint, double pull, double kept) {
        Map<String, Object> e = new java.util.LinkedHashMap<>(lint.evidence());
        e.put(dev.vitals.doctor.rules.HeldDown.PULL, Numbers.round(pull));
        e.put("weight_norm_now_over_start", Numbers.round(kept));
        String measured = "; the short run measured it: " + (Double.isInfinite(pull) ? "the loss's gradient in the weight layers at zero, the decay alone moving them"
                : "a pull " + Numbers.fmt(pull) + " times the loss's gradient's") + ", and the weights shrank to " + Numbers.fmt(kept) + " of their starting norm";
        return new Finding(lint.code(), Severity.ERROR, lint.stage(), lint.layer(), lint.step(), lint.message() + measured, e, lint.cause(), lint.fix(), lint.verified());
    }

    /**
     * The range test's finding where the short run measured the decay holding the weights down: the
     * test ran under that decay, so the rate it suggests is fitted to the decay (sgd at decay 5: "cut
     * the rate to 5.2e-5", which trained to 22%; the decay at 1e-4 at the spec's rate: 97.8%).
     */
    public static Finding underDecay(Finding rate, double pull) {
        Map<String, Object> e = new java.util.LinkedHashMap<>(rate.evidence());
        e.put(dev.vitals.doctor.rules.HeldDown.PULL, Numbers.round(pull));
        return new Finding(rate.code(), rate.severity(), rate.stage(), rate.layer(), rate.step(), rate.message(), e,
                "the range test ran under a weight decay the short run measured holding the weights down (WEIGHT_DECAY_RANGE): its curve shows the decay as much as the rate",
                "lower weight_decay first (vitals fix tries 1e-4), then run 'vitals check' again before changing the rate", rate.verified());
    }

    /** Whether a short run's measured pull and shrink say the decay holds the weights down. */
    public static boolean holds(double pull, double kept) {
        return pull >= dev.vitals.doctor.trace.Decay.HOLDS && kept < dev.vitals.doctor.trace.Decay.SHRUNK;
    }

    @Override
    public List<Finding> lint(LintContext ctx) {
        Spec.Optimizer o = ctx.spec().optimizer();
        double wd = o.weightDecay(), high = high(o.name());
        if (!(wd > high * (1 + 1e-9))) return List.of();
        boolean decoupled = "adamw".equals(o.name());
        String msg = o.name() + " with weight_decay " + Numbers.fmt(wd) + (decoupled ? " (decoupled)" : " (added to the gradient, as L2)") + ", "
                + Numbers.fmt(wd / high) + " times above the " + Numbers.fmt(high) + " up to which " + o.name() + " still trains near its best"
                + ": the decay pulls the weights towards zero harder than the loss can move them";
        return List.of(finding(Stage.LINT, null, null, msg,
                evidence("setting", "optimizer.weight_decay", "optimizer", o.name(), "weight_decay", wd, "plausible_high", high, "decoupled", decoupled)));
    }
}
