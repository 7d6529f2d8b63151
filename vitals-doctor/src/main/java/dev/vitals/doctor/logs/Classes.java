package dev.vitals.doctor.logs;

import dev.vitals.core.InputException;

import dev.vitals.doctor.rules.Numbers;

/**
 * How many classes a logged run predicts, which the chance level needs: as the user says
 * ({@code --classes N}), or inferred from the first logged loss when it sits at ln C, the loss of an
 * untrained classifier over C classes, and the first accuracy (if logged) is near guessing, or from
 * a run that ends stuck there.
 * {@code count} 0 means unknown: the rules that need a chance level stay silent.
 */
public record Classes(int count, String from) {
    /**
     * The first loss must be within this of ln C, and within a quarter of the gap to ln(C+1) (about
     * 0.25/C: 0.25 ln(1 + 1/C)), so that it points at one class count rather than at whichever is nearest.
     */
    static final double TOLERANCE = 0.05;
    static final int MAX_INFERRED = 1000;
    /** The most classes a log may say it has (or --classes give): beyond, no chance level is worth its memory. */
    public static final int MAX = 1_000_000;

    public static Classes unknown() { return new Classes(0, "unknown: give --classes N to judge accuracy against chance"); }

    public static Classes given(int n) { return new Classes(n, "--classes " + n); }

