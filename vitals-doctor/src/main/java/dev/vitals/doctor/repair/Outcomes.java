package dev.vitals.doctor.repair;

/** How two short runs compare: in words for a finding's {@code verified}, and whether the second is worse beyond noise. */
final class Outcomes {
    /** The smallest rise of a loss that counts, beside its doubling: 0.05 is 2% of ln 10. */
    static final double LOSS_RISE = 0.05;

    private Outcomes() {}

    /** "short-run validation accuracy 10.2% -> 91.3% (loss 1.31 -> 0.34)", or empty when nothing was measured. */
    static String change(ShortTrial.Outcome a, ShortTrial.Outcome b) {
        if (b == null) return "";
        String loss;
        if (a == null) loss = "loss " + fmt(b.loss());
        else if (a.lossKind().equals(b.lossKind())) loss = "loss " + fmt(a.loss()) + " -> " + fmt(b.loss());
        else loss = a.lossKind() + " loss " + fmt(a.loss()) + " -> " + b.lossKind() + " loss " + fmt(b.loss());
        // a regression is told by its loss; its rounded predictions' exact hits come second
        boolean byLoss = b.regression() && (a == null || a.regression());
        if (a == null) {
            return byLoss ? "short-run " + b.split() + " " + loss + " (exact hits " + b.describe() + ")"
                    : "short-run " + b.split() + " accuracy " + b.describe() + " (" + loss + ")";
        }
        String split = a.split().equals(b.split()) ? b.split() : a.split() + " -> " + b.split();
        if (byLoss) return "short-run " + split + " " + loss + " (exact hits " + a.describe() + " -> " + b.describe() + ")";
        return "short-run " + split + " accuracy " + a.describe() + " -> " + b.describe() + " (" + loss + ")";
    }

    /**
     * Worse on the same examples, beyond what chance alone moves: accuracy down by more than two
     * binomial standard errors of the examples measured (at least a point), or level within them
     * while the same loss more than doubled (by {@link #LOSS_RISE} at least), or, where accuracy says
     * nothing (a regression of the label value), the same loss up by more than 10%; a loss that stops
     * being finite, or falls below zero, is always worse. Between a regression and a classifier only exact hits compare,
     * and the change must be better by that margin.
     */
    static boolean worse(ShortTrial.Outcome before, ShortTrial.Outcome after) {
        if (before == null || after == null || !before.split().equals(after.split())) return false;
        if (before.finite() && !after.finite()) return true;
        // a loss below zero has no minimum (-1/+1 targets under cross-entropy): it says nothing of the
        // fit, and its fall from -3.06 to a real 0.920 read as a loss "more than doubled", so the
        // repair that took accuracy from 43% to 61% was turned down; only accuracy compares then
        if (unbounded(before, after)) return bounded(before) || after.accuracy() < before.accuracy() - noise(before);
        if (!before.lossKind().equals(after.lossKind()) && (before.regression() || after.regression())) {
            // a regression turned into a classifier or back: their losses do not compare, and the one
            // measure both have (exact hits) must show the change earns its keep (a count regression
            // made a 110-class classifier hit 19% where dropping its output sigmoid hit 24%)
            return !(after.accuracy() > before.accuracy() + noise(before));
        }
        if (Double.isFinite(before.classAccuracy()) && Double.isFinite(after.classAccuracy())) {
            if (after.accuracy() < before.accuracy() - noise(before)) return true;
            // accuracy cannot tell them apart (36 validation examples, both at 100%), the loss can: a
            // repair that leaves the model as often right but five times as confidently wrong is no cure
            boolean level = !(after.accuracy() > before.accuracy() + noise(before));
            return level && before.finite() && before.lossKind().equals(after.lossKind())
                    && after.loss() > 2 * before.loss() && after.loss() - before.loss() > LOSS_RISE;
        }
        return before.finite() && before.lossKind().equals(after.lossKind()) && after.loss() > before.loss() * 1.1;
    }

    /** Less accurate and with a higher loss, both, on the same examples and loss (any amount): no measure speaks for the change. */
    static boolean lowerOnBoth(ShortTrial.Outcome before, ShortTrial.Outcome after) {
        if (before == null || after == null || !before.split().equals(after.split()) || !before.finite() || !after.finite()) return false;
        if (!before.lossKind().equals(after.lossKind())) return false;
        return after.accuracy() < before.accuracy() && after.loss() > before.loss();
    }

    /**
     * Better on the same examples beyond what chance alone moves, the mirror of {@link #worse}: what a
     * repair of a symptom (accuracy at chance) must show, since a symptom can leave one short check
     * by luck (36.2% -> 38.3% on 60 examples against 38.3% for guessing was once kept as a cure).
     */
    /** A loss at most this share of the one before, where accuracy does not tell, is better. */
    static final double LOSS_FALL = 0.75;

    static boolean better(ShortTrial.Outcome before, ShortTrial.Outcome after) {
        if (before == null || after == null || !before.split().equals(after.split())) return false;
        if (!before.finite() && after.finite()) return true;
        // from a loss without a minimum to one with, as from a non-finite one: no longer falling without bound
        if (unbounded(before, after)) {
            return !bounded(before) && bounded(after) && !(after.accuracy() < before.accuracy() - noise(before))
                    || after.accuracy() > before.accuracy() + noise(before);
        }
        if (!before.lossKind().equals(after.lossKind()) && (before.regression() || after.regression())) {
            return after.accuracy() > before.accuracy() + noise(before);
        }
        if (Double.isFinite(before.classAccuracy()) && Double.isFinite(after.classAccuracy())) {
            if (after.accuracy() > before.accuracy() + noise(before)) return true;
            // accuracy cannot tell them apart on few examples and a short run, the loss can: dropout
            // 0.9 lowered to 0.3 on spirals took 96 examples' loss from 1.11 to 0.692 (ln 3: 1.099) at
            // 51% -> 54%, and was turned down as no improvement
            return !(after.accuracy() < before.accuracy()) && before.finite() && after.finite() && before.lossKind().equals(after.lossKind())
                    && after.loss() < LOSS_FALL * before.loss() && before.loss() - after.loss() > LOSS_RISE;
        }
        return after.finite() && before.lossKind().equals(after.lossKind()) && after.loss() < before.loss() * 0.9;
    }

    /** At or within noise of what guessing the commonest class scores; false where that is not known. */
    static boolean atChance(ShortTrial.Outcome o) {
        return o != null && Double.isFinite(o.chance()) && o.accuracy() <= o.chance() + noise(o);
    }

    /** A loss of at least 0, as every loss here is when its targets are valid: one that can be compared. */
    private static boolean bounded(ShortTrial.Outcome o) { return o.loss() >= 0; }

    /** Both losses finite and one below zero: only accuracy compares. */
    private static boolean unbounded(ShortTrial.Outcome a, ShortTrial.Outcome b) {
        return a.finite() && b.finite() && (!bounded(a) || !bounded(b));
    }

    /** Two standard errors of an accuracy measured on this many examples, and never under one point. */
    static double noise(ShortTrial.Outcome o) {
        double p = o.accuracy();
        return Math.max(0.01, 2 * Math.sqrt(p * (1 - p) / Math.max(1, o.examples())));
    }

    static String fmtShare(double share) { return String.format(java.util.Locale.ROOT, "%.1f%%", 100 * share); }

    static String fmt(double d) { return Double.isFinite(d) ? String.format("%.3g", d) : String.valueOf(d); }
}
