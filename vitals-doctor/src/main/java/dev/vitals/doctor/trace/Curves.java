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

    /**
     * Distinct examples behind steps [from, to): batches times the planned batch size, but never more
     * than the training split holds (four XOR points seen a hundred times are still four).
     */
    public static int examples(Trace t, int from, int to) {
        int batch = t.info() == null ? 1 : Math.max(1, Math.min(t.info().batch(), t.info().trainSize()));
        int seen = Math.max(0, Math.min(to, t.steps()) - Math.max(0, from)) * batch;
        return t.info() == null ? seen : Math.min(seen, t.info().trainSize());
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

    public static double accuracy(EpochResult e) { return accuracyOnValidation(e) ? e.valAccuracy() : e.trainAccuracy(); }

    /**
     * Whether an epoch's judged accuracy is its validation accuracy: where it has one. A log with a
     * validation loss but only a training accuracy (fastai's history.csv) is judged on the latter.
     */
    public static boolean accuracyOnValidation(EpochResult e) { return e.hasValidation() && !Double.isNaN(e.valAccuracy()); }

    /**
     * The standard error of epoch {@code i}'s training loss where it is the mean of a few logged
     * batches (see {@link Trace#epochLossesSampled()}): the batches' loss noise over the root of the
     * logged steps in the epoch; 0 where the epoch's loss is its mean over every batch. The noise is
     * read from the differences of consecutive logged losses (median |difference| / 0.954, a normal's
     * standard deviation), which a trend between logged steps barely moves.
     */
    public static double epochLossError(Trace t, int i) {
        if (!t.epochLossesSampled()) return 0;
        List<EpochResult> ep = t.epochs();
        long k = ep.get(i).steps() - (i == 0 ? 0 : ep.get(i - 1).steps());
        if (k <= 0) return 0;
        return batchLossNoise(t) / Math.sqrt(k);
    }

    /** The standard deviation of one logged batch's loss about the curve, from consecutive differences; 0 with fewer than 3 finite steps. */
    static double batchLossNoise(Trace t) {
        // asked for each pair of epochs a rule compares: read once per length of the trace (a 100,000-step
        // log of 200 alternating epochs took 9-11 s to judge with a median over every step for each pair, 6-7 s so)
        Noise memo = t.memo(Noise.class, Noise::new);
        if (memo.steps != t.steps()) {
            memo.value = noiseOf(t);
            memo.steps = t.steps();
        }
        return memo.value;
    }

    /** The noise last read and the number of steps it was read over. */
    private static final class Noise {
        int steps = -1;
        double value;
    }

    private static double noiseOf(Trace t) {
        int n = t.steps();
        double[] d = new double[Math.max(0, n - 1)];
        int m = 0;
        for (int i = 1; i < n; i++) {
            double a = t.loss(i - 1), b = t.loss(i);
            if (Double.isFinite(a) && Double.isFinite(b)) d[m++] = Math.abs(b - a);
        }
        if (m < 2) return 0;
        double[] used = java.util.Arrays.copyOf(d, m);
        java.util.Arrays.sort(used);
        double median = m % 2 == 1 ? used[m / 2] : (used[m / 2 - 1] + used[m / 2]) / 2;
        return median / (0.6745 * Math.sqrt(2));
    }

    /** Whether epoch {@code at}'s training loss stands above epoch {@code from}'s by more than {@code z} standard errors of their difference. */
    public static boolean epochLossRoseBeyondNoise(Trace t, int from, int at, double z) {
        List<EpochResult> ep = t.epochs();
        double a = epochLossError(t, from), b = epochLossError(t, at);
        return ep.get(at).trainLoss() - ep.get(from).trainLoss() > z * Math.sqrt(a * a + b * b);
    }

    /**
     * The loss a run starts from: the larger of its first step's loss and the loss of guessing
     * (ln C for cross-entropy, ln 2 per output for binary cross-entropy). Easy problems shed most of
     * their loss within a few steps, so later steps say little about the start.
     */
    public static double startLoss(Trace t) {
        double first = t.steps() > 0 ? t.loss(0) : Double.NaN;
        double guess = Double.NaN;
        if (t.info() != null) {
            if (t.info().loss().equals("cross_entropy") && t.info().classes() > 1) guess = Math.log(t.info().classes());
            if (t.info().loss().equals("binary_cross_entropy")) guess = Math.log(2);
        }
        if (Double.isNaN(first)) return guess;
        return Double.isNaN(guess) ? first : Math.max(first, guess);
    }

    /**
     * The loss of predicting the training split's class shares whatever the input: the best a model
     * that learned nothing from its inputs reaches; for a regression of the label value, the mse of
     * predicting the mean label (the labels' variance). NaN where the loss is not comparable (mse on
     * class scores, -1/+1 targets, several sigmoid outputs) or the shares are unknown.
     */
    public static double priorLoss(dev.vitals.core.train.RunInfo i) {
        // a regression of the label value that learned nothing predicts the mean label: its mse is the labels' variance
        if (i.regressesLabels()) return i.classShares() == null ? Double.NaN : labelVariance(i.classShares());
        boolean ce = i.loss().equals("cross_entropy") && !"pm1".equals(i.targets());
        boolean bce = i.loss().equals("binary_cross_entropy") && i.outputs() == 1;
        if (!ce && !bce || i.classShares() == null) return Double.NaN;
        double h = Stats.entropy(i.classShares());
        return h > 0 ? h : Double.NaN;
    }

    /**
     * What predicting the training labels' mean scores on the validation labels of a regression of
     * the label value: their variance plus the squared gap between the two means (a stratified split
     * can leave the rare large counts all in training, and the validation labels' spread well below
     * the training labels': 21 against 37 on Poisson counts). The training variance where the
     * validation labels are unknown.
     */
    public static double heldOutPriorLoss(dev.vitals.core.train.RunInfo i) {
        double[] train = i.classShares(), val = i.validationShares();
        if (!i.regressesLabels() || train == null || val == null) return priorLoss(i);
        double mean = 0;
        for (int k = 0; k < train.length; k++) mean += k * train[k];
        double total = 0, weight = 0;
        for (int k = 0; k < val.length; k++) {
            total += val[k] * (k - mean) * (k - mean);
            weight += val[k];
        }
        return weight > 0 ? total / weight : priorLoss(i);
    }

    /** The variance of labels 0, 1, 2, ... with these shares. */
    static double labelVariance(double[] shares) {
        double mean = 0, square = 0;
        for (int k = 0; k < shares.length; k++) {
            mean += k * shares[k];
            square += (double) k * k * shares[k];
        }
        return square - mean * mean;
    }

    /** Median global gradient norm of the last 5 observed steps over that of the first 5 (NaN when unknown). */
    public static double gradientShrink(Trace t) {
        List<Observation> o = t.observations();
        if (o.size() < 10) return Double.NaN;
        double[] early = new double[5], late = new double[5];
        for (int i = 0; i < 5; i++) {
            early[i] = o.get(i).gradNorm();
            late[i] = o.get(o.size() - 5 + i).gradNorm();
        }
        return Stats.median(late) / Stats.median(early);
    }

    /**
     * Whether recent training batches each hold essentially one label (median purity of the last
     * 50 steps at least 0.9 while the data's largest class is under 80%): then batch accuracy and
     * batch-to-batch loss swings reflect the ordering, not the model.
     */
    public static boolean labelOrderedBatches(Trace t) {
        if (t.info() == null || t.info().majorityShare() >= 0.8 || t.steps() < 20) return false;
        int n = t.steps();
        double[] p = purities(t, Math.max(0, n - 50), n);
        return Stats.halfAtLeast(p, 0.9) && Stats.median(p) >= 0.9;
    }

    /** The label purity of steps [from, to): each batch's share of its most frequent label. */
    public static double[] purities(Trace t, int from, int to) {
        double[] d = new double[to - from];
        for (int i = from; i < to; i++) d[i - from] = t.purity(i);
        return d;
    }

    /** The share of same-label neighbours in the batches of steps [from, to) that reported their label order. */
    public static double[] sameLabelNeighbours(Trace t, int from, int to) {
        double[] d = new double[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            float v = t.sameLabelNeighbours(i);
            if (!Float.isNaN(v)) d[n++] = v;
        }
        return java.util.Arrays.copyOf(d, n);
    }

    /**
     * Whether the trace is of a run Vitals is watching, whose plan is known in full; a replayed log
     * knows what it says (Vitals' own header: the optimizer, sizes, batch) and no more.
     */
    public static boolean live(Trace t) {
        return t.info() != null && !t.isReplay() && !"unknown".equals(t.info().optimizer().name());
    }

    /** Share of the planned epochs done, 0..1 (1 when the plan is unknown). */
    public static double progress(Trace t) {
        List<EpochResult> ep = t.epochs();
        if (t.info() == null || t.info().epochs() == 0) return 1;
        // the steps into the epoch after the last one closed (none where a log holds epochs without their steps)
        double done = ep.size() + Math.max(0, t.steps() - (ep.isEmpty() ? 0 : ep.get(ep.size() - 1).steps())) / (double) Math.max(1, t.stepsPerEpoch());
        return Math.min(1, done / t.info().epochs());
    }
}
