package dev.vitals.doctor.rules;

import dev.vitals.core.Words;
import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.trace.Observation;
import dev.vitals.doctor.trace.Stats;
import dev.vitals.doctor.trace.Trace;
import dev.vitals.doctor.trace.WeightLayers;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Steps too small to matter: the update/weight ratio of the weight layers stays far below the ~1e-3
 * that healthy training shows, gradients are neither vanishing nor exploding, and the loss has
 * barely moved. Not judged while a schedule has decayed the rate below half its base value (a run
 * near its end is allowed small steps).
 */
public final class LearningRateTooLow extends Rule implements TraceRule {
    static final double RATIO = 3e-4, HALVED = 0.5, TINY = 1e-4, FLAT_SINCE = 0.01;
    static final int MIN_STEPS = 100, WINDOW = 5, DECAYED_EPOCHS = 3;

    @Override public Code code() { return Code.LEARNING_RATE_TOO_LOW; }

    @Override public Severity severity() { return Severity.WARNING; }

    @Override public String condition() {
        return "after one epoch and at least " + MIN_STEPS + " steps, over the last " + WINDOW + " observed steps the median update/weight ratio of the weight layers is below "
                + RATIO + ", the loss is still above " + HALVED + " of its start and has not risen (now at most " + RISEN + " times its start, and no 10-step stretch above " + BLOWN + " times it), gradients do not vanish, no activation layer has most of its units dead or saturated"
                + " (as DEAD_RELU and SATURATED_UNITS count them), and the rate is at least half its base value; withdrawn at the end if the loss ended below "
                + HALVED + " of its start; an error when it still holds at the end of a run that did all its planned epochs (judged there however few steps the plan had), unless the training loss fell by " + (int) (PROGRESS * 100) + "% of its start and then moved less than " + (int) (LEVEL * 100) + "% over the last third of the epochs (converged where the data let it: no finding, unless the rate lies below the optimizer's range) or fell by " + (int) (PROGRESS * 100) + "% at all with a rate inside its optimizer's usual range and no clip cutting the steps (a warning). At the end of such a run of at least " + MIN_STEPS + " steps and " + CRAWL_EPOCHS + " epochs the ratio may be up to " + CRAWL_RATIO + " where the loss crawled: it fell in every epoch of the last third, there at least " + PACE_KEPT + " of its pace per epoch over the first third (a straight line where a converging run slows down), and did not halve, and the validation accuracy (where there is validation) ended above chance and its margin (a loss falling while held-out accuracy stays at chance is memorising); with the same error and warning. Also, at an epoch's end, a schedule that decayed the rate too early: every epoch from some epoch on ran below "
                + TINY + " of the base rate, those are a third of the epochs (" + DECAYED_EPOCHS + " at least), the training loss improved by less than "
                + (int) (FLAT_SINCE * 100) + "% since, and training accuracy is below " + (int) (Underfitting.FITTED * 100) + "% (without accuracy: the loss above "
                + HALVED + " of its start); withdrawn at the end if that no longer holds, an error where it holds at the end of a run that did all its planned epochs and ended less than halfway from chance to a perfect score" + ". " + "Not while the rate is above its optimizer's usual range (adam above " + LearningRateRange.ADAM_HIGH + ", sgd's lr / (1 - momentum) above " + LearningRateRange.SGD_HIGH + "): small ratios there are weights the rate blew up. Where the update-rule probe measured the optimizer applying less than " + UNDER_APPLIED + " of the step its rule prescribes, the cause and fix name the update, not the rate. "
                + "From another run's log that gives update/weight ratios (Vitals' own metrics.jsonl does), only the error at the end: a log cannot show the silenced units or label-ordered batches the live rule rules out first. " + HeldDown.CONDITION;
    }

