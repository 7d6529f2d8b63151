package dev.vitals.doctor.rules;

import dev.vitals.core.data.Dataset;
import dev.vitals.core.data.Normalizer;
import dev.vitals.core.data.Splits;
import dev.vitals.core.loss.CrossEntropy;
import dev.vitals.core.loss.Loss;
import dev.vitals.core.loss.TargetEncoding;
import dev.vitals.core.nn.Activation;
import dev.vitals.core.nn.BuildContext;
import dev.vitals.core.nn.Dense;
import dev.vitals.core.nn.Flatten;
import dev.vitals.core.nn.Init;
import dev.vitals.core.nn.Layer;
import dev.vitals.core.nn.Mode;
import dev.vitals.core.nn.Model;
import dev.vitals.core.optim.Adam;
import dev.vitals.core.optim.Schedule;
import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.core.tensor.Tensor;
import dev.vitals.core.train.EpochResult;
import dev.vitals.core.train.RunInfo;
import dev.vitals.core.train.RunResult;
import dev.vitals.core.train.StepEvent;
import dev.vitals.core.train.Trainer;
import dev.vitals.core.train.TrainingListener;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.check.ProbeContext;
import dev.vitals.doctor.trace.Curves;
import dev.vitals.doctor.trace.Stats;
import dev.vitals.doctor.trace.Trace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * When a run sits at chance, are its labels learnable from its inputs at all? A small reference
 * network (one hidden ReLU layer, Adam) is trained on the real inputs and compared on held-out
 * examples with what blanked inputs allow: predicting the most frequent class. If even the reference
 * does no better, the labels do not belong to their inputs (shuffled separately, misaligned files).
 * On a small set the reference is cross-validated, so that every example's prediction counts.
 * A regression of the label value has a reference regressor instead, held to the mean label.
 * It runs only where it decides something: when the short run stayed at chance on the batches of
 * its first epoch, each scored before the model had trained on it.
 */
public final class InputLabelMismatch extends Rule implements ProbeRule {
    static final int HIDDEN = 64, MAX_EPOCHS = 3, MIN_STEPS = 200;
    /** A cross-entropy run whose loss ends below this share of the class prior's entropy has learned from its inputs. */
    static final double LEARNED_LOSS = 0.75;
    /** Passes over the training examples after which a falling training loss may be memorisation. */
    static final int FRESH_PASSES = 3;
    /** The bar for the best accuracy over the reference's epochs, in chance margins: a maximum of noisy scores runs high. */
    static final double BEST_OF_EPOCHS = 1.5;
    /** Folds of the cross-validation: each holds out a fifth of the examples. */
    static final int FOLDS = 5;
    /** The other classes ranked above the commonest by the reference's odds: an AUC this many standard deviations above 0.5. */
    static final double SIGNIFICANT_RANKING = 4;
    /** The commonest class's share from which accuracy and loss cannot show what the inputs tell of the rare ones. */
    static final double DWARFED = 0.9;
    /** Held-out predictions that suffice: more folds are run until there are this many, or none is left. */
    static final int ENOUGH_HELD_OUT = 1000;
    /** A reference whose held-out loss is below this share of the class prior's has learned from the inputs, whatever its accuracy. */
    static final double LEARNED_HELD_OUT_LOSS = 0.9;
    /** A chance margin wider than this (too few held-out examples) makes the finding a warning. */
    static final double WIDEST_MARGIN = 0.12;
    /** Above this margin, a reference more than half the margin above blank inputs gives a warning. */
    static final double SOME_GAIN_MARGIN = 0.10;
    /** A regression's finding is a warning where 2.5 standard errors of its error ratio exceed this (fewer than 200 held-out examples). */
    static final double WIDEST_RATIO_MARGIN = 0.25;
    /** A classifier reference whose per-example gain in cross-entropy over the class shares is this many standard errors above zero has learned from the inputs. */
    static final double SIGNIFICANT_GAIN = 2.5;

    @Override public Code code() { return Code.INPUT_LABEL_MISMATCH; }

    @Override public Severity severity() { return Severity.ERROR; }

