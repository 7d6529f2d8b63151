package dev.vitals.doctor.rules;

import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.core.train.EpochResult;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.trace.Trace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validation loss turned up while training loss kept falling: the model memorises its training
 * data. It needs the rise to hold for consecutive epochs and to exceed the validation loss's own
 * noise, so a single bad epoch on a small validation set does not fire it.
 */
public final class Overfitting extends Rule implements TraceRule {
    static final double RISE = 0.10, TRAIN_FALL = 0.10, GAP = 1.2, TRAIN_NEAR_LOWEST = 0.10;
    static final int EPOCHS_UP = 3;
    /** The rise must also exceed this share of the class prior's loss (ln C for C balanced classes), where it is known. */
    static final double MIN_RISE_OF_PRIOR = 0.01;
    /** The rise times the validation examples must exceed this many times the class prior's loss: more than one example's guess. */
    static final double MIN_SUMMED_RISE = 1;

    @Override public Code code() { return Code.OVERFITTING; }

    @Override public Severity severity() { return Severity.WARNING; }

    @Override public String condition() {
        return "the validation loss has been more than " + (int) (RISE * 100) + "% above its minimum for " + EPOCHS_UP
                + " consecutive validated epochs (a log validated every k epochs counts those), and by more than " + MIN_RISE_OF_PRIOR + " of the class prior's loss where it is known (else of the run's first loss, and, unless the loss is mse, of ln 2), and, where the validation split's size is known, "
                + "by more than " + MIN_SUMMED_RISE + " times the prior's loss when summed over its examples (the rise times their count: more than one example's guess is worth), while the training loss fell more than " + (int) (TRAIN_FALL * 100) + "% since that minimum, is within " + (int) (TRAIN_NEAR_LOWEST * 100) + "% of its lowest since then (or below half the validation minimum) and is now below 1/"
                + GAP + " of the validation loss, and the training accuracy is above chance and its margin (where the classes are known). "
                + "An info, not a warning, where early stopping is on or, in a live run (whose validation split's size is known), the validation accuracy rose by a standard error or more since the loss's minimum (the model grows confident on what it gets wrong while it gets more right). "
                + "Raised before the end, it is withdrawn when the last epochs no longer show it (validation came back within " + (int) (RISE * 100) + "% of its minimum), and raised anew as an info where the end reads one (validation accuracy risen by a standard error since). "
                + "Also, at the end of a run of " + CONFIDENT_EPOCHS + " validated epochs or more, a model confidently wrong: the last validation loss above the class prior's (cross-entropy) and "
                + CONFIDENT_GAP + " times the training loss, at a validation accuracy at least " + (int) (Underfitting.HALFWAY * 100) + "% of the way from chance to perfect "
                + "(LEARNING_RATE_TOO_HIGH's where the training loss jumped between epochs)";
    }

