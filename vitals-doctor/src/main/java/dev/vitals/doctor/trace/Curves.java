package dev.vitals.doctor.trace;

import dev.vitals.core.train.EpochResult;

import java.util.List;

/** Readings of loss and accuracy curves shared by the curve rules. */
public final class Curves {
    private Curves() {}

    /** Mean batch accuracy over steps [from, to), NaN where unknown. */
    public static double meanAccuracy(Trace t, int from, int to) {
        double s = 0;
        int n = 0;
        for (int i = Math.max(0, from); i < Math.min(to, t.steps()); i++) {
            float a = t.accuracy(i);
            if (Float.isFinite(a)) {
                s += a;
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    /** Examples seen in steps [from, to), estimated from the planned batch size. */
    public static int examples(Trace t, int from, int to) {
        int batch = t.info() == null ? 1 : Math.max(1, Math.min(t.info().batch(), t.info().trainSize()));
        return Math.max(0, Math.min(to, t.steps()) - Math.max(0, from)) * batch;
    }

    /**
     * The accuracy a run must beat to be more than guessing: chance plus 2.5 binomial standard
     * errors for {@code samples} examples, and at least 2 points.
     */
    public static double chanceMargin(double chance, int samples) {
        double se = Math.sqrt(chance * (1 - chance) / Math.max(1, samples));
        return Math.max(0.02, 2.5 * se);
    }

    /** The loss an epoch is judged by: validation where there is one, else training. */
    public static double monitored(EpochResult e) { return e.hasValidation() ? e.valLoss() : e.trainLoss(); }

    public static double accuracy(EpochResult e) { return e.hasValidation() ? e.valAccuracy() : e.trainAccuracy(); }

    /** Share of the planned epochs done, 0..1 (1 when the plan is unknown). */
    public static double progress(Trace t) {
        List<EpochResult> ep = t.epochs();
        if (t.info() == null || t.info().epochs() == 0) return 1;
        double done = ep.size() + (t.steps() - (ep.isEmpty() ? 0 : ep.get(ep.size() - 1).steps())) / (double) Math.max(1, t.stepsPerEpoch());
        return Math.min(1, done / t.info().epochs());
    }
}