    @Override public String condition() {
        return "when the short run stayed at chance on its first-epoch batches (scored before training on them) and, under cross-entropy, its loss (validation where it has some; else training, within "
                + FRESH_PASSES + " passes over the examples) stayed above " + LEARNED_LOSS + " of the class prior's entropy: a reference network (" + HIDDEN + " hidden ReLU units, Adam 1e-3, at least " + MIN_STEPS + " steps and " + MAX_EPOCHS
                + " epochs; or a linear one, Adam 1e-2, where its held-out loss is lower than both the hidden one's and the class shares') trained on the real inputs (training and validation examples, standardised on its own training fold) is, on a held-out fifth of them, or on each fifth in turn (up to "
                + FOLDS + " folds) until " + ENOUGH_HELD_OUT + " examples are held out, no more accurate than always predicting the most frequent class (what blanked inputs allow), within the chance margin at its epoch of lowest held-out loss and within " + BEST_OF_EPOCHS + " margins at its best epoch, "
                + "and its held-out loss is not below " + LEARNED_HELD_OUT_LOSS + " of what predicting the class shares gives, nor is the trained reference's per-example gain in cross-entropy over the shares "
                + SIGNIFICANT_GAIN + " standard errors above zero, nor, where the commonest class is " + (int) (DWARFED * 100) + "% of the examples or more, does it rank the held-out examples of the other classes above the commonest class's by its odds against that class (an AUC "
                + SIGNIFICANT_RANKING + " standard deviations above 0.5: a rare class learned in ranking before in probability); a warning instead of an error where the margin exceeds "
                + (int) (WIDEST_MARGIN * 100) + " points, or " + (int) (SOME_GAIN_MARGIN * 100) + " with the reference more than half of it above blank inputs at its lowest-loss epoch, or more than three quarters of it at its best (too few examples to be sure) or the majority share and its margin reach 100% (only the loss can tell). "
                + "For a regression of the label value (mse, index targets, one output): when the short run's mse on examples it had not trained on stayed above " + LEARNED_LOSS
                + " of the labels' variance, a reference regressor (the same reference network with one linear output, on labels standardised by its training fold) has a held-out mse at least "
                + LEARNED_HELD_OUT_LOSS + " of predicting the mean label's on the same examples; a warning where 2.5 standard errors of that ratio (2.5·sqrt(2/n)) exceed " + WIDEST_RATIO_MARGIN
                + ". Either way a warning, whose cause names too few examples for the features beside mismatched labels, where the inputs are at least as many as the training examples.";
    }

    @Override public Map<String, Object> thresholds() {
        return ordered("reference hidden units", HIDDEN, "reference epochs", MAX_EPOCHS, "reference steps at least", MIN_STEPS,
                "learned: loss below this share of the prior's entropy", LEARNED_LOSS, "training loss counted within passes", FRESH_PASSES, "folds", FOLDS, "held-out examples that suffice", ENOUGH_HELD_OUT, "margins for the best epoch's accuracy", BEST_OF_EPOCHS,
                "learned: held-out loss below this share of the prior's", LEARNED_HELD_OUT_LOSS, "a warning above a margin of", WIDEST_MARGIN, "or above a margin of, with a gain over half of it", SOME_GAIN_MARGIN, "margin", "max(0.02, 2.5 standard errors)",
                "regression: a warning above a ratio margin of", WIDEST_RATIO_MARGIN, "learned: per-example loss gain, standard errors above zero", SIGNIFICANT_GAIN,
                "learned: ranking of the other classes above the commonest, AUC standard deviations above 0.5", SIGNIFICANT_RANKING);
    }

    @Override public String basis() {
        return "Karpathy's input-independent baseline (train on zeroed inputs and compare); a blanked model can learn only the class prior, "
                + "so its accuracy is the majority share, computed rather than trained";
    }

    @Override public String cause() { return "labels that do not belong to their inputs: shuffled separately from the inputs, read from another file or another order"; }

    @Override public String fix() { return "check that inputs and labels are loaded and shuffled together (one permutation for both) and line up row by row"; }

    static final String WIDE_CAUSE = "labels that do not belong to their inputs, or too few examples for this many features: with as many inputs as examples a network "
            + "fits any labels it is given, and has too little data to find the few inputs that carry them";
    static final String WIDE_FIX = "check that inputs and labels line up row by row; then give the model more examples, or fewer inputs "
            + "(keep the informative features, or reduce them first), and regularise it (weight decay, dropout)";

    /**
     * Where the inputs are at least as many as the training examples (500 rows of 2,000 columns, two of
     * which set the label), a reference that memorises its folds and generalises nothing is what wide
     * data gives as much as labels that do not belong: the words to say so, or null. It was an error
     * blaming a shuffle, on data whose labels were right.
     */
    private static String wide(ProbeContext ctx, Dataset train) {
        int features = train.exampleShape().size(), examples = train.size();
        if (features < examples) return null;
        String why = features + " inputs to " + examples + " training examples let a network fit any labels without finding what predicts them";
        ctx.measured().put("inconclusive", why);
        return why;
    }

    @Override public int order() { return 9; }

    @Override public String probeName() { return "input-independent baseline"; }

