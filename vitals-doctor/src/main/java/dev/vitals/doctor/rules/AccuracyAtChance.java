package dev.vitals.doctor.rules;

import dev.vitals.core.Words;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.core.report.Finding;
import dev.vitals.core.train.EpochResult;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.trace.Curves;
import dev.vitals.doctor.trace.Trace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Accuracy at the level of guessing: no better than always predicting the most frequent class (or
 * 1/classes). Early in a run it fires only when the loss has not moved either (a run that is
 * learning slowly is left alone); after a third of the planned epochs, or at the end, it fires when
 * the accuracy is within chance and its margin unless the loss it goes with fell by more than a
 * tenth over the last epoch. On small validation sets the margin is wide (23 points for 28 wine
 * examples), and a run whose loss is falling steeply was judged at chance on its way from 54% to 93%;
 * a run that learns nothing has a loss that stands still (or rises, on validation, for labels it
 * memorises without their inputs).
 */
public final class AccuracyAtChance extends Rule implements TraceRule {
    static final int MIN_STEPS = 100;
    static final double FLAT = 0.01, JUDGE_AT = 0.3;
    /** A start above this multiple of the class shares' loss is a spike: the loss's fall is measured from the shares' loss instead. */
    static final double SPIKE = 1.5;
    /** The fall of the judged loss over the last epoch that counts as learning, as a share of where it was. */
    static final double LEARNING = 0.1;
    /**
     * Steps a run must have taken before an epoch judges it ahead of its end: a run of one-step epochs
     * (batch 2048 on digits) was judged at chance on its first epoch, whose accuracy was measured
     * before any update, on its way to 87%.
     */
    static final int MIN_EPOCH_STEPS = 20;
    /** A held-out loss below this share of the class prior's shows learning that accuracy within chance's margin hides. */
    static final double LEARNED_LOSS = 0.9;
    /** A margin wider than this (too few examples) makes the epoch judgement a warning. */
    static final double WIDE_MARGIN = 0.15;
    /** A validation loss below this share of the class prior's: the held-out predictions beat guessing the shares. */
    static final double WEAK_LOSS = 0.97;
    /** A validation loss at least this share of the class prior's shows nothing learned, whatever the accuracy. */
    static final double NOTHING_LEARNED = 0.98;
    /** The share of the way from chance to a perfect score the last epochs must have gone to withdraw the finding. */
    static final double WITHDRAW_GAIN = 0.1;
    /** The last epochs whose mean accuracy withdraws it. */
    static final int WITHDRAW_EPOCHS = 3;

    @Override public Code code() { return Code.ACCURACY_AT_CHANCE; }

    @Override public Severity severity() { return Severity.ERROR; }

    @Override public String condition() {
        return "after at least " + MIN_STEPS + " steps the recent training accuracy is within chance + margin while the loss has fallen by less than "
                + (int) (FLAT * 100) + "% of its start (of the class prior's loss where the first steps started above " + SPIKE + " times it); or, after " + (int) (JUDGE_AT * 100)
                + "% of the planned epochs (and " + MIN_EPOCH_STEPS + " steps) or at the end, the (validation) accuracy is within chance + margin and its loss fell by at most "
                + (int) (LEARNING * 100) + "% over the last epoch (the first epoch: from the first steps' training loss, or the class prior's loss where that is " + SPIKE + " times lower), "
                + "and not while the validation loss is below " + LEARNED_LOSS + " of the class prior's (the loss of predicting the class shares), and a warning where the margin exceeds "
                + (int) (WIDE_MARGIN * 100) + " points and the accuracy is more than half of it above chance, or where the whole of a Vitals run (live, or its run folder's metrics.jsonl; not another log) took fewer than " + MIN_STEPS
                + " steps while its training side stayed at chance too (then its cause is the run's length, unless a setting the run measures holds the model down: then it stays an error naming that setting; "
                + "and in check, an error where the overfit probe found the model unable to memorise one batch: more steps would not move it), "
                + "or where the validation accuracy is above chance and some validated epoch's validation loss was below " + WEAK_LOSS + " of the prior's (a weak signal that the split's size cannot tell from guessing; not read as labels memorised). "
                + "A last epoch above chance + margin counts as at chance where the last " + WITHDRAW_EPOCHS + " epochs' mean is within it and the validation loss is at least "
                + NOTHING_LEARNED + " of the prior's. Where the training side learned while the validation accuracy is at chance (the last " + WITHDRAW_EPOCHS
                + " epochs' mean training accuracy above chance + margin, the training loss below " + NOTHING_LEARNED + " of the prior's, the validation loss not), the cause is labels that do not belong to their inputs (memorised), and a short run is no excuse. "
                + "A log without accuracy, at the end: a warning where every one of at least " + LOSS_ONLY_EPOCHS + " epochs' training and validation loss is within " + NOTHING_LEARNED + " to 1/" + NOTHING_LEARNED
                + " of the prior's (without epochs: each fifth of at least " + MIN_STEPS + " steps, by its mean), or every validation loss within " + NOTHING_LEARNED + " to " + MEMORISED_CEILING
                + " of it while the training loss fell below (memorised). Raised before the end, it is withdrawn when the run's last " + WITHDRAW_EPOCHS + " epochs' mean accuracy is above chance + margin and "
                + (int) (WITHDRAW_GAIN * 100) + "% of the way from chance to a perfect score (unless its validation loss is still within " + NOTHING_LEARNED + " to 1/" + NOTHING_LEARNED + " of the prior's: predictions near the class shares), or its validation loss shows learning. "
                + "Where chance and its margin reach 100% (the margin itself at most " + (int) (WIDE_MARGIN * 100) + " points), a warning when the validation loss is no lower than the prior's. "
                + "Chance is the larger of the majority-class share and 1/classes; the margin is 2.5 binomial standard errors, at least 2 points. "
                + "For a regression of the label value (mse, index targets, one output), guessing is predicting the mean label: after " + (int) (JUDGE_AT * 100)
                + "% of the planned epochs or at the end, the validation mse at or above what predicting the training labels' mean scores on the validation labels (their variance plus the squared gap of the means), else the training mse at or above the training labels' variance, while it fell by at most "
                + (int) (LEARNING * 100) + "% over the last epoch; withdrawn when the last epoch's ends below the variance. " + HeldDown.CONDITION;
    }

