package dev.vitals.doctor.rules;

import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.trace.Curves;
import dev.vitals.doctor.trace.Observation;
import dev.vitals.doctor.trace.Stats;
import dev.vitals.doctor.trace.Trace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The loss oscillates or spikes without making progress, and the gradient norm swings with it:
 * steps overshoot. Measured on the last {@link #WINDOW} steps: no net fall from the first half to
 * the second, and either repeated spikes above twice the running median or a spread of the loss
 * as large as its level.
 */
public final class LearningRateTooHigh extends Rule implements TraceRule {
    static final int WINDOW = 100, MIN_SPIKES = 3;
    static final double SPIKE = 2.0, SPREAD = 0.5, PROGRESS = 0.02, UNFITTED = 0.5;
    /** Epoch logs: a training loss this far above its best so far is a step that overshot; it has not come back while it ends this far above. */
    static final double EPOCH_RISE = 1.25, NOT_BACK = 1.1;
    /** Batch accuracy over the window at or above which the model is fitted, and its bouncing is not overshooting. */
    static final double FITTED_ACCURACY = 0.97;
    static final int MIN_EPOCHS = 4;
    /** A bounce is withdrawn at the end when the last 20 steps' loss is below this share of the bounce's level. */
    static final double LEFT_BEHIND = 0.5;
    /** A loss this many times its start has diverged: an error, not advice (2.5 to 1e24 in a log without gradient norms read "healthy"). */
    static final double DIVERGED = 100;

    @Override public Code code() { return Code.LEARNING_RATE_TOO_HIGH; }

    @Override public Severity severity() { return Severity.WARNING; }

    @Override public String condition() {
        return "over the last " + WINDOW + " steps the mean loss is still above " + UNFITTED + " of the loss at the start, the mean of the second half is not "
                + (int) (PROGRESS * 100) + "% below the first half's, and either " + MIN_SPIKES + " or more steps exceed " + SPIKE
                + " times the median of the 20 before them, or the loss's standard deviation exceeds " + SPREAD + " of its mean; "
                + "not while the validation loss fell over each of the last two epochs, nor while the weight layers' median update/weight ratio is below " + OVERSHOOT_RATIO + " (steps no larger than healthy ones cannot overshoot: the bounce is the batches' noise) unless the rate is above its optimizer's usual range (weights it blew up make the ratio small). "
                + "A log too short for that window (one row per epoch) is judged by its epochs: after at least " + MIN_EPOCHS + ", an epoch's training loss above "
                + EPOCH_RISE + " times the lowest before it in two epochs running (and above " + UNFITTED + " of the first epoch's, or of the untrained model's where steps are logged), and the last epoch's still above " + NOT_BACK
                + " times the lowest, withdrawn at the end if the loss came back (where a log's epoch loss is the mean of the few batches logged in it, each climb must also stand "
                + (int) NOISE_Z + " standard errors above the batches' noise); or, in another trainer's log, after a first epoch whose mean training loss is above the class prior's (ln C; the first steps overshot) and above the untrained model's first loss where the log holds its steps from step 0, in a run whose lowest epoch loss is at most " + LEARNED + " of that first epoch's, an epoch above "
                + CLIMB_AFTER_OVERSHOOT + " times the lowest before it (and above it by " + CLIMB_MIN + " of the prior's loss at least) with the last still above " + STILL_UP + " times the lowest (a log of more steps: at its end); not while the recent batch accuracy is " + FITTED_ACCURACY + " or more (a fitted model). "
                + "At the end of a run that did its whole plan, a training loss that climbed back up between epochs (as judged for epoch logs), or a bounce under a rate above what the optimizer takes at all "
                + "(LEARNING_RATE_RANGE's lint bounds), is an error when the run ended less than "
                + (int) (Underfitting.HALFWAY * 100) + "% of the way from chance to a perfect score on its judged and its training accuracy. "
                + "Not judged by its epochs while a weight decay holds the model down (its pull at least " + dev.vitals.doctor.trace.Decay.HOLDS + " of the loss gradient's, the weights shrunk below " + dev.vitals.doctor.trace.Decay.SHRUNK + " of their start). "
                + "A bounce is withdrawn at the end when the last 20 steps' loss is below " + LEFT_BEHIND + " of the level it bounced at. A bounce's cause names a setting where HeldDown finds one (" + HeldDown.CONDITION + "). "
                + "Where the observed gradient norm's median rose in every tenth of the run, to " + (int) STEADY_GROWTH + " times the first 5 observed steps' or more, while the loss fell below "
                + UNFITTED + " of its start on the way, the cause names gradients not cleared between steps beside the rate. "
                + "An error rather than a warning when the loss (the mean of the last 10 steps, from step 20, or the last epoch's) is more than " + (long) DIVERGED + " times its start: it diverged. "
                + "Also, at the end, where nothing above fired: " + JUMPS + " or more epochs whose training loss jumped to over " + JUMP + " times the epoch's before (and by "
                + JUMP_OF_PRIOR + " of the class prior's loss at least), or such a jump into the last epoch, in a run whose untrained model's loss was at most " + INIT_OFF
                + " times the class prior's, and a model that ends confidently wrong (OVERFITTING's reading: a validation loss above the class prior's and "
                + Overfitting.CONFIDENT_GAP + " times the training loss, at a validation accuracy halfway from chance to perfect)";
    }

    @Override public Map<String, Object> thresholds() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("steps in window", WINDOW);
        m.put("loss still above this share of its start", UNFITTED);
        m.put("progress required", PROGRESS);
        m.put("spike factor", SPIKE);
        m.put("spikes", MIN_SPIKES);
        m.put("spread (std/mean)", SPREAD);
        m.put("epoch logs: rise over the lowest epoch", EPOCH_RISE);
        m.put("epoch logs: last epoch not back within", NOT_BACK);
        m.put("epoch logs: epochs at least", MIN_EPOCHS);
        m.put("diverged (an error) above this multiple of the start", DIVERGED);
        m.put("epoch jump over the epoch before", JUMP);
        m.put("epoch jumps, with a confidently wrong model", JUMPS);
        return m;
    }

    @Override public String basis() { return "the 'oscillating / oscillating' signature; AUTOTRAINER flags accuracy swings of 3 points in 20% of epochs. Spike and spread levels are above the mini-batch noise of healthy runs while their loss is high; near a fitted model that noise is large in relative terms, hence the condition that the loss has not yet halved"; }

    @Override public String cause() { return "the learning rate is too high: steps overshoot the minimum, so the loss bounces instead of descending"; }

    @Override public String fix() { return "lower the learning rate (try a tenth; the range test of 'vitals check' suggests one), or add warm-up and a decaying schedule, and clip gradients"; }

    /** Epoch jumps: a training loss this many times the epoch's before, and above it by this share of the class prior's loss. */
    static final double JUMP = 1.25, JUMP_OF_PRIOR = 0.05;
    /** Jumps that, with a model ending confidently wrong, name the rate. */
    static final int JUMPS = 2;

    /**
     * The epochs (from 0) whose mean training loss jumped over the epoch's before: an epoch's mean
     * is smooth, and a healthy run's falls or levels off; material jumps are steps that overshot.
     */
    static List<Integer> epochJumps(Trace t) {
        List<dev.vitals.core.train.EpochResult> ep = t.epochs();
        double prior = t.info() == null ? Double.NaN : dev.vitals.doctor.trace.Curves.priorLoss(t.info());
        if (!(prior > 0)) prior = ep.isEmpty() ? Double.NaN : ep.get(0).trainLoss();
        List<Integer> jumps = new ArrayList<>();
        for (int i = 1; i < ep.size(); i++) {
            double a = ep.get(i - 1).trainLoss(), b = ep.get(i).trainLoss();
            if (b > JUMP * a && b - a >= JUMP_OF_PRIOR * prior && Curves.epochLossRoseBeyondNoise(t, i - 1, i, NOISE_Z)) jumps.add(i);
        }
        return jumps;
    }

    /** An untrained model's loss above this many times the class prior's: its initialisation, not the rate, made the scores large. */
    static final double INIT_OFF = 3;

    /**
     * Whether the epochs' jumps name the rate: {@link #JUMPS} or more, or one into the last epoch (the
     * run ended thrown off its minimum), in a run whose untrained model started near the class
     * prior's loss (a deep net at init normal:1 starts at 2.6e7 and ends certain and wrong whatever its rate).
     */
    static boolean rateJumps(Trace t, List<Integer> jumps) {
        if (jumps.size() < JUMPS && !(jumps.size() == 1 && jumps.getFirst() == t.epochs().size() - 1)) return false;
        double prior = t.info() == null ? Double.NaN : Curves.priorLoss(t.info()), start = Curves.startLoss(t);
        return !(start > INIT_OFF * prior);
    }

    /**
     * At the end: a training loss that jumped up between epochs, again and again, and a model left
     * confidently wrong (sgd at 1.5 on digits: 1.60 -> 2.58 at epoch 2, 0.487 -> 0.865 at epoch 6,
     * validation loss 2.40 against ln 10's 2.30 at 92% accuracy, where the same network reaches 97%
     * and 0.1): overshooting steps grew the weights until the scores are certain of wrong answers too.
     */
    private List<Finding> jumpedAndConfidentlyWrong(Trace t) {
        List<Integer> jumps = epochJumps(t);
        List<dev.vitals.core.train.EpochResult> ep = t.epochs();
        double[] c = rateJumps(t, jumps) ? Overfitting.confidentlyWrong(t) : null;
        if (c == null) return List.of();
        StringBuilder where = new StringBuilder();
        List<Object> losses = new ArrayList<>();
        for (dev.vitals.core.train.EpochResult e : ep) losses.add(Numbers.round(e.trainLoss()));
        for (int i : jumps) {
            if (where.length() > 0) where.append(", ");
            where.append(Numbers.fmt(ep.get(i - 1).trainLoss())).append(" -> ").append(Numbers.fmt(ep.get(i).trainLoss())).append(" at epoch ").append(i + 1);
        }
        return List.of(finding(Stage.TRAIN, severity(), null, t.stepsDone(ep.getLast().steps()),
                "the training loss jumped up between epochs (" + where + ") and the model ends confidently wrong: " + Overfitting.confidentlyWrongWords(c),
                evidence("train_loss_by_epoch", losses, "jump_epochs", jumps.stream().map(i -> i + 1).toList(), "val_loss", c[0], "train_loss", c[1], "prior_loss", c[2], "val_accuracy", c[3]),
                "the learning rate is too high: steps overshoot, the loss jumps between epochs, and each overshoot leaves the weights larger, until the model's scores are certain of its wrong answers too",
                fix()));
    }

    @Override
    public List<Finding> evaluate(Trace t, Moment moment) {
        // a bounce can be a setting's noise (batchnorm over 2 examples, heavy dropout), which HeldDown names;
        // a divergence or a climb between epochs is the rate's
        List<Finding> f = judge(t, moment);
        if (f.isEmpty() && moment == Moment.END && !HeldDown.accumulating(t)) return jumpedAndConfidentlyWrong(t);
        // (gradients never cleared grow every step whatever the rate: that climb is theirs, not the rate's)
        f = !HeldDown.accumulating(t) && f.stream().anyMatch(x -> x.evidence().containsKey("growth") || x.evidence().containsKey("peak_epoch")) ? f : HeldDown.explain(t, f);
        // a log cannot say whether gradients were cleared; a norm that grew steadily while the loss fell is their fingerprint
        double[] grew = f.isEmpty() || HeldDown.accumulating(t) ? null : steadyGrowth(t);
        return grew == null ? f : f.stream().map(x -> !x.cause().equals(cause()) ? x : new Finding(x.code(), x.severity(), x.stage(), x.layer(), x.step(), x.message(),
                withGrowth(x.evidence(), grew), accumulationCause(grew), ACCUMULATION_FIX, x.verified())).toList();
    }

    /** The gradient norm's growth, first tenth's median to last's, that with a rise in every tenth reads as gradients summed over the steps. */
    static final double STEADY_GROWTH = 10;
    static final int TENTHS = 10;
    static final String ACCUMULATION_FIX = "make sure the gradients are cleared before each backward pass (optimizer.zero_grad(), or set_to_none); if they are, lower the learning rate "
            + "(try a tenth; the range test of 'vitals check' suggests one), or add warm-up and a decaying schedule, and clip gradients";

    private static String accumulationCause(double[] grew) {
        return "gradients that are not cleared between steps (a missing optimizer.zero_grad()), or a learning rate too high: the gradient norm's median rose in every tenth of the run, from "
                + Numbers.fmt(grew[0]) + " over the first 5 observed steps to " + Numbers.fmt(grew[1]) + " over the last tenth, while the loss fell to " + Numbers.fmt(grew[2]) + " on the way"
                + ", as gradients summed over the steps grow whatever the rate; a rate too high alone makes the steps overshoot and the loss bounce";
    }

    private static java.util.Map<String, Object> withGrowth(java.util.Map<String, Object> evidence, double[] grew) {
        java.util.Map<String, Object> m = new LinkedHashMap<>(evidence);
        m.put("gradient_norm_first_steps", Numbers.round(grew[0]));
        m.put("gradient_norm_last_tenth", Numbers.round(grew[1]));
        m.put("lowest_loss_while_growing", Numbers.round(grew[2]));
        return m;
    }

    /**
     * The accumulation fingerprint in the observed steps: the median gradient norm of each tenth of
     * them above the tenth's before, the last at least {@link #STEADY_GROWTH} times the first five steps', while
     * the loss fell below its start on the way (a forgotten zero_grad under sgd: 0.96 -> 54 over six
     * epochs, the loss 2.31 -> 0.50 in the second, then up to 2.37). Returns {first, last, lowest
     * loss}, or null. A rate too high throws the norm about instead (healthy runs shrink it).
     */
    static double[] steadyGrowth(Trace t) {
        List<Observation> o = t.observations();
        if (o.size() < 5 * TENTHS) return null;
        double[] medians = new double[TENTHS];
        for (int k = 0; k < TENTHS; k++) {
            int from = o.size() * k / TENTHS, to = o.size() * (k + 1) / TENTHS;
            double[] g = new double[to - from];
            for (int i = from; i < to; i++) g[i - from] = o.get(i).gradNorm();
            medians[k] = Stats.median(g);
            if (!Double.isFinite(medians[k]) || k > 0 && !(medians[k] > medians[k - 1])) return null;
        }
        double[] early = new double[5];
        for (int i = 0; i < 5; i++) early[i] = o.get(i).gradNorm();
        double first = Stats.median(early);
        if (!(medians[TENTHS - 1] >= STEADY_GROWTH * first)) return null;
        double start = o.get(0).loss(), lowest = Double.POSITIVE_INFINITY;
        for (Observation x : o) if (Double.isFinite(x.loss())) lowest = Math.min(lowest, x.loss());
        if (!(lowest < UNFITTED * start)) return null;
        return new double[] {first, medians[TENTHS - 1], lowest};
    }

    private List<Finding> judge(Trace t, Moment moment) {
        if (moment != Moment.STEP && t.steps() < WINDOW + 20) {
            // a log of few step rows (an epoch log; Vitals logged only its observed steps before: 54 rows for 360 steps) is
            // judged at its end as a run is: diagnose passed with a warning what train failed
            List<Finding> end = moment == Moment.END ? endedUnfitted(t) : List.of();
            return end.isEmpty() ? byEpoch(t) : end;
        }
        if (moment == Moment.EPOCH) return List.of();
        if (moment == Moment.END) {
            // a log's epochs say what its steps' window cannot: a first epoch that overshot the prior and a
            // later climb (adam at 0.05, logged every step, read "levels off low" with a capacity cause)
            List<Finding> end = endedUnfitted(t);
            return end.isEmpty() && !Curves.live(t) ? overshotFromTheStart(t) : end;
        }
        List<Finding> diverged = diverged(t);
        if (!diverged.isEmpty()) return diverged;
        return bounce(t);
    }

    /**
     * At the end: a training loss that climbed back up between epochs, in a run that did its whole plan
     * and ended less than halfway from chance to a perfect score, is an error, since its rate cost it
     * the fit: adam at 0.1 on digits climbed from epoch 4 and ended at 35% / 33% (3 warnings, exit 0),
     * where 1e-3 reaches 97%.
     */
    private List<Finding> endedUnfitted(Trace t) {
        // a training loss that climbed back up between epochs and stayed there (adam at 0.1: 1.08 at
        // epoch 4, 2.06 at epoch 8, 1.61 at the end); the steps' bounce alone is not enough for an
        // error: one epoch at batch 4 bounced by its batches' noise and ended at 43% while still climbing
        List<Finding> b = byEpoch(t);
        // or a loss that bounced to the end under a rate beyond what the optimizer takes at all (adam at
        // 0.5 on digits: 19.5% on the test split, "healthy" with four warnings)
        if (b.isEmpty() && LearningRateTooLow.rateAboveRange(t)) b = bounce(t);
        // the whole plan done: check's short run stops after 300 steps, and a run stopped early is judged by its own end
        if (b.isEmpty() || t.info() == null || t.epochs().isEmpty() || t.epochs().size() < t.info().epochs()) return List.of();
        double chance = t.info().chance();
        if (!(chance > 0)) return List.of();
        dev.vitals.core.train.EpochResult last = t.epochs().getLast();
        double bar = Underfitting.halfway(chance), acc = Curves.accuracy(last);
        if (!(acc < bar) || !(last.trainAccuracy() < bar)) return List.of();
        Finding w = b.get(0);
        return List.of(finding(Stage.TRAIN, Severity.ERROR, null, w.step(), w.message() + "; the run ended at " + dev.vitals.doctor.rules.Numbers.pct(last.trainAccuracy())
                        + " training" + (last.hasValidation() ? " and " + dev.vitals.doctor.rules.Numbers.pct(last.valAccuracy()) + " validation" : "")
                        + " accuracy, less than halfway from guessing (" + dev.vitals.doctor.rules.Numbers.pct(chance) + ") to a perfect score",
                withEnd(w.evidence(), acc), cause(), fix()));
    }

    /** The median update/weight ratio below which steps are no larger than a healthy run's (DL4J's heuristic: about 1e-3). */
    static final double OVERSHOOT_RATIO = 1e-3;

    /** Evidence key of the end-of-run error: the judged accuracy the run ended at. */
    static final String ENDED_UNFITTED = "ended_at_accuracy";

    private static java.util.Map<String, Object> withEnd(java.util.Map<String, Object> evidence, double acc) {
        java.util.Map<String, Object> m = new LinkedHashMap<>(evidence);
        m.put(ENDED_UNFITTED, dev.vitals.doctor.rules.Numbers.round(acc));
        return m;
    }

    /** The loss bouncing without progress over the last {@link #WINDOW} steps, while it is still high. */
    private List<Finding> bounce(Trace t) {
        int n = t.steps();
        if (n < WINDOW + 20 || Curves.labelOrderedBatches(t)) return List.of();
        int from = n - WINDOW;
        double first = t.meanLoss(from, from + WINDOW / 2), second = t.meanLoss(from + WINDOW / 2, n);
        if (!(second > first * (1 - PROGRESS))) return List.of();
        // near a fitted model one misclassified example is a "spike"; bouncing only matters while the loss is high
        double start = Curves.startLoss(t);
        if (!((first + second) / 2 > UNFITTED * start)) return List.of();
        // ...and a log that starts already fitted has no start to compare with: batches it nearly all
        // gets right (fine-tuning at 100% from a loss of 0.0033) bounce by one example, not by overshooting
        double recent = Curves.meanAccuracy(t, from, n);
        if (recent >= FITTED_ACCURACY) return List.of();
        // a validation loss that fell over each of the last two epochs is progress, however the batches
        // bounce: a run fine-tuned at batch 8 from a fitted model (its start no reference, its batch
        // losses noisy in relative terms) was called too hot while validation improved every epoch
        List<dev.vitals.core.train.EpochResult> ep = t.epochs();
        if (ep.size() >= 3) {
            double v0 = ep.get(ep.size() - 3).valLoss(), v1 = ep.get(ep.size() - 2).valLoss(), v2 = ep.get(ep.size() - 1).valLoss();
            if (v1 < v0 && v2 < v1) return List.of();
        }
        double[] l = t.losses();
        int spikes = 0;
        double sum = 0, sq = 0;
        for (int i = from; i < n; i++) {
            double med = Stats.median(l, i - 20, i);
            if (l[i] > SPIKE * med) spikes++;
            sum += l[i];
            sq += l[i] * l[i];
        }
        double mean = sum / WINDOW, spread = Math.sqrt(Math.max(0, sq / WINDOW - mean * mean)) / mean;
        if (spikes < MIN_SPIKES && !(spread > SPREAD)) return List.of();
        // weights that barely move cannot overshoot: the batches' own spread bounces the loss (frozen
        // weights under stale_updates on Poisson counts: "too high", beside UPDATE_RULE_MISMATCH); nor
        // can steps no larger than healthy ones: adam at 1e-3 in batches of 4 (updates 2.7e-4 of the
        // weights) bounced by its batches' noise and was called both too high and too low
        if (LearningRateTooLow.stepsBelow(t, OVERSHOOT_RATIO) && !LearningRateTooLow.rateAboveRange(t)) return List.of();
        List<Object> norms = new ArrayList<>();
        for (Observation o : t.observations()) if (o.step() >= t.stepNumber(from)) norms.add(Numbers.round(o.gradNorm()));
        if (norms.size() > 8) norms = new ArrayList<>(norms.subList(norms.size() - 8, norms.size()));  // the last few, as the other rules quote them
        return List.of(finding(Stage.TRAIN, null, t.stepNumber(n - 1),
                "the loss bounces without progress: over the last " + WINDOW + " steps " + spikes + " spikes above " + SPIKE
                        + "x the running median, spread " + Numbers.fmt(spread) + " of its mean, and the second half no lower than the first",
                unlogged(evidence("spikes", spikes, "spread", spread, "mean_loss_first_half", first, "mean_loss_second_half", second,
                        "gradient_norms", norms, "lr", t.lastObservation() == null ? Double.NaN : (double) t.lastObservation().lr()), "lr")));
    }

    /**
     * A loss whose last ten steps average more than {@link #DIVERGED} times its start has diverged,
     * whatever else the run shows: an error, judged from 20 steps on (a smooth climb from 0.8 to
     * 3e5 read as "bouncing" and, with a validation loss still falling, as nothing at all).
     */
    private List<Finding> diverged(Trace t) {
        int n = t.steps();
        if (n < 20) return List.of();
        double start = Curves.startLoss(t), now = t.meanLoss(n - 10, n);
        if (!(start > 0) || !(now > DIVERGED * start) || Double.isInfinite(now)) return List.of();
        List<Object> norms = new ArrayList<>();
        List<Observation> obs = t.observations();
        for (int i = Math.max(0, obs.size() - 8); i < obs.size(); i++) norms.add(Numbers.round(obs.get(i).gradNorm()));
        return List.of(finding(Stage.TRAIN, Severity.ERROR, null, t.stepNumber(n - 1),
                "the loss diverged: " + Numbers.fmt(now) + " over the last 10 steps against " + Numbers.fmt(start) + " at the start ("
                        + Numbers.fmt(now / start) + "x)",
                unlogged(evidence("loss_at_start", start, "loss_now", now, "growth", now / start, "recent_gradient_norms", norms,
                        "lr", t.lastObservation() == null ? Double.NaN : (double) t.lastObservation().lr()), "lr"),
                cause(), fix()));
    }

    /** Whether the training loss climbed back up between epochs and stayed there: this rule's to name, not a model too small. */
    static boolean climbedBack(Trace t) { return !new LearningRateTooHigh().byEpoch(t).isEmpty(); }

    /**
     * For a log with too few steps for the window (a Keras CSVLogger file has one per epoch): an
     * epoch mean is smooth, so a training loss that climbs well above its best and stays there is a
     * run thrown off its minimum (Adam at 0.1: 1.46 at epoch 2, 1.99 at epoch 5, 1.84 at the end).
     */
    private List<Finding> byEpoch(Trace t) {
        List<dev.vitals.core.train.EpochResult> ep = t.epochs();
        if (ep.size() < MIN_EPOCHS) return List.of();
        double start = ep.get(0).trainLoss();
        if (!Double.isFinite(start)) return List.of();
        // where the steps were logged, "still high" is measured against the untrained model's loss: a
        // first epoch that blew up (adam at 1.0: 20.5, its first step 2.1) put every later climb under half of it
        double high = t.steps() > 0 && Double.isFinite(Curves.startLoss(t)) ? Math.min(start, Curves.startLoss(t)) : start;
        List<Object> losses = new ArrayList<>();
        for (dev.vitals.core.train.EpochResult e : ep) losses.add(Numbers.round(e.trainLoss()));
        // two epochs in a row above the bar: one epoch's loss sampled from a batch or two can jump alone
        Climb c = steepestClimb(ep, false, (i, l, best) -> l > EPOCH_RISE * best && l > UNFITTED * high
                && (i + 1 < ep.size() ? ep.get(i + 1).trainLoss() : Double.NaN) > EPOCH_RISE * best);
        double peak = c.peak(), before = c.before(), lowest = c.lowest();
        int peakAt = c.peakAt(), beforeAt = c.beforeAt();
        double last = ep.getLast().trainLoss();
        if (peakAt < 0 || !(last > NOT_BACK * lowest) || !Curves.epochLossRoseBeyondNoise(t, beforeAt, peakAt, NOISE_Z)) return overshotFromTheStart(t);
        boolean diverged = last > DIVERGED * start;
        // a loss that climbs back up while a weight decay shrinks the weights is the decay's doing (adam
        // at 3e-3 with weight decay 1 on spirals: 0.81 at epoch 2, 1.10 at the end, weights at a quarter
        // of their norm), which a lower rate does not cure
        if (!diverged && HeldDown.decayHolds(t)) return List.of();
        return List.of(finding(Stage.TRAIN, diverged ? Severity.ERROR : severity(), null, t.stepsDone(ep.getLast().steps()),
                "the training loss " + (beforeAt == 0 ? "rose" : "climbed back up") + " between epochs: from " + Numbers.fmt(before) + " at epoch " + (beforeAt + 1) + " to "
                        + Numbers.fmt(peak) + " at epoch " + (peakAt + 1) + ", and was " + Numbers.fmt(last) + " at epoch " + ep.size()
                        + (diverged ? ", " + Numbers.fmt(last / start) + "x the first epoch's " + Numbers.fmt(start) + ": it diverged" : ""),
                evidence("train_loss_by_epoch", losses, "lowest_before", before, "lowest_epoch", beforeAt + 1, "peak", peak, "peak_epoch", peakAt + 1,
                        "last", last), cause(), fix()));
    }

    /** The steepest climb of an epoch's training loss over the lowest before it, and the lowest of all; no climb: {@code peakAt} -1. */
    private record Climb(double peak, int peakAt, double before, int beforeAt, double lowest) {}

    /** Whether the loss {@code l} of epoch {@code i} counts as a climb over {@code best}, the lowest before it. */
    private interface Counts { boolean test(int i, double l, double best); }

    /**
     * The epoch (from the second) whose training loss rose most, as a ratio, over the lowest before it,
     * of those {@code counts} admits; epochs with a non-finite loss are passed over, or, with
     * {@code finite}, end the search with null.
     */
    private static Climb steepestClimb(List<dev.vitals.core.train.EpochResult> ep, boolean finite, Counts counts) {
        double best = ep.get(0).trainLoss(), lowest = best, peak = Double.NaN, before = Double.NaN;
        int bestAt = 0, peakAt = -1, beforeAt = 0;
        for (int i = 1; i < ep.size(); i++) {
            double l = ep.get(i).trainLoss();
            if (!Double.isFinite(l)) {
                if (finite) return null;
                continue;
            }
            if (counts.test(i, l, best) && !(l / best <= peak / before)) {
                peak = l;
                peakAt = i;
                before = best;
                beforeAt = bestAt;
            }
            if (l < best) {
                best = l;
                bestAt = i;
            }
            lowest = Math.min(lowest, l);
        }
        return new Climb(peak, peakAt, before, beforeAt, lowest);
    }

    /**
     * Standard errors by which an epoch's training loss must stand above another's where both are means
     * of a few logged batches (Lightning's default log: one batch every 50 steps, two an epoch, read
     * "climbed back up from 0.6961 to 0.9268" on a healthy run).
     */
    static final double NOISE_Z = 3;

    /** Epoch logs: a climb of this much over the lowest before it, after a first epoch above the prior's loss, is the rate's. */
    static final double CLIMB_AFTER_OVERSHOOT = 1.1, STILL_UP = 1.05, LEARNED = 0.5, CLIMB_MIN = 0.02;

    /**
     * A first epoch whose mean training loss is above what predicting the class shares gives (ln C):
     * the untrained model starts there, so its first steps overshot; and a loss that later climbed
     * back up by {@link #CLIMB_AFTER_OVERSHOOT} over its lowest before and ended still
     * {@link #STILL_UP} above its lowest. Adam at 0.05 on Fashion-MNIST: 2.69 in the first epoch
     * against ln 10's 2.30, 0.70 at epoch 6, 0.79 at 7, 0.76 at the end (73%), and read as a model too
     * small. Needs the class count; smaller climbs than {@link #EPOCH_RISE} count only after such a start.
     */
    private List<Finding> overshotFromTheStart(Trace t) {
        List<dev.vitals.core.train.EpochResult> ep = t.epochs();
        if (ep.size() < MIN_EPOCHS) return List.of();
        List<Object> losses = new ArrayList<>();
        for (dev.vitals.core.train.EpochResult e : ep) losses.add(Numbers.round(e.trainLoss()));
        // a log's reading: a live run's short first epoch starts where its initialisation puts it, often above
        // the prior (wine under adamw, 9 steps an epoch, was "too high" in check)
        if (Curves.live(t)) return List.of();
        double prior = t.info() == null ? Double.NaN : Curves.priorLoss(t.info()), first = ep.get(0).trainLoss();
        if (!(prior > 0) || !(first > prior + NOISE_Z * Curves.epochLossError(t, 0)) || t.info().regressesLabels()) return List.of();
        // where the steps were logged, above the untrained model's own first loss too: a small model on spirals
        // began at 0.750, its first epoch 0.741 (ln 2: 0.693), and was "overshot" for that
        // (a log whose rows are its epochs, or whose first row is already many steps in, has no such loss)
        boolean fromStart = t.steps() > ep.size() && t.stepNumber(0) == 0;
        if (fromStart && !(first > Curves.startLoss(t))) return List.of();
        Climb c = steepestClimb(ep, true, (i, l, best) -> l > CLIMB_AFTER_OVERSHOOT * best);
        if (c == null) return List.of();
        double peak = c.peak(), before = c.before(), lowest = c.lowest();
        int peakAt = c.peakAt(), beforeAt = c.beforeAt();
        double last = ep.getLast().trainLoss();
        // ...and a run that learned, so that a climb of a tenth stands out of the epochs' noise (that model,
        // never below 0.79 of its first epoch, bounced by a tenth between its 100 epochs of 15 steps)
        if (!(lowest <= LEARNED * first)) return List.of();
        // ...by an amount that matters beside the task's loss: 0.0097 to 0.0195 near a fit is no overshoot
        // (a warm-up run on wine that went on to 100%)
        if (peakAt >= 0 && !(peak - before >= CLIMB_MIN * prior)) return List.of();
        if (peakAt < 0 || !(last > STILL_UP * lowest) || HeldDown.decayHolds(t) || !Curves.epochLossRoseBeyondNoise(t, beforeAt, peakAt, NOISE_Z)) return List.of();
        return List.of(finding(Stage.TRAIN, severity(), null, t.stepsDone(ep.getLast().steps()),
                "the first epoch's mean training loss " + Numbers.fmt(first) + " was above the " + Numbers.fmt(prior) + " of predicting the class shares (its first steps overshot), "
                        + "and the loss climbed back up from " + Numbers.fmt(before) + " at epoch " + (beforeAt + 1) + " to " + Numbers.fmt(peak) + " at epoch " + (peakAt + 1)
                        + (peakAt < ep.size() - 1 ? ", and was " + Numbers.fmt(last) + " at epoch " + ep.size() : ""),
                evidence("train_loss_by_epoch", losses, "first_epoch_loss", first, "prior_loss", prior, "lowest_before", before, "lowest_epoch", beforeAt + 1,
                        "peak", peak, "peak_epoch", peakAt + 1, "last", last), cause(), fix()));
    }

    /**
     * An epoch finding is withdrawn when the end no longer shows it: the loss came back within
     * {@link #NOT_BACK} of its lowest (a warm restart's spike, a curriculum's new classes), or the log
     * grew long enough for the step window to judge it instead.
     */
    @Override
    public boolean stillHolds(Trace t, Finding f) {
        // a bounce the run then left behind: the loss went on to less than half of what it bounced at
        // (layernorm at batch 4 on spirals bounced in its first epochs at 0.86, ended at 0.02 and 97.5%)
        if (f.evidence().get("mean_loss_second_half") instanceof Number bounced && t.steps() >= 20) {
            return !(t.meanLoss(t.steps() - 20, t.steps()) < LEFT_BEHIND * bounced.doubleValue());
        }
        if (f.evidence().containsKey("first_epoch_loss")) return !overshotFromTheStart(t).isEmpty();
        if (!f.evidence().containsKey("peak_epoch")) return true;
        // raised at the end, of the end (a run that lost ground and ended unfitted)
        if (f.evidence().containsKey(ENDED_UNFITTED)) return true;
        return t.steps() < WINDOW + 20 && !byEpoch(t).isEmpty();
    }
}
