package dev.vitals.doctor.rules;

import dev.vitals.core.nn.Parameter;
import dev.vitals.core.optim.Optimizer;
import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.train.Experiment;
import dev.vitals.core.train.RunInfo;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.check.ProbeContext;
import dev.vitals.doctor.trace.Observation;
import dev.vitals.doctor.trace.Trace;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The update an optimizer applies must be the one its rule prescribes. The probe gives a fresh
 * optimizer known gradients and compares its first two updates with the rule written out here,
 * independently of the engine; for an optimizer whose rule is unknown it checks what every rule
 * obeys: the first update scales linearly with the learning rate. During training the first step's
 * applied update norm is compared with what the rule implies from the reported gradient norms.
 */
public final class UpdateRuleMismatch extends Rule implements ProbeRule, TraceRule {
    /** Values compared per parameter: every rule acts element by element, so a strided sample says as much as all of them. */
    static final int SAMPLE = 2048;
    /** Relative error between applied and prescribed updates that float32 arithmetic cannot explain. */
    static final double PROBE_TOLERANCE = 1e-3;
    /**
     * The rule-free doubling check judges only updates whose float32 rounding (half an ulp of each new
     * weight) is at most this share of their norm: below it, a ratio of 2 is measured to within 1%.
     */
    static final double ROUNDING_SHARE = 0.01;
    /** Applied/expected norm ratio outside [LOW, HIGH] during training is a mismatch. */
    static final double LOW = 0.5, HIGH = 2.0;

    @Override public Code code() { return Code.UPDATE_RULE_MISMATCH; }

    @Override public Severity severity() { return Severity.ERROR; }

    @Override public String condition() {
        return "probe: the optimizer does not hold every parameter of the model; the first two updates of a fresh optimizer differ from the rule its key names (sgd, adam, adamw, with the spec's settings) "
                + "by more than the tolerance (beyond what rounding the new weights to float32 explains), or are not finite; with a weight decay, a step of zero gradients differs from the decay alone by more than the tolerance; "
                + "or the first update does not double when the learning rate doubles (judged where rounding is at most the rounding share of the update), or goes up the gradient (a positive cosine between update and gradient): the only checks of a rule the probe does not know; "
                + "training: the first step's applied update norm is outside [low, high] times what the rule implies from the gradient norms. 'vitals train' runs the probe before training too";
    }

    @Override public Map<String, Object> thresholds() {
        return ordered("probe relative tolerance", PROBE_TOLERANCE, "probe rounding share", ROUNDING_SHARE, "training ratio low", LOW, "training ratio high", HIGH);
    }

    @Override public String basis() {
        return "the rules of SGD (with momentum, Nesterov, L2), Adam (Kingma and Ba) and AdamW (Loshchilov and Hutter) as PyTorch defines them; "
                + "the tolerance is float32 rounding with margin, the training band leaves room for Adam's epsilon and clipping";
    }

    @Override public String cause() {
        return "the optimizer's update is computed wrongly: the learning rate applied twice, a gradient scaled again, momentum or moment estimates mishandled";
    }

    @Override public String fix() {
        return "apply the learning rate exactly once: w -= lr * step, where step is what the rule computes from the gradient (the momentum buffer updated before it is used, "
                + "Adam's bias correction counted from step 1, the weight decay toward zero and where the rule puts it, every parameter in the optimizer's list)";
    }

    @Override public int order() { return 4; }

    @Override public String probeName() { return "update rule"; }

    // ---- probe -----------------------------------------------------------------------------

