package dev.vitals.doctor.check;

import dev.vitals.core.data.Dataset;
import dev.vitals.core.report.Finding;
import dev.vitals.core.data.Splits;
import dev.vitals.core.data.PreparedData;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.train.Experiment;
import dev.vitals.doctor.trace.Trace;

import java.util.List;

/**
 * What a probe works with: the spec, its prepared data, and fresh builds of its model and training
 * loop, exactly as {@code vitals train} would build them, so a probe exercises the same code the
 * run does. A probe must respect {@link #timeLeft()}.
 */
public final class ProbeContext {
    private final Spec spec;
    private final PreparedData data;
    private final Measurements measured;
    private final long deadlineNanos;
    private final Experiment.Parts parts;
    private Trace shortRun;

    public ProbeContext(Spec spec, PreparedData data, Measurements measured, double seconds) {
        this(spec, data, Experiment.Parts.SPEC, measured, seconds);
    }

    /** A context whose fresh builds use the user's own model and optimizer ({@code parts}). */
    public ProbeContext(Spec spec, PreparedData data, Experiment.Parts parts, Measurements measured, double seconds) {
        this.parts = parts;
        this.spec = spec;
        this.data = data;
        this.measured = measured;
        this.deadlineNanos = System.nanoTime() + (long) (seconds * 1e9);
    }

    public Spec spec() { return spec; }

    public PreparedData data() { return data; }

    public Measurements measured() { return measured; }

    /** A fresh model, optimizer and trainer on the spec's data, initialised from the spec's seed. */
    public Experiment fresh() {
        Experiment e = Experiment.of(spec, data, parts);
        if (perForward == 0) perForward = e.model().examplesPerForward();
        return e;
    }

    /** Examples one forward pass of the spec's model can take (0 until asked). */
    private int perForward;

    /** The same, for another spec derived from this one (e.g. fewer epochs). */
    public Experiment fresh(Spec other, PreparedData d) { return Experiment.of(other, d, parts); }

    /**
     * {@code n} training examples taken round-robin over the classes (in an order shuffled by the
     * spec's seed), so a small batch holds every class it can (the training order may be sorted by
     * label); for a regression of the label value, {@code n} examples drawn at random.
     */
    public Dataset sample(int n) {
        Dataset train = data.train();
        // no more than one forward pass can take: the spec's batch fits (checked when the model is
        // built), a probe's 256 examples of large images may not
        // (known from any fresh() before: one built here only to ask was a second model and
        // optimizer state alive beside the probe's own, the difference between fitting and not)
        if (perForward == 0) perForward = fresh().model().examplesPerForward();
        int take = Math.min(Math.min(n, train.size()), perForward);
        java.util.SplittableRandom random = new java.util.SplittableRandom(spec.seed());
        if (spec.regressesLabels()) {
            // a regression's label values are no classes to balance: a class per value (prices) made the
            // sample the 256 smallest, with a quarter of the mean square of the whole set
            int[] all = Splits.range(train.size());
            Splits.shuffle(all, random);
            return train.subset(java.util.Arrays.copyOf(all, take));
        }
        int classes = Math.max(1, train.classes());
        int[] labels = train.labels();
        int[][] byClass = new int[classes + 1][];
        int[] counts = new int[classes + 1];
        for (int y : labels) counts[y >= 0 && y < classes ? y : classes]++;
        for (int c = 0; c <= classes; c++) byClass[c] = new int[counts[c]];
        int[] fill = new int[classes + 1];
        for (int i = 0; i < labels.length; i++) {
            int c = labels[i] >= 0 && labels[i] < classes ? labels[i] : classes;
            byClass[c][fill[c]++] = i;
        }
        // classes visited in a shuffled order, so that a last partial round (or classes beyond n) is no
        // choice of the lowest labels
        int[] order = Splits.range(classes + 1);
        Splits.shuffle(order, random);
        int[] idx = new int[take];
        int k = 0;
        for (int round = 0; k < take; round++) {
            for (int o = 0; o <= classes && k < take; o++) {
                int c = order[o];
                if (round < byClass[c].length) idx[k++] = byClass[c][round];
            }
        }
        return train.subset(idx);
    }

    public boolean timeLeft() { return System.nanoTime() < deadlineNanos; }

    public double secondsLeft() { return Math.max(0, (deadlineNanos - System.nanoTime()) / 1e9); }

    /** The trace of the hierarchy's short real run, once it has run (null before). */
    public Trace shortRun() { return shortRun; }

    public void shortRun(Trace t) { this.shortRun = t; }

    private List<Finding> earlier = List.of();

    /** What the check's earlier steps found, for a probe whose findings they explain. */
    public List<Finding> earlier() { return earlier; }

    public void earlier(List<Finding> found) { this.earlier = List.copyOf(found); }
}