    @Override public Map<String, Object> thresholds() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("minimum steps", MIN_STEPS);
        m.put("loss fall counted as flat", FLAT);
        m.put("epoch judgement after planned fraction", JUDGE_AT);
        m.put("loss fall over the last epoch counted as learning", LEARNING);
        m.put("steps before an epoch judgement ahead of the end", MIN_EPOCH_STEPS);
        m.put("margin", "max(0.02, 2.5 standard errors)");
        m.put("validation loss below this share of the prior's counts as learning", LEARNED_LOSS);
        m.put("a warning above a margin of", WIDE_MARGIN);
        m.put("validation loss showing nothing learned, share of the prior's", NOTHING_LEARNED);
        m.put("share of the way from chance to perfect to withdraw", WITHDRAW_GAIN);
        return m;
    }

    @Override public String basis() { return "AUTOTRAINER judges convergence after 30% of the epochs; a flat loss is evidence enough to say it in the first epoch"; }

    @Override public String cause() {
        return "the model learns nothing about the labels: a bug that stops learning (wrong loss or targets, frozen or vanishing gradients, a learning rate far off), or labels that do not belong to their inputs";
    }

    /** Evidence keys: the run was too short to judge, and its examples too few for a narrow margin (each makes the finding a warning). */
    static final String TOO_FEW_STEPS = "too_few_steps", WIDE_MARGIN_KEY = "margin_too_wide";

    private static final String SHORT_CAUSE_START = "the run takes only ";

    /** The evidence with the flags that made the finding a warning, where they did. */
    private static Map<String, Object> flags(Map<String, Object> evidence, boolean shortRun, boolean tooFew) {
        if (!shortRun && !tooFew) return evidence;
        Map<String, Object> m = new LinkedHashMap<>(evidence);
        if (shortRun) m.put(TOO_FEW_STEPS, true);
        if (tooFew) m.put(WIDE_MARGIN_KEY, true);
        return m;
    }

    /** The cause of a run too short to judge: its steps in all, and where the plan says so, why so few. */
    private static String shortCause(Trace t, long done) {
        var info = t.info();
        String plan = info.batch() > 0 && info.stepsPerEpoch() > 0
                ? " (" + Words.count(info.stepsPerEpoch(), "step") + " an epoch: a batch of " + info.batch() + " on " + info.trainSize() + " training examples)" : "";
        return SHORT_CAUSE_START + Words.count(done, "step") + plan + ", too few for the weights to move far from their start: the accuracy says nothing yet about a bug";
    }

    @Override public String fix() { return "run 'vitals check' on the spec: it separates these causes step by step (data, lint, gradient check, overfit one batch)"; }

    @Override
    public List<Finding> evaluate(Trace t, Moment moment) {
        List<Finding> found = HeldDown.explain(t, judge(t, moment));
        // a run too short to judge is a warning only while its length is the cause: where a setting the run
        // measures holds the model down (weight decay 5 on wine, 40 steps), the at-chance reading is that setting's error
        return found.stream().map(f -> Boolean.TRUE.equals(f.evidence().get(TOO_FEW_STEPS)) && !f.cause().startsWith(SHORT_CAUSE_START) && !Boolean.TRUE.equals(f.evidence().get(WIDE_MARGIN_KEY))
                ? new Finding(f.code(), Severity.ERROR, f.stage(), f.layer(), f.step(), f.message(), f.evidence(), f.cause(), f.fix(), f.verified()) : f).toList();
    }

    /**
     * A run too short to judge is no longer so where the check's overfit probe measured the model
     * failing to memorise one batch in its hundreds of steps: more steps would not move it (a 3x3
     * convolution at stride 20, 86 planned steps, at 10%: a warning, and check exited 0).
     */
    @Override
    public Finding inLightOf(Finding f, List<Finding> earlier) {
        if (!Boolean.TRUE.equals(f.evidence().get(TOO_FEW_STEPS)) || f.isError()) return f;
        for (Finding e : earlier) {
            if (!e.code().equals(Code.CANNOT_OVERFIT_BATCH.name()) || !(e.evidence().get("steps") instanceof Number steps)) continue;
            Map<String, Object> ev = new LinkedHashMap<>(f.evidence());
            ev.put("overfit_probe_steps", steps.longValue());
            return new Finding(f.code(), Severity.ERROR, f.stage(), f.layer(), f.step(), f.message(), ev,
                    "not the run's length: the model could not memorise a single batch in " + steps.longValue() + " steps either (CANNOT_OVERFIT_BATCH), so more steps would not move it; "
                            + e.cause(), e.fix(), f.verified());
        }
        return f;
    }

    private List<Finding> judge(Trace t, Moment moment) {
        if (t.info() == null) return List.of();
        if (t.info().regressesLabels()) return noBetterThanTheMean(t, moment);
        double chance = t.info().chance();
        if (!(chance > 0)) return List.of();  // a log that does not say how many classes there are has no chance level
        int n = t.steps();
        if (!accuracyLogged(t)) return moment == Moment.END ? lossAtPrior(t) : List.of();
        if (moment == Moment.STEP || moment == Moment.END && Curves.progress(t) < JUDGE_AT) {
            if (n < MIN_STEPS || Curves.labelOrderedBatches(t)) return List.of();
            int from = n - Math.min(n / 2, 200);
            double acc = Curves.meanAccuracy(t, from, n);
            double margin = Curves.chanceMargin(chance, Curves.examples(t, from, n));
            if (chance + margin >= 1) return List.of();  // too few examples to tell learning from guessing
            double start = t.meanLoss(0, Math.min(10, n)), now = t.meanLoss(n - 20, n);
            // fallen from a spike of the first steps to no lower than the class shares' loss is as flat as never falling
            double prior = Curves.priorLoss(t.info()), baseline = fallFrom(start, prior);
            boolean spike = start > SPIKE * prior;
            boolean flat = now > baseline * (1 - FLAT);
            if (!(acc <= chance + margin) || !flat) return List.of();
            return List.of(finding(Stage.TRAIN, null, t.stepNumber(n - 1),
                    "accuracy is at chance " + (Curves.live(t) ? "after " + n + " steps" : "by step " + t.stepsDone(n) + " (" + Words.count(n, "logged step") + ")") + ": " + pct(acc) + " against " + pct(chance) + " for guessing, and the loss has "
                            + (spike ? "come down from its first steps' " + dev.vitals.doctor.rules.Numbers.fmt(start) + " only to " + dev.vitals.doctor.rules.Numbers.fmt(now) + ", where predicting the class shares gives "
                                    + dev.vitals.doctor.rules.Numbers.fmt(prior)
                            : (now > start * (1 + FLAT) ? "risen" : "barely moved") + " (" + dev.vitals.doctor.rules.Numbers.fmt(start) + " -> " + dev.vitals.doctor.rules.Numbers.fmt(now) + ")"),
                    evidence("recent_batch_accuracy", acc, "chance", chance, "margin", margin, "loss_at_start", start, "loss_now", now, "steps", t.stepsDone(n))));
        }
        List<EpochResult> ep = t.epochs();
        if (ep.isEmpty() || moment == Moment.EPOCH && (Curves.progress(t) < JUDGE_AT || t.steps() < MIN_EPOCH_STEPS)) return List.of();
        EpochResult last = ep.get(ep.size() - 1);
        double lastAcc = Curves.accuracy(last), margin = epochMargin(t, last);
        if (chance + margin >= 1) return byLossAlone(t, ep, last, lastAcc, chance, margin);
        // one epoch's swing past the margin is no learning where the last epochs' mean is within it and the
        // held-out loss is no lower than the class prior's: shuffled labels on an epoch log read 8.8%, 9.2%,
        // 12.2% against 10% and a 2-point margin, at a validation loss of 2.35 against ln 10's 2.30, and were
        // told to grow the model
        double recent = recentAccuracy(t);
        boolean swing = !(lastAcc <= chance + margin) && recent <= chance + margin && heldOutNothingLearned(t, last);
        if (!(lastAcc <= chance + margin) && !swing) return List.of();
        double acc = swing ? recent : lastAcc;
        double[] fall = lossFall(t, ep);
        if (fall[1] < fall[0] * (1 - LEARNING)) return List.of();
        if (heldOutLossLearned(t, last)) return List.of();
        String which = Curves.accuracyOnValidation(last) ? "validation" : "training";
        // the training examples learned while the held-out ones stay at guessing is what labels that do not
        // belong to their inputs show (only memorising lowers their loss); a run that learned that much has
        // moved its weights, however few its steps (48 on iris, training 51% against 33%, test 3%)
        String learnedTraining = Curves.accuracyOnValidation(last) ? trainingLearned(t, chance) : null;
        // where examples are few (48 validation examples: an 18-point margin) an accuracy more than half
        // the margin above chance is some evidence of learning, too little to call either way, and the
        // finding says what it saw as a warning (a balanced set at 62.5% against 50%, learnable to 65%);
        // one at or below chance is no such evidence (shuffled labels: wine's 22 at 13.6% against 40%)
        boolean tooFew = margin > WIDE_MARGIN && acc > chance + margin / 2;
        // a whole run of a few steps (iris at batch 5000: one step an epoch, 3 in all) has not moved its
        // weights far enough to tell a bug from a start: the run's length is what to name, as a warning
        long done = t.stepsDone(last.steps());
        long planned = (long) t.info().epochs() * t.info().stepsPerEpoch();
        // a run's own steps only: a log of epochs alone (Keras' CSVLogger) numbers one row an epoch, and
        // its 10 "steps" were read as a run too short to judge
        // (a Vitals run folder's metrics.jsonl holds the whole run too: diagnose of the folder judged as the run did)
        boolean shortRun = (Curves.live(t) || t.isReplay() && t.holdsEveryStep()) && done < MIN_STEPS && (moment == Moment.END || planned > 0 && planned < MIN_STEPS) && learnedTraining == null;
        double prior = Curves.priorLoss(t.info());
        // ...and so is one above chance whose validation loss is below the class prior's by a margin of its
        // own: predictions that beat the class shares on held-out examples, a weak signal that this many
        // examples cannot tell from guessing by accuracy (a task whose best is 63%: 55-56% against 51.1% on
        // 160 examples, the loss 0.664 against 0.693, was an error blaming a bug or the labels). Labels that do
        // not belong to their inputs leave no such loss: every prediction away from the shares costs more
        double bestVal = ep.stream().filter(EpochResult::hasValidation).mapToDouble(EpochResult::valLoss).filter(Double::isFinite).min().orElse(Double.NaN);
        boolean weak = !tooFew && !shortRun && !swing && Curves.accuracyOnValidation(last) && acc > chance && bestVal < WEAK_LOSS * prior;
        // (its training side, learning the signal and the noise, is no sign of labels memorised)
        if (weak) learnedTraining = null;
        tooFew |= weak;
        Map<String, Object> ev = evidence(which + "_accuracy", acc, "chance", chance, "margin", margin, "epochs", ep.size(),
                "train_loss", last.trainLoss(), "val_loss", last.valLoss(), "loss_before", fall[0], "loss_now", fall[1],
                "prior_loss", prior, "steps", done);
        if (swing) {
            ev.put("last_epochs", Math.min(WITHDRAW_EPOCHS, ep.size()));
            ev.put("last_epoch_accuracy", Numbers.tidy(lastAcc));
        }
        if (learnedTraining != null) ev.put("train_accuracy_last_epochs", Numbers.tidy(recentTrainingAccuracy(t)));
        return List.of(finding(Stage.TRAIN, tooFew || shortRun ? Severity.WARNING : Severity.ERROR, null, done,
                which + " accuracy is at chance after " + Words.count(ep.size(), "epoch")
                        + (shortRun ? " (" + Words.count(done, "training step") + (planned > done ? " of " + planned + " planned" : " in all") + ")" : "") + ": "
                        + pct(acc) + (swing ? " over the last " + Words.count(Math.min(WITHDRAW_EPOCHS, ep.size()), "epoch") + " (" + pct(lastAcc) + " at the last)" : "")
                        + " against " + pct(chance) + " for guessing"
                        + (swing ? ", and the validation loss " + dev.vitals.doctor.rules.Numbers.fmt(last.valLoss()) + " is no lower than the "
                                + dev.vitals.doctor.rules.Numbers.fmt(prior) + " that predicting the class shares gives" : "")
                        + (learnedTraining != null ? ", while " + learnedTraining : "")
                        + (tooFew ? ", though " + (Curves.accuracyOnValidation(last) ? t.info().validationSize() : t.info().trainSize()) + " examples leave a margin of " + pct(margin) : "")
                        + (weak ? ", and the validation loss reached " + dev.vitals.doctor.rules.Numbers.fmt(bestVal) + ", below the " + dev.vitals.doctor.rules.Numbers.fmt(prior)
                                + " of predicting the class shares: a weak signal, or none" : ""),
                flags(unlogged(ev, "prior_loss"), shortRun, tooFew),
                shortRun ? shortCause(t, Math.max(done, planned)) : learnedTraining != null ? MEMORISED_CAUSE
                        : weak ? "the inputs may carry only a weak signal about the labels, which " + t.info().validationSize() + " validation examples cannot tell from guessing (more of them, or the input-independent baseline of 'vitals check', can); if there is none, " + cause()
                        : cause(),
                shortRun ? "train for more steps (more epochs, or a smaller batch): a few hundred at least, then judge again"
                        : learnedTraining != null ? MEMORISED_FIX : fix()));
    }

    /** The cause where the training examples were learned and the held-out ones stayed at guessing. */
    static final String MEMORISED_CAUSE = "the model learns the training examples but nothing that carries over: labels that do not belong to their inputs "
            + "(shuffled, or paired with the wrong rows), which only memorising fits; or too few training examples for what the model memorises";
    static final String MEMORISED_FIX = "check that each label belongs to its input ('vitals check' on the spec compares them; look at a few examples with their labels, "
            + "and shuffle inputs and labels together); then judge the run again";

    /** The mean judged accuracy of the last epochs (at most {@link #WITHDRAW_EPOCHS}). */
    private static double recentAccuracy(Trace t) {
        List<EpochResult> recent = recentLikeTheLast(t.epochs());
        double acc = 0;
        for (EpochResult e : recent) acc += Curves.accuracy(e) / recent.size();
        return acc;
    }

    /**
     * The last epochs (at most {@link #WITHDRAW_EPOCHS}) whose judged accuracy is of the same kind as the
     * last epoch's: validated ones where it was validated. A log validated every other epoch (Keras'
     * validation_freq=2) mixed 7.6% on validation with 82% on the training data between, and its shuffled
     * labels read "above chance".
     */
    private static List<EpochResult> recentLikeTheLast(List<EpochResult> ep) {
        if (ep.isEmpty()) return ep;
        boolean validated = Curves.accuracyOnValidation(ep.getLast());
        List<EpochResult> out = new java.util.ArrayList<>();
        for (int i = ep.size() - 1; i >= 0 && out.size() < WITHDRAW_EPOCHS; i--) if (Curves.accuracyOnValidation(ep.get(i)) == validated) out.add(0, ep.get(i));
        return out;
    }

    /** The mean training accuracy of the last epochs (at most {@link #WITHDRAW_EPOCHS}). */
    private static double recentTrainingAccuracy(Trace t) {
        List<EpochResult> ep = t.epochs();
        int k = Math.min(WITHDRAW_EPOCHS, ep.size());
        double acc = 0;
        for (EpochResult e : ep.subList(ep.size() - k, ep.size())) acc += e.trainAccuracy() / k;
        return acc;
    }

    /** Whether an epoch's held-out loss is at least {@link #NOTHING_LEARNED} of the class prior's: the predictions no better than the class shares. */
    static boolean heldOutNothingLearned(Trace t, EpochResult e) {
        return e.hasValidation() && e.valLoss() >= NOTHING_LEARNED * Curves.priorLoss(t.info());
    }

    /**
     * What the training side learned, where it did: the last epochs' mean training accuracy above chance
     * and its margin, and the training loss below {@link #NOTHING_LEARNED} of the class prior's while the
     * held-out loss is not; null where the training side is at chance too, or the prior is unknown.
     */
    private static String trainingLearned(Trace t, double chance) {
        List<EpochResult> ep = t.epochs();
        EpochResult last = ep.get(ep.size() - 1);
        double acc = recentTrainingAccuracy(t), prior = Curves.priorLoss(t.info());
        if (!(acc > chance + Curves.chanceMargin(chance, t.info().trainSize()))) return null;
        if (Double.isNaN(prior)) return null;
        if (!(last.trainLoss() < NOTHING_LEARNED * prior) || !heldOutNothingLearned(t, last)) return null;
        return "the training side learned: accuracy " + pct(acc) + " over the last " + Words.count(Math.min(WITHDRAW_EPOCHS, ep.size()), "epoch") + ", loss "
                + dev.vitals.doctor.rules.Numbers.fmt(last.trainLoss()) + " against " + dev.vitals.doctor.rules.Numbers.fmt(last.valLoss()) + " on validation and "
                + dev.vitals.doctor.rules.Numbers.fmt(prior) + " for predicting the class shares";
    }

    /**
     * Whether the held-out side shows nothing learned at the end of the epochs so far: the last epochs'
     * mean validation accuracy within chance and its margin, and the validation loss no lower than
     * {@link #NOTHING_LEARNED} of the class prior's. A capacity cause is wrong advice for such a run.
     */
    static boolean heldOutAtChance(Trace t) {
        List<EpochResult> ep = t.epochs();
        if (t.info() == null || ep.isEmpty() || !(t.info().chance() > 0)) return false;
        EpochResult last = ep.get(ep.size() - 1);
        if (!Curves.accuracyOnValidation(last)) return false;
        return recentAccuracy(t) <= t.info().chance() + epochMargin(t, last) && heldOutNothingLearned(t, last);
    }

    /** The epochs a log without accuracy must hold for its loss alone to say it sat at the prior. */
    static final int LOSS_ONLY_EPOCHS = 3;
    /** Evidence key of the finding read from the loss alone. */
    static final String LOSS_ONLY = "no_accuracy_logged";
    /** A validation loss up to this multiple of the prior's is still at it: memorised labels' confident mistakes push it a little above. */
    static final double MEMORISED_CEILING = 1.1;

    /** Whether the trace holds any accuracy, per step or per epoch (a log of losses alone does not). */
    private static boolean accuracyLogged(Trace t) {
        for (EpochResult e : t.epochs()) if (!Double.isNaN(Curves.accuracy(e)) || !Double.isNaN(e.trainAccuracy())) return true;
        return !Double.isNaN(Curves.meanAccuracy(t, 0, t.steps()));
    }

    /**
     * A log of losses alone, with a class count: every epoch's training and validation loss within
     * {@link #NOTHING_LEARNED} to 1/{@link #NOTHING_LEARNED} of the class prior's, the loss of
     * predicting the class shares, for the whole run (at least {@link #LOSS_ONLY_EPOCHS} epochs; a log
     * without epochs: each fifth of at least {@link #MIN_STEPS} steps, by its mean). A deep sigmoid
     * network's epochs at 2.302-2.309 against ln 10's 2.303 read "healthy, nothing found". A warning:
     * without accuracy, the loss cannot say how far from guessing the predictions are.
     */
    private List<Finding> lossAtPrior(Trace t) {
        double prior = Curves.priorLoss(t.info());
        if (!(prior > 0)) return List.of();
        double low = NOTHING_LEARNED * prior, high = prior / NOTHING_LEARNED;
        List<EpochResult> ep = t.epochs();
        List<Object> train = new ArrayList<>(), val = new ArrayList<>();
        long at;
        String span;
        boolean memorised = false;
        if (!ep.isEmpty()) {
            if (ep.size() < LOSS_ONLY_EPOCHS) return List.of();
            // on validation, a loss above the prior's band is memorised labels' confident mistakes (shuffled labels:
            // up to 2.385 against 2.303), below it learning; a training loss that fell below it is memorising only
            // where the validation loss stayed at the prior
            boolean validated = ep.stream().allMatch(EpochResult::hasValidation);
            for (EpochResult e : ep) {
                if (validated && !(e.valLoss() >= low && e.valLoss() <= MEMORISED_CEILING * prior)) return List.of();
                if (!(e.trainLoss() <= high) || !(e.trainLoss() >= low) && !validated) return List.of();
                memorised |= e.trainLoss() < low;
                train.add(Numbers.round(e.trainLoss()));
                if (validated) val.add(Numbers.round(e.valLoss()));
            }
            at = t.stepsDone(ep.get(ep.size() - 1).steps());
            span = "all " + Words.count(ep.size(), "epoch");
        } else {
            int n = t.steps();
            if (n < MIN_STEPS) return List.of();
            for (int k = 0; k < 5; k++) {
                double m = t.meanLoss(n * k / 5, n * (k + 1) / 5);
                if (!(m >= low && m <= high)) return List.of();
                train.add(Numbers.round(m));
            }
            at = t.stepsDone(n);
            span = "each fifth of its " + n + " logged steps";
        }
        Map<String, Object> ev = evidence("prior_loss", prior, ep.isEmpty() ? "train_loss_by_fifth" : "train_loss_by_epoch", train);
        if (!val.isEmpty()) ev.put("val_loss_by_epoch", val);
        ev.put("classes", t.info().classes());
        ev.put(LOSS_ONLY, true);
        String fix = "; log the accuracy too, so that the doctor can judge it against chance";
        if (memorised) {
            return List.of(finding(Stage.TRAIN, Severity.WARNING, null, at,
                    "the validation loss never fell below " + Numbers.pct(NOTHING_LEARNED) + " of the " + Numbers.fmt(prior) + " of predicting the class shares over " + span + " (" + range(val)
                            + ") while the training loss fell to " + Numbers.fmt(ep.get(ep.size() - 1).trainLoss()) + ": what the training examples taught did not carry over; the log holds no accuracy to say more",
                    ev, MEMORISED_CAUSE, MEMORISED_FIX + fix));
        }
        return List.of(finding(Stage.TRAIN, Severity.WARNING, null, at,
                "the loss stayed at the " + Numbers.fmt(prior) + " of predicting the class shares over " + span + " (training "
                        + range(train) + (val.isEmpty() ? "" : ", validation " + range(val)) + "): the predictions learned nothing of the inputs that the loss shows; the log holds no accuracy to say more",
                ev, cause(), fix() + fix));
    }

    private static String range(List<Object> values) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Object o : values) {
            double v = ((Number) o).doubleValue();
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        return lo == hi ? Numbers.fmt(lo) : Numbers.fmt(lo) + "-" + Numbers.fmt(hi);
    }

    /**
     * Where the majority and its margin reach 100% (90:10 with 48 validation examples), accuracy
     * cannot tell guessing from learning; a validation loss no lower than what predicting the class
     * shares gives (0.499 against 0.325 for noise labels) can, and says so as a warning.
     */
    private List<Finding> byLossAlone(Trace t, List<EpochResult> ep, EpochResult last, double acc, double chance, double margin) {
        double prior = Curves.priorLoss(t.info());
        // too few examples for even the loss to say much (xor's single held-out point)
        if (!last.hasValidation() || margin > WIDE_MARGIN || !(last.valLoss() >= prior)) return List.of();
        double[] fall = lossFall(t, ep);
        if (fall[1] < fall[0] * (1 - LEARNING)) return List.of();
        return List.of(finding(Stage.TRAIN, Severity.WARNING, null, t.stepsDone(last.steps()),
                "validation accuracy " + pct(acc) + " cannot tell learning from guessing (" + pct(chance) + " by the majority alone), and the validation loss "
                        + dev.vitals.doctor.rules.Numbers.fmt(last.valLoss()) + " after " + Words.count(ep.size(), "epoch") + " is no lower than the "
                        + dev.vitals.doctor.rules.Numbers.fmt(prior) + " that predicting the class shares gives",
                evidence("validation_accuracy", acc, "chance", chance, "margin", margin, "epochs", ep.size(), "val_loss", last.valLoss(), "prior_loss", prior),
                cause(), fix()));
    }

    /**
     * A regression of the label value has no accuracy to be at chance; its guess is the mean label,
     * whose mse is the labels' variance. Judged when the epochs are judged: the held-out (else the
     * training) loss at or above that variance while it fell by at most a tenth over the last epoch.
     * Prices of 1680-7620 at adam 1e-3 sat at an mse of 2.4e7 against a variance of 1.6e6 for 30
     * epochs and were "healthy" with a plateau warning.
     */
    private List<Finding> noBetterThanTheMean(Trace t, Moment moment) {
        List<EpochResult> ep = t.epochs();
        // at the end too only past JUDGE_AT of the plan: check's 300-step short run of counts averaging
        // 50 ended at 23% of its plan, its loss still falling steeply (2276 -> 90), and was an error
        if (moment == Moment.STEP || ep.isEmpty() || Curves.progress(t) < JUDGE_AT || moment == Moment.EPOCH && t.steps() < MIN_EPOCH_STEPS) return List.of();
        EpochResult last = ep.get(ep.size() - 1);
        double variance = meanLabelLoss(t, last);
        double loss = Curves.monitored(last);
        if (!(variance > 0) || !(loss >= variance)) return List.of();
        double[] fall = lossFall(t, ep);
        if (fall[1] < fall[0] * (1 - LEARNING)) return List.of();
        String which = last.hasValidation() ? "validation" : "training";
        return List.of(finding(Stage.TRAIN, Severity.ERROR, null, t.stepsDone(last.steps()),
                which + " mse " + dev.vitals.doctor.rules.Numbers.fmt(loss) + " after " + Words.count(ep.size(), "epoch") + " is no better than the "
                        + dev.vitals.doctor.rules.Numbers.fmt(variance) + (last.hasValidation() && t.info().validationShares() != null
                                ? " that always predicting the training labels' mean scores on the validation labels"
                                : " of always predicting the mean label (the labels' variance)"),
                evidence(which + "_loss", loss, "mean_label_loss", variance, "epochs", ep.size(), "loss_before", fall[0], "loss_now", fall[1]),
                "the model learns nothing about the values: labels far from unit scale (prices in the thousands, say) need a far larger learning rate or "
                        + "scaled targets, or a bug stops learning (frozen or vanishing gradients, labels that do not belong to their inputs)",
                "run 'vitals check' on the spec; for large labels raise the learning rate (its range test suggests one) or regress a scaled quantity"));
    }

    /**
     * Whether the held-out loss shows what the accuracy cannot: where one class dwarfs the others,
     * a model at the ceiling the inputs allow (83% against 80% for the majority, logistic regression
     * reaching 85%) scores within chance's margin, but its validation loss (0.405) is well below what
     * the class shares alone give (0.496). Only a held-out loss counts: a training loss also falls by
     * memorising labels that do not belong to their inputs.
     */
    private static boolean heldOutLossLearned(Trace t, EpochResult e) {
        return e.hasValidation() && e.valLoss() < LEARNED_LOSS * Curves.priorLoss(t.info());
    }

    /** A regression's guess on the epoch's judged examples: the validation labels where it has some, else the training labels. */
    private static double meanLabelLoss(Trace t, EpochResult e) {
        return e.hasValidation() ? Curves.heldOutPriorLoss(t.info()) : Curves.priorLoss(t.info());
    }

    /** Withdrawn when the run's last epoch ended above chance and its margin (it fired on its way up, at epoch 12 of 40 of a run that ended at 34% against 20%). */
    @Override
    public boolean stillHolds(Trace t, Finding f) {
        if (f.evidence().containsKey(LOSS_ONLY)) return true;  // raised at the end, of the whole run
        List<EpochResult> ep = t.epochs();
        if (t.info() != null && t.info().regressesLabels() && !ep.isEmpty()) {
            return !(Curves.monitored(ep.get(ep.size() - 1)) < meanLabelLoss(t, ep.get(ep.size() - 1)));
        }
        if (ep.isEmpty() || t.info() == null || !(t.info().chance() > 0)) return true;
        EpochResult last = ep.get(ep.size() - 1);
        // above the margin and a tenth of the way from chance to perfect: a run ending at the edge
        // (14.6% against 10.2% and a 4.4-point margin, with dropout 0.95 twice) learned next to nothing
        // ...over the last epochs, not the last alone: dropout 0.9 twice on spirals swung between 38% and
        // 47% against 33% and ended on a swing up to 45.8%, just past the margin, and read "healthy"
        double acc = recentAccuracy(t), chance = t.info().chance();
        boolean above = acc > chance + epochMargin(t, last) && (acc - chance) / (1 - chance) >= WITHDRAW_GAIN;
        // ...unless its validation loss says it learned nothing: predictions near the class shares
        // (weight decay 0.5 held digits at a loss of 2.293 against ln 10's 2.303, at 19.5%). A loss
        // well above the prior's is confident predictions, not shares: 25% flipped binary labels at
        // sgd 0.05 ended at 61.9% against 50.5% (test 65%, as at a tenth of the rate) with 0.722
        // against 0.693, and read "at chance"
        double prior = Curves.priorLoss(t.info());
        boolean lossSaysNothing = last.hasValidation() && last.valLoss() >= NOTHING_LEARNED * prior && last.valLoss() <= prior / NOTHING_LEARNED;
        return !(above && !lossSaysNothing) && !heldOutLossLearned(t, last);
    }

    /** The chance margin of an epoch's judged accuracy: on the validation examples where there are some, else the training ones. */
    private static double epochMargin(Trace t, EpochResult e) {
        return Curves.chanceMargin(t.info().chance(), Curves.accuracyOnValidation(e) ? t.info().validationSize() : t.info().trainSize());
    }

    /**
     * The loss that goes with the judged accuracy, before and after the last epoch: the validation
     * loss of the last two epochs where both have one, else their training loss; after a first epoch,
     * its training loss against the first steps' (a fifth of the epoch, at most ten steps).
     */
    private static double[] lossFall(Trace t, List<EpochResult> ep) {
        EpochResult last = ep.get(ep.size() - 1);
        if (ep.size() >= 2) {
            EpochResult prev = ep.get(ep.size() - 2);
            if (last.hasValidation() && prev.hasValidation()) return new double[] {prev.valLoss(), last.valLoss()};
            return new double[] {prev.trainLoss(), last.trainLoss()};
        }
        int n = t.steps(), k = Math.max(1, Math.min(10, n / 5));  // the first steps, well inside the epoch
        // a fall from a first steps' spike down to no better than the class shares' loss is no learning (sgd with
        // momentum at batch 2 through batchnorm: 6.84 at the start, 2.38 over the epoch against ln 10's 2.30, at 9.4%)
        return new double[] {fallFrom(n > 0 ? t.meanLoss(0, k) : Double.NaN, Curves.priorLoss(t.info())), last.trainLoss()};
    }

    /** Where a loss's fall is measured from: its start, or the class shares' loss where the start is a spike above it. */
    private static double fallFrom(double start, double prior) { return start > SPIKE * prior ? prior : start; }

    private static String pct(double f) { return dev.vitals.doctor.rules.Numbers.pct(f); }
}