    @Override
    public List<Finding> probe(ProbeContext ctx) {
        Trace run = ctx.shortRun();
        Dataset train = ctx.data().train();
        if (train.classes() < 2) {
            ctx.measured().put("skipped", "fewer than two classes");
            return List.of();
        }
        // the short run, when there is one, already says how many outputs the model has; else one is built
        boolean regression = run != null && run.info() != null ? run.info().regressesLabels()
                : RunInfo.regressesLabels(ctx.spec().loss(), ctx.spec().data().targets().key(), ctx.fresh().model().outputShape().size());
        if (regression) return regressionBaseline(ctx, run, train);
        if (run != null && run.info() != null && run.steps() > 0) {
            // Only first-epoch batches count: each is scored before the model has trained on it, so
            // their accuracy measures what generalises. Later batches have been seen, and a network
            // memorising labels that do not belong to their inputs scores above chance on them.
            int n = Math.min(run.steps(), Math.max(1, run.stepsPerEpoch())), from = Math.max(0, n - Math.min(n / 2, 100));
            double acc = Curves.meanAccuracy(run, from, n), chance = run.info().chance();
            if (acc > chance + Curves.chanceMargin(chance, Curves.examples(run, from, n))) {
                ctx.measured().put("skipped", "the short run learned from its inputs (accuracy " + Numbers.fmt(acc)
                        + " on first-epoch batches, before training on them)");
                return List.of();
            }
            // Or its cross-entropy fell well below what the class prior alone gives: a slow learner
            // (a linear model on spirals) sits near chance through its first epoch and learns later.
            // Measured on validation where the run has some: on a small set the training loss falls
            // by memorising, and 114 wine examples with shuffled labels reached 0.51 against 1.09.
            double prior = Stats.entropy(Arrays.stream(train.classCounts()).asDoubleStream().toArray());
            // binary cross-entropy on one output is the two-class cross-entropy: the same prior (breast
            // cancer's run fell from 0.84 to 0.06 and the baseline still ran, against doctor.md's word)
            boolean ce = ctx.spec().loss().equals("cross_entropy") || ctx.spec().loss().equals("binary_cross_entropy") && run.info().outputs() == 1;
            if (ce && prior > 0) {
                EpochResult last = run.epochs().isEmpty() ? null : run.epochs().getLast();
                boolean heldOut = last != null && last.hasValidation() && Double.isFinite(last.valLoss());
                int all = run.steps(), tail = Math.max(all - Math.min(all / 4, 50), 0);
                // without validation, only a run that has not yet cycled through its examples many times
                boolean fresh = (long) all * run.info().batch() <= FRESH_PASSES * (long) Math.max(1, run.info().trainSize());
                double end = heldOut ? last.valLoss() : fresh ? run.meanLoss(tail, all) : Double.NaN;
                if (end < LEARNED_LOSS * prior) {
                    ctx.measured().put("skipped", "the short run learned from its inputs (" + (heldOut ? "validation " : "") + "loss " + Numbers.fmt(end)
                            + " against " + Numbers.fmt(prior) + " from the class prior alone)");
                    return List.of();
                }
            }
        }
        // the validation examples are the same kind of evidence: on a small set every example counts
        Dataset pool = ctx.data().validation() == null ? train : Dataset.concat(train, ctx.data().validation());
        if (pool.size() < FOLDS * 10) {
            ctx.measured().put("skipped", "too few examples to hold some out");
            return List.of();
        }
        int max = 0;
        for (int c : pool.classCounts()) max = Math.max(max, c);
        double blank = (double) max / pool.size();
        // Held-out predictions fold by fold, until there are enough of them to tell weak inputs from
        // none: one fold (a fifth of the examples) on a large set; on a small one every example in turn,
        // where a single fifth left 28 wine examples and a chance margin of 23 points, and 5 examples
        // of a 5% class made the held-out loss a coin toss.
        int[] fold = Splits.folds(pool.labels(), FOLDS, new SplittableRandom(11));
        // two references: a hidden ReLU layer for what is not linear, and a linear one (softmax
        // regression) for a weak log-linear signal, which the hidden layer overfits: Poisson counts of
        // 17 classes reached 0.965 of the prior's loss through the hidden layer and 0.87 linearly
        Pooled hidden = new Pooled(), linear = new Pooled();
        double blankLossSum = 0;
        int held = 0, folds = 0;
        for (int f = 0; f < FOLDS; f++) {
            if (f > 0 && (held >= ENOUGH_HELD_OUT || !ctx.timeLeft())) break;
            Fold split = Fold.of(pool, fold, f);
            Dataset fit = split.fit(), out = split.held();
            hidden.add(reference(ctx, fit, out, true), out.size());
            linear.add(reference(ctx, fit, out, false), out.size());
            blankLossSum += priorCrossEntropy(out.classCounts(), fit.classCounts()) * out.size();
            held += out.size();
            folds++;
        }
        // the linear reference speaks only where it beat both the hidden one and the class shares: two
        // references are two draws of noisy scores, and shuffled iris read a linear 43% as a hint of learning
        Pooled chosen = linear.lowestLoss() < hidden.lowestLoss() && linear.lowestLoss() < blankLossSum ? linear : hidden;
        double[] correct = chosen.correct, lossSum = chosen.loss;
        double gainZ = Math.max(hidden.gainZ(held), linear.gainZ(held));
        // the reference's best epoch as early stopping picks it, by the pooled held-out loss: the best
        // accuracy of 100 epochs is a maximum of noisy scores (iris with shuffled labels: 38-46% on 8
        // seeds against 33%, and half of them passed as learnable); the best accuracy still counts
        // against a bar raised by half, for a reference that learns while its loss stays poor (500
        // documents: 45% at best, 38% at its lowest loss, against 33%)
        int best = 0;
        double top = 0;
        for (int e = 0; e < correct.length; e++) {
            if (lossSum[e] < lossSum[best]) best = e;
            top = Math.max(top, correct[e] / held);
        }
        double acc = correct[best] / held, loss = lossSum[best] / held;
        double margin = Curves.chanceMargin(blank, held), blankLoss = blankLossSum / held;
        ctx.measured().put("reference", chosen == linear ? "linear" : HIDDEN + " hidden relu units");
        ctx.measured().put("reference_accuracy", acc);
        ctx.measured().put("blank_input_accuracy", blank);
        ctx.measured().put("held_out", held);
        ctx.measured().put("folds", folds);
        ctx.measured().put("reference_best_accuracy", top);
        if (acc > blank + margin || top > blank + BEST_OF_EPOCHS * margin) return List.of();
        // Accuracy cannot show what inputs tell where one class dwarfs the others (95% by the majority
        // alone), but the held-out loss can: below what the training split's class shares give on the
        // same examples, the inputs carry the labels' information, however few predictions it flips.
        ctx.measured().put("reference_loss", loss);
        ctx.measured().put("blank_input_loss", blankLoss);
        if (loss < LEARNED_HELD_OUT_LOSS * blankLoss) return List.of();
        // Weak inputs teach little, but what they teach shows example by example: the trained
        // reference's cross-entropy against the class shares' on each held-out example, a paired
        // difference whose mean is well above its noise. Poisson counts of 17 classes from four
        // features (the best possible classifier at 25% against 19% for the majority, a loss of 0.85
        // of the prior's) were called labels that do not belong to their inputs; shuffled labels make
        // the trained reference worse than the shares, not better.
        ctx.measured().put("reference_loss_gain_z", gainZ);
        if (gainZ > SIGNIFICANT_GAIN) return List.of();
        // Where one class dwarfs the others the reference learns the rare ones' odds before their
        // probabilities, and its loss can end worse than the shares' (1% positives shifted by two
        // deviations in every feature: 0.08 against 0.05, where logistic regression reaches 0.009), but
        // it ranks them: the examples of the other classes above the commonest's by its odds against it.
        // Labels that do not belong to their inputs rank at random (an AUC of 0.5). Only there: on
        // balanced classes a ranking above chance with no gain in accuracy or loss is a reference that
        // cannot generalise (2,000 inputs to 320 examples), which the warning below names.
        if (blank >= DWARFED) {
            double rankingZ = Math.max(hidden.rankingZ(), linear.rankingZ());
            ctx.measured().put("reference_ranking_z", rankingZ);
            if (rankingZ > SIGNIFICANT_RANKING) return List.of();
        }
        // Too few held-out examples to tell weak inputs from none (63 documents of 3 classes put 38%
        // within 15 points of chance): an error needs evidence, not the lack of it, so a warning says
        // what the probe saw and how little that is.
        // Between 10 and 12 points a gain over blank inputs of more than half the margin is left as a
        // warning: 150 rows of 300 weak features put the reference 7.5 points above blank (a 11.3-point
        // margin) on data a model scores 70% on; shuffled labels sit at or below blank (wine: -1.4)
        // The best of the reference's epochs is a maximum of noisy scores, and its gain is held to the
        // bar raised by half here too: shuffled iris labels reached 40% at the best of 100 epochs
        // against 33% (a 10.8-point margin), and were let off with a warning.
        boolean tooFew = margin > WIDEST_MARGIN
                || margin > SOME_GAIN_MARGIN && (acc - blank > margin / 2 || top - blank > BEST_OF_EPOCHS * margin / 2);
        if (tooFew) ctx.measured().put("inconclusive", held + " held-out examples give a chance margin of " + Numbers.pct(margin) + ": too few to be sure");
        // where the majority share and its margin reach 100% (50:1), accuracy cannot show anything and
        // the loss alone speaks; a reference that overfits 32 examples of the rare class says little
        boolean lossOnly = blank + margin >= 1;
        if (lossOnly) ctx.measured().put("inconclusive", "the majority alone scores " + Numbers.pct(blank) + ": only the held-out loss can tell, and it is a weak witness");
        String wide = wide(ctx, train);
        return List.of(finding(Stage.PROBE, tooFew || lossOnly || wide != null ? Severity.WARNING : Severity.ERROR, null, null,
                "a reference network trained on the real inputs does no better than blanked inputs: " + Numbers.pct(acc) + " against "
                        + Numbers.pct(blank) + " on " + held + " held-out examples" + (folds > 1 ? " (" + folds + " folds, each held out in turn)" : "")
                        + (tooFew ? "; the labels may not belong to their inputs, though so few examples leave a margin of " + Numbers.pct(margin)
                                : wide != null ? "; the labels may not belong to their inputs, though " + wide
                                : lossOnly ? "; the labels may not belong to their inputs, though where the majority alone scores " + Numbers.pct(blank) + " only the loss can tell"
                                : "; the labels do not seem to belong to their inputs"),
                evidence("reference_accuracy", acc, "blank_input_accuracy", blank, "margin", margin, "held_out", held, "folds", folds,
                        "reference_loss", loss, "blank_input_loss", blankLoss, "reference_epochs", correct.length, "best_epoch", best + 1,
                        "features", train.exampleShape().size(), "training_examples", train.size()),
                wide != null ? WIDE_CAUSE : cause(), wide != null ? WIDE_FIX : fix()));
    }

