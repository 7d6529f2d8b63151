package dev.vitals.doctor.trace;

import dev.vitals.core.train.EpochResult;
import dev.vitals.core.train.LayerInfo;
import dev.vitals.core.train.RunInfo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * What the doctor knows of a training run: its plan ({@link RunInfo}, which a foreign log may only
 * partly fill), the loss and accuracy of every step, the full statistics of observed steps, and the
 * per-epoch metrics. Runtime rules read only this.
 */
public final class Trace {
    private final RunInfo info;
    private final List<String> parameters;
    private final int[] parameterLayer;
    private final List<LayerInfo> layers;
    private int[] parameterSizes;
    // losses in double: a foreign log's 1e71 is a finite loss, not float's infinity
    private double[] loss = new double[1024];
    private float[] accuracy = new float[1024], purity = new float[1024], sameNeighbours = new float[1024];
    private int steps;
    private long[] numbers;  // step numbers as a foreign log labels them; null: the index is the step
    private final List<Observation> observed = new ArrayList<>();
    private final List<EpochResult> epochs = new ArrayList<>();

    public Trace(RunInfo info, List<String> parameters, int[] parameterLayer, List<LayerInfo> layers) {
        this.info = info;
        this.parameters = List.copyOf(parameters);
        this.parameterLayer = parameterLayer.clone();
        this.layers = List.copyOf(layers);
    }

    private boolean replay;

    /** What rules carry from one moment to the next of this trace (rules are shared by every run: the state is the trace's). */
    private final java.util.Map<Class<?>, Object> memos = new java.util.HashMap<>();

    /**
     * A rule's own state for this trace, made on first use: what it has already read, so that a rule
     * asked at every step reads each observation once (a 100,000-row log took 82-118 s where every step
     * rescanned all of them).
     */
    public <T> T memo(Class<T> type, java.util.function.Supplier<T> make) {
        return type.cast(memos.computeIfAbsent(type, k -> make.get()));
    }

    /** Marks the trace as a log's replay: its plan is what the log says, however much of it that is. */
    public Trace replay() {
        replay = true;
        return this;
    }

    private boolean sampledEpochLosses, everyStep;

    /**
     * Marks a replayed log as holding every step of its run from the first, batch size known (Vitals'
     * own metrics.jsonl): its length is the run's, as a live run's is; returns this trace.
     */
    public Trace everyStepLogged() {
        everyStep = true;
        return this;
    }

    /** Whether the trace holds every step of its run: a live run's, or a log marked {@link #everyStepLogged()}. */
    public boolean holdsEveryStep() { return !replay || everyStep; }

    /**
     * Marks the epochs' training losses as means of the logged steps' batch losses only: a log that
     * writes one batch's loss every k steps and no epoch mean (PyTorch Lightning's CSVLogger at its
     * default, every 50 steps) gives epochs of two or three batches each, as noisy as a batch.
     */
    public Trace sampledEpochLosses() {
        sampledEpochLosses = true;
        return this;
    }

    /** Whether the epochs' training losses are means of the logged steps alone (see {@link #sampledEpochLosses()}). */
    public boolean epochLossesSampled() { return sampledEpochLosses; }

    /** Whether the trace replays a log rather than watching a run. */
    public boolean isReplay() { return replay; }

    /** The run's plan; null for a foreign log that does not describe it. */
    public RunInfo info() { return info; }

    public List<String> parameters() { return parameters; }

    /** Index into {@link #layers()} of the layer owning parameter {@code i}. */
    public int parameterLayer(int i) { return parameterLayer[i]; }

    public List<LayerInfo> layers() { return layers; }

    /** Number of values in parameter {@code i}, or -1 when unknown (foreign logs). */
    public int parameterSize(int i) { return parameterSizes == null ? -1 : parameterSizes[i]; }

    public void parameterSizes(int[] sizes) { this.parameterSizes = sizes.clone(); }

    /** Records one step's loss, batch accuracy (NaN if unknown) and label purity (NaN if unknown). */
    public void step(double l, double acc, double labelPurity) {
        if (steps == loss.length) {
            loss = Arrays.copyOf(loss, steps * 2);
            accuracy = Arrays.copyOf(accuracy, steps * 2);
            purity = Arrays.copyOf(purity, steps * 2);
            sameNeighbours = Arrays.copyOf(sameNeighbours, steps * 2);
        }
        loss[steps] = l;
        accuracy[steps] = (float) acc;
        purity[steps] = (float) labelPurity;
        sameNeighbours[steps] = Float.NaN;  // until labelOrder reports it (a foreign log never does)
        steps++;
    }

    /**
     * Records the label order of the step just recorded: the share of neighbouring examples in its
     * batch that carry the same label (about the sum of the squared class shares when shuffled, near
     * 1 when sorted, however many classes a batch spans).
     */
    public void labelOrder(double sameLabelNeighbours) {
        if (steps == 0) throw new IllegalStateException("no step recorded yet");
        sameNeighbours[steps - 1] = (float) sameLabelNeighbours;
    }

    /** Records a step of a foreign log, which logs some steps only: {@code number} is the step as the log counts it. */
    public void step(double l, double acc, double labelPurity, long number) {
        if (numbers == null) {
            numbers = new long[loss.length];
            for (int i = 0; i < steps; i++) numbers[i] = i;
        }
        if (numbers.length < loss.length || steps == numbers.length) numbers = Arrays.copyOf(numbers, Math.max(loss.length, steps * 2));
        numbers[steps] = number;
        step(l, acc, labelPurity);
    }

    /**
     * The step number of recorded step {@code index}: the index itself in a Vitals run, the logged
     * step number in a replayed log. Rules count in indices and report in step numbers.
     */
    public long stepNumber(int index) { return numbers == null ? index : numbers[index]; }

    /**
     * The step a finding after {@code count} recorded steps names: in a Vitals run the count itself
     * (steps done); in a replayed log the number the log gave its last recorded step, a step the
     * user can find in the log (one past it named a step a log kept every 10 steps never had).
     */
    public long stepsDone(long count) {
        if (count <= 0) return 0;
        return numbers == null ? count : stepNumber((int) count - 1);
    }

    public void observe(Observation o) { observed.add(o); }

    public void epoch(EpochResult e) { epochs.add(e); }

    public int steps() { return steps; }

    public double loss(int step) { return loss[step]; }

    public float accuracy(int step) { return accuracy[step]; }

    /** Share of a batch's examples that carry its most frequent label. */
    public float purity(int step) { return purity[step]; }

    /** Share of a batch's neighbouring examples that carry the same label; NaN when not reported. */
    public float sameLabelNeighbours(int step) { return sameNeighbours[step]; }

    public double[] losses() { return Arrays.copyOf(loss, steps); }

    public List<Observation> observations() { return Collections.unmodifiableList(observed); }

    public Observation lastObservation() { return observed.isEmpty() ? null : observed.get(observed.size() - 1); }

    public List<EpochResult> epochs() { return Collections.unmodifiableList(epochs); }

    /** Steps per epoch as planned, or as seen so far. */
    public int stepsPerEpoch() {
        if (info != null) return info.stepsPerEpoch();
        return epochs.isEmpty() ? steps : (int) Math.max(1, epochs.get(0).steps());
    }

    /** Mean loss over steps [from, to). */
    public double meanLoss(int from, int to) {
        double s = 0;
        int n = 0;
        for (int i = Math.max(0, from); i < Math.min(to, steps); i++) {
            if (Double.isFinite(loss[i])) {
                s += loss[i];
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }
}
