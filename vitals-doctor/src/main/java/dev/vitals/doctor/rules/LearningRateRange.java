package dev.vitals.doctor.rules;

import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.core.spec.Spec;
import dev.vitals.doctor.Code;
import dev.vitals.core.optim.Schedule;
import dev.vitals.core.train.Experiment;
import dev.vitals.core.train.RunInfo;
import dev.vitals.core.train.StepEvent;
import dev.vitals.core.train.Trainer;
import dev.vitals.core.train.TrainingListener;
import dev.vitals.doctor.check.LintContext;
import dev.vitals.doctor.check.ProbeContext;
import dev.vitals.doctor.trace.Trace;

import java.util.ArrayList;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The learning rate is far outside what works for the optimizer. The lint part judges the spec's
 * setting against ranges measured for each optimizer; for SGD on the effective step
 * lr / (1 - momentum), since momentum multiplies a steady gradient's step by 1 / (1 - momentum).
 * The probe part is a learning-rate range test (Smith, 2015; fastai's lr_find) on the real model
 * and data: the rate grows exponentially over {@link #STEPS} steps while the loss is smoothed; the
 * suggestion is a tenth of the rate at the smoothed minimum. The spec's rate is judged against it.
 */
public final class LearningRateRange extends Rule implements LintRule, ProbeRule {
    static final double LR_START = 1e-7, LR_END = 10, DIVERGED = 4, SMOOTHING = 0.9, TOO_HIGH = 3, TOO_LOW = 1e-3, VALLEY = 0.1;
    /** What the range test reports when the spec's rate lies in the range it measured: the lint's heuristic is then withdrawn. */
    public static final String WITHIN_MEASURED_RANGE = "spec_lr_within_measured_range";
    static final int STEPS = 100, SKIP = 5;
    /** Values of each parameter compared before and after the test to see that the weights moved. */
    static final int MOVED_SAMPLE = 1 << 16;
    /** The lint's warning is withdrawn only for a rate at most this fraction (1/3) of the minimum's rate. */
    static final double VOUCHES_BELOW = 3;
    /** A spec rate within this factor of where the range test diverged is too high for a whole run. */
    static final double NEAR_DIVERGENCE = 2;
    static final double ADAM_LOW = 3e-5, ADAM_HIGH = 0.03, SGD_LOW = 3e-4, SGD_HIGH = 2;

    /** The learning rates that work for an optimizer, and the effective rate of its setting. */
    public record Range(double low, double high, double effective, String measure) {
        /** Within the range, its ends included: 0.2 / (1 - 0.9) is 2.0000000000000004 in doubles, and sgd's end is 2. */
        public boolean contains(double v) { return v >= low * (1 - 1e-9) && v <= high * (1 + 1e-9); }
    }

    /** The plausible range for {@code o}: on lr for adam and adamw, on lr / (1 - momentum) for sgd. */
    public static Range plausible(Spec.Optimizer o) {
        if (o.name().equals("sgd")) return new Range(SGD_LOW, SGD_HIGH, o.lr() / (1 - o.momentum()), "lr / (1 - momentum)");
        return new Range(ADAM_LOW, ADAM_HIGH, o.lr(), "lr");
    }

    /** The same for a run's optimizer; null where it is not one of Vitals' (a replayed log's is "unknown"). */
    static Range plausible(RunInfo.OptimizerInfo o) {
        if (o == null) return null;
        if (o.name().equals("sgd")) return new Range(SGD_LOW, SGD_HIGH, o.lr() / (1 - (Double.isFinite(o.momentum()) ? o.momentum() : 0)), "lr / (1 - momentum)");
        return o.name().equals("adam") || o.name().equals("adamw") ? new Range(ADAM_LOW, ADAM_HIGH, o.lr(), "lr") : null;
    }

    @Override public Code code() { return Code.LEARNING_RATE_RANGE; }

    @Override public Severity severity() { return Severity.WARNING; }

    @Override public String condition() {
        return "lint: adam/adamw with lr below " + ADAM_LOW + " or above " + ADAM_HIGH + "; sgd with lr / (1 - momentum) below " + SGD_LOW + " or above " + (int) SGD_HIGH
                + ". Probe: in a range test from " + LR_START + " to " + LR_END + " over " + STEPS + " steps, the spec's rate is more than " + TOO_HIGH
                + " times the rate at the smoothed loss minimum, or within " + NEAR_DIVERGENCE + "x of the rate where its loss diverged, or less than " + TOO_LOW + " of it; a test whose suggested rate (a tenth of the minimum's) lies above the lint's range for the optimizer is inconclusive (except for a regression of the label value, whose output must reach the labels' scale); a test whose weights did not move (updates lost) says nothing; the test runs without the spec's clip_norm (a clip that binds sets the steps whatever the rate), and calls no rate too high that the short run, under the spec's clip, trained to half its starting loss, nor from a test its time budget ended within a tenth of the rate above its minimum (a lower bound, then); the lint's warning is withdrawn when the spec's rate is at most 1/"
                + (int) VOUCHES_BELOW + " of the minimum's";
    }

    @Override public Map<String, Object> thresholds() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("adam lr, low", ADAM_LOW);
        m.put("adam lr, high", ADAM_HIGH);
        m.put("sgd lr / (1 - momentum), low", SGD_LOW);
        m.put("sgd lr / (1 - momentum), high", SGD_HIGH);
        m.put("range test steps", STEPS);
        m.put("range test: loss smoothing (EMA)", SMOOTHING);
        m.put("range test: stop when smoothed loss exceeds its minimum by", DIVERGED);
        m.put("range test: too high beyond the minimum's rate by", TOO_HIGH);
        m.put("range test: too high within this factor of the rate where it diverged", NEAR_DIVERGENCE);
        m.put("range test: too low below the minimum's rate by", TOO_LOW);
        m.put("range test: valley depth needed to conclude", VALLEY);
        m.put("range test: withdraws the lint's warning for a rate below the minimum's divided by", VOUCHES_BELOW);
        return m;
    }

    @Override public String basis() {
        return "measured: training loss after 5 epochs (batch 32, He init, 2 hidden ReLU layers) on digits, breast-cancer and spirals at learning rates 1e-6 to 10. "
                + "Adam: best at 0.003-0.1; at 0.03 digits already does 17x worse than at 0.01 (0.232 vs 0.014) and at 0.1 it fails (1.94 from 2.70); at 1e-5 no set "
                + "gets a tenth of the way (digits 2.48 from 2.70), at 1e-4 all learn. SGD, on lr/(1-momentum): best at 0.3-1; at 3 every plain-SGD run fails (NaN, 0.68, 1.16) "
                + "while 1.0 (the usual 0.1 with momentum 0.9) still works for two of three; at 1e-4 no set gets a tenth of the way, at 1e-3 all learn slowly. "
                + "Each line sits near the geometric middle between the last rate that works and the first that fails (the high Adam line at the last that works). "
                + "Anchors: Adam's default 1e-3 (Kingma & Ba), Karpathy's 3e-4; SGD 0.1 with momentum 0.9 for ResNets. Seed 002 trained plain SGD at 1e-4";
    }

    @Override public String cause() {
        return "a learning rate far too high makes steps overshoot (the loss bounces or diverges); far too low, the weights barely move and the loss sits still";
    }

    @Override public String fix() {
        // the advice is the middle of the range the lint accepts, which the evidence quotes
        return "adam/adamw: lr between 1e-4 and 0.01 (1e-3 is the usual start; runs train at all between " + Numbers.fmt(ADAM_LOW) + " and " + Numbers.fmt(ADAM_HIGH)
                + "); sgd: lr 0.01-0.1 with momentum: 0.9 (lr / (1 - momentum) between " + Numbers.fmt(SGD_LOW) + " and " + Numbers.fmt(SGD_HIGH)
                + "); then run a learning-rate range test";
    }

    @Override public int order() { return 8; }

    @Override public String probeName() { return "learning-rate range test"; }

    /**
     * The range test's reading: the rate at the smoothed minimum, the suggested rate, where it diverged;
     * {@code cutShort}: the rate where the time budget ended the test before its last step (NaN where it
     * ran to the end or diverged): the curve's minimum is then only a lower bound of the real one.
     */
    public record RangeTest(double lrAtMinimum, double suggested, double diverged, double depth, List<double[]> curve, double cutShort) {}

    @Override
    public List<Finding> probe(ProbeContext ctx) {
        RangeTest r = rangeTest(ctx);
        if (r == null) return List.of();
        double lr = ctx.spec().optimizer().lr();
        ctx.measured().put("valley_depth", r.depth());
        if (r.depth() < VALLEY) {
            ctx.measured().put("inconclusive", "the loss fell at no rate: nothing to suggest");
            return List.of();
        }
        ctx.measured().put("suggested_lr", r.suggested());
        ctx.measured().put("lr_at_loss_minimum", r.lrAtMinimum());
        if (Double.isFinite(r.diverged())) ctx.measured().put("diverged_at_lr", r.diverged());
        ctx.measured().put("spec_lr", lr);
        List<Object> curve = new ArrayList<>();
        for (double[] p : r.curve()) curve.add(List.of(Numbers.round(p[0]), Numbers.round(p[1])));
        // near the rate where the test's own loss blew up, the spec's rate is too high whatever the valley
        // looks like: the test ramps past rates a whole run cannot sustain (sgd at 5 against a divergence
        // at 5.7 was "ok" and the run went NaN at step 49; at 4.75 it was "ok" too)
        if (Double.isFinite(r.diverged()) && lr >= r.diverged() / NEAR_DIVERGENCE) {
            return List.of(finding(Stage.PROBE, Severity.WARNING, null, null,
                    "in the range test the loss diverged from lr " + Numbers.fmt(r.diverged()) + " on, and the spec's " + Numbers.fmt(lr)
                            + (lr >= r.diverged() ? " is at or beyond it" : " is within " + Numbers.fmt(NEAR_DIVERGENCE) + "x of it")
                            + " (loss minimum at " + Numbers.fmt(r.lrAtMinimum()) + ", suggested " + Numbers.fmt(r.suggested()) + ")",
                    evidence("spec_lr", lr, "suggested_lr", r.suggested(), "lr_at_loss_minimum", r.lrAtMinimum(), "diverged_at_lr", r.diverged(),
                            "curve_lr_loss", curve), cause(), measuredFix(r)));
        }
        // A minimum at rates this optimizer never trains well with is no valley but a model whose loss
        // keeps falling as its weights are thrown about: a bounded output (tanh before cross-entropy)
        // or unscaled inputs put Adam's at 2.3 and 1.9, which would have called 1e-3 a thousand times too low.
        Range plausible = plausible(ctx.spec().optimizer());
        double suggestedEffective = r.suggested() * plausible.effective() / lr;
        // ...except a regression of the label value, whose linear output must grow to the labels' scale:
        // prices of 1680-7620 need adam at 0.3 (mse at the noise level), and its minimum at 10 is real
        if (suggestedEffective > plausible.high() && !ctx.spec().regressesLabels()) {
            ctx.measured().put("inconclusive", "the loss minimum lies at a rate beyond what works for " + ctx.spec().optimizer().name()
                    + " (suggested " + Numbers.fmt(r.suggested()) + ", above " + Numbers.fmt(plausible.high()) + " on " + plausible.measure() + "): no usable valley");
            return List.of();
        }
        boolean high = lr > TOO_HIGH * r.lrAtMinimum(), low = lr < TOO_LOW * r.lrAtMinimum();
        // a test its time budget cut short (a busy machine: a Fashion CNN stopped at lr 2.5e-4 of a ramp to 10)
        // saw the loss fall up to where it stopped, not where it turns: its minimum is a lower bound, which can
        // call a rate too low but not too high (adam's 1e-3 was "4 times above it", and healthy on a rerun)
        // (a minimum a tenth of the rate or more below the cut, a dozen steps earlier, has been left behind: real)
        if (Double.isFinite(r.cutShort())) {
            ctx.measured().put("cut_short_at_lr", r.cutShort());
            if (high && r.lrAtMinimum() > r.cutShort() / 10) {
                ctx.measured().put("inconclusive", "the time budget ended the test at lr " + Numbers.fmt(r.cutShort()) + ", before the loss turned: its minimum is only a lower bound");
                return List.of();
            }
        }
        if (!high && !low) {
            // only a rate well below the minimum vouches for the spec against the lint: the minimum
            // sits next to divergence (adam 0.3 against a minimum at 0.115, and sgd at an effective 5
            // against 0.35, both ended at chance after the lint's warning had been withdrawn)
            if (lr <= r.lrAtMinimum() / VOUCHES_BELOW) ctx.measured().put(WITHIN_MEASURED_RANGE, true);
            return List.of();
        }
        // the test runs without the spec's clip; where the clip is there and the short run, under it at the
        // spec's rate, halved its loss, the clip tames the rate (sgd 0.1 with momentum 0.9 and clip 1 on
        // spirals: 97.8% of a batch in the short run, "6.7 times above" the unclipped minimum)
        Trace tamed = ctx.shortRun();
        if (high && ctx.spec().train().clipNorm() > 0 && tamed != null && tamed.steps() >= 20) {
            double start = dev.vitals.doctor.trace.Curves.startLoss(tamed), end = tamed.meanLoss(tamed.steps() - 20, tamed.steps());
            if (end <= 0.5 * start) {
                ctx.measured().put("clip_tames_rate", "clip_norm " + Numbers.fmt(ctx.spec().train().clipNorm()) + ": the short run at lr " + Numbers.fmt(lr)
                        + " took its loss from " + Numbers.fmt(start) + " to " + Numbers.fmt(end) + "; the test, without the clip, put the minimum at " + Numbers.fmt(r.lrAtMinimum()));
                return List.of();
            }
        }
        return List.of(finding(Stage.PROBE, Severity.WARNING, null, null,
                "the range test puts the loss minimum at lr " + Numbers.fmt(r.lrAtMinimum()) + " (suggested " + Numbers.fmt(r.suggested()) + "); the spec's "
                        + Numbers.fmt(lr) + " is " + (high ? Numbers.fmt(lr / r.lrAtMinimum()) + " times above it" : Numbers.fmt(r.lrAtMinimum() / lr) + " times below it"),
                evidence("spec_lr", lr, "suggested_lr", r.suggested(), "lr_at_loss_minimum", r.lrAtMinimum(), "diverged_at_lr", r.diverged(),
                        "curve_lr_loss", curve), cause(), measuredFix(r)));
    }

    /**
     * The fix of a finding the range test made: the rate it measured, rather than the optimizer's
     * usual range (adam's 1e-4 to 0.01 beside a measured 1 for prices in the thousands).
     */
    private static String measuredFix(RangeTest r) {
        return "set lr to about " + Numbers.fmt(r.suggested()) + " (the range test's suggestion: a tenth of the rate at its loss minimum, "
                + Numbers.fmt(r.lrAtMinimum()) + "), then run 'vitals check' again";
    }

    /** Runs the range test on a fresh model; null when the data gives too few steps to read a curve. */
    public static RangeTest rangeTest(ProbeContext ctx) {
        // without the spec's clip: a clip_norm that binds sets the steps whatever the rate (1e-4 on breast
        // cancer put the "minimum" at 6.4e-7, and fix lowered a working rate of 0.1 to 6.4e-8); the clip
        // is judged by the short run, the rate here
        Spec unclipped = ctx.spec().withTrain(ctx.spec().train().withClipNorm(0));
        Experiment e = ctx.fresh(unclipped, ctx.data());
        int perEpoch = (e.data().train().size() + e.spec().train().batch() - 1) / e.spec().train().batch();
        int epochs = (STEPS + perEpoch - 1) / perEpoch;
        Trainer.Config cfg = Experiment.trainerConfig(e.spec()).textbook().withEpochs(epochs).withObserve(0, Integer.MAX_VALUE);
        double ratio = Math.pow(LR_END / LR_START, 1.0 / (STEPS - 1));
        Schedule exponential = new Schedule() {
            @Override public float lr(float base, int epoch, int step, int n, int total) {
                return (float) (LR_START * Math.pow(ratio, epoch * n + step));
            }

            @Override public String key() { return "range-test"; }
        };
        List<double[]> curve = new ArrayList<>();
        double[] state = {0, Double.POSITIVE_INFINITY, Double.NaN, Double.NaN, Double.NaN, Double.NaN};  // ema, best smoothed, lr at best, diverged, first smoothed, lr where the time ran out
        Trainer t = new Trainer(e.model(), e.loss(), e.optimizer(), exponential, cfg);
        t.listen(new TrainingListener() {
            private RunInfo run;
            private int k;

            @Override public void onRunBegin(RunInfo r) { run = r; }

            @Override public void onStep(StepEvent s) {
                k++;
                if (!Double.isFinite(s.loss)) {
                    state[3] = s.lr;
                    run.control().requestStop("diverged");
                    return;
                }
                state[0] = SMOOTHING * state[0] + (1 - SMOOTHING) * s.loss;
                double smooth = state[0] / (1 - Math.pow(SMOOTHING, k));
                curve.add(new double[] {s.lr, smooth});
                if (k == SKIP) state[4] = smooth;
                if (k > SKIP && smooth < state[1]) {
                    state[1] = smooth;
                    state[2] = s.lr;
                }
                if (k > SKIP && smooth > DIVERGED * state[1]) {
                    state[3] = s.lr;
                    run.control().requestStop("diverged");
                }
                if (k >= STEPS) run.control().requestStop("done");
                else if (!ctx.timeLeft()) {
                    state[5] = s.lr;
                    run.control().requestStop("out of time");
                }
            }
        });
        List<dev.vitals.core.nn.Parameter> params = e.model().parameters();
        // a stride of each parameter, at most MOVED_SAMPLE values: a whole copy was a fifth copy of a
        // large model beside its weights, gradients and Adam's moments
        float[][] before = new float[params.size()][];
        int[] stride = new int[params.size()];
        for (int i = 0; i < before.length; i++) {
            float[] w = params.get(i).value().data();
            int n = params.get(i).size();
            stride[i] = Math.max(1, n / MOVED_SAMPLE);
            before[i] = new float[(n + stride[i] - 1) / stride[i]];
            for (int k = 0, j = 0; k < n; k += stride[i], j++) before[i][j] = w[k];
        }
        t.fit(e.data().train(), null, null);
        // weights that never moved (updates lost, frozen layers) leave a curve of batch noise whose
        // lowest point means nothing: wine under stale_updates put a "minimum" at 3.2e-5 and called
        // adamw's 3e-3 94 times too high beside the frozen parameters' own error
        double moved = 0, size = 0;
        for (int i = 0; i < before.length; i++) {
            float[] now = params.get(i).value().data();
            for (int k = 0; k < before[i].length; k++) {
                double d = now[k * stride[i]] - before[i][k];
                moved += d * d;
                size += (double) before[i][k] * before[i][k];
            }
        }
        if (!(moved > 0) || moved < 1e-12 * size) {  // (what a frozen model shows in any sample)
            ctx.measured().put("skipped", "the weights did not move during the test: its curve is the batches' noise");
            return null;
        }
        if (curve.size() < 2 * SKIP || Double.isNaN(state[2])) {
            ctx.measured().put("skipped", "too few steps to read a curve (" + curve.size() + ")");
            return null;
        }
        List<double[]> sampled = new ArrayList<>();
        for (int i = 0; i < curve.size(); i += Math.max(1, curve.size() / 12)) sampled.add(curve.get(i));
        double depth = Double.isNaN(state[4]) ? 0 : 1 - state[1] / state[4];
        return new RangeTest(state[2], state[2] / 10, state[3], depth, sampled, state[5]);
    }

    @Override
    public List<Finding> lint(LintContext ctx) {
        Spec.Optimizer o = ctx.spec().optimizer();
        Range r = plausible(o);
        ctx.measured().put("effective_lr", r.effective());
        if (r.contains(r.effective())) return List.of();
        boolean high = r.effective() > r.high();
        boolean sgd = o.name().equals("sgd");
        String what = sgd && o.momentum() > 0
                ? "sgd at lr " + Numbers.fmt(o.lr()) + " with momentum " + Numbers.fmt(o.momentum()) + " takes effective steps of " + Numbers.fmt(r.effective())
                : o.name() + " at lr " + Numbers.fmt(o.lr());
        String msg = what + ", " + (high ? Numbers.fmt(r.effective() / r.high()) + " times above" : Numbers.fmt(r.low() / r.effective()) + " times below")
                + " the " + Numbers.fmt(r.low()) + " to " + Numbers.fmt(r.high()) + " that works for " + o.name()
                + (high ? ": steps overshoot and the loss bounces or diverges" : ": the weights barely move and the loss will fall far too slowly");
        Map<String, Object> ev = sgd
                ? evidence("setting", "optimizer.lr", "optimizer", o.name(), "lr", o.lr(), "momentum", o.momentum(),
                        "effective_lr", r.effective(), "plausible_low", r.low(), "plausible_high", r.high(), "judged_on", r.measure())
                : evidence("setting", "optimizer.lr", "optimizer", o.name(), "lr", o.lr(),
                        "plausible_low", r.low(), "plausible_high", r.high(), "judged_on", r.measure());
        return List.of(finding(Stage.LINT, null, null, msg, ev));
    }
}
