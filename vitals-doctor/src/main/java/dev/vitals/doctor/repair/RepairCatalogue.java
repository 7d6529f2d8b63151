package dev.vitals.doctor.repair;

import dev.vitals.core.nn.Init;
import dev.vitals.core.report.Finding;
import dev.vitals.core.spec.Spec;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.rules.Numbers;

import java.util.ArrayList;
import java.util.List;

/**
 * The candidate repairs of each finding code, most likely cure first. Candidates come from the
 * finding's code and evidence and from the spec's settings, never from which incident the spec is;
 * a candidate that would not change the spec is left out.
 */
public final class RepairCatalogue {
    private RepairCatalogue() {}

    /**
     * @param suggestedLr the rate the learning-rate range test suggested for this spec, NaN when it had none
     */
    public static List<Repair> candidates(Finding f, Spec spec, double suggestedLr) {
        Code code;
        try {
            code = Code.valueOf(f.code());
        } catch (IllegalArgumentException e) {
            return List.of();
        }
        List<Repair> out = new ArrayList<>();
        // a weight decay measured holding the model down (its pull against the loss's gradient, or a batch
        // memorised without it): that first
        if (f.evidence().containsKey(dev.vitals.doctor.rules.HeldDown.PULL) || f.evidence().containsKey(dev.vitals.doctor.rules.CannotOverfitBatch.WITHOUT_DECAY)) {
            out.add(Repairs.lighterWeightDecay(0));
        }
        // ...or dropout heavy enough to be named the cause
        if (f.evidence().containsKey(dev.vitals.doctor.rules.HeldDown.DROPOUT)) out.add(Repairs.lighterDropout());
        if (f.evidence().containsKey(dev.vitals.doctor.rules.HeldDown.BATCHNORM_BATCH)) out.add(Repairs.layerNorm());
        // ...or a model of one weight layer, linear in its inputs
        if (f.evidence().containsKey(dev.vitals.doctor.rules.HeldDown.HIDDEN_LAYERS)) out.add(Repairs.hiddenLayer());
        // ...or a start that blew up and left the model at guessing: a smaller step, with a clip
        if (f.evidence().containsKey(dev.vitals.doctor.rules.HeldDown.BLEW_UP_KEY)) {
            out.add(Repairs.clipAndLowerLr());
            out.add(Repairs.scaleLearningRate(0.1));
        }
        // ...or gradients measured vanishing before the first layers: their cures, before any rate
        if (f.evidence().containsKey(dev.vitals.doctor.rules.HeldDown.VANISHING)) {
            out.add(Repairs.reluHidden());
            out.add(Repairs.reluHiddenWithBatchNorm());
            out.add(Repairs.batchNorm());
        }
        // ...or a clip measured cutting every step (before any rate: raising the rate through the clip moves nothing)
        if (f.evidence().containsKey(dev.vitals.doctor.rules.HeldDown.CLIP_FACTOR) || f.evidence().containsKey(dev.vitals.doctor.rules.CannotOverfitBatch.WITHOUT_CLIP)) {
            out.add(Repairs.looserClip());
        }
        switch (code) {
            case SOFTMAX_BEFORE_CROSS_ENTROPY -> out.add(Repairs.dropSoftmaxBeforeLoss());
            case LOSS_OUTPUT_MISMATCH -> {
                if (spec.regressesLabels()) out.add(Repairs.linearOutput());
                out.add(Repairs.logitsIntoCrossEntropy());
                int classes = f.evidence().get("classes") instanceof Number n ? n.intValue() : 0;
                if (classes > 2) out.add(Repairs.outputPerClass(classes));
            }
            case TARGET_ENCODING -> {
                if (spec.regressesLabels()) out.add(Repairs.linearOutput());
                out.add(Repairs.logitsIntoCrossEntropy());
                out.add(Repairs.indexTargets());
            }
            case DATA_LABEL_RANGE -> {
                // whole labels beyond the outputs: a last layer with too few of them (5 outputs for 10 digits)
                boolean whole = f.evidence().get("negative") instanceof Number neg && neg.longValue() == 0
                        && f.evidence().get("not_integer") instanceof Number frac && frac.longValue() == 0
                        && !Boolean.TRUE.equals(f.evidence().get("looks_one_based"));  // 1..C wants C outputs and the labels shifted, not C + 1 outputs
                if (whole && f.evidence().get("max_label") instanceof Number max && max.doubleValue() + 1 <= 4096) {
                    out.add(Repairs.outputPerClass((int) max.doubleValue() + 1));
                }
            }
            case SATURATING_ACTIVATIONS, VANISHING_GRADIENTS, SATURATED_UNITS -> {
                out.add(Repairs.reluHidden());
                out.add(Repairs.reluHiddenWithBatchNorm());
                // an init at a scale of the user's own (normal:STD, uniform:LIMIT) is the first suspect where the
                // hidden layers already suit it: normal:0.001 over 6 ReLU layers was repaired with batchnorm
                // (82.6%) where He's scale was not tried
                Init.Kind kind = spec.model().init().kind();
                if (kind == Init.Kind.NORMAL || kind == Init.Kind.UNIFORM) out.add(Repairs.matchingInit());
                out.add(Repairs.batchNorm());
            }
            case INIT_MISMATCH -> out.add(Repairs.matchingInit());
            case INITIAL_LOSS_OFF -> {
                out.add(Repairs.matchingInit());
                out.add(Repairs.standardize());  // inputs far above unit scale scale the outputs as large weights do
            }
            case NO_NORMALIZATION -> out.add(Repairs.batchNorm());
            case BATCHNORM_SMALL_BATCH -> out.add(Repairs.layerNorm());
            case NO_VALIDATION -> out.add(Repairs.validation());
            case DATA_UNSCALED -> {
                out.add(Repairs.standardize());
                // standardising shrinks what the steps move by as much as the inputs were too large
                out.add(Repairs.standardizeWithRate(10));
                out.add(Repairs.standardizeWithRate(100));
            }
            case DATA_UNSHUFFLED -> out.add(Repairs.shuffle());
            // the setting far above what works: lowered to where any optimizer trains
            case WEIGHT_DECAY_RANGE -> out.add(Repairs.lighterWeightDecay(0));
            case LEARNING_RATE_RANGE -> {
                if (!lrTooLow(f, spec)) out.add(Repairs.usualMomentum());
                learningRates(out, f, spec, suggestedLr, lrTooLow(f, spec) ? 10 : 0.1);
            }
            case LEARNING_RATE_TOO_LOW -> {
                if (f.evidence().containsKey("tiny_from_epoch")) out.add(Repairs.constantSchedule());
                learningRates(out, f, spec, suggestedLr, 10);
            }
            case LOSS_PLATEAU -> {
                learningRates(out, f, spec, suggestedLr, 10);
                out.add(Repairs.widenBottleneck());
                out.add(Repairs.lighterWeightDecay());
            }
            case LEARNING_RATE_TOO_HIGH -> {
                out.add(Repairs.usualMomentum());
                learningRates(out, f, spec, suggestedLr, 0.1);
            }
            case EXPLODING_GRADIENTS, LOSS_NONFINITE -> {
                out.add(Repairs.matchingInit());
                out.add(Repairs.usualMomentum());
                out.add(Repairs.clipAndLowerLr());
                out.add(Repairs.clip());
            }
            case DEAD_RELU -> {
                // units killed under inputs measured far from unit scale: standardising them first
                if (f.evidence().containsKey("input_rms")) out.add(Repairs.standardize());
                // under a rate above what its optimizer takes, the rate is what knocked the units out: a
                // leaky activation only hides it (adam at 0.5 kept leaky_relu, then needed the rate cut anyway)
                dev.vitals.doctor.rules.LearningRateRange.Range r = dev.vitals.doctor.rules.LearningRateRange.plausible(spec.optimizer());
                // (all the way into that range: adam at 1.0 divided by 10 stayed above it, leaky_relu was kept, and
                // the range test's rate then cured the rest, leaving both in the repaired spec)
                boolean above = r.effective() > r.high() * (1 + 1e-9);
                if (above) learningRates(out, f, spec, suggestedLr, 0.1);
                out.add(Repairs.leakyRelu());
                if (!above) out.add(Repairs.scaleLearningRate(0.1));
            }
            case OVERFITTING -> {
                out.add(Repairs.dropout());
                out.add(Repairs.weightDecay());
                out.add(Repairs.earlyStop());
            }
            case UNDERFITTING -> {
                if (f.evidence().containsKey(dev.vitals.doctor.rules.Underfitting.STOPPED_SHORT)) {
                    // a run that stopped still learning: ended by an impatient early stop, more patience;
                    // more steps an epoch, or longer ones; a plan of a handful of steps in all: more of them
                    if (f.evidence().containsKey(dev.vitals.doctor.rules.Underfitting.EARLY_STOP_PATIENCE)) out.add(Repairs.patientEarlyStop());
                    if (f.evidence().get(dev.vitals.doctor.rules.Underfitting.TRAINING_EXAMPLES) instanceof Number n) out.add(Repairs.moreSteps(n.intValue()));
                    out.add(Repairs.smallerBatch());
                    learningRates(out, f, spec, suggestedLr, 10);
                    break;
                }
                // what holds a model below what it could fit: a layer narrower than its output, a decay that outweighs the loss
                out.add(Repairs.widenBottleneck());
                out.add(Repairs.lighterWeightDecay());
                out.add(Repairs.hiddenLayer());
            }
            default -> { }
        }
        List<String> bugs = BugSymptoms.producing(code);
        for (String bug : bugs) out.add(Repairs.removeInjectedBug(bug));
        // two bugs that both produce the finding (double_lr and stale_updates: UPDATE_RULE_MISMATCH)
        // each leave it when removed alone; together they go. Offered whatever the spec holds: where it
        // holds one, the spec this makes is that one's removal, and is not tried twice (below)
        if (bugs.size() > 1) out.add(Repairs.removeInjectedBugs(bugs));
        if (code == Code.ACCURACY_AT_CHANCE || code == Code.CANNOT_OVERFIT_BATCH) {
            // dropout of 0.5 and more drops most of the network on every step
            if (spec.model().heaviestDropout() > 0.5) out.add(Repairs.lighterDropout());
            // ...as does a weight decay of 0.1 and more under sgd or adam
            out.add(Repairs.lighterWeightDecay());
            // ...and a hidden layer narrower than the output caps what the layers after it can learn
            out.add(Repairs.widenBottleneck());
            // ...and a convolution striding past its kernel reads too little of its input to learn from
            if (f.evidence().get("least_input_coverage") instanceof Number) out.add(Repairs.strideWithinKernel());
            // with the bugs ruled out, a rate far from what works is the commonest reason nothing is learnt
            learningRates(out, f, spec, suggestedLr, 10);
            out.add(Repairs.scaleLearningRate(0.1));
        }
        // a candidate put first for this finding's evidence or the spec's settings is not tried twice,
        // nor one that makes the same spec as an earlier candidate
        java.util.Set<String> names = new java.util.HashSet<>();
        java.util.Set<Spec> made = new java.util.HashSet<>();
        return out.stream().filter(r -> r.changes(spec) && names.add(r.name()) && made.add(r.apply(spec))).toList();
    }

