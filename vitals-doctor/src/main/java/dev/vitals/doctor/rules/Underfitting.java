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
    static final int MIN_EPOCHS = 4;

    @Override public Code code() { return Code.UNDERFITTING; }

    @Override public Severity severity() { return Severity.WARNING; }

    @Override public String condition() {
        return "after at least " + MIN_EPOCHS + " epochs and " + (int) (JUDGE_AT * 100) + "% of the plan: training accuracy below "
                + (int) (ACCURACY * 100) + "% but above chance (and validation accuracy above chance too, where there is validation), the training loss improved by less than " + (int) (FLAT * 100)
                + "% over the last third of the epochs and is within " + UNSTABLE + "x its best (level, not unstable), and validation accuracy within "
                + (int) (GAP * 100) + " points of training, with the gradient norm below " + CONVERGED + " of its early level or the training loss below "
                + LossPlateau.HIGH + " of its start, or, in a log with neither gradient norms nor " + LossPlateau.MIN_STEPS + " steps, flat alone (converged for this model), "
                + "and the weight layers' median update/weight ratio not below LEARNING_RATE_TOO_LOW's " + LearningRateTooLow.RATIO;
    }

    @Override public Map<String, Object> thresholds() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("training accuracy below", ACCURACY);
        m.put("improvement counted as flat", FLAT);
        m.put("train/validation accuracy gap below", GAP);
        m.put("minimum epochs", MIN_EPOCHS);
        m.put("judged after planned fraction", JUDGE_AT);
        m.put("gradient norm now over early below", CONVERGED);
        return m;
    }

    @Override public String basis() { return "the 'both stay high' failure mode; AUTOTRAINER's not-converging check compares accuracy with a satisfactory level once progress stalls"; }

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
        if (moment == Moment.STEP || t.info() == null) return List.of();
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
        if (!(shrink < CONVERGED) && !levelledLow && !epochLog) return List.of();
        // steps too small to move the weights (sgd at 3e-4 on spirals, whose network reaches 98% at a
        // proper rate) converge nowhere: that is LEARNING_RATE_TOO_LOW, not a model at its capacity
        if (tinySteps(t)) return List.of();
        if (last.hasValidation() && !(Math.abs(last.trainAccuracy() - last.valAccuracy()) < GAP)) return List.of();
        List<Object> train = new ArrayList<>();
        for (EpochResult e : ep) train.add(Numbers.round(e.trainLoss()));
        return List.of(finding(Stage.TRAIN, null, t.stepsDone(last.steps()),
                (last.hasValidation() ? "training and validation both level off low: training accuracy " : "training levels off low (no validation to compare): accuracy ")
                        + Numbers.pct(last.trainAccuracy()) + (last.hasValidation() ? ", validation " + Numbers.pct(last.valAccuracy()) : "")
                        + ", training loss flat at " + Numbers.fmt(last.trainLoss()) + " over the last " + Words.count(third, "epoch"),
                evidence("train_accuracy", last.trainAccuracy(), "val_accuracy", last.valAccuracy(), "train_loss_by_epoch", train,
                        "chance", chance)));
    }

    /** Whether the last observed steps moved the weight layers by less than LEARNING_RATE_TOO_LOW's ratio. */
    private static boolean tinySteps(Trace t) {
        List<dev.vitals.doctor.trace.Observation> obs = t.observations();
        List<dev.vitals.doctor.trace.WeightLayers.Entry> w = dev.vitals.doctor.trace.WeightLayers.of(t);
        if (obs.size() < LearningRateTooLow.WINDOW || w.isEmpty()) return false;
        return dev.vitals.doctor.trace.WeightLayers.medianUpdateRatio(w, obs.subList(obs.size() - LearningRateTooLow.WINDOW, obs.size())) < LearningRateTooLow.RATIO;
    }

    /**
     * Withdrawn when the end of the run no longer shows a model held low: training accuracy reached
     * the satisfactory level, or validation fell behind training by more than the gap (it overfits
     * now). A loss still falling slowly at the end does not withdraw it (a 2-unit bottleneck at 40%).
     */
    @Override
    public boolean stillHolds(Trace t, Finding f) {
        List<EpochResult> ep = t.epochs();
        if (ep.isEmpty()) return true;
        EpochResult last = ep.get(ep.size() - 1);
        if (!(last.trainAccuracy() < ACCURACY)) return false;
        return !(last.hasValidation() && last.trainAccuracy() - last.valAccuracy() >= GAP);
    }
}