    @Override
    public List<Finding> probe(ProbeContext ctx) {
        Spec spec = ctx.spec();
        Spec.Optimizer o = spec.optimizer();
        float lr = (float) o.lr();
        // The rule-free check, reported below: the first update from a fresh state doubles when the learning
        // rate doubles. Run first, each on an experiment of its own that is gone before the next is built:
        // a large model's copies are the difference between a probe that fits in the heap and one that does not.
        Probe pa = new Probe(17, 0.1);
        double[] a = firstUpdate(ctx, lr, pa), b = firstUpdate(ctx, 2 * lr, new Probe(17, 0.1));
        if (a == null) return List.of();
        double scale = norm(b) / Math.max(norm(a), 1e-30);
        // updates of a few ulps of their weights round by tens of percent: their norms cannot tell 2 from 1.9
        boolean resolved = norm(pa.rounding) <= ROUNDING_SHARE * norm(a);
        List<Finding> out = ruleCheck(ctx, o, lr, resolved ? scale : Double.NaN);
        if (out == null) return List.of();
        ctx.measured().put("update_scale_when_lr_doubles", scale);
        if (!resolved) ctx.measured().put("update_scale_inconclusive", "the updates are within float32 rounding of the weights");
        // every descent rule's first step from a fresh state goes against the gradient, whatever its size
        double along = 0;
        for (int i = 0; i < a.length; i++) along += a[i] * pa.g[i];
        double cosine = along / Math.max(norm(a) * norm(pa.g), 1e-300);
        if (norm(a) > 0) ctx.measured().put("first_update_cosine_with_gradient", cosine);
        if (out.isEmpty() && norm(a) > 0 && cosine > 0) {
            out.add(finding(Stage.PROBE, null, null,
                    "the first update goes up the gradient, not down it (cosine " + Numbers.fmt(cosine) + " between the update and the gradient, where every descent rule's first step has a negative one): the update's sign is flipped",
                    evidence("optimizer", o.name(), "lr", (double) lr, "first_update_cosine_with_gradient", cosine)));
        }
        if (out.isEmpty() && resolved && norm(a) > 0 && Math.abs(scale - 2) > 0.05) {
            out.add(finding(Stage.PROBE, null, null,
                    "doubling the learning rate multiplies the first update by " + Numbers.fmt(scale) + " instead of 2"
                            + (Math.abs(scale - 4) < 0.1 ? ": the learning rate is applied twice" : ""),
                    evidence("optimizer", o.name(), "lr", (double) lr, "update_scale_when_lr_doubles", scale)));
        }
        return out;
    }