    /**
     * Codes that name what a run looks like rather than why: many causes produce them, so their
     * repairs are tried only after the findings that point at a cause.
     */
    public static boolean isSymptom(String code) {
        return SYMPTOMS.contains(code);
    }

    /**
     * Codes of a training loop's or a layer's own bugs: no change to the model, the data's
     * preparation, the loss or the optimiser's settings makes them, so one that appears after a
     * repair was there before, hidden by what the repair cured (a softmax's flat gradients hid
     * gradients never cleared).
     */
    public static boolean isLoopBug(String code) {
        return LOOP_BUGS.contains(code);
    }

    /**
     * Codes of a bug in the code or the data, whose repair comes before any tuning: a measurement
     * made through the bug (a range test on labels shuffled against their inputs) tunes the bug. Iris
     * with shuffled labels kept a rate of 8.5e-4 from such a test before the bug went, and the
     * repaired spec trained to 86.7% where the spec's own 0.05 reaches 96.7%.
     */
    public static boolean isBug(String code) {
        return LOOP_BUGS.contains(code) || DATA_BUGS.contains(code);
    }

    private static final java.util.Set<String> DATA_BUGS = java.util.Set.of(Code.INPUT_LABEL_MISMATCH.name(), Code.DATA_NONFINITE.name(),
            Code.DATA_LABEL_RANGE.name());