    /**
     * The baseline of a regression of the label value: blanked inputs allow predicting the mean label,
     * whose mean squared error is the labels' variance; a reference regressor (the same reference network with one
     * linear output, on labels standardised by its training fold so that prices in the thousands train
     * as readily as counts) must get well below that on held-out examples if the labels belong to
     * their inputs. Judged by the ratio of the two errors (1 - R²).
     */
    private List<Finding> regressionBaseline(ProbeContext ctx, Trace run, Dataset train) {
        double variance = meanAndVariance(train.labels())[1];
        if (!(variance > 0)) {
            ctx.measured().put("skipped", "every training label is the same value");
            return List.of();
        }
        if (run != null && run.info() != null && run.steps() > 0) {
            // first-epoch batches are scored before the model trains on them, as for a classifier;
            // a validation loss is the same kind of evidence
            int n = Math.min(run.steps(), Math.max(1, run.stepsPerEpoch())), from = Math.max(0, n - Math.min(n / 2, 100));
            EpochResult last = run.epochs().isEmpty() ? null : run.epochs().getLast();
            double fresh = run.meanLoss(from, n), held = last != null && last.hasValidation() ? last.valLoss() : Double.NaN;
            double end = Double.isFinite(held) ? Math.min(held, fresh) : fresh;
            if (end < LEARNED_LOSS * variance) {
                ctx.measured().put("skipped", "the short run learned from its inputs (mse " + Numbers.fmt(end) + " on examples it had not trained on, against "
                        + Numbers.fmt(variance) + " for predicting the mean label)");
                return List.of();
            }
        }
        Dataset pool = ctx.data().validation() == null ? train : Dataset.concat(train, ctx.data().validation());
        if (pool.size() < FOLDS * 10) {
            ctx.measured().put("skipped", "too few examples to hold some out");
            return List.of();
        }
        // folds dealt along the sorted label values, so each holds the whole range
        int[] fold = Splits.folds(pool.labels(), FOLDS, new SplittableRandom(11));
        double[] lossSum = null;
        double blankSum = 0;
        int held = 0, folds = 0;
        for (int f = 0; f < FOLDS; f++) {
            if (f > 0 && (held >= ENOUGH_HELD_OUT || !ctx.timeLeft())) break;
            Fold split = Fold.of(pool, fold, f);
            Dataset fit = split.fit(), out = split.held();
            double[] moments = meanAndVariance(fit.labels());
            double mean = moments[0], sd = moments[1] > 0 ? Math.sqrt(moments[1]) : 1;
            double[] curve = referenceRegressor(ctx, fit, out, mean, sd);  // per epoch: held-out mse in standard units
            lossSum = lossSum == null ? new double[curve.length] : Arrays.copyOf(lossSum, Math.min(lossSum.length, curve.length));
            for (int e = 0; e < lossSum.length; e++) lossSum[e] += curve[e] * out.size();
            for (int y : out.labels()) blankSum += ((y - mean) / sd) * ((y - mean) / sd);
            held += out.size();
            folds++;
        }
        int best = 0;
        for (int e = 1; e < lossSum.length; e++) if (lossSum[e] < lossSum[best]) best = e;
        if (!(blankSum > 0)) {
            ctx.measured().put("skipped", "every held-out label equals its training fold's mean");
            return List.of();
        }
        double ratio = lossSum[best] / blankSum;
        if (!Double.isFinite(ratio)) {
            ctx.measured().put("skipped", "the reference's held-out loss was not finite (non-finite inputs?)");
            return List.of();
        }
        // the ratio of two mean squared errors on the same held-out examples: its standard error is
        // about sqrt(2/n) where the errors are roughly normal
        double margin = 2.5 * Math.sqrt(2.0 / held);
        ctx.measured().put("reference_mse_over_blank", ratio);
        ctx.measured().put("held_out", held);
        ctx.measured().put("folds", folds);
        ctx.measured().put("label_variance", variance);
        if (ratio < LEARNED_HELD_OUT_LOSS) return List.of();
        boolean tooFew = margin > WIDEST_RATIO_MARGIN;
        if (tooFew) ctx.measured().put("inconclusive", held + " held-out examples leave a margin of " + Numbers.fmt(margin) + " on the ratio: too few to be sure");
        String wide = wide(ctx, train);
        return List.of(finding(Stage.PROBE, tooFew || wide != null ? Severity.WARNING : Severity.ERROR, null, null,
                "a reference network trained on the real inputs predicts the labels no better than blanked inputs (the mean label): its held-out mean squared error is "
                        + Numbers.fmt(ratio) + " of theirs on " + held + " held-out examples" + (folds > 1 ? " (" + folds + " folds, each held out in turn)" : "")
                        + (tooFew ? "; the labels may not belong to their inputs, though so few examples leave a margin of " + Numbers.fmt(margin)
                                : wide != null ? "; the labels may not belong to their inputs, though " + wide
                                : "; the labels do not seem to belong to their inputs"),
                evidence("reference_mse_over_blank", ratio, "explained_variance", 1 - ratio, "margin", margin, "held_out", held, "folds", folds,
                        "label_variance", variance, "reference_epochs", lossSum.length, "best_epoch", best + 1,
                        "features", train.exampleShape().size(), "training_examples", train.size()),
                wide != null ? WIDE_CAUSE : cause(), wide != null ? WIDE_FIX : fix()));
    }