    /** Inferred from the first logged step, or from a plateau at chance at the end, or unknown. */
    public static Classes infer(RunLog log) {
        // a log that says it (Vitals' own metrics.jsonl starts with {"classes": N}) is not guessed at
        for (LogRecord r : log.table().records()) {
            Object v = r.values().get("classes");
            if (v == null) continue;
            // a record that says it and says nonsense is the log's error, as --classes 0 is the user's
            if (!(v instanceof Number n) || !(n.doubleValue() >= 2) || n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() > MAX) {
                throw new InputException(log.table().source() + " " + r.where() + ": 'classes' holds " + (v instanceof String ? "'" + v + "'" : v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) < 1e15
                        ? String.valueOf(n.longValue()) : v)
                        + ", expected a whole number of classes from 2 to " + MAX);
            }
            return new Classes(n.intValue(), "from the log's own classes record");
        }
        if (!log.has(Column.Kind.ACCURACY) && !log.has(Column.Kind.EPOCH_ACCURACY) && !log.has(Column.Kind.VAL_ACCURACY)) return unknown();
        Classes first = fromFirstLoss(log);
        return first.count() > 0 ? first : fromPlateauAtChance(log);
    }

    /** The last epochs this many or more, and a third of the log, for a plateau at chance. */
    static final int PLATEAU_EPOCHS = 3;
    /** A plateau's loss varies by at most this share, and sits at most this far above ln C. */
    static final double PLATEAU_FLAT = 0.1, ABOVE_LN_C = 0.15;
    /** A plateau's lowest loss may sit this little below ln C (its exp, 3% below C) and still count for C classes. */
    static final double BELOW_LN_C = 0.03;
    /** A plateau's accuracy within this share of 1/C. */
    static final double NEAR_GUESS = 0.3;

    /**
     * Where the first loss says nothing (an epoch log's first row is the mean of a whole epoch: 1776
     * for a run at lr 1.0 that burst and then sat at chance), a run stuck at chance says it at the
     * end: an uninformed classifier over C balanced classes has a loss of about ln C and an
     * accuracy near 1/C. The largest C whose ln C the plateau's lowest loss reaches (within
     * {@link #BELOW_LN_C}), when the plateau's accuracy is near 1/C, its lowest loss within a little of
     * ln C and its median within {@link #PLATEAU_FLAT} of its lowest. A run that learned anything fails the accuracy test.
     */
    static Classes fromPlateauAtChance(RunLog log) {
        var ep = log.epochs();
        int n = Math.max(PLATEAU_EPOCHS, ep.size() / 3);
        if (ep.size() < n || n < PLATEAU_EPOCHS) return unknown();
        double low = Double.POSITIVE_INFINITY, high = 0, accSum = 0;
        int accN = 0;
        java.util.List<Double> losses = new java.util.ArrayList<>();
        for (var e : ep.subList(ep.size() - n, ep.size())) {
            for (double l : new double[] {e.trainLoss(), e.valLoss()}) {
                if (Double.isNaN(l)) continue;
                if (!Double.isFinite(l)) return unknown();
                low = Math.min(low, l);
                high = Math.max(high, l);
                losses.add(l);
            }
            for (double a : new double[] {e.trainAccuracy(), e.valAccuracy()}) {
                if (Double.isNaN(a)) continue;
                accSum += a;
                accN++;
            }
        }
        // the plateau's typical loss: a cyclic rate's spikes (a validation loss of 1.0 on a binary run that
        // sat at 0.69-0.72 for 60 epochs) are no learning, and a value a little below ln C no fewer classes
        double typical = losses.isEmpty() ? Double.NaN : dev.vitals.doctor.trace.Stats.median(losses.stream().mapToDouble(Double::doubleValue).toArray());
        if (accN == 0 || !(low > 0.5) || typical > low * (1 + PLATEAU_FLAT)) return unknown();
        long c = (long) Math.floor(Math.exp(low) * (1 + BELOW_LN_C));
        double acc = accSum / accN;
        if (c < 2 || c > MAX_INFERRED || low - Math.log(c) > ABOVE_LN_C || Math.abs(acc - 1.0 / c) > NEAR_GUESS / c) return unknown();
        return new Classes((int) c, "inferred: over the last " + n + " epochs the loss sat at " + Numbers.fmt(low) + " to " + Numbers.fmt(high) + " (median " + Numbers.fmt(typical) + ")"
                + " with accuracy " + Numbers.pct(acc) + ", an uninformed guess among " + c + " classes (ln " + c + " = " + Numbers.fmt(Math.log(c)) + ")");
    }

    /** The latest first logged step whose loss still tells the untrained model's. */
    static final long EARLY_STEP = 5;

    private static Classes fromFirstLoss(RunLog log) {
        RunLog.Row first = log.rows().get(0);
        // a step log whose first row is step 49 (Lightning logs every 50) has moved off ln C: 2.466
        // there read as 12 classes of a 10-class run; an epoch log's first row is its first epoch
        boolean epochLog = log.rows().size() == log.epochs().size();
        if (!epochLog && first.step() > EARLY_STEP) return unknown();
        double l0 = first.loss();
        if (!(l0 > 0.5) || !Double.isFinite(l0)) return unknown();
        long c = Math.round(Math.exp(l0));
        if (c < 2 || c > MAX_INFERRED || Math.abs(l0 - Math.log(c)) > Math.min(TOLERANCE, 0.25 * Math.log1p(1.0 / c))) return unknown();
        // a model that already beats guessing at its first logged step has left its initial loss behind
        // (the first accuracy logged: of this step, else of the first epoch, training or validation;
        // comparing a missing one, NaN, let any guess through)
        double acc = first.accuracy();
        if (Double.isNaN(acc) && !log.epochs().isEmpty()) {
            var e = log.epochs().get(0);
            acc = !Double.isNaN(e.trainAccuracy()) ? e.trainAccuracy() : e.valAccuracy();
        }
        // near guessing: within 15 points of 1/C and at most three times it (a Keras epoch at 17.3%
        // with a first loss of 3.74 was taken for 42 classes; the run had 10, and sat at chance)
        if (acc > Math.min(1.0 / c + 0.15, 3.0 / c)) return unknown();
        return new Classes((int) c, "inferred: the first logged loss " + Numbers.fmt(l0) + " is ln " + c + " = " + Numbers.fmt(Math.log(c))
                + ", the loss of guessing among " + c + " classes");
    }
}