    private static final java.util.Set<String> LOOP_BUGS = java.util.Set.of(Code.GRADIENT_ACCUMULATION.name(), Code.EVAL_MODE_TRAINING.name(),
            Code.UPDATE_RULE_MISMATCH.name(), Code.GRADIENT_CHECK_FAILED.name(), Code.BATCH_MIXING.name());

    /**
     * Codes read off the model, the loss and the targets alone (a softmax feeding a cross-entropy,
     * a loss that cannot reach its targets): wrong whatever a run shows, so a repair that makes the
     * finding go is not turned down because other problems still hold the run at chance.
     */
    public static boolean isStructural(String code) {
        return STRUCTURAL.contains(code);
    }

    private static final java.util.Set<String> STRUCTURAL = java.util.Set.of(Code.SOFTMAX_BEFORE_CROSS_ENTROPY.name(),
            Code.LOSS_OUTPUT_MISMATCH.name(), Code.TARGET_ENCODING.name());

    private static final java.util.Set<String> SYMPTOMS = java.util.Set.of(Code.CANNOT_OVERFIT_BATCH.name(),
            Code.ACCURACY_AT_CHANCE.name(), Code.LOSS_PLATEAU.name(), Code.INITIAL_LOSS_OFF.name(), Code.PARAMETERS_FROZEN.name());