    /** The reference network with one linear output, trained by mse on standardised labels; per epoch, its held-out mse in those units. */
    private static double[] referenceRegressor(ProbeContext ctx, Dataset fit, Dataset held, double mean, double sd) {
        List<Layer> layers = new ArrayList<>();
        if (fit.exampleShape().rank() > 1) layers.add(new Flatten());
        layers.add(new Dense(HIDDEN));
        layers.add(new Activation.ReLU());
        layers.add(new Dense(1));
        Model m = Model.build(layers, fit.exampleShape(), new BuildContext(Init.parse("he"), new SplittableRandom(3)));
        int epochs = Math.max(MAX_EPOCHS, (int) Math.ceil(MIN_STEPS / Math.ceil(fit.size() / 64.0)));
        Trainer.Config cfg = new Trainer.Config("reference", 1e-3f, epochs, 64, 0, 0, TargetEncoding.INDEX, true, 3, true, Mode.TRAIN,
                0, Integer.MAX_VALUE);
        Trainer t = new Trainer(m, new StandardisedError((float) mean, (float) sd), Adam.adam(m.parameters(), 0), Schedule.constant(), cfg);
        stopWhenOutOfTime(ctx, t);
        RunResult r = t.fit(fit, held, null);
        if (r.epochs().isEmpty()) return new double[] {t.evaluateOn(held)[0]};
        return r.epochs().stream().mapToDouble(EpochResult::valLoss).toArray();
    }

