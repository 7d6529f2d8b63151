package dev.vitals.doctor.rules;

import dev.vitals.core.Words;
import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.core.train.EpochResult;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.trace.Curves;
import dev.vitals.doctor.trace.Trace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training loss stopped improving while it is still high (above half its starting value) and
 * the gradients are still large: the optimisation stalled, as opposed to a model that converged at
 * the limit of its capacity (gradients shrink: UNDERFITTING) or one whose validation loss stalls
 * while training improves (OVERFITTING). Judged on epochs, from the third on.
 */
public final class LossPlateau extends Rule implements TraceRule {
    static final double IMPROVEMENT = 0.01, HIGH = 0.5, RISING = 1.10, CONVERGED = 0.5;
    static final int MIN_EPOCHS = 3, WINDOW = 2, MIN_STEPS = 100;
    /** A last epoch's training loss this share below the level a run stalled at shows it left the plateau. */
    public static final double LEFT = 0.1;

    @Override public Code code() { return Code.LOSS_PLATEAU; }

    @Override public Severity severity() { return Severity.WARNING; }

    @Override public String condition() {
        return "from epoch " + MIN_EPOCHS + " and step " + MIN_STEPS + " on, the best training loss of the last " + WINDOW + " epochs (more where they hold fewer than "
                + MIN_STEPS / 2 + " steps, until they do) is within "
                + (int) (IMPROVEMENT * 100) + "% of the best before them, the last is within " + RISING + "x the best (flat, not rising), it is still above "
                + HIGH + " of the loss at the start, and the gradient norm is still above " + CONVERGED + " of its early level (not converged)"
                + ". Withdrawn at the end where the last epochs no longer show a plateau and the last epoch's training loss is more than " + (int) (LEFT * 100)
                + "% below the level it stalled at. " + HeldDown.CONDITION;
    }

    @Override public Map<String, Object> thresholds() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("improvement counted as none", IMPROVEMENT);
        m.put("epochs compared", WINDOW);
        m.put("loss still above this share of its start", HIGH);
        m.put("minimum epochs", MIN_EPOCHS);
        m.put("minimum steps", MIN_STEPS);
        m.put("rising beyond", RISING);
        m.put("gradient norm of a converged run below", CONVERGED);
        return m;
    }

    @Override public String basis() {
        return "the plateau failure mode (loss stuck, not converged). A model at the limit of its capacity also stops improving, but its gradient norm shrinks "
                + "(measured: below 0.4 of its start for a linear model on spirals) while a stalled run keeps them (0.7 and above for too small a rate or unshuffled batches); "
                + "half the start separates the two and leaves the capacity case to UNDERFITTING";
    }

    @Override public String cause() {
        return "learning stalled: batches that all hold one class (unshuffled data) pull the model back and forth, the learning rate is too low to leave a flat region, or the model is stuck in a poor minimum; "
                + "or the loss sits at the floor the data allows (overlapping classes, noisy labels: 20% of binary labels flipped leave at least 0.50 of the untrained 0.69)";
    }

    @Override public String fix() {
        return "shuffle the training data every epoch, raise the learning rate (use the range test of 'vitals check') or add warm-up and decay, try adam; "
                + "if a higher rate and a larger model end at the same loss, the data sets the floor";
    }

    @Override
    public List<Finding> evaluate(Trace t, Moment moment) {
        return HeldDown.explain(t, judge(t, moment));
    }

    /**
     * Withdrawn where the run left the plateau: the end no longer shows one, and the last epoch's
     * training loss is well below the level it stalled at (a binary run sat at 0.69 for 28 epochs,
     * then fell to 0.53 at 85.5% validation accuracy, and still read "stopped improving at 0.6946").
     */
    @Override
    public boolean stillHolds(Trace t, Finding f) {
        List<EpochResult> ep = t.epochs();
        if (ep.isEmpty() || !(f.evidence().get("best_before") instanceof Number level) || !judge(t, Moment.END).isEmpty()) return true;
        return !(ep.get(ep.size() - 1).trainLoss() < (1 - LEFT) * level.doubleValue());
    }

    private List<Finding> judge(Trace t, Moment moment) {
        if (moment == Moment.STEP) return List.of();
        List<EpochResult> ep = t.epochs();
        if (ep.size() < MIN_EPOCHS || t.steps() < MIN_STEPS) return List.of();
        // epochs of a few steps (iris, a log of 24 steps an epoch) say little about a trend: the
        // window grows over more epochs until it holds enough steps, and one step an epoch (xor) needs many
        int window = WINDOW;
        long lastSteps = ep.get(ep.size() - 1).steps();
        while (ep.size() - 1 - window >= 0 && lastSteps - ep.get(ep.size() - 1 - window).steps() < MIN_STEPS / 2) window++;
        if (ep.size() - 1 - window < 0) return List.of();
        double bestBefore = Double.POSITIVE_INFINITY, bestRecent = Double.POSITIVE_INFINITY;
        for (int i = 0; i < ep.size(); i++) {
            double l = ep.get(i).trainLoss();
            if (i < ep.size() - window) bestBefore = Math.min(bestBefore, l);
            else bestRecent = Math.min(bestRecent, l);
        }
        EpochResult last = ep.get(ep.size() - 1);
        // a regression of the label value's exact hits are no accuracy to quote (0.0% beside an mse falling 1000-fold)
        double acc = t.info() != null && t.info().regressesLabels() ? Double.NaN : Curves.accuracy(last);
        double start = Curves.startLoss(t);
        if (!(bestRecent > bestBefore * (1 - IMPROVEMENT)) || !(last.trainLoss() > HIGH * start)) return List.of();
        if (!(last.trainLoss() <= RISING * Math.min(bestBefore, bestRecent))) return List.of();
        double gradients = Curves.gradientShrink(t);
        if (gradients < CONVERGED) return List.of();
        List<Object> curve = new ArrayList<>();
        for (EpochResult e : ep) curve.add(Numbers.round(e.trainLoss()));
        return List.of(finding(Stage.TRAIN, null, t.stepsDone(last.steps()),
                "training loss stopped improving at " + Numbers.fmt(bestBefore) + " (less than " + Numbers.pct(IMPROVEMENT) + " gained over the last " + Words.count(window, "epoch") + "), the last epoch's "
                        + Numbers.fmt(last.trainLoss()) + " still " + Numbers.pct(last.trainLoss() / start) + " of where it started" + (Double.isNaN(acc) ? "" : ", with accuracy " + Numbers.pct(acc)),
                unlogged(evidence("train_loss_by_epoch", curve, "loss_at_start", start, "best_before", bestBefore, "best_recent", bestRecent, "accuracy", acc,
                        "gradient_norm_now_over_start", gradients), "accuracy")));
    }
}
