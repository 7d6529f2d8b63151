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

    @Override public Code code() { return Code.OVERFITTING; }

    @Override public Severity severity() { return Severity.WARNING; }

    @Override public String condition() {
        return "the validation loss has been more than " + (int) (RISE * 100) + "% above its minimum for " + EPOCHS_UP
                + " consecutive epochs while the training loss fell more than " + (int) (TRAIN_FALL * 100) + "% since that minimum, is within " + (int) (TRAIN_NEAR_LOWEST * 100) + "% of its lowest since then (or below half the validation minimum) and is now below 1/"
                + GAP + " of the validation loss, and the training accuracy is above chance and its margin (where the classes are known). "
                + "Raised before the end, it is withdrawn when the last epochs no longer show it (validation came back within " + (int) (RISE * 100) + "% of its minimum)";
    }

    @Override public Map<String, Object> thresholds() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("validation rise over its minimum", RISE);
        m.put("consecutive epochs above", EPOCHS_UP);
        m.put("training fall since the minimum", TRAIN_FALL);
        m.put("validation over training loss at least", GAP);
        m.put("training loss within this of its lowest since the minimum", TRAIN_NEAR_LOWEST);
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
        if (moment == Moment.STEP) return List.of();
        List<EpochResult> ep = t.epochs();
        if (ep.size() < EPOCHS_UP + 2 || !ep.get(0).hasValidation()) return List.of();
        int best = 0;
        for (int i = 1; i < ep.size(); i++) if (ep.get(i).valLoss() < ep.get(best).valLoss()) best = i;
        // every one of the last EPOCHS_UP epochs must be above the bar: one noisy epoch is not a trend
        if (ep.size() - 1 - best < EPOCHS_UP) return List.of();
        double min = ep.get(best).valLoss();
        for (int i = ep.size() - EPOCHS_UP; i < ep.size(); i++) if (!(ep.get(i).valLoss() > min * (1 + RISE))) return List.of();
        EpochResult last = ep.get(ep.size() - 1);
        if (!(last.trainLoss() < ep.get(best).trainLoss() * (1 - TRAIN_FALL))) return List.of();
        // and is still falling: a training loss back above its lowest since then is a run thrown
        // about by its steps (Adam at 0.1: 1.46, then 1.99, 1.84 at the end), which memorises nothing
        double lowest = last.trainLoss();
        for (int i = best; i < ep.size(); i++) if (ep.get(i).trainLoss() < lowest) lowest = ep.get(i).trainLoss();
        // (near a memorised zero a training loss of 2e-4 after 1e-4 is noise, not a bounce)
        if (last.trainLoss() > lowest * (1 + TRAIN_NEAR_LOWEST) && last.trainLoss() > 0.5 * min) return List.of();
        // a run whose training loss is as bad as its validation loss is unstable, not overfitting
        if (!(last.valLoss() > GAP * last.trainLoss())) return List.of();
        // a model at chance on its own training data has learned nothing to overfit with: its
        // validation loss bounces (an exploded run that died, 32-40% on wine against 40% for guessing)
        double chance = t.info() == null ? 0 : t.info().chance();
        if (chance > 0 && !Double.isNaN(last.trainAccuracy())
                && last.trainAccuracy() <= chance + dev.vitals.doctor.trace.Curves.chanceMargin(chance, t.info().trainSize())) return List.of();
        List<Object> val = new ArrayList<>(), train = new ArrayList<>();
        for (EpochResult e : ep) {
            val.add(Numbers.round(e.valLoss()));
            train.add(Numbers.round(e.trainLoss()));
        }
        boolean guarded = t.info() != null && t.info().earlyStop() > 0;
        return List.of(finding(Stage.TRAIN, guarded ? Severity.INFO : severity(), null, t.stepsDone(last.steps()),
                "validation loss rose from " + Numbers.fmt(min) + " at epoch " + (best + 1) + " to " + Numbers.fmt(last.valLoss())
                        + " while training loss fell to " + Numbers.fmt(last.trainLoss())
                        + (guarded ? "; early stopping is on and keeps the weights of epoch " + (best + 1) : ""),
                evidence("best_epoch", best + 1, "val_loss_by_epoch", val, "train_loss_by_epoch", train,
                        "train_accuracy", last.trainAccuracy(), "val_accuracy", last.valAccuracy()),
                cause(), guarded ? "nothing to do: early stopping restores the best epoch; to gain from later epochs, regularise (dropout, weight decay)" : fix()));
    }

    /** Withdrawn when the run's end no longer shows it: a healthy run with dropout had one low validation epoch, then three above it, then came back. */
    @Override
    public boolean stillHolds(Trace t, Finding f) {
        return !evaluate(t, Moment.END).isEmpty();
    }
}