    private static void stopWhenOutOfTime(ProbeContext ctx, Trainer t) {
        t.listen(new TrainingListener() {
            private RunInfo info;

            @Override public void onRunBegin(RunInfo r) { info = r; }

            @Override public void onStep(StepEvent s) {
                if (!ctx.timeLeft() && s.globalStep >= MIN_STEPS) info.control().requestStop("time");
            }
        });
    }

    private static double[] meanAndVariance(int[] y) {
        double mean = 0, square = 0;
        for (int v : y) {
            mean += v;
            square += (double) v * v;
        }
        mean /= y.length;
        return new double[] {mean, Math.max(0, square / y.length - mean * mean)};
    }

    /** Mean squared error against {@code (label - mean) / sd}: the reference's target in standard units. */
    private record StandardisedError(float mean, float sd) implements Loss {
        @Override public String key() { return "mse"; }

        @Override public boolean needsTargets(TargetEncoding e) { return true; }

        @Override public void checkFits(int outputs, int classes, TargetEncoding encoding) {
            if (outputs != 1 || encoding != TargetEncoding.INDEX) throw new IllegalArgumentException("the reference regressor has one output and index targets");
        }

        @Override public double forward(Tensor output, int[] labels, float[] targets, Tensor grad) {
            int n = output.size();
            float[] z = output.data(), g = grad == null ? null : grad.data();
            double total = 0;
            for (int i = 0; i < n; i++) {
                double d = (double) z[i] - (targets[i] - mean) / sd;
                total += d * d;
                if (g != null) g[i] = (float) (2 * d / n);
            }
            return total / n;
        }
    }