    /**
     * The first two updates of a fresh experiment against the rule the optimizer names, then the
     * weight decay alone; null for a model without parameters. {@code lrScale}: what doubling the rate
     * did to the first update (NaN where rounding hides it), for the message.
     */
    private List<Finding> ruleCheck(ProbeContext ctx, Spec.Optimizer o, float lr, double lrScale) {
        Experiment e = ctx.fresh();
        List<Parameter> ps = e.model().parameters();
        if (ps.isEmpty()) return null;
        Probe first = new Probe(17, 0.1).at(ps), second = new Probe(29, 0.1).at(ps);
        double[] w0 = first.sampled(ps);
        Optimizer opt = e.optimizer();
        // the rule the optimizer says it follows, with the spec's settings: an API user's own optimizer of
        // another rule (a correct RMSprop under a spec that says sgd) is not held to sgd's
        String name = opt.key();
        // an optimizer built over some other list (an API user's own, given List.of()) never updates what it lacks
        java.util.Set<Parameter> held = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        held.addAll(opt.parameters());
        List<String> missing = ps.stream().filter(p -> !held.contains(p)).map(Parameter::fullName).toList();
        if (!missing.isEmpty()) {
            ctx.measured().put("parameters_not_in_optimizer", missing.size());
            return new ArrayList<>(List.of(finding(Stage.PROBE, null, null,
                    "the optimizer holds " + (ps.size() - missing.size()) + " of the model's " + ps.size() + " parameters: " + String.join(", ", missing.subList(0, Math.min(5, missing.size())))
                            + (missing.size() > 5 ? " and " + (missing.size() - 5) + " more" : "") + " are never updated",
                    evidence("optimizer", name, "parameters", ps.size(), "parameters_not_in_optimizer", missing))));
        }
        double[] d1 = first.apply(ps, opt, lr), r1 = first.rounding, d2 = second.apply(ps, opt, lr), r2 = second.rounding;
        double[][] expected = rule(o, name, lr, w0, first.g, second.g);
        List<Finding> out = new ArrayList<>();
        if (expected == null) ctx.measured().put("rule", "'" + name + "' is not a rule the probe knows (sgd, adam, adamw): the rule-free check only");
        if (expected != null) {
            double e1 = relErr(d1, expected[0], r1), e2 = relErr(d2, expected[1], r2);
            double ratio = norm(d1) / Math.max(norm(expected[0]), 1e-30);
            ctx.measured().put("rule", name);
            ctx.measured().put("step1_relative_error", e1);
            ctx.measured().put("step2_relative_error", e2);
            ctx.measured().put("applied_over_prescribed", ratio);
            // NaN is no agreement: an update of NaN from finite gradients is as wrong as an update can be
            if (!(e1 <= PROBE_TOLERANCE) || !(e2 <= PROBE_TOLERANCE)) {
                List<String> differing = differing(ps, first.at, d1, expected[0], r1, d2, expected[1], r2);
                String which = differing.size() == ps.size() ? "" : "; it differs in " + String.join(", ", differing.subList(0, Math.min(5, differing.size())))
                        + (differing.size() > 5 ? " and " + (differing.size() - 5) + " more" : "") + " of the " + ps.size() + " parameters";
                double ratio2 = norm(d2) / Math.max(norm(expected[1]), 1e-30);
                out.add(finding(Stage.PROBE, null, null, describe(name, ratio, ratio2, lr, o.weightDecay(), e1, e2, lrScale) + which,
                        evidence("optimizer", name, "lr", (double) lr, "step1_relative_error", e1, "step2_relative_error", e2,
                                "applied_norm", norm(d1), "prescribed_norm", norm(expected[0]), "applied_over_prescribed", ratio,
                                "values_compared", d1.length, "parameters_differing", differing)));
            }
        }
        // The weight decay alone, from a fresh state and zero gradients: beside gradients of 0.1, a decay of
        // 1e-4 on weights of 0.1 is a thousandth of the update, inside the tolerance even with its sign wrong
        // run after a failed rule check too: a wrong decay is the more precise name for what went wrong
        // ... unless the rule check found the learning rate applied twice, which scales the decay's step by the
        // rate too (adamw's default decay read "the decay is left out" for a rate applied twice)
        boolean rateTwice = !out.isEmpty() && expected != null && appliedTwice(norm(d1) / Math.max(norm(expected[0]), 1e-30), lr, lrScale);
        // ... nor where the rule check saw nothing applied at all: an update that never lands takes the decay's
        // step with it (stale_updates under adamw's default decay read "the decay is left out", not "nothing was applied")
        boolean nothingApplied = !out.isEmpty() && norm(d1) == 0 && norm(d2) == 0;
        if (expected != null && o.weightDecay() > 0 && !rateTwice && !nothingApplied) {
            e = null;  // (its weights, gradients and optimizer state need not live beside the next experiment's)
            opt = null;
            ps = null;
            Experiment fresh = ctx.fresh();
            List<Parameter> fps = fresh.model().parameters();
            Probe none = new Probe(17, 0).at(fps);
            double[] wz = none.sampled(fps);
            double[] dz = none.apply(fps, fresh.optimizer(), lr);
            double[] ez = rule(o, name, lr, wz, none.g, none.g)[0];
            double err = relErr(dz, ez, none.rounding);
            ctx.measured().put("decay_step_relative_error", err);
            if (norm(ez) > 0 && !(err <= PROBE_TOLERANCE)) {
                double along = 0;
                for (int i = 0; i < dz.length; i++) along += dz[i] * ez[i];
                double times = norm(dz) / norm(ez);
                String how = norm(dz) <= 1e-3 * norm(ez) ? ": the weights did not move, the decay is left out"
                        : along < 0 ? ": it pushes the weights away from zero (the decay's sign is flipped)"
                        : Math.abs(times - 2) < 0.05 ? ": it is " + Numbers.fmt(times) + " times the decay, which is applied twice" : "";
                // the decay explains the failed rule check as well: one finding, the precise one
                out.clear();
                out.add(finding(Stage.PROBE, null, null,
                        name + "'s weight decay is applied wrongly: with zero gradients the update should be the decay alone, and it differs from it by a relative "
                                + Numbers.fmt(err) + how,
                        evidence("optimizer", name, "lr", (double) lr, "weight_decay", o.weightDecay(), "decay_step_relative_error", err,
                                "applied_norm", norm(dz), "prescribed_norm", norm(ez), "applied_over_decay", times, "values_compared", dz.length)));
            }
        }
        return out;
    }