    @Override public Map<String, Object> thresholds() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("validation rise over its minimum", RISE);
        m.put("consecutive epochs above", EPOCHS_UP);
        m.put("training fall since the minimum", TRAIN_FALL);
        m.put("validation over training loss at least", GAP);
        m.put("training loss within this of its lowest since the minimum", TRAIN_NEAR_LOWEST);
        m.put("confidently wrong: validation over training loss", CONFIDENT_GAP);
        return m;
    }

    @Override public String basis() {
        return "the 'stable / validation falls then rises' signature; AUTOTRAINER counts consecutive epochs of training down and validation up. "
                + "Three epochs, not two: on 240 validation examples Vitals saw two noisy epochs 10% above an early minimum that the run later beat";
    }

    @Override public String cause() { return "the model has more capacity than the data can constrain: it fits noise in the training examples that does not carry over"; }

    @Override public String fix() {
        return "stop at the best validation epoch (train.early_stop: 3 restores its weights), add dropout or weight decay (adamw), use a smaller model or more data";
    }

    @Override
    public List<Finding> evaluate(Trace t, Moment moment) {
        List<Finding> f = judge(t, moment);
        // a model that ends confidently wrong without a rise to show for it (its validation loss high
        // from the start: an initialisation far too large); one whose training loss jumped between
        // epochs is LEARNING_RATE_TOO_HIGH's to name
        if (f.isEmpty() && moment == Moment.END && !LearningRateTooHigh.rateJumps(t, LearningRateTooHigh.epochJumps(t))) f = confidentlyWrongFinding(t);
        // batches ordered by label make validation rise as each class is fit and forgotten: theirs to name
        return HeldDown.byLabelOrder(t, f);
    }

    /** Confidently wrong: the validation loss at least this many times the training loss (and above the class prior's). */
    static final double CONFIDENT_GAP = 3;
    static final int CONFIDENT_EPOCHS = 3;

    /**
     * The last validated epoch's {validation loss, training loss, prior loss, validation accuracy,
     * epoch index} when the model ends confidently wrong: a validation loss above what predicting
     * the class shares gives (ln C for balanced classes) and {@link #CONFIDENT_GAP} times the
     * training loss, at a validation accuracy at least halfway from chance to perfect; else null.
     * Such a model is right often and certain of its wrong answers: each costs more than a guess would.
     */
    static double[] confidentlyWrong(Trace t) {
        if (t.info() == null) return null;
        double prior = dev.vitals.doctor.trace.Curves.priorLoss(t.info());
        if (!(prior > 0) || t.info().regressesLabels()) return null;
        List<EpochResult> ep = t.epochs().stream().filter(EpochResult::hasValidation).toList();
        if (ep.size() < CONFIDENT_EPOCHS) return null;
        EpochResult last = ep.getLast();
        double chance = t.info().chance();
        if (!(last.valLoss() > prior) || !(last.valLoss() > CONFIDENT_GAP * last.trainLoss())) return null;
        if (!(last.valAccuracy() >= chance + Underfitting.HALFWAY * (1 - chance))) return null;
        return new double[] {last.valLoss(), last.trainLoss(), prior, last.valAccuracy(), t.epochs().indexOf(last)};
    }

    /** What the evidence of a confidently wrong model says, for this rule and LEARNING_RATE_TOO_HIGH. */
    static String confidentlyWrongWords(double[] c) {
        String gap = c[1] > 0 ? String.format(java.util.Locale.ROOT, "%.1fx the training loss ", c[0] / c[1]) + Numbers.fmt(c[1]) : "far above the training loss of 0";
        return "validation loss " + Numbers.fmt(c[0]) + ", above the " + Numbers.fmt(c[2]) + " of guessing the class shares and " + gap
                + ", at validation accuracy " + Numbers.pct(c[3]);
    }

    private List<Finding> confidentlyWrongFinding(Trace t) {
        double[] c = confidentlyWrong(t);
        if (c == null) return List.of();
        EpochResult last = t.epochs().get((int) c[4]);
        return List.of(finding(Stage.TRAIN, severity(), null, t.stepsDone(last.steps()),
                "the model ends confidently wrong on the examples it misses: " + confidentlyWrongWords(c),
                evidence("val_loss", c[0], "train_loss", c[1], "prior_loss", c[2], "val_accuracy", c[3], "epoch", (int) c[4] + 1),
                "its scores (logits) are very large, so it is certain of every answer, right or wrong: a weight initialisation far above He's or Xavier's scale, "
                        + "or training to a near-zero loss without regularisation, makes them so",
                "use init: he (or xavier) if the initialisation is larger, add weight decay (adamw) or dropout, or stop at the best validation epoch (train.early_stop: 3)"));
    }

    private List<Finding> judge(Trace t, Moment moment) {
        if (moment == Moment.STEP) return List.of();
        List<EpochResult> ep = t.epochs();
        // the epochs that were validated: all of a Vitals run's, every k-th of a log kept with
        // Keras' validation_freq=k or Hugging Face's eval_steps across epochs
        int[] v = java.util.stream.IntStream.range(0, ep.size()).filter(i -> ep.get(i).hasValidation()).toArray();
        if (v.length < EPOCHS_UP + 2) return List.of();
        // the training loss an epoch ended at: a log that records it less often than epochs end
        // (logging_steps beyond an epoch's steps) carries the last one forward
        double[] train = new double[ep.size()];
        double carried = Double.NaN;
        for (int i = 0; i < ep.size(); i++) train[i] = carried = Double.isNaN(ep.get(i).trainLoss()) ? carried : ep.get(i).trainLoss();
        int bestAt = 0;
        for (int j = 1; j < v.length; j++) if (ep.get(v[j]).valLoss() < ep.get(v[bestAt]).valLoss()) bestAt = j;
        int best = v[bestAt];
        // every one of the last EPOCHS_UP validations must be above the bar: one noisy epoch is not a trend
        if (v.length - 1 - bestAt < EPOCHS_UP) return List.of();
        double min = ep.get(best).valLoss();
        for (int j = v.length - EPOCHS_UP; j < v.length; j++) if (!(ep.get(v[j]).valLoss() > min * (1 + RISE))) return List.of();
        int end = v[v.length - 1];
        // near a fitted model a rise of a few thousandths is a large share of a small loss and changes
        // no prediction (blobs at 98.5%: 0.0166 -> 0.0213): it must also be a share of the class prior's
        double prior = t.info() == null ? Double.NaN : dev.vitals.doctor.trace.Curves.priorLoss(t.info());
        // ...or, where the classes are unknown (a log without --classes), of the loss the run started from,
        // and at least of ln 2, the prior of the fewest classes there are (a log's first record may come
        // after the loss fell: Lightning's at step 49): wine at 100% validation accuracy, 0.0026 -> 0.0032
        // (0.0081 in its step logs) after starting at 0.84, read "overfitting"
        if (!(prior > 0)) {
            prior = dev.vitals.doctor.trace.Curves.startLoss(t);
            if (t.info() != null && !"mse".equals(t.info().loss()) && !(prior >= Math.log(2))) prior = Math.log(2);
        }
        if (ep.get(end).valLoss() - min < MIN_RISE_OF_PRIOR * prior) return List.of();
        // on a small validation split a one-epoch dip sets a minimum the run never meant: the rise, summed over
        // the split's examples, must be more than one example's guess is worth (the prior's loss); wine's 28
        // examples, 0.0746 at epoch 34 amid 0.081-0.134, then 0.0866: 0.34 nats in all, one example a little
        // less sure, at 96.4% throughout. Known for a live run and a Vitals run folder; a log without it is
        // judged without this
        int examples = t.info() == null ? 0 : t.info().validationSize();
        double summed = (ep.get(end).valLoss() - min) * examples;
        if (examples > 0 && examples < dev.vitals.doctor.logs.LogReplay.UNKNOWN_SIZE && prior > 0 && summed < MIN_SUMMED_RISE * prior) return List.of();
        EpochResult last = ep.get(end);
        double lastTrain = train[end];
        // a log whose training loss is written less often than epochs end (Lightning every 50 steps, epochs of
        // 7) has none at the validation minimum: the first written after it stands in (0.707 at epoch 4,
        // 0.929 at epoch 60 with the training loss 0.015 -> 1e-4, read "healthy")
        double trainAtBest = train[best];
        for (int i = best; Double.isNaN(trainAtBest) && i < end; i++) trainAtBest = train[i];
        if (!(lastTrain < trainAtBest * (1 - TRAIN_FALL))) return List.of();
        // and is still falling: a training loss back above its lowest since then is a run thrown
        // about by its steps (Adam at 0.1: 1.46, then 1.99, 1.84 at the end), which memorises nothing
        double lowest = lastTrain;
        for (int i = best; i <= end; i++) if (train[i] < lowest) lowest = train[i];
        // (near a memorised zero a training loss of 2e-4 after 1e-4 is noise, not a bounce)
        if (lastTrain > lowest * (1 + TRAIN_NEAR_LOWEST) && lastTrain > 0.5 * min) return List.of();
        // a run whose training loss is as bad as its validation loss is unstable, not overfitting
        if (!(last.valLoss() > GAP * lastTrain)) return List.of();
        // a model at chance on its own training data has learned nothing to overfit with: its
        // validation loss bounces (an exploded run that died, 32-40% on wine against 40% for guessing)
        double chance = t.info() == null ? 0 : t.info().chance();
        if (chance > 0 && !Double.isNaN(last.trainAccuracy())
                && last.trainAccuracy() <= chance + dev.vitals.doctor.trace.Curves.chanceMargin(chance, t.info().trainSize())) return List.of();
        List<Object> valBy = new ArrayList<>(), trainBy = new ArrayList<>();
        for (EpochResult e : ep) {
            // null for an epoch without validation (validation_freq=2): NaN would read as a diverged loss
            valBy.add(e.hasValidation() ? Numbers.round(e.valLoss()) : null);
            trainBy.add(Numbers.round(e.trainLoss()));
        }
        boolean guarded = t.info() != null && t.info().earlyStop() > 0;
        // validation accuracy that rose since the loss's minimum, by a standard error or more: the loss climbs on the
        // examples the model gets wrong, ever more confident, while it gets more of them right; stopping at the
        // loss's minimum costs accuracy (digits, 145 validation examples: 94.5% -> 96.6% as the loss went
        // 0.168 -> 0.222, 98.3% test against 95.5% early-stopped)
        double accThen = ep.get(best).valAccuracy(), accNow = last.valAccuracy();
        // (a live run knows its validation split's size; a log does not, and no standard error can be had)
        int n = t.info() == null || !dev.vitals.doctor.trace.Curves.live(t) ? 0 : t.info().validationSize();
        boolean moreRight = n > 0 && accNow - accThen >= Math.sqrt(Math.max(accThen * (1 - accThen), 1e-4) / n);
        String message = "validation loss rose from " + Numbers.fmt(min) + " at epoch " + (best + 1) + " to " + Numbers.fmt(last.valLoss())
                + (end < ep.size() - 1 ? " at epoch " + (end + 1) : "")
                + " while training loss fell to " + Numbers.fmt(lastTrain)
                + (moreRight ? "; validation accuracy rose meanwhile, " + Numbers.pct(accThen) + " -> " + Numbers.pct(accNow) + ": the model grows overconfident on the examples it gets wrong, not worse at the task"
                        : Double.isNaN(accThen) || Double.isNaN(accNow) ? "" : " (validation accuracy " + Numbers.pct(accThen) + " -> " + Numbers.pct(accNow) + ")")
                + (guarded ? "; early stopping is on and keeps the weights of epoch " + (best + 1) : "");
        String fix = guarded ? "nothing to do: early stopping restores the best epoch; to gain from later epochs, regularise (dropout, weight decay)"
                : moreRight ? "nothing needed for accuracy (stopping at the loss's minimum would cost some); for calibrated probabilities, regularise (weight decay, dropout) or stop earlier"
                : fix();
        return List.of(finding(Stage.TRAIN, guarded || moreRight ? Severity.INFO : severity(), null, t.stepsDone(last.steps()), message,
                unlogged(evidence("best_epoch", best + 1, "val_loss_by_epoch", valBy, "train_loss_by_epoch", trainBy,
                        "train_accuracy", last.trainAccuracy(), "val_accuracy", last.valAccuracy(), "val_accuracy_at_best_epoch", accThen), "train_accuracy", "val_accuracy", "val_accuracy_at_best_epoch"),
                cause(), fix));
    }

    /**
     * Withdrawn when the run's end no longer shows it (a healthy run with dropout had one low validation
     * epoch, then three above it, then came back), or shows it milder: a warning raised at epoch 6 whose
     * validation accuracy then rose by more than a standard error (digits, 145 examples: 95.9% at the loss's
     * minimum, 97.9% at epoch 30) is raised anew at the end as the note it has become.
     */
    @Override
    public boolean stillHolds(Trace t, Finding f) {
        // and one whose numbers the run has since moved (raised at epoch 14 "to 0.1449", ended at 0.1635) is
        // raised anew with the end's
        return evaluate(t, Moment.END).stream().anyMatch(now -> now.severity().ordinal() <= f.severity().ordinal() && now.message().equals(f.message()));
    }
}