    /**
     * Fold {@code f} held out and the others to fit on, both standardised on the fitting part whatever
     * the spec says: the question is whether the labels belong to the inputs, and a feature at 1e20
     * (normalize: none) stops the reference learning and blamed the labels for what DATA_UNSCALED names.
     */
    private record Fold(Dataset fit, Dataset held) {
        static Fold of(Dataset pool, int[] fold, int f) {
            Dataset fit = pool.subset(members(fold, f, false)), held = pool.subset(members(fold, f, true));
            Normalizer scale = Normalizer.fit(Normalizer.Kind.STANDARD, fit);
            scale.applyInPlace(fit);
            scale.applyInPlace(held);
            return new Fold(fit, held);
        }
    }

    /** Indices of the examples in fold {@code f} ({@code in}) or in the others. */
    private static int[] members(int[] fold, int f, boolean in) {
        return IntStream.range(0, fold.length).filter(i -> (fold[i] == f) == in).toArray();
    }

    /**
     * Per epoch, the reference's held-out accuracy and loss; per held-out example, its trained
     * cross-entropy's gain over the class shares', and its log-odds against the fit's commonest class
     * with whether the example is of another class (for the ranking's AUC).
     */
    private record Reference(double[][] curve, double[] gains, double[] rest, boolean[] other) {}

    /** One reference's held-out results summed over the folds: per epoch, correct predictions and loss; the per-example gains' sums. */
    private static final class Pooled {
        double[] correct, loss;
        double gainSum, gainSquares;
        final List<double[]> ranked = new ArrayList<>();  // {log-odds against the commonest class, 1 if of another class}

        void add(Reference r, int size) {
            double[][] curve = r.curve();
            if (correct == null || curve.length < correct.length) {
                correct = Arrays.copyOf(correct == null ? new double[curve.length] : correct, curve.length);
                loss = Arrays.copyOf(loss == null ? new double[curve.length] : loss, curve.length);
            }
            for (int e = 0; e < correct.length; e++) {
                correct[e] += curve[e][0] * size;
                loss[e] += curve[e][1] * size;
            }
            for (double g : r.gains()) {
                gainSum += g;
                gainSquares += g * g;
            }
            for (int i = 0; i < r.rest().length; i++) ranked.add(new double[] {r.rest()[i], r.other()[i] ? 1 : 0});
        }

        /**
         * How far the held-out examples of the other classes rank above the commonest class's by the
         * reference's odds against it: the AUC's distance from 0.5 in its standard deviations under
         * labels independent of the inputs (Mann-Whitney); 0 where one side is empty.
         */
        double rankingZ() {
            int n = ranked.size();
            double[][] s = ranked.toArray(double[][]::new);
            Arrays.sort(s, java.util.Comparator.comparingDouble(x -> x[0]));
            double rankSum = 0;
            long others = 0;
            for (int i = 0; i < n; ) {
                int j = i;
                while (j < n && s[j][0] == s[i][0]) j++;
                double rank = (i + 1 + j) / 2.0;  // tied scores share their mean rank
                for (int k = i; k < j; k++) if (s[k][1] == 1) {
                    rankSum += rank;
                    others++;
                }
                i = j;
            }
            long common = n - others;
            if (others == 0 || common == 0) return 0;
            double auc = (rankSum - others * (others + 1) / 2.0) / ((double) others * common);
            double sd = Math.sqrt((others + common + 1) / (12.0 * others * common));
            return (auc - 0.5) / sd;
        }

        double lowestLoss() { return Arrays.stream(loss).min().orElse(Double.POSITIVE_INFINITY); }

        /** The mean per-example gain in standard errors. */
        double gainZ(int n) {
            double mean = gainSum / n, sd = Math.sqrt(Math.max(0, gainSquares / n - mean * mean));
            return sd > 0 ? mean / (sd / Math.sqrt(n)) : 0;
        }
    }

