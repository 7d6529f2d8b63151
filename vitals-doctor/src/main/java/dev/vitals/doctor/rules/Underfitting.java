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
 * Training and validation loss both level off high: the model learned something (it is above
 * chance) but cannot fit even its training data, and validation tracks training closely, so
 * regularisation is not what holds it back.
 */
public final class Underfitting extends Rule implements TraceRule {
    static final double ACCURACY = 0.80, FLAT = 0.05, GAP = 0.08, JUDGE_AT = 0.5, UNSTABLE = 1.1, CONVERGED = 0.5;
    /** A validation loss falling by more than this share an epoch over the last third has not levelled off. */
    static final double STILL_FALLING_PER_EPOCH = 0.025;
    static final double FITTED = 0.95, RISE = 0.05, LATE_RISE = 0.02, VAL_RISE = 0.01, VAL_SHARE = 0.25;
    /** A run that ends below this share of the way from chance to a perfect score has not fitted. */
    static final double HALFWAY = 0.5;
    /** Validation accuracy levelled off: within this many points over the last third of the epochs. */
    static final double VAL_LEVEL = 0.05;
    static final double LOSS_FALL = 0.25, LATE_LOSS_FALL = 0.1, UNEXPLAINED = 0.1;
    /** The evidence key that marks the finding of a run that stopped while still learning. */
    public static final String STOPPED_SHORT = "stopped_still_learning";
    /** Evidence of a plan of too few steps: its optimizer steps in all, and the training examples they step over. */
    public static final String PLANNED_STEPS = "planned_steps", TRAINING_EXAMPLES = "training_examples";
    static final int MIN_EPOCHS = 4, CURVE_EPOCHS = 6, FEW_STEPS = 1000, LARGE_BATCH = 256;
    /** A live run planned for fewer optimizer steps than this has not levelled off but hardly trained. */
    static final int LEVEL_STEPS = 100;
    /** ...whose training loss fell by less than this share since its first epoch. */
    static final double HARDLY_MOVED = 0.1;

    @Override public Code code() { return Code.UNDERFITTING; }

    @Override public Severity severity() { return Severity.WARNING; }

    @Override public String condition() {
        return "after at least " + MIN_EPOCHS + " epochs and " + (int) (JUDGE_AT * 100) + "% of the plan: training accuracy below "
                + (int) (ACCURACY * 100) + "% but above chance (and validation accuracy above chance too, where there is validation), the training loss improved by less than " + (int) (FLAT * 100)
                + "% over the last third of the epochs and is within " + UNSTABLE + "x its best (level, not unstable), the validation loss falling by no more than "
                + STILL_FALLING_PER_EPOCH + " of itself an epoch over that third, and validation accuracy within "
                + (int) (GAP * 100) + " points of training (or above it by more, under a weight decay that holds the model down, as below), with the gradient norm below " + CONVERGED + " of its early level or the training loss below "
                + LossPlateau.HIGH + " of its start, or, in a log with neither gradient norms nor " + LossPlateau.MIN_STEPS + " steps, flat alone (converged for this model), "
                + "and the weight layers' median update/weight ratio not below LEARNING_RATE_TOO_LOW's " + LearningRateTooLow.RATIO
                + ". Also at the end of a run that did all its planned epochs (" + CURVE_EPOCHS + " or more) while still learning fast: training accuracy below "
                + (int) (FITTED * 100) + "%, up " + (int) (RISE * 100) + " points or more over the last third of the epochs and " + (int) (LATE_RISE * 100)
                + " or more over the last half of that third, the training loss lower, and validation accuracy (where there is validation) up more than "
                + (int) (VAL_RISE * 100) + " point and by at least " + VAL_SHARE + " of the training accuracy's rise (where the model has dropout and its validation accuracy is above its training accuracy at both ends of that third, "
                + "the rise is read on the validation accuracy: training accuracy measured through dropout says little); its cause names too few optimizer steps where the run took fewer than " + FEW_STEPS
                + ". Also at the end of a run that did its whole plan (" + MIN_EPOCHS + " epochs or more) and ended above chance but less than "
                + (int) (HALFWAY * 100) + "% of the way from chance to a perfect score on training and validation (training at chance counts where validation is above it: the training passes' dropout; the validation accuracy then within " + (int) (VAL_LEVEL * 100) + " points over the last third instead of the training loss steady), its training loss steady over the last third (within "
                + UNSTABLE + "x) and its steps not tiny"
                + ". A live run planned for fewer than " + LEVEL_STEPS + " optimizer steps that levels off with its training loss down less than " + (int) (HARDLY_MOVED * 100) + "% from its first epoch is named as too few steps instead of a model at its limit"
                + ". For a regression of the label value (no accuracy): the training mse down " + (int) (LOSS_FALL * 100) + "% or more over the last third and "
                + (int) (LATE_LOSS_FALL * 100) + "% over its last half, the judged mse still above " + UNEXPLAINED + " of the labels' variance. "
                + "A run ended by early stopping of a patience of " + IMPATIENT + " epochs or less (fewer epochs than planned, the best validation loss the patience or more before the last epoch) while still learning: the training loss at most "
                + STILL_FALLING + " of its value at the best validation epoch, the validation loss within " + WOBBLE + "x of its best, the validation accuracy no lower than there (within one standard error), training accuracy below " + (int) (FITTED * 100) + "%; an error where it ended less than halfway from chance to a perfect score. "
                + "Also at the end of a run that did its whole plan (" + MIN_EPOCHS + " epochs or more), under a weight decay that holds the model down (as below), a training loss "
                + (int) (CLIMBED * 100) + "% or more above its best epoch's at the last, training accuracy below " + (int) (FITTED * 100) + "%. "
                + "An error too, at the end, under a learning rate above what the optimizer takes at all (LEARNING_RATE_RANGE's lint bounds) where the run ended less than halfway from chance to a perfect score. "
                + HeldDown.CONDITION;
    }