    /**
     * {@code lrScale}: how much the first update grew when the rate doubled (NaN where rounding hides it):
     * a rate applied twice makes it 4; a step that merely happens to be the rate's size beside the rule's
     * (an element-wise clip of 0.01 at lr 0.1: 0.097 of it) is not called that.
     */
    /** The parameters whose sampled updates, in either step, differ from the rule's by more than the tolerance. */
    private static List<String> differing(List<Parameter> ps, int[][] at, double[] d1, double[] x1, double[] r1, double[] d2, double[] x2, double[] r2) {
        List<String> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < ps.size(); i++) {
            int to = from + at[i].length;
            double a = relErr(java.util.Arrays.copyOfRange(d1, from, to), java.util.Arrays.copyOfRange(x1, from, to), java.util.Arrays.copyOfRange(r1, from, to));
            double b = relErr(java.util.Arrays.copyOfRange(d2, from, to), java.util.Arrays.copyOfRange(x2, from, to), java.util.Arrays.copyOfRange(r2, from, to));
            if (!(a <= PROBE_TOLERANCE) || !(b <= PROBE_TOLERANCE)) out.add(ps.get(i).fullName());
            from = to;
        }
        return out;
    }

    /** A first update the rate's size beside the rule's, that grew fourfold when the rate doubled (or whose growth rounding hid). */
    private static boolean appliedTwice(double ratio, float lr, double lrScale) {
        boolean squared = Double.isNaN(lrScale) || Math.abs(lrScale - 4) < 0.2;
        return ratio > 0 && squared && Math.abs(Math.log(ratio / lr)) < Math.log(1.5);
    }

    private static String describe(String name, double ratio, double ratio2, float lr, double wd, double e1, double e2, double lrScale) {
        if (!Double.isFinite(e1) || !Double.isFinite(e2)) {
            return name + "'s applied update is not a number (NaN or infinity) at step " + (Double.isFinite(e1) ? 2 : 1) + " of finite gradients";
        }
        if (e1 <= PROBE_TOLERANCE) {
            // the first step from a fresh state is right: what the rule carries into the second is not
            return name + "'s first update follows its rule and its second does not (relative error " + Numbers.fmt(e2) + ", the applied step "
                    + Numbers.fmt(ratio2) + " times the prescribed one): the state kept between steps (the momentum buffer, Adam's moment estimates, "
                    + "the step count of its bias correction) is lost, reset or mishandled";
        }
        String s = name + "'s applied update differs from its rule (relative error " + Numbers.fmt(Math.max(e1, e2)) + ")";
        if (appliedTwice(ratio, lr, lrScale)) {
            s += ": the applied step is " + Numbers.fmt(ratio) + " times the prescribed one, which is the learning rate itself: the learning rate is applied twice";
        } else if (ratio == 0) {
            s += ": nothing was applied";
        } else if (Math.abs(ratio - 1) < 0.05) {
            // a step of the right size in the wrong direction: a decay coupled where the rule decouples it, a momentum mixed wrongly
            s += ": the applied step has the prescribed size (" + Numbers.fmt(ratio) + " times) but not its direction"
                    + (wd > 0 ? " (with a weight decay set: look at where it enters the update, applied twice or coupled where the rule decouples it)" : "");
        } else {
            s += ": the applied step is " + Numbers.fmt(ratio) + " times the prescribed one";
        }
        return s;
    }

    /**
     * A known gradient for every parameter, and the positions (a stride of each parameter, at most
     * {@link #SAMPLE} of them) where the applied update is compared with the rule.
     */
    private static final class Probe {
        private final long seed;
        private final double scale;
        int[][] at;
        /** The gradient at the sampled positions, as {@link #apply} set it. */
        double[] g;
        /** After {@link #apply}: half an ulp of each sampled weight after the step, what storing it in float32 may have rounded its change by. */
        double[] rounding;

        /** Gradients of standard deviation {@code scale} drawn from {@code seed}: 0 for a step of the weight decay alone. */
        Probe(long seed, double scale) {
            this.seed = seed;
            this.scale = scale;
        }

        /** The positions compared: a stride of each parameter, at most {@link #SAMPLE} of them. */
        Probe at(List<Parameter> ps) {
            at = new int[ps.size()][];
            int total = 0;
            for (int i = 0; i < ps.size(); i++) {
                int n = ps.get(i).size(), stride = Math.max(1, n / SAMPLE);
                at[i] = new int[(n + stride - 1) / stride];
                for (int k = 0, j = 0; k < n; k += stride, j++) at[i][j] = k;
                total += at[i].length;
            }
            g = new double[total];
            rounding = new double[total];
            return this;
        }

        double[] sampled(List<Parameter> ps) {
            double[] out = new double[g.length];
            int j = 0;
            for (int i = 0; i < ps.size(); i++) for (int k : at[i]) out[j++] = ps.get(i).value().data()[k];
            return out;
        }

        /**
         * Draws the gradients straight into the parameters' (a copy of them kept for each probe was
         * five copies of a large model), steps, and returns the applied change at the sampled positions.
         */
        double[] apply(List<Parameter> ps, Optimizer opt, float lr) {
            if (at == null) at(ps);
            SplittableRandom rng = new SplittableRandom(seed);
            int j = 0;
            for (int i = 0; i < ps.size(); i++) {
                float[] d = ps.get(i).grad().data();
                for (int k = 0, n = ps.get(i).size(); k < n; k++) d[k] = (float) (rng.nextGaussian() * scale);
                for (int k : at[i]) g[j++] = d[k];
            }
            double[] before = sampled(ps);
            opt.step(lr, null);
            double[] after = sampled(ps);
            for (int m = 0; m < after.length; m++) {
                rounding[m] = 0.5 * Math.ulp((float) after[m]);
                after[m] -= before[m];
            }
            return after;
        }
    }

    /** The first update of a fresh experiment under {@code p}'s gradients; null for a model without parameters. */
    private static double[] firstUpdate(ProbeContext ctx, float lr, Probe p) {
        Experiment e = ctx.fresh();
        List<Parameter> ps = e.model().parameters();
        return ps.isEmpty() ? null : p.apply(ps, e.optimizer(), lr);
    }

    /** The prescribed first two updates, written out from the published rules; null for an unknown optimizer. */
    static double[][] rule(Spec.Optimizer o, String name, double lr, double[] w0, double[] g1, double[] g2) {
        int n = w0.length;
        double[] d1 = new double[n], d2 = new double[n];
        double wd = o.weightDecay();
        switch (name) {
            case "sgd" -> {
                double mu = o.momentum();
                for (int i = 0; i < n; i++) {
                    double a = g1[i] + wd * w0[i];
                    double buf = a;
                    double s1 = mu > 0 && o.nesterov() ? a + mu * buf : mu > 0 ? buf : a;
                    d1[i] = -lr * s1;
                    double w1 = w0[i] + d1[i];
                    double b = g2[i] + wd * w1;
                    double buf2 = mu * buf + b;
                    double s2 = mu > 0 && o.nesterov() ? b + mu * buf2 : mu > 0 ? buf2 : b;
                    d2[i] = -lr * s2;
                }
            }
            case "adam", "adamw" -> {
                boolean decoupled = name.equals("adamw");
                double b1 = o.beta1(), b2 = o.beta2(), eps = o.eps();
                for (int i = 0; i < n; i++) {
                    double w = w0[i];
                    double a = decoupled ? g1[i] : g1[i] + wd * w;
                    double m = (1 - b1) * a, v = (1 - b2) * a * a;
                    double step1 = (m / (1 - b1)) / (Math.sqrt(v / (1 - b2)) + eps);
                    d1[i] = -lr * step1 - (decoupled ? lr * wd * w : 0);
                    double w1 = w + d1[i];
                    double b = decoupled ? g2[i] : g2[i] + wd * w1;
                    m = b1 * m + (1 - b1) * b;
                    v = b2 * v + (1 - b2) * b * b;
                    double step2 = (m / (1 - b1 * b1)) / (Math.sqrt(v / (1 - b2 * b2)) + eps);
                    d2[i] = -lr * step2 - (decoupled ? lr * wd * w1 : 0);
                }
            }
            default -> {
                return null;
            }
        }
        return new double[][] {d1, d2};
    }

    // ---- training ----------------------------------------------------------------------------

    @Override
    public List<Finding> evaluate(Trace t, Moment moment) {
        if (moment != Moment.STEP || t.info() == null || t.observations().size() != 1) return List.of();
        Observation o = t.observations().get(0);
        if (o.step() != 0 || o.lr() <= 0 || !Double.isFinite(o.gradNorm())) return List.of();
        RunInfo.OptimizerInfo oi = t.info().optimizer();
        List<Double> ratios = new ArrayList<>();
        double applied = 0, prescribed = 0;
        for (int p = 0; p < t.parameters().size(); p++) {
            // the engine reports each parameter's gradient as the optimizer used it, after any clipping
            double g = o.paramGrad()[p], w = o.paramValue()[p], u = o.paramUpdate()[p];
            int size = t.parameterSize(p);
            if (!(g > 0) || size <= 0 || u == 0) continue;
            double nonzero = size * (1 - o.paramGradZero()[p]);
            // the rule's update norm, or the range it lies in where L2 weight decay adds wd * w to the
            // gradient: from norms alone |g + wd w| is only known to lie in |g| -+ wd |w|
            double lo, hi;
            switch (oi.name()) {
                case "sgd" -> {
                    double f = o.lr() * (oi.nesterov() ? 1 + oi.momentum() : 1), decay = oi.weightDecay() * w;
                    lo = f * Math.max(0, g - decay);
                    hi = f * (g + decay);
                }
                case "adam", "adamw" -> {
                    // |step| per element is |g| / (|g| + eps) <= 1; only gradients well above eps give exactly 1
                    if (g / Math.sqrt(Math.max(nonzero, 1)) < 1e-5) continue;
                    boolean coupled = oi.name().equals("adam") && oi.weightDecay() > 0;
                    double decoupled = oi.name().equals("adamw") ? o.lr() * oi.weightDecay() * w : 0;
                    // coupled decay gives the elements without a gradient a step too (wd * w is far above eps)
                    lo = o.lr() * Math.sqrt(nonzero) + decoupled;
                    hi = o.lr() * Math.sqrt(coupled ? size : nonzero) + decoupled;
                }
                default -> {
                    continue;
                }
            }
            if (!(lo > 0)) continue;
            double expected = u > hi ? hi : u < lo ? lo : u;
            ratios.add(u / expected);
            applied += u * u;
            prescribed += expected * expected;
        }
        if (ratios.isEmpty()) return List.of();
        // a loop, not a stream: this runs once, on the training thread, as cold code (the first stream
        // of a run costs milliseconds of class loading and lambda linking there)
        double[] rs = new double[ratios.size()];
        for (int i = 0; i < rs.length; i++) rs[i] = ratios.get(i);
        double r = dev.vitals.doctor.trace.Stats.median(rs);
        if (r >= LOW && r <= HIGH) return List.of();
        String msg = "the first step applied an update " + Numbers.fmt(r) + " times the size " + oi.name() + "'s rule gives for these gradients";
        if (Math.abs(Math.log(r / o.lr())) < Math.log(1.5)) msg += " (that factor is the learning rate itself: the learning rate is applied twice)";
        return List.of(finding(Stage.TRAIN, null, 0L, msg,
                evidence("optimizer", oi.name(), "lr", (double) o.lr(), "applied_over_prescribed", r,
                        "applied_update_norm", Math.sqrt(applied), "prescribed_update_norm", Math.sqrt(prescribed))));
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) s += x * x;
        return Math.sqrt(s);
    }

    /**
     * The relative error of the applied updates {@code a} against the prescribed {@code b}, less what
     * rounding the new weights to float32 explains ({@code rounding}, per value): with a small learning
     * rate an update is a few ulps of its weight, and the stored change differs from the computed one
     * by up to half an ulp, percents of it, in a correct optimizer.
     */
    private static double relErr(double[] a, double[] b, double[] rounding) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.max(0, Math.abs(a[i] - b[i]) - rounding[i]);
            s += d * d;
        }
        return Math.sqrt(s) / Math.max(norm(b), 1e-30);
    }
}
