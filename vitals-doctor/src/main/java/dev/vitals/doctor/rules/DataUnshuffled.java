package dev.vitals.doctor.rules;

import dev.vitals.core.data.Dataset;
import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.check.DataContext;
import dev.vitals.doctor.trace.Curves;
import dev.vitals.doctor.trace.Stats;
import dev.vitals.doctor.trace.Trace;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Batches that each hold (almost) one class, or hold their labels in runs. Before training, from the
 * order the training split will be read in when the spec turns shuffling off; during training, from
 * the labels of the batches the trainer actually delivers, compared with what random batches of
 * this class mix would hold.
 */
public final class DataUnshuffled extends Rule implements DataRule, TraceRule {
    static final double PURITY = 0.9, SHUFFLED_BELOW = 0.8, MIN_EXCESS = 0.15;
    static final int MIN_STEPS = 20, MIN_BATCH = 8;

    @Override public Code code() { return Code.DATA_UNSHUFFLED; }

    @Override public Severity severity() { return Severity.ERROR; }

    @Override public String condition() {
        return "the median share of a batch's most frequent label is at least " + PURITY + ", or what shuffled batches hold plus " + MIN_EXCESS + " (or four standard errors of a batch) if that is lower;"
                + " or the median share of neighbouring examples in a batch that carry the same label is at least " + PURITY
                + ", or the chance that two random examples share their label plus " + MIN_EXCESS + " (or four standard errors of a batch's neighbour pairs) if that is lower (over " + MIN_STEPS
                + " or more batches of at least " + MIN_BATCH + " examples), where shuffled batches of the same size and class mix would have a median below " + SHUFFLED_BELOW;
    }