    @Override public Map<String, Object> thresholds() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("training accuracy below", ACCURACY);
        m.put("improvement counted as flat", FLAT);
        m.put("train/validation accuracy gap below", GAP);
        m.put("minimum epochs", MIN_EPOCHS);
        m.put("judged after planned fraction", JUDGE_AT);
        m.put("gradient norm now over early below", CONVERGED);
        m.put("still learning: accuracy rise over the last third", RISE);
        m.put("still learning: rise over its last half", LATE_RISE);
        m.put("still learning: training accuracy below", FITTED);
        m.put("still learning: epochs at least", CURVE_EPOCHS);
        m.put("levelled off: optimizer steps at least", LEVEL_STEPS);
        m.put("ended far from fitted: below this share of the way from chance to perfect", HALFWAY);
        return m;
    }

    @Override public String basis() {
        return "the 'both stay high' failure mode; AUTOTRAINER's not-converging check compares accuracy with a satisfactory level once progress stalls. "
                + "Still learning: healthy runs of the bundled specs and of shortened ones (iris, wine, breast cancer at 8-20 epochs; Fashion-MNIST at 5; digits with "
                + "sgd at 0.003-0.01) gain at most 2.6 points over their last third; digits in one batch of the whole training set (30 steps) gained 8-9 and "
                + "ended at 86% where batches of 32 reach 97%";
    }

    @Override public String cause() {
        return "the model is too small or too constrained for the task (a narrow layer, too few layers, too strong regularisation), or it trained too briefly; "
                + "or the classes overlap in the inputs, a noise no model removes";
    }

    @Override public String fix() {
        return "increase capacity (wider or more layers), reduce dropout and weight decay, or train longer with a suitable learning rate; "
                + "if a much larger model gains nothing, the data limits the accuracy (better features, not a bigger network)";
    }

    @Override
    public List<Finding> evaluate(Trace t, Moment moment) {
        List<Finding> f = HeldDown.explain(t, judge(t, moment));
        // under a rate above what the optimizer takes at all, a run that ended less than halfway from
        // chance to a perfect score was cost its fit by that rate: an error (adam at 0.5 on a
        // Fashion-MNIST subset: 43.6% on the test split against 84%, "healthy" with four warnings)
        if (moment != Moment.END || f.isEmpty() || !LearningRateTooLow.rateAboveRange(t) || t.epochs().isEmpty()) return f;
        double chance = t.info().chance(), acc = Curves.accuracy(t.epochs().getLast());
        if (!(chance > 0) || !(acc < halfway(chance))) return f;
        return f.stream().map(x -> x.severity() == Severity.ERROR ? x
                : new Finding(x.code(), Severity.ERROR, x.stage(), x.layer(), x.step(), x.message() + "; under a learning rate above what the optimizer takes, it ended less than halfway from guessing ("
                        + Numbers.pct(chance) + ") to a perfect score", x.evidence(), x.cause(), x.fix(), x.verified())).toList();
    }

    private List<Finding> judge(Trace t, Moment moment) {
        if (moment == Moment.STEP || t.info() == null) return List.of();
        // held-out accuracy and loss at guessing are ACCURACY_AT_CHANCE's: capacity is the wrong cause for a run that generalises nothing
        if (AccuracyAtChance.heldOutAtChance(t)) return List.of();
        if (moment == Moment.END) {
            Finding early = stoppedOnAWobble(t);
            if (early != null) return List.of(early);
            Finding climbed = climbedBackUnderDecay(t);
            if (climbed != null) return List.of(climbed);
            Finding rising = stillLearning(t);
            if (rising != null) return List.of(rising);
            Finding far = farFromFitted(t);
            if (far != null) return List.of(far);
        }
        List<EpochResult> ep = t.epochs();
        if (ep.size() < MIN_EPOCHS || Curves.progress(t) < JUDGE_AT && moment != Moment.END) return List.of();
        EpochResult last = ep.get(ep.size() - 1);
        double chance = t.info().chance();
        if (!(chance > 0)) return List.of();  // a log that does not say how many classes there are has no chance level
        double margin = Curves.chanceMargin(chance, t.info().trainSize());
        if (!(last.trainAccuracy() < ACCURACY) || !(last.trainAccuracy() > chance + margin)) return List.of();
        // a validation accuracy at chance is ACCURACY_AT_CHANCE's to name: "grow the model" is the wrong
        // advice for a run that generalises nothing (a CNN at lr 0.5 with momentum, 14% / 8.8%)
        if (last.hasValidation() && !(last.valAccuracy() > chance + Curves.chanceMargin(chance, Math.max(1, t.info().validationSize())))) return List.of();
        int third = Math.max(2, ep.size() / 3);
        double before = ep.get(ep.size() - third).trainLoss();
        if (!(last.trainLoss() > before * (1 - FLAT))) return List.of();
        // "both level off": a validation loss still falling is a model still learning, whatever the training loss
        // measured through dropout shows (a CNN at dropout 0.5: training 0.612 -> 0.606, validation 0.548 -> 0.530,
        // and 82.5% at twice the epochs, "level off low" at 77% / 80%)
        EpochResult valBefore = ep.get(ep.size() - third);
        int apart = ep.size() - 1 - (ep.size() - third);
        if (last.hasValidation() && valBefore.hasValidation() && apart > 0
                && 1 - Math.pow(last.valLoss() / valBefore.valLoss(), 1.0 / apart) > STILL_FALLING_PER_EPOCH) return List.of();
        double best = ep.stream().mapToDouble(EpochResult::trainLoss).min().orElse(Double.NaN);
        if (!(last.trainLoss() <= UNSTABLE * best)) return List.of();
        // a model that still has large gradients is held back by its optimisation (too small a rate), not its capacity;
        // without gradient norms (a log that has none) the two cannot be told apart, and LOSS_PLATEAU names the symptom
        // Mini-batch noise keeps a real run's gradient norm up even at its best (a 2-unit PyTorch model:
        // 0.77 -> 0.70 while its loss sat at 0.89 for a third of the run), so a loss that fell to below
        // half its start and then levelled off counts as converged too; above that LOSS_PLATEAU speaks
        double shrink = Curves.gradientShrink(t);
        boolean levelledLow = last.trainLoss() < LossPlateau.HIGH * Curves.startLoss(t);
        // an epoch log (Keras: a row per epoch) has neither gradient norms nor the steps LOSS_PLATEAU
        // needs; its flat curves at a train/validation tie are this finding's to name (a 1-unit iris
        // model at 67% / 66% for 40 epochs, loss at 0.64 of its start, was called healthy)
        boolean epochLog = Double.isNaN(shrink) && t.steps() < LossPlateau.MIN_STEPS;
        // steps too small to move the weights (sgd at 3e-4 on spirals, whose network reaches 98% at a
        // proper rate) converge nowhere: that is LEARNING_RATE_TOO_LOW, not a model at its capacity
        if (LearningRateTooLow.tinySteps(t)) return List.of();
        // a loss that climbed back up between epochs is the rate's to name, not the model's size (as in farFromFitted)
        if (LearningRateTooHigh.climbedBack(t)) return List.of();
        // validation far above training is dropout's noise in the training accuracy, not a fit; where a weight
        // decay holds the weights it does not clear the model (adam at decay 1 with dropout 0.9 on digits:
        // 25% / 67%, flat, 65% test where the decay at 1e-4 reaches 89.7%, "healthy, nothing found")
        boolean validationAbove = last.valAccuracy() - last.trainAccuracy() >= GAP && dev.vitals.doctor.trace.Decay.holding(t) != null;
        if (last.hasValidation() && !(Math.abs(last.trainAccuracy() - last.valAccuracy()) < GAP) && !validationAbove) return List.of();
        List<Object> train = new ArrayList<>();
        for (EpochResult e : ep) train.add(Numbers.round(e.trainLoss()));
        // a live run of a handful of steps has not levelled off, it has hardly trained: iris at batch
        // 100000 took 5 steps (0.974 -> 0.966) and was told to grow the model, and fix tried only that
        long total = t.stepsDone(last.steps()), planned = (long) t.info().epochs() * t.info().stepsPerEpoch();
        // ...and whose loss has hardly moved since its first epoch: a full-batch run of 60 steps whose
        // loss fell 17% and was flat from its third epoch on has converged, and was "too few steps to learn"
        boolean hardlyMoved = last.trainLoss() > (1 - HARDLY_MOVED) * ep.get(0).trainLoss();
        if (Curves.live(t) && t.info().stepsPerEpoch() > 0 && planned < LEVEL_STEPS && hardlyMoved) {
            return List.of(finding(Stage.TRAIN, Severity.WARNING, null, total,
                    "the run takes only " + Words.count(planned, "optimizer step") + " in all (" + Words.count(t.info().stepsPerEpoch(), "step") + " an epoch at batch "
                            + t.info().batch() + "): after " + total + ", accuracy " + Numbers.pct(last.trainAccuracy()) + (last.hasValidation() ? ", validation " + Numbers.pct(last.valAccuracy()) : "")
                            + ", training loss " + Numbers.fmt(ep.get(0).trainLoss()) + " -> " + Numbers.fmt(last.trainLoss()) + ": too few steps to learn, or to tell a model at its limit",
                    evidence("train_accuracy", last.trainAccuracy(), "val_accuracy", last.valAccuracy(), "train_loss_by_epoch", train, "steps", total,
                            PLANNED_STEPS, planned, TRAINING_EXAMPLES, t.info().trainSize(), "chance", chance, STOPPED_SHORT, true),
                    tooFewSteps(t, planned),
                    "take more steps: a smaller batch (32 to 256 is usual) and more epochs"));
        }
        if (!(shrink < CONVERGED) && !levelledLow && !epochLog) return List.of();
        return List.of(finding(Stage.TRAIN, null, t.stepsDone(last.steps()),
                (last.hasValidation() ? "training and validation both level off low: training accuracy " : "training levels off low (no validation to compare): accuracy ")
                        + Numbers.pct(last.trainAccuracy()) + (last.hasValidation() ? ", validation " + Numbers.pct(last.valAccuracy()) : "")
                        + ", training loss flat at " + Numbers.fmt(last.trainLoss()) + " over the last " + Words.count(third, "epoch"),
                evidence("train_accuracy", last.trainAccuracy(), "val_accuracy", last.valAccuracy(), "train_loss_by_epoch", train,
                        "chance", chance)));
    }

    /**
     * The run ended while the model was still learning fast: the whole plan done (not stopped
     * early), training accuracy still below {@link #FITTED}, up by {@link #RISE} over the last third of
     * the epochs and by {@link #LATE_RISE} over the last half of that third, validation accuracy up
     * too. Such a run reads as finished (no flat loss, no bounce) while a longer one would have got
     * much further: digits with the whole training set in each batch, 30 steps in all, ended at
     * 86% and still climbing 3 points every 5 epochs.
     */
    private Finding stillLearning(Trace t) {
        List<EpochResult> ep = t.epochs();
        int n = ep.size();
        // the last third must span two epochs or more, each of its halves one or more: six epochs
        if (n < CURVE_EPOCHS || t.info().epochs() > 0 && n < t.info().epochs()) return null;
        int third = n / 3;
        EpochResult from = ep.get(n - 1 - third), mid = ep.get(n - 1 - third / 2), last = ep.get(n - 1);
        if (t.info().regressesLabels()) return stillFitting(t, from, mid, last, third);
        double chance = t.info().chance();
        if (!(chance > 0)) return null;
        // training accuracy measured through dropout says little of the model: at 0.95 on digits it sat at
        // 15% while validation climbed 17 points to 63% over the last third, and the run ended "healthy";
        // where dropout holds the training side below validation, validation is what the rise is read on
        boolean validated = last.hasValidation() && !Double.isNaN(last.valAccuracy()) && !Double.isNaN(from.valAccuracy()) && !Double.isNaN(mid.valAccuracy());
        boolean throughDropout = validated && hasDropout(t) && last.valAccuracy() > last.trainAccuracy() && from.valAccuracy() > from.trainAccuracy();
        double accFrom = throughDropout ? from.valAccuracy() : from.trainAccuracy(), accMid = throughDropout ? mid.valAccuracy() : mid.trainAccuracy(),
                accLast = throughDropout ? last.valAccuracy() : last.trainAccuracy();
        double rise = accLast - accFrom, late = accLast - accMid;
        if (!(accLast < FITTED) || !(rise >= RISE) || !(late >= LATE_RISE)) return null;
        // training accuracy that climbs while validation does not is a model memorising: OVERFITTING's, not
        // more steps'; and so is validation creeping at a fraction of training's pace (documents at adamw:
        // training up 7.8 points, validation up 1.0 to 55%, and "train longer" was the advice)
        double valRise = last.valAccuracy() - from.valAccuracy();
        if (last.hasValidation() && !Double.isNaN(last.valAccuracy()) && !(valRise > Math.max(VAL_RISE, VAL_SHARE * rise))) return null;
        if (!(last.trainLoss() < from.trainLoss())) return null;
        // a live run knows its batch and steps; a log's rows need not be optimizer steps
        boolean counted = Curves.live(t) && t.info().batch() > 0 && t.info().stepsPerEpoch() > 0;
        long total = t.stepsDone(last.steps());
        String message = throughDropout
                ? "the run ended while the model was still learning: validation accuracy rose " + Numbers.points(rise) + " points over the last "
                        + Words.count(third, "epoch") + " (" + Numbers.points(late) + " in the last " + Words.count(third - third / 2, "epoch") + ") to " + Numbers.pct(accLast)
                        + " (training accuracy, measured through the model's dropout, " + Numbers.pct(last.trainAccuracy()) + "); it stopped far from converged"
                : "the run ended while the model was still learning: training accuracy rose " + Numbers.points(rise) + " points over the last "
                + Words.count(third, "epoch") + " (" + Numbers.points(late) + " in the last " + Words.count(third - third / 2, "epoch") + ") to " + Numbers.pct(last.trainAccuracy())
                + (last.hasValidation() && !Double.isNaN(valRise) ? " (validation: up " + Numbers.points(valRise) + " points to " + Numbers.pct(last.valAccuracy()) + ")" : "")
                + "; it stopped far from converged";
        String cause = counted && total < FEW_STEPS
                ? tooFewSteps(t, total)
                : "the run was too short for its learning rate: the loss was still falling steadily when the epochs ran out (a rate too low, "
                        + "or a start far from a good one, makes the road longer)";
        String fix = "train longer (more epochs; train.early_stop ends the run when validation stops improving)"
                + (counted && t.info().batch() > LARGE_BATCH ? ", take more steps per epoch with a smaller batch (32 to 256 is usual)" : "")
                + ", or raise the learning rate (the range test of 'vitals check' suggests one)";
        return finding(Stage.TRAIN, Severity.WARNING, null, t.stepsDone(last.steps()), message,
                evidence("train_accuracy", last.trainAccuracy(), "val_accuracy", last.valAccuracy(), "train_accuracy_rise", last.trainAccuracy() - from.trainAccuracy(),
                        "val_accuracy_rise", valRise, "read_on", throughDropout ? "validation (dropout)" : "training", "epochs", n, "steps", total, "train_loss_before", from.trainLoss(), "train_loss_now", last.trainLoss(),
                        STOPPED_SHORT, true),
                cause, fix);
    }

    /** Whether the model has a dropout layer (known for a live run or a Vitals run folder, not for another framework's log). */
    private static boolean hasDropout(Trace t) {
        return t.layers().stream().anyMatch(l -> l.kind().equals("dropout"));
    }

    /** Evidence key of a training loss that climbed back up under a weight decay holding the weights: raised at the end, of the end. */
    static final String CLIMB = "train_loss_climb";
    /** A training loss this share or more above its best epoch's at the end has climbed back, not wobbled. */
    static final double CLIMBED = 0.05;

    /**
     * Under a weight decay measured holding the weights down ({@link dev.vitals.doctor.trace.Decay#holding}),
     * the training loss climbed back up by {@link #CLIMBED} or more from its best epoch by the last, the
     * model not fitted: the decay takes back what the loss's gradient gained as the weights shrink. Adam
     * with weight decay 1 on digits (dropout 0.3): 1.89 at epoch 4, 2.06 at epoch 8, training accuracy
     * 64%, validation 73%, "healthy, nothing found" (the decay at 1e-4: 94.4% test). Its training and
     * validation accuracy differ by more than the level-off reading's gap (dropout is on in training),
     * and the loss climbs, so neither that reading nor the others named it.
     */
    private Finding climbedBackUnderDecay(Trace t) {
        List<EpochResult> ep = t.epochs();
        int n = ep.size();
        if (n < MIN_EPOCHS || t.info().epochs() > 0 && n < t.info().epochs() || t.info().regressesLabels()) return null;
        double chance = t.info().chance();
        EpochResult last = ep.get(n - 1);
        if (!(chance > 0) || !(last.trainAccuracy() < FITTED)) return null;
        int best = 0;
        for (int i = 1; i < n; i++) if (ep.get(i).trainLoss() < ep.get(best).trainLoss()) best = i;
        if (best == n - 1 || !(last.trainLoss() >= (1 + CLIMBED) * ep.get(best).trainLoss())) return null;
        dev.vitals.doctor.trace.Decay.Pull p = dev.vitals.doctor.trace.Decay.holding(t);
        if (p == null) return null;
        List<Object> train = new ArrayList<>();
        for (EpochResult e : ep) train.add(Numbers.round(e.trainLoss()));
        return finding(Stage.TRAIN, Severity.WARNING, null, t.stepsDone(last.steps()),
                "the training loss climbed back up from " + Numbers.fmt(ep.get(best).trainLoss()) + " at epoch " + (best + 1) + " to " + Numbers.fmt(last.trainLoss())
                        + " at epoch " + n + " as the weights shrank, with training accuracy " + Numbers.pct(last.trainAccuracy())
                        + (last.hasValidation() ? ", validation " + Numbers.pct(last.valAccuracy()) : "") + ": the model gives back what it fitted",
                evidence("train_accuracy", last.trainAccuracy(), "val_accuracy", last.valAccuracy(), "train_loss_by_epoch", train, "best_train_loss_epoch", best + 1,
                        CLIMB, last.trainLoss() / ep.get(best).trainLoss() - 1, "chance", chance),
                cause(), fix());
    }

    /** Evidence key of a run ended by early stopping while it still learned: the patience it had. */
    public static final String EARLY_STOP_PATIENCE = "early_stop_patience";
    /** A training loss at most this share of its value at the best validation epoch is still falling. */
    static final double STILL_FALLING = 0.95;
    /** Early stopping of this patience or less can end a run on a wobble. */
    static final int IMPATIENT = 2;
    /** A validation loss at most this much above its best is a wobble, not a climb. */
    static final double WOBBLE = 1.1;

    /**
     * Early stopping ended the run (fewer epochs than planned, the best validation loss at least the
     * patience before the last) on a wobble: the training loss still falling, the validation loss
     * within {@link #WOBBLE} of its best, the validation accuracy no lower than at the best epoch, the
     * model not fitted. early_stop 1 ended spirals at epoch 5 of 40 (validation loss 0.600 -> 0.606,
     * its accuracy 70% -> 83%, training accuracy rising 61% -> 69%): 59% test against 99% for the
     * whole plan, "healthy, nothing found". A validation loss that climbs (digits: 0.49 -> 0.87 with
     * its accuracy down) is a stop that did its job.
     */
    private Finding stoppedOnAWobble(Trace t) {
        List<EpochResult> ep = t.epochs();
        int n = ep.size(), patience = t.info().earlyStop();
        // a short patience (one or two epochs) ends a run on a wobble; five epochs without improvement is a
        // stop that did its job (noisy labels through a wide net: the training loss fell by memorising)
        if (patience <= 0 || patience > IMPATIENT || t.info().epochs() <= 0 || n >= t.info().epochs() || n < 2 || t.info().regressesLabels()) return null;
        int best = -1;
        for (int i = 0; i < n; i++) {
            if (!ep.get(i).hasValidation()) return null;
            if (best < 0 || ep.get(i).valLoss() < ep.get(best).valLoss()) best = i;
        }
        if (n - 1 - best < patience) return null;  // not stopped by early stopping (interrupted, or the loss went NaN)
        EpochResult at = ep.get(best), last = ep.get(n - 1);
        if (!(last.trainLoss() <= STILL_FALLING * at.trainLoss()) || !(last.valLoss() <= WOBBLE * at.valLoss())) return null;
        // no lower than at the best epoch, within the validation set's noise (a CNN stopped at epoch 5 of 25
        // as its 150 validation examples went from 74.8% to 74.2%, one example: 77% test against 83%)
        // (one standard error: a Fashion MLP whose 150 validation examples went from 85.3% to 82.0% while its
        // validation loss rose 5% was beginning to overfit, and the stop cost it under 3 points)
        double noise = Math.sqrt(at.valAccuracy() * (1 - at.valAccuracy()) / Math.max(1, t.info().validationSize()));
        if (!(last.valAccuracy() >= at.valAccuracy() - noise) || !(last.trainAccuracy() < FITTED)) return null;
        // an error where it ended less than halfway from chance to a perfect score (spirals at 59% against 99%)
        double chance = t.info().chance();
        boolean unfitted = chance > 0 && Curves.accuracy(last) < halfway(chance);
        return finding(Stage.TRAIN, unfitted ? Severity.ERROR : Severity.WARNING, null, t.stepsDone(last.steps()),
                "early stopping ended the run at epoch " + n + " of " + t.info().epochs() + " while it was still learning: the validation loss did not improve on epoch "
                        + (best + 1) + "'s " + Numbers.fmt(at.valLoss()) + " for " + Words.count(patience, "epoch") + " (it was " + Numbers.fmt(last.valLoss())
                        + "), while the training loss fell from " + Numbers.fmt(at.trainLoss()) + " to " + Numbers.fmt(last.trainLoss()) + " and the validation accuracy went from "
                        + Numbers.pct(at.valAccuracy()) + " to " + Numbers.pct(last.valAccuracy()),
                evidence("epochs", n, "planned_epochs", t.info().epochs(), EARLY_STOP_PATIENCE, patience, "best_val_loss_epoch", best + 1,
                        "best_val_loss", at.valLoss(), "last_val_loss", last.valLoss(), "train_loss_at_best", at.trainLoss(), "train_loss_now", last.trainLoss(),
                        "val_accuracy_at_best", at.valAccuracy(), "val_accuracy_now", last.valAccuracy(), "train_accuracy", last.trainAccuracy(), STOPPED_SHORT, true),
                "early stopping's patience of " + Words.count(patience, "epoch") + " ends the run at the first epochs whose validation loss does not improve, and a "
                        + "validation loss wobbles from epoch to epoch while the model still learns (here by " + Numbers.pct(last.valLoss() / at.valLoss() - 1) + ")",
                "raise train.early_stop to 5 or more (or 0 to run the whole plan); vitals fix tries 5");
    }

    /** The cause of a run of too few optimizer steps, {@code steps} of them in all. */
    private static String tooFewSteps(Trace t, long steps) {
        return "too few optimizer steps: " + Words.count(steps, "step") + " in all (" + Words.count(t.info().stepsPerEpoch(), "step") + " an epoch at batch " + t.info().batch()
                + " over " + Words.count(t.info().trainSize(), "training example") + "), each moving the weights by at most the learning rate's share";
    }

    /** The accuracy {@link #HALFWAY} from {@code chance} to a perfect score: a run that ends below it has not fitted. */
    static double halfway(double chance) { return chance + HALFWAY * (1 - chance); }

    /**
     * The whole plan done, and the model ended less than {@link #HALFWAY} of the way from chance to a
     * perfect score on its training and its validation examples, above chance (ACCURACY_AT_CHANCE's
     * otherwise), with a training loss that neither bounced (LEARNING_RATE_TOO_HIGH's) nor stood still
     * on tiny steps (LEARNING_RATE_TOO_LOW's), and neither levelled off nor climbed fast enough for the
     * readings above: digits through a 1-unit layer ended at 21% / 20% with its loss falling 1.5% an
     * epoch, and read "healthy, nothing found" (a 64-unit layer reaches 96%).
     */
    private Finding farFromFitted(Trace t) {
        List<EpochResult> ep = t.epochs();
        int n = ep.size();
        if (n < MIN_EPOCHS || t.info().epochs() > 0 && n < t.info().epochs() || t.info().regressesLabels()) return null;
        double chance = t.info().chance();
        if (!(chance > 0)) return null;
        EpochResult last = ep.get(n - 1);
        double bar = halfway(chance);
        boolean validated = last.hasValidation() && !Double.isNaN(last.valAccuracy());
        boolean valAbove = validated && last.valAccuracy() > chance + Curves.chanceMargin(chance, Math.max(1, t.info().validationSize()));
        // training accuracy at chance beside a validation accuracy above it is dropout's noise in the
        // training passes (0.95 twice on digits: 9.7% training, 31% validation, "healthy, nothing found"),
        // not a model at chance
        boolean noisyTraining = !(last.trainAccuracy() > chance + Curves.chanceMargin(chance, t.info().trainSize()));
        if (!(last.trainAccuracy() < bar) || noisyTraining && !valAbove) return null;
        if (validated && (!(last.valAccuracy() < bar) || !valAbove)) return null;
        int third = Math.max(2, n / 3);
        double low = Double.POSITIVE_INFINITY, high = 0, valLow = 1, valHigh = 0;
        for (EpochResult e : ep.subList(n - third, n)) {
            low = Math.min(low, e.trainLoss());
            high = Math.max(high, e.trainLoss());
            valLow = Math.min(valLow, e.valAccuracy());
            valHigh = Math.max(valHigh, e.valAccuracy());
        }
        if (noisyTraining) {
            // the training passes say nothing through their noise: levelled off is the validation accuracy's
            // (29.97-32.40% over the last third), whatever the training loss does under the dropout
            if (!(valHigh - valLow <= VAL_LEVEL)) return null;
        } else if (!(high <= UNSTABLE * low) || last.trainLoss() > ep.get(n - third).trainLoss()) {
            // bouncing, or climbing back up: a rate too high, not a model that learns too little
            return null;
        }
        // ...or before the last third (adam at 1.0 on blobs: 0.70 at epoch 3, 1.33 at epoch 6, 1.18 at 30)
        if (LearningRateTooLow.tinySteps(t) || LearningRateTooHigh.climbedBack(t)) return null;
        List<Object> train = new ArrayList<>();
        for (EpochResult e : ep) train.add(Numbers.round(e.trainLoss()));
        return finding(Stage.TRAIN, Severity.WARNING, null, t.stepsDone(last.steps()),
                "the run ended far from fitted: training accuracy " + Numbers.pct(last.trainAccuracy()) + (last.hasValidation() ? ", validation " + Numbers.pct(last.valAccuracy()) : "")
                        + " after " + Words.count(n, "epoch") + ", less than halfway from guessing (" + Numbers.pct(chance) + ") to a perfect score; the training loss went from "
                        + Numbers.fmt(ep.get(0).trainLoss()) + " to " + Numbers.fmt(last.trainLoss()),
                evidence("train_accuracy", last.trainAccuracy(), "val_accuracy", last.valAccuracy(), "chance", chance, "halfway", bar,
                        "train_loss_by_epoch", train, "epochs", n),
                "the model learns too little or too slowly: too little capacity (a hidden layer narrower than the classes), too strong regularisation, "
                        + "a learning rate far too low, or far too few epochs; or the classes overlap in the inputs",
                fix());
    }

    /**
     * The same for a regression of the label value, which has no accuracy to rise: its training loss
     * fell by {@link #LOSS_FALL} or more over the last third of the epochs and {@link #LATE_LOSS_FALL}
     * over the last half of it, and the judged (validation, else training) loss is still above
     * {@link #UNEXPLAINED} of the labels' variance.
     */
    private Finding stillFitting(Trace t, EpochResult from, EpochResult mid, EpochResult last, int third) {
        double variance = Curves.priorLoss(t.info()), now = Curves.monitored(last);
        double fall = 1 - last.trainLoss() / from.trainLoss(), late = 1 - last.trainLoss() / mid.trainLoss();
        if (!(fall >= LOSS_FALL) || !(late >= LATE_LOSS_FALL) || !(now > UNEXPLAINED * variance)) return null;
        return finding(Stage.TRAIN, Severity.WARNING, null, t.stepsDone(last.steps()),
                "the run ended while the model was still learning: the training mse fell " + Numbers.pct(fall) + " over the last " + Words.count(third, "epoch")
                        + " (" + Numbers.pct(late) + " in the last " + Words.count(third - third / 2, "epoch") + ") to " + Numbers.fmt(last.trainLoss())
                        + ", and the " + (last.hasValidation() ? "validation" : "training") + " mse " + Numbers.fmt(now) + " is still " + Numbers.pct(now / variance)
                        + " of the labels' variance; it stopped far from converged",
                evidence("train_loss_before", from.trainLoss(), "train_loss_now", last.trainLoss(), "train_loss_fall", fall, "label_variance", variance,
                        "epochs", t.epochs().size(), STOPPED_SHORT, true),
                "the run was too short for its learning rate: the loss was still falling steadily when the epochs ran out (labels far from unit scale "
                        + "take many steps at a usual rate)",
                "train longer, or raise the learning rate (the range test of 'vitals check' suggests one)");
    }

    /** Whether the last observed steps moved the weight layers by less than LEARNING_RATE_TOO_LOW's ratio. */

    /**
     * Withdrawn when the end of the run no longer shows a model held low: training accuracy reached
     * the satisfactory level, or validation fell behind training by more than the gap (it overfits
     * now). A loss still falling slowly at the end does not withdraw it (a 2-unit bottleneck at 40%).
     * The still-learning finding is raised at the end and judged there.
     */
    @Override
    public boolean stillHolds(Trace t, Finding f) {
        if (f.evidence().containsKey(STOPPED_SHORT) || f.evidence().containsKey(CLIMB)) return true;  // raised at the end, of the end
        // a loss that climbed back up after the level was seen is the rate's (adam at 0.05: level at epoch 6, up at 7)
        if (LearningRateTooHigh.climbedBack(t)) return false;
        List<EpochResult> ep = t.epochs();
        if (ep.isEmpty()) return true;
        EpochResult last = ep.get(ep.size() - 1);
        if (!(last.trainAccuracy() < ACCURACY)) return false;
        // a level the run left (its training loss more than LOSS_PLATEAU's share below it) no longer holds it low
        if (f.evidence().get("train_loss_by_epoch") instanceof List<?> curve && !curve.isEmpty() && curve.get(curve.size() - 1) instanceof Number level
                && last.trainLoss() < (1 - LossPlateau.LEFT) * level.doubleValue() && !f.evidence().containsKey(PLANNED_STEPS)) return false;
        return !(last.hasValidation() && last.trainAccuracy() - last.valAccuracy() >= GAP);
    }
}
