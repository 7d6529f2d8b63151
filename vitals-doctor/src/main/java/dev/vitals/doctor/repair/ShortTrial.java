package dev.vitals.doctor.repair;

import dev.vitals.core.data.Dataset;
import dev.vitals.core.data.PreparedData;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.train.Experiment;
import dev.vitals.core.train.RunInfo;
import dev.vitals.core.train.RunResult;
import dev.vitals.core.train.StepEvent;
import dev.vitals.core.train.TrainingListener;

/**
 * A short real training run of a spec, to measure whether a repair helps what matters: the model's
 * accuracy and loss on examples it did not train on. It trains for at most {@code epochs} epochs
 * and stops early when its time is up, then evaluates on the validation split (else the test split,
 * else, with nothing held out, the training data).
 */
public final class ShortTrial {
    /**
     * What a short run reached; {@code split} names the {@code examples} it was measured on, {@code lossKind} the loss.
     *
     * @param regression whether the loss regresses the label value, where {@code accuracy} is the share
     *                   of rounded predictions that hit the label exactly, not a classifier's accuracy
     * @param chance     the share of the measured examples in their commonest class: what guessing it
     *                   scores (NaN where not known, and for a regression)
     * @param trained    training examples the run went through (an example seen in two epochs counts twice)
     * @param timeUp     the time cap stopped the run (not its epochs, a non-finite loss or early stopping)
     */
    public record Outcome(double accuracy, double loss, String lossKind, String split, int examples, int epochs, long steps, double seconds,
                          boolean regression, double chance, long trained, boolean timeUp) {
        public Outcome(double accuracy, double loss, String lossKind, String split, int examples, int epochs, long steps, double seconds) {
            this(accuracy, loss, lossKind, split, examples, epochs, steps, seconds, false);
        }

        public Outcome(double accuracy, double loss, String lossKind, String split, int examples, int epochs, long steps, double seconds,
                       boolean regression) {
            this(accuracy, loss, lossKind, split, examples, epochs, steps, seconds, regression, Double.NaN, 0, false);
        }

        boolean finite() { return Double.isFinite(loss); }

        /** The accuracy where it measures a classifier; NaN for a regression, whose loss says how it does. */
        double classAccuracy() { return regression ? Double.NaN : accuracy; }

        public String describe() {
            return Double.isFinite(accuracy) ? String.format("%.1f%%", 100 * accuracy) : "n/a";
        }
    }

    private ShortTrial() {}

    /**
     * @param seconds  time cap: the run stops after the step that passes it
     * @param examples cap on the training examples gone through, 0 for none: the trials of one fix go
     *                 as far as its first went in its time, so that each measures the same training (the
     *                 same spec read 72.8% as a kept repair and 53.8% when verified, a time cap cutting
     *                 one run an epoch shorter) and a repair that changes the batch gets as many examples
     */
    static Outcome run(Spec spec, PreparedData data, int epochs, double seconds, long examples) {
        long t0 = System.nanoTime();
        Experiment e = Experiment.of(spec.withEpochs(Math.max(1, Math.min(epochs, spec.train().epochs()))), data);
        long[] steps = {0, 0};
        boolean[] timeUp = {false};
        TrainingListener clock = new TrainingListener() {
            private RunInfo run;

            @Override public void onRunBegin(RunInfo r) { run = r; }

            @Override public void onStep(StepEvent s) {
                steps[0] = s.globalStep + 1;
                steps[1] += s.batchSize;
                if (examples > 0 && steps[1] >= examples) run.control().requestStop("short trial went as far as the first");
                else if ((System.nanoTime() - t0) / 1e9 > seconds) {
                    timeUp[0] = true;
                    run.control().requestStop("short trial time is up");
                }
            }
        };
        RunResult r = e.fit(clock);
        Dataset held = data.validation() != null && data.validation().size() > 0 ? data.validation()
                : data.test() != null && data.test().size() > 0 ? data.test() : data.train();
        String split = held == data.validation() ? "validation" : held == data.test() ? "test" : "training";
        double[] m = e.trainer().evaluateOn(held);
        // a regression of the label value rounds right as seldom as guessing while it learns (mse 2.4e7
        // down to 1.8e4 at 0% exact hits, and fix rejected the cure): its accuracy says nothing
        boolean regression = dev.vitals.core.train.RunInfo.regressesLabels(spec.loss(), spec.data().targets().key(), e.model().outputShape().size());
        return new Outcome(m[1], m[0], spec.loss(), split, held.size(), r.epochs().size(), steps[0], (System.nanoTime() - t0) / 1e9, regression,
                regression ? Double.NaN : commonestShare(held), steps[1], timeUp[0]);
    }

    private static double commonestShare(Dataset d) {
        int most = 0;
        for (int c : d.classCounts()) most = Math.max(most, c);
        return d.size() == 0 ? Double.NaN : (double) most / d.size();
    }
}