    /** The range test's rate first, when it has one, then one step of ten in the direction the finding points. */
    private static void learningRates(List<Repair> out, Finding f, Spec spec, double suggestedLr, double factor) {
        double fromEvidence = number(f, "suggested_lr");
        double suggested = Double.isFinite(fromEvidence) ? fromEvidence : suggestedLr;
        if (Double.isFinite(suggested) && suggested > 0 && suggested != spec.optimizer().lr()) {
            out.add(Repairs.learningRate(suggested, "suggested by the range test"));
        }
        out.add(Repairs.scaleLearningRate(factor));
        // and twice as far: adam at 0.5 divided by 10 is still above the 0.03 adam takes
        out.add(Repairs.scaleLearningRate(factor * factor));
        // and where even that stays outside what works for the optimizer (adam at 1e-7: x100 is 1e-5,
        // below adam's 3e-5, and the range test was inconclusive), the rate it usually takes
        var range = dev.vitals.doctor.rules.LearningRateRange.plausible(spec.optimizer());
        double farthest = range.effective() * factor * factor;
        if (factor > 1 ? farthest < range.low() : farthest > range.high()) {
            double usual = Math.pow(10, Math.rint(Math.log10(Math.sqrt(range.low() * range.high()))));
            double lr = usual * (spec.optimizer().lr() / range.effective());  // sgd's momentum: the rate whose effective step is that
            out.add(Repairs.learningRate(Repairs.tidy(lr), "the usual rate for " + spec.optimizer().name() + ", in the middle of the "
                    + Numbers.fmt(range.low()) + " to " + Numbers.fmt(range.high()) + " that works for it"
                    + (range.measure().equals("lr") ? "" : " on " + range.measure())));
        }
    }

    /** The lint's reading: the spec's rate lies below the plausible range. */
    private static boolean lrTooLow(Finding f, Spec spec) {
        double low = number(f, "plausible_low"), lr = number(f, "effective_lr");
        if (!Double.isFinite(lr)) lr = spec.optimizer().lr();
        if (Double.isFinite(low)) return lr < low;
        double suggested = number(f, "suggested_lr");
        return Double.isFinite(suggested) && suggested > spec.optimizer().lr();
    }

    private static double number(Finding f, String key) {
        return f.evidence().get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