    @Override public Map<String, Object> thresholds() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("batch purity, or share of same-label neighbours", PURITY);
        m.put("purity of shuffled batches below", SHUFFLED_BELOW);
        m.put("minimum batches", MIN_STEPS);
        m.put("minimum batch", MIN_BATCH);
        return m;
    }

    @Override public String basis() {
        return "the purity shuffled batches would have is simulated from the class shares and the batch size, so imbalanced and binary data are judged fairly;"
                + " the neighbour test sees sorted batches that span many classes (digits at batch 512: 99% of neighbours share a label against 10% shuffled, while the median batch is 25-30% one class against 13%)";
    }

    @Override public String cause() { return "training data arrives ordered by label and is not shuffled: each batch pulls the model towards one class, undoing the last"; }

    @Override public String fix() { return "shuffle the training data every epoch (data.shuffle: true, and make sure the loader honours it)"; }

    @Override
    public List<Finding> check(DataContext ctx) {
        Dataset train = ctx.data().train();
        int batch = Math.min(ctx.spec().train().batch(), train.size());
        if (ctx.spec().data().shuffle() || batch < MIN_BATCH) return List.of();
        int[] y = train.labels();
        int batches = train.size() / batch;
        if (batches < 2) return List.of();
        double[] purity = new double[batches], order = new double[batches];
        for (int b = 0; b < batches; b++) {
            purity[b] = purity(y, b * batch, batch, train.classes());
            order[b] = Stats.sameNeighbours(y, b * batch, batch);
        }
        double[] shares = shares(train.classCounts());
        double p = Stats.median(purity), expected = shuffledPurity(shares, batch);
        double o = Stats.median(order), q = sameLabelChance(shares);
        ctx.measured().put("batch_purity_in_file_order", p);
        ctx.measured().put("batch_purity_if_shuffled", expected);
        ctx.measured().put("same_label_neighbours_in_file_order", o);
        ctx.measured().put("same_label_neighbours_if_shuffled", q);
        boolean pure = p >= bar(expected, batch) && expected < SHUFFLED_BELOW;
        boolean ordered = o >= orderBar(q, batch) && q < SHUFFLED_BELOW;
        if (!pure && !ordered) return List.of();
        return List.of(finding(Stage.DATA, null, null,
                pure ? "shuffling is off and the training data is ordered by label: the median batch is " + Numbers.pct(p) + " one class"
                     : "shuffling is off and the training data is ordered by label: neighbouring examples in a batch share their label " + Numbers.pct(o)
                        + " of the time, against " + Numbers.pct(q) + " in shuffled batches",
                evidence("median_batch_purity", p, "median_purity_if_shuffled", expected, "batch", batch,
                        "median_same_label_neighbours", o, "same_label_neighbours_if_shuffled", q)));
    }

    @Override
    public List<Finding> evaluate(Trace t, Moment moment) {
        if (moment != Moment.STEP || t.info() == null || t.info().batch() < MIN_BATCH || t.steps() < MIN_STEPS) return List.of();
        int n = t.steps(), batch = Math.min(t.info().batch(), t.info().trainSize());
        int from = Math.max(0, n - 200);
        Expected e = expected(t.info());
        double bar = bar(e.purity(), batch), orderBar = orderBar(e.neighbours(), batch);
        double[] purities = Curves.purities(t, from, n), order = Curves.sameLabelNeighbours(t, from, n);
        // the healthy case stops here, before sorting (rules run as cold code on the training thread)
        boolean pure = e.purity() < SHUFFLED_BELOW && Stats.halfAtLeast(purities, bar);
        boolean ordered = e.neighbours() < SHUFFLED_BELOW && 2 * order.length >= n - from && Stats.halfAtLeast(order, orderBar);
        if (!pure && !ordered) return List.of();
        double p = Stats.median(purities), o = Stats.median(order);
        pure &= p >= bar;
        ordered &= o >= orderBar;
        if (!pure && !ordered) return List.of();
        String message = pure
                ? "training batches arrive ordered by label: the median batch is " + Numbers.pct(p) + " one class, where shuffled batches would mix "
                        + t.info().classes() + " classes"
                : "training batches arrive ordered by label: neighbouring examples in a batch share their label " + Numbers.pct(o)
                        + " of the time, against " + Numbers.pct(e.neighbours()) + " in shuffled batches (each batch of " + batch
                        + " holds several classes, one run after another)";
        Map<String, Object> evidence = evidence("median_batch_purity", p, "median_purity_if_shuffled", e.purity(), "batches_seen", n - from,
                "batch", t.info().batch(), "accuracy_recent", Curves.meanAccuracy(t, from, n));
        if (order.length > 0) evidence.putAll(evidence("median_same_label_neighbours", o, "same_label_neighbours_if_shuffled", e.neighbours()));
        return List.of(finding(Stage.DATA, null, (long) n - 1, message, evidence));
    }

    /**
     * The purity that marks ordered batches: {@link #PURITY}, or what shuffled batches hold plus
     * {@link #MIN_EXCESS} (four of one batch's standard errors where that is more), whichever is
     * lower. Sorted batches that span several classes are far purer than shuffled ones, though below
     * 0.9: digits at batch 256, about three classes a batch, 45% one class against 14% shuffled.
     */
    static double bar(double shuffled, int batch) {
        return Math.min(PURITY, shuffled + Math.max(MIN_EXCESS, 4 * Math.sqrt(shuffled * (1 - shuffled) / Math.max(1, batch))));
    }

    /**
     * The share of same-label neighbours that marks batches read in label order: 0.9, or what
     * shuffled batches hold (the sum of the squared class shares) plus {@link #MIN_EXCESS} (four
     * standard errors of a batch's neighbour pairs where that is more), whichever is lower. Sorted
     * batches keep runs of one label however many classes they span: digits at batch 512, five or
     * six classes a batch, 99% against 10% shuffled, where their purity (25-30% one class) is near
     * the shuffled 13%.
     */
    static double orderBar(double shuffled, int batch) {
        return Math.min(PURITY, shuffled + Math.max(MIN_EXCESS, 4 * Math.sqrt(shuffled * (1 - shuffled) / Math.max(1, batch - 1))));
    }

    /** The sum of the squared class shares: the chance that two random examples share their label. */
    static double sameLabelChance(double[] shares) {
        double q = 0;
        for (double s : shares) q += s * s;
        return q;
    }

    /** The run's shuffled purity (simulated) and same-label neighbours, once per run: the rules are asked on every observed step. */
    private Expected expected(dev.vitals.core.train.RunInfo run) {
        Expected e = expected;
        if (e == null || e.run() != run) {
            e = new Expected(run, shuffledPurity(run.classShares(), Math.min(run.batch(), run.trainSize())), sameLabelChance(run.classShares()));
            expected = e;
        }
        return e;
    }

    private record Expected(dev.vitals.core.train.RunInfo run, double purity, double neighbours) {}

    private volatile Expected expected;

    private static double purity(int[] y, int from, int n, int classes) {
        int[] c = new int[Math.max(classes, 1) + 1];
        int max = 0;
        for (int i = from; i < from + n; i++) {
            int k = y[i] >= 0 && y[i] < classes ? y[i] : classes;
            max = Math.max(max, ++c[k]);
        }
        return (double) max / n;
    }

    private static double[] shares(int[] counts) {
        double total = 0;
        for (int c : counts) total += c;
        double[] s = new double[counts.length];
        for (int i = 0; i < s.length; i++) s[i] = total == 0 ? 0 : counts[i] / total;
        return s;
    }

    /** Median purity of random batches drawn from these class shares (a fixed-seed simulation of 400 batches). */
    static double shuffledPurity(double[] shares, int batch) {
        if (shares.length == 0 || batch <= 0) return 1;
        java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
        double[] cum = new double[shares.length];
        double acc = 0;
        for (int i = 0; i < shares.length; i++) cum[i] = acc += shares[i];
        double[] purity = new double[400];
        int[] counts = new int[shares.length];
        for (int b = 0; b < purity.length; b++) {
            java.util.Arrays.fill(counts, 0);
            int max = 0;
            for (int i = 0; i < batch; i++) {
                double u = rng.nextDouble() * acc;
                int k = 0;
                while (k < cum.length - 1 && cum[k] < u) k++;
                max = Math.max(max, ++counts[k]);
            }
            purity[b] = (double) max / batch;
        }
        return Stats.median(purity);
    }
}
