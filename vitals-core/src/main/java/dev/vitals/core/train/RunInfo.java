package dev.vitals.core.train;

import java.util.List;

/**
 * What a training run is, told to observers before the first step: the model's layers and
 * parameters, the loss, the optimizer and its settings, the data sizes and the plan.
 * {@code classShares} are the training split's label shares, {@code validationShares} the validation
 * split's (null without one, or where unknown, as for a replayed log).
 */
public record RunInfo(String name, List<LayerInfo> layers, List<String> parameters, String loss,
                      OptimizerInfo optimizer, String schedule, String targets, int classes, int outputs,
                      int epochs, int batch, int stepsPerEpoch, int trainSize, int validationSize, int testSize,
                      double clipNorm, int earlyStop, double[] classShares, double[] validationShares, RunControl control) {

    public record OptimizerInfo(String name, double lr, double momentum, boolean nesterov, double weightDecay,
                                double beta1, double beta2, double eps) {}

    /**
     * Accuracy of guessing: always predicting the training split's most frequent class, which is at
     * least uniform guessing (1/classes). None (0) for a regression of the label value, whose
     * "accuracy" is how often the rounded prediction hits the count exactly: a model that learned
     * (mse 118 down to 10 against a label variance of 41) can round right as seldom as guessing does.
     */
    public double chance() { return regressesLabels() ? 0 : Math.max(majorityShare(), classes > 0 ? 1.0 / classes : 0); }

    /** Whether the loss regresses the label value (mse on index targets with one output) rather than scoring classes. */
    public boolean regressesLabels() { return regressesLabels(loss, targets, outputs); }

    /** The same, for a loss, a target encoding (its key) and a number of outputs: what rules judging a spec before any run ask. */
    public static boolean regressesLabels(String loss, String targets, int outputs) {
        return "mse".equals(loss) && "index".equals(targets) && outputs == 1;
    }

    /** Share of the training split's most frequent class. */
    public double majorityShare() {
        double m = 0;
        for (double s : classShares) m = Math.max(m, s);
        return m;
    }
}