    /**
     * Trains the reference network on {@code fit} and returns, per epoch, its accuracy and loss on
     * {@code held}: at least {@link #MIN_STEPS} steps, since on a small set three epochs are a handful.
     */
    private static Reference reference(ProbeContext ctx, Dataset fit, Dataset held, boolean withHidden) {
        List<Layer> layers = new ArrayList<>();
        if (fit.exampleShape().rank() > 1) layers.add(new Flatten());
        if (withHidden) {
            layers.add(new Dense(HIDDEN));
            layers.add(new Activation.ReLU());
        }
        layers.add(new Dense(fit.classes()));
        Model m = Model.build(layers, fit.exampleShape(), new BuildContext(Init.parse(withHidden ? "he" : "xavier"), new SplittableRandom(3)));
        int epochs = Math.max(MAX_EPOCHS, (int) Math.ceil(MIN_STEPS / Math.ceil(fit.size() / 64.0)));
        // a softmax regression on standardised inputs is well conditioned: ten times Adam's usual rate
        // brings it to its fit within the same steps
        Trainer.Config cfg = new Trainer.Config("reference", withHidden ? 1e-3f : 1e-2f, epochs, 64, 0, 0, TargetEncoding.INDEX, true, 3, true, Mode.TRAIN,
                0, Integer.MAX_VALUE);
        Trainer t = new Trainer(m, new CrossEntropy(), Adam.adam(m.parameters(), 0), Schedule.constant(), cfg);
        stopWhenOutOfTime(ctx, t);
        RunResult r = t.fit(fit, held, null);
        double[][] curve;
        if (r.epochs().isEmpty()) {
            double[] e = t.evaluateOn(held);
            curve = new double[][] {{e[1], e[0]}};
        } else {
            curve = r.epochs().stream().map(e -> new double[] {e.valAccuracy(), e.valLoss()}).toArray(double[][]::new);
        }
        int common = 0;
        int[] counts = fit.classCounts();
        for (int k = 1; k < counts.length; k++) if (counts[k] > counts[common]) common = k;
        double[] rest = new double[held.size()];
        boolean[] other = new boolean[held.size()];
        for (int i = 0; i < other.length; i++) other[i] = held.labels()[i] != common;
        return new Reference(curve, gains(m, held, counts, common, rest), rest, other);
    }

    /**
     * Per example of {@code held}: the cross-entropy of the shares of {@code fitCounts} (smoothed by
     * one) minus the model's; and into {@code rest}, the model's log-odds against class {@code common}.
     */
    private static double[] gains(Model m, Dataset held, int[] fitCounts, int common, double[] rest) {
        long total = 0;
        for (int c : fitCounts) total += c + 1;
        double[] out = new double[held.size()];
        int chunk = 512, classes = held.classes();
        for (int from = 0; from < held.size(); from += chunk) {
            int to = Math.min(held.size(), from + chunk);
            Dataset part = held.subset(IntStream.range(from, to).toArray());
            dev.vitals.core.data.Batch b = dev.vitals.doctor.check.Probes.batch(part, TargetEncoding.INDEX, new CrossEntropy(), classes);
            dev.vitals.core.tensor.Tensor z = m.forward(b.x(), Mode.EVAL);
            float[] v = z.data();
            int c = z.dim(1);
            for (int i = 0; i < to - from; i++) {
                int y = part.labels()[i], o = i * c;
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int k = 0; k < c; k++) max = Math.max(max, v[o + k]);
                for (int k = 0; k < c; k++) sum += Math.exp(v[o + k] - max);
                double model = max + Math.log(sum) - v[o + y];
                double prior = -Math.log((y < fitCounts.length ? fitCounts[y] + 1.0 : 1.0) / total);
                out[from + i] = prior - model;
                double others = 0;
                for (int k = 0; k < c; k++) if (k != common) others += Math.exp(v[o + k] - max);
                rest[from + i] = (others > 0 ? Math.log(others) : -745) - (v[o + common] - max);
            }
        }
        return out;
    }

    /** Cross-entropy on examples of {@code heldCounts} of always predicting the shares of {@code fitCounts} (smoothed by one). */
    private static double priorCrossEntropy(int[] heldCounts, int[] fitCounts) {
        long n = 0, m = 0;
        for (int c : heldCounts) n += c;
        for (int c : fitCounts) m += c + 1;
        double h = 0;
        for (int k = 0; k < heldCounts.length; k++) {
            if (heldCounts[k] > 0) h -= (double) heldCounts[k] / n * Math.log((k < fitCounts.length ? fitCounts[k] + 1.0 : 1.0) / m);
        }
        return h;
    }
}