    @Override public Map<String, Object> thresholds() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("update/weight ratio below", RATIO);
        m.put("loss still above this share of its start", HALVED);
        m.put("minimum steps", MIN_STEPS);
        m.put("observed steps", WINDOW);
        m.put("schedule: rate below this share of its base", TINY);
        m.put("schedule: epochs at that rate at least", DECAYED_EPOCHS);
        return m;
    }

    @Override public String basis() {
        return "DL4J: update/parameter ratios near 1e-3 are healthy, below 1e-4 too slow. Measured: plain SGD at 5e-4 on digits runs at 1-2e-4 with its loss "
                + "falling 28% in ten epochs; healthy runs reach 1e-4 only once their loss has fallen by an order of magnitude, hence 3e-4 with the unhalved-loss condition";
    }

    @Override public String cause() { return "the learning rate is too small for this optimizer and model: each step changes the weights by a negligible fraction"; }

    @Override public String fix() { return "raise the learning rate, guided by the range test of 'vitals check' (typical: adam 1e-3, sgd with momentum 0.01-0.1)"; }

    @Override
    public List<Finding> evaluate(Trace t, Moment moment) {
        return HeldDown.explain(t, judge(t, moment));
    }

    private List<Finding> judge(Trace t, Moment moment) {
        if (t.info() == null) return List.of();
        if (moment != Moment.STEP) {
            // steps still too small when the whole plan is done, the loss never halved: the run failed
            // to learn, not merely slowly (digits at sgd 2e-5 ended at 20.6% with three warnings and exit 0)
            boolean planDone = t.info().epochs() > 0 && t.epochs().size() >= t.info().epochs();
            // ...and a schedule that stopped the model for a third of its plan, unfitted, at the end of it
            // (gamma 0.01 every 2 epochs: spirals at 52.5% where a constant rate reaches 100%, exit 0)
            Finding decayed = decayedTooEarly(t, moment == Moment.END && planDone);
            if (decayed != null) return List.of(decayed);
            return moment == Moment.END && planDone ? tooSmallSteps(t, true) : List.of();
        }
        return tooSmallSteps(t, false);
    }

    /**
     * The per-step judgement: the last observed steps moved the weights by a negligible share; an
     * error when asked at the end of the planned run ({@code ended}).
     */
    private List<Finding> tooSmallSteps(Trace t, boolean ended) {
        int n = t.steps();
        List<Observation> obs = t.observations();
        List<WeightLayers.Entry> w = WeightLayers.of(t);
        // at the end of the whole plan, however few its steps: iris at adam 1e-9 took 70 in all, its loss
        // 1.05 throughout, and read healthy
        if (!ended && n < Math.max(MIN_STEPS, t.stepsPerEpoch()) || obs.size() < WINDOW || w.isEmpty()) return List.of();
        List<Observation> last = obs.subList(obs.size() - WINDOW, obs.size());
        if (last.get(WINDOW - 1).lr() < 0.5 * t.info().optimizer().lr()) return List.of();
        double[] firstOverLast = new double[WINDOW];
        for (int i = 0; i < WINDOW; i++) {
            Observation o = last.get(i);
            double lastNorm = o.paramGrad()[w.get(w.size() - 1).param()];
            firstOverLast[i] = lastNorm > 0 ? o.paramGrad()[w.get(0).param()] / lastNorm : Double.NaN;
        }
        double ratio = WeightLayers.medianUpdateRatio(w, last);
        // at the end of the plan, a loss still falling as fast as it did at the start, never slowing as a
        // converging run does: the plan ran out long before the rate got the model anywhere (adam 1e-4 on
        // digits, 180 steps: 2.29 -> 1.95 in a straight line and 64% where 1e-3 reaches 97%, exit 0), though
        // each step moved the weights by 9e-4 of their size, near the healthy 1e-3
        boolean crawled = ended && !(ratio < RATIO) && ratio < CRAWL_RATIO && n >= MIN_STEPS && crawling(t);
        if (!(ratio < RATIO || crawled) || ratio == 0 || rateAboveRange(t)) return List.of();
        if (Stats.median(firstOverLast) < VanishingGradients.RATIO) return List.of();
        // units that output zero (dead ReLUs) or sit in flat tails pass no gradient: the steps are
        // small because the units are, often from a rate too high (sgd at 5 killed 98-100% of them),
        // and raising it is the wrong advice; DEAD_RELU and SATURATED_UNITS say what is wrong
        if (silencedUnits(t, last)) return List.of();
        double start = dev.vitals.doctor.trace.Curves.startLoss(t), now = t.meanLoss(n - 20, n);
        if (!(now > start * HALVED)) return List.of();
        // a loss that rose well above its start, now or on the way, was not left in place by steps too
        // small: the rate blew the weights up (sgd at 1.5 on label-ordered digits: 2.303 -> 3.4e29), and
        // beside weights that large every step is small; LEARNING_RATE_TOO_HIGH says what happened
        if (now > RISEN * start || peakLoss(t) > BLOWN * start) return List.of();
        // ...and, at the end, a loss that fell a good way and then levelled off has converged where the
        // data let it (20% flipped binary labels: 0.83 -> 0.60, the best reachable about 0.51, above half
        // the start), and its steps are small because its gradients average out, not because of the rate
        // (not under a rate below what its optimizer takes at all: adam at 1e-6 on moons fell to 0.38 in its
        // first hundred steps and levelled there, at 75% where 1e-3 reaches 99%)
        if (ended && convergedAfterProgress(t, start) && !rateBelowRange(t)) return List.of();
        Observation o = last.get(WINDOW - 1);
        // an error where the loss hardly moved in the whole plan (casebook 000: 1.358 -> 1.245); one that fell a
        // fifth or more at a usual rate was learning, however slowly (adam 1e-4 on 20% flipped labels: 0.834 ->
        // 0.572 and 74.3% against 74.7% for logistic regression): a warning
        // ...unless the rate itself lies below what works for its optimizer, or a clip cuts every step:
        // sgd at 1e-4 on spirals fell from 1.31 to 0.80 and levelled at 47.5%, where 0.1 reaches 99%
        boolean failed = ended && (now > (1 - PROGRESS) * start || rateBelowRange(t) || dev.vitals.doctor.trace.Clipping.binding(t) != null);
        // a log's update ratios come without what the live rule rules out first (units silenced, batches
        // ordered by label: label-ordered digits under sgd 0.05 read 2.5e-4 a step beside dead ReLUs): from
        // a log only the plain case, a whole plan whose loss hardly moved
        if (!failed && !dev.vitals.doctor.trace.Curves.live(t)) return List.of();
        String message = crawled
                ? "the plan ended with the loss still falling in a straight line, as fast as at its start: from " + Numbers.fmt(start) + " to " + Numbers.fmt(now) + " in " + n
                        + " steps, not halved, at a median " + Numbers.fmt(ratio) + " of the weights' size per step: the rate is too small for a plan this long"
                : "steps are too small to learn: the weights change by a median " + Numbers.fmt(ratio) + " of their size per step (healthy is about 1e-3) and the loss "
                        // "went only from 1.397 to 1.724" read as a fall: batch to batch noise can leave it higher
                        + (now > start ? "did not fall, " : "went only ") + "from " + Numbers.fmt(start) + " to " + Numbers.fmt(now) + " in " + n + " steps" + (ended ? "; the run ended without halving its loss" : "");
        return List.of(finding(Stage.TRAIN, failed ? Severity.ERROR : Severity.WARNING, null, o.step(), message,
                evidence("update_to_weight_ratio", ratio, "lr", (double) o.lr(), "loss_at_start", start, "loss_now", now, "steps", n,
                        "gradient_norm", o.gradNorm(), "still_falling_at_end", crawled),
                crawled ? "the learning rate is too small for the steps this plan takes: at its pace the loss would need several times as many steps to get anywhere" : cause(),
                crawled ? "raise the learning rate, guided by the range test of 'vitals check' (typical: adam 1e-3, sgd with momentum 0.01-0.1), or train for several times as many epochs" : fix()));
    }

    /**
     * Steps too small because the optimizer applies a fraction of what its rule prescribes (the update
     * probe measured it: a learning rate applied twice makes adam's 1e-3 a step of 1e-6) are the
     * update's, not the rate's: raising a rate that is right was the advice, where the update must be mended.
     */
    @Override
    public Finding inLightOf(Finding f, List<Finding> earlier) {
        double applied = measuredBefore(earlier, Code.UPDATE_RULE_MISMATCH, "applied_over_prescribed");
        if (!(applied < UNDER_APPLIED)) return f;
        return f.explained(f.evidenceWith("applied_over_prescribed", applied),
                "the optimizer applies " + Numbers.fmt(applied) + " of the step its rule prescribes (UPDATE_RULE_MISMATCH): the steps are small because the update is wrong, not because the rate set is",
                "mend the optimizer's update (UPDATE_RULE_MISMATCH) and keep the rate as set; judge the rate again once the update is right");
    }

    /** An applied step below this share of the prescribed one explains steps too small. */
    static final double UNDER_APPLIED = 0.5;

    /** A loss this many times its start now, or this many times in some stretch of the run, rose rather than stood still. */
    static final double RISEN = 1.25, BLOWN = 3;

    /** The highest mean loss over consecutive stretches of 10 steps (asked only once the rest of the rule holds). */
    private static double peakLoss(Trace t) {
        double peak = Double.NEGATIVE_INFINITY;
        for (int i = 0; i + 10 <= t.steps(); i += 10) {
            double m = t.meanLoss(i, i + 10);
            if (m > peak) peak = m;
        }
        return peak;
    }

    /** Steps no larger than healthy ones (about 1e-3 of the weights) go on being judged at the end where the loss crawled. */
    static final double CRAWL_RATIO = 3e-3;

    /** A crawl: over the last third of the epochs the loss falls at least this share of its pace over the first third. */
    static final double PACE_KEPT = 0.5;

    static final int CRAWL_EPOCHS = 6;

    /**
     * The training loss fell in every epoch of the last third and, per epoch, at least {@link #PACE_KEPT}
     * of what it fell in the first third: a straight or steepening line, where a converging run slows
     * down (digits through a 1-unit layer: 0.044 an epoch in its first third, 0.010 in its last).
     */
    static boolean crawling(Trace t) {
        List<dev.vitals.core.train.EpochResult> ep = t.epochs();
        int n = ep.size(), third = n / 3;
        if (n < CRAWL_EPOCHS) return false;
        // a training loss falling steadily while held-out accuracy stays at chance is memorising, not
        // learning slowly (labels shuffled against their inputs were told to raise the rate)
        dev.vitals.core.train.EpochResult last = ep.get(n - 1);
        if (last.hasValidation() && t.info() != null && t.info().chance() > 0
                && last.valAccuracy() <= t.info().chance() + dev.vitals.doctor.trace.Curves.chanceMargin(t.info().chance(), t.info().validationSize())) return false;
        for (int i = n - third; i < n; i++) if (!(ep.get(i).trainLoss() < ep.get(i - 1).trainLoss())) return false;
        double early = ep.get(0).trainLoss() - ep.get(third).trainLoss(), late = ep.get(n - 1 - third).trainLoss() - ep.get(n - 1).trainLoss();
        return early > 0 && late >= PACE_KEPT * early;
    }

    /** A loss down by this share of its start, then level, has converged rather than crawled. */
    static final double PROGRESS = 0.2, LEVEL = 0.02;

    /** The training loss fell by {@link #PROGRESS} of its start and moved less than {@link #LEVEL} over the last third of the epochs. */
    static boolean convergedAfterProgress(Trace t, double start) {
        List<dev.vitals.core.train.EpochResult> ep = t.epochs();
        int n = ep.size();
        if (n < 3 || !(start > 0)) return false;
        double now = ep.get(n - 1).trainLoss(), then = ep.get(n - 1 - Math.max(1, n / 3)).trainLoss();
        return now < (1 - PROGRESS) * start && Math.abs(then - now) < LEVEL * then;
    }

    /**
     * A schedule that took the rate to nothing long before the run ended: from some epoch on, every
     * epoch ran below {@link #TINY} of the base rate, those epochs make up a third of the run (three
     * at least), the training loss has not improved by 1% since, and the model is not fitted
     * (training accuracy below {@link Underfitting#FITTED}, or without one a loss above half its
     * start). A step schedule of gamma 0.01 every epoch froze digits at 87% after two epochs of 30,
     * where a constant rate reaches 97%; it was "healthy", since the per-step test is not judged
     * while a schedule has lowered the rate.
     */
    private Finding decayedTooEarly(Trace t, boolean ended) {
        List<dev.vitals.core.train.EpochResult> ep = t.epochs();
        int n = ep.size();
        double base = t.info().optimizer().lr();
        if (n < DECAYED_EPOCHS || !(base > 0)) return null;
        int from = n;
        while (from > 0 && ep.get(from - 1).lr() < TINY * base) from--;
        int tiny = n - from;
        if (from == 0 || tiny < Math.max(DECAYED_EPOCHS, n / 3)) return null;
        var before = ep.get(from - 1);
        var last = ep.get(n - 1);
        if (!(last.trainLoss() > before.trainLoss() * (1 - FLAT_SINCE))) return null;
        boolean fitted = Double.isNaN(last.trainAccuracy())
                ? !(last.trainLoss() > HALVED * dev.vitals.doctor.trace.Curves.startLoss(t))
                : !(last.trainAccuracy() < Underfitting.FITTED);
        if (fitted) return null;
        String schedule = t.info().schedule();
        // an error at the end of a run it left less than halfway from chance to a perfect score; above
        // that the model may have converged where the data let it (halving every epoch on 20% flipped
        // labels: 81.5% training accuracy, as at a constant rate)
        double chance = t.info().chance();
        boolean failed = ended && chance > 0 && dev.vitals.doctor.trace.Curves.accuracy(last) < Underfitting.halfway(chance);
        return finding(Stage.TRAIN, failed ? Severity.ERROR : Severity.WARNING, null, t.stepsDone(last.steps()),
                "the " + (schedule == null || schedule.isEmpty() || schedule.equals("constant") || schedule.equals("unknown") ? "" : schedule + " ") + "schedule took the learning rate from " + Numbers.fmt(base) + " to "
                        + Numbers.fmt(last.lr()) + ", below " + Numbers.fmt(TINY) + " of it from epoch " + (from + 1) + ": the training loss has not improved in the "
                        + Words.count(tiny, "epoch") + " since (" + Numbers.fmt(before.trainLoss()) + " -> " + Numbers.fmt(last.trainLoss()) + ")"
                        + (Double.isNaN(last.trainAccuracy()) ? "" : ", training accuracy " + Numbers.pct(last.trainAccuracy())),
                evidence("base_lr", base, "lr_now", (double) last.lr(), "tiny_from_epoch", from + 1, "epochs_at_tiny_rate", tiny,
                        "loss_then", before.trainLoss(), "loss_now", last.trainLoss(), "train_accuracy", last.trainAccuracy()),
                "the learning-rate schedule decays the rate too fast: after epoch " + from + " the steps are too small to change the model, and the rest of the run is spent standing still",
                "decay later or less (step: a larger step_size, or gamma 0.1-0.5; cosine: over the whole run), or train at a constant rate");
    }

    /**
     * Withdrawn when the run's loss did come down below half its start in the end: adam at 1e-4 on
     * digits starts at update ratios of 3e-4 and still ends at 0.13 of its starting loss (94%).
     */
    @Override
    public boolean stillHolds(Trace t, Finding f) {
        if (f.evidence().containsKey("tiny_from_epoch")) return decayedTooEarly(t, false) != null;
        int n = t.steps();
        return n < 20 || !(t.meanLoss(n - 20, n) <= HALVED * dev.vitals.doctor.trace.Curves.startLoss(t));
    }

    /** Whether an activation layer had most of its units dead (ReLU) or saturated (sigmoid, tanh) in every one of these observations. */
    private static boolean silencedUnits(Trace t, List<Observation> last) {
        for (int l = 0; l < t.layers().size(); l++) {
            String kind = t.layers().get(l).saturation();
            if (!kind.equals("negative") && !kind.equals("tails")) continue;
            double min = 1;
            for (Observation o : last) min = Math.min(min, kind.equals("negative") ? o.layerDead()[l] : o.layerSaturated()[l]);
            if (min > (kind.equals("negative") ? DeadRelu.DEAD : SaturatedUnits.SATURATED)) return true;
        }
        return false;
    }

    /**
     * Whether the weight layers' median update/weight ratio over the last observed steps is below
     * {@link #RATIO}: steps too small to move the weights, whatever else the curves seem to say.
     */
    static boolean tinySteps(Trace t) { return stepsBelow(t, RATIO) && !rateAboveRange(t); }

    /**
     * Whether the base rate lies above what works for its optimizer (adam above 0.03, sgd's effective
     * rate above 2): its steps cannot be too small for the rate; a small update/weight ratio there is
     * weights the rate blew up (adam at 1.0 on blobs: 1.2e-4 of them, at 40% where 2e-3 reaches 100%).
     */
    static boolean rateAboveRange(Trace t) {
        LearningRateRange.Range r = t.info() == null ? null : LearningRateRange.plausible(t.info().optimizer());
        return r != null && r.effective() > r.high() * (1 + 1e-9);
    }

    /** Whether the base rate lies below what works for its optimizer (adam below 3e-5, sgd's effective rate below 3e-4). */
    static boolean rateBelowRange(Trace t) {
        LearningRateRange.Range r = t.info() == null ? null : LearningRateRange.plausible(t.info().optimizer());
        return r != null && r.effective() < r.low() * (1 - 1e-9);
    }

    /** Whether the weight layers' median update/weight ratio over the last observed steps is known and below {@code ratio}. */
    static boolean stepsBelow(Trace t, double ratio) {
        List<Observation> obs = t.observations();
        List<WeightLayers.Entry> w = WeightLayers.of(t);
        if (obs.size() < WINDOW || w.isEmpty()) return false;
        return WeightLayers.medianUpdateRatio(w, obs.subList(obs.size() - WINDOW, obs.size())) < ratio;
    }
}
