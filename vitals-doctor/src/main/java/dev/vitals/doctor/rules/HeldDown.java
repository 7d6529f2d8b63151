package dev.vitals.doctor.rules;

import dev.vitals.core.report.Finding;
import dev.vitals.doctor.trace.Clipping;
import dev.vitals.doctor.trace.Decay;
import dev.vitals.doctor.trace.Trace;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Names a training setting that holds the model down as the cause of what a rule saw, where the run
 * measures it: a weight decay pulling harder than the loss (accuracy at chance, gradients that vanish
 * as the weights go to zero, a loss that climbs back up as they shrink, blamed on the learning rate,
 * saturating activations or capacity), or a clip_norm that cuts every step (read as a learning rate
 * far too low, and "repaired" by raising the rate through the clip).
 */
public final class HeldDown {
    private HeldDown() {}

    /** Evidence keys that mark a finding whose cause is the weight decay, or the clip (fix lowers the one, raises the other). */
    public static final String PULL = "decay_pull", CLIP_FACTOR = "clip_factor", DROPOUT = "heavy_dropout", BATCHNORM_BATCH = "batchnorm_batch";

    /** Dropout this heavy is named as the cause of a run that failed: 0.85 twice on spirals was called dead units from a rate too high (the same rate at 0.3: 97.5%). */
    static final double HEAVY_DROPOUT = 0.8;

    /** A first epoch's mean training loss this many times every later epoch's: the run blew up at its start. */
    static final double BLEW_UP = 100;

    /** When a rule's cause names the weight decay or the clip, as the catalog states it. */
    static final String CONDITION = "its cause names gradients not cleared where an observed step after the first began with gradients in its buffers; "
            + "else batches ordered by label (for a model that fits little or forgets, a plateau, a slow fall, chance) where the last 50 steps' batches are mostly of one label; "
            + "else a start that blew up (for a model that fits little, a plateau or chance) where the first of at least 3 epochs' mean training loss is " + (int) BLEW_UP + " times every later epoch's and the class prior's; "
            + "else the softmax before cross-entropy (for a loss that stops falling, too slow a fall, low accuracy or vanishing gradients) where the model ends in a softmax feeding cross-entropy, "
            + "or, in a log of " + SoftmaxBeforeCrossEntropy.FLOOR_CLASSES + " classes or more whose model is unknown, where the cross-entropy never fell below " + SoftmaxBeforeCrossEntropy.FLOOR_BELOW
            + " of that floor, ln(1 + (C - 1) / e), and ended within " + SoftmaxBeforeCrossEntropy.FLOOR_NEAR + " of it at training accuracy " + SoftmaxBeforeCrossEntropy.FLOOR_ACCURACY + " or more, "
            + "or for the same, a tanh or sigmoid output trained with mse against one-hot or -1/+1 targets; "
            + "else the weight decay where one holds the model down: under sgd or adam, weight_decay x a weight layer's norm at least "
            + Decay.HOLDS + " of its loss gradient's norm (the median over the weight layers of the median over the last 20 observed steps), and the weights shrunk below "
            + Decay.SHRUNK + " of their starting norm; or the clip where train.clip_norm cut at least " + (int) (Clipping.SHARE * 100)
            + "% of the last 20 observed steps, by a median factor of " + Clipping.FACTOR + " or less; or a dropout of " + HEAVY_DROPOUT + " or more in the model; or batchnorm over flat features at a batch below " + BatchnormSmallBatch.MIN_BATCH
            + "; or, for a model that fits little (UNDERFITTING), a loss that stops falling (LOSS_PLATEAU) or accuracy at chance (not a run too short to judge, nor one whose training examples were learned), a model with no hidden layer (one weight layer from the inputs to the outputs)"
            + "; or, for a model that fits little, a plateau, accuracy at chance or too slow a fall, gradients that vanish before the first layers (VANISHING_GRADIENTS' reading of the last observed steps)"
            + "; or, for units killed, a model that fits little, a plateau or accuracy at chance, a learning rate above what the optimizer takes (adam and adamw above " + LearningRateRange.ADAM_HIGH
            + ", sgd's lr / (1 - momentum) above " + (int) LearningRateRange.SGD_HIGH + ")";

    /** The findings with their cause and fix naming the setting where one holds the model down, else as they are. */
    static List<Finding> explain(Trace t, List<Finding> findings) {
        if (findings.isEmpty()) return findings;
        // the training loop's own bug and the model's structure come before any setting: gradients
        // never cleared (seen in the trace: a step that began with gradients in its buffers) made a loss
        // that diverged "a learning rate too high", where clearing them alone trained to 91%; and a
        // softmax's floor "a learning rate too low"
        if (accumulating(t)) return findings.stream().map(HeldDown::byAccumulation).toList();
        if (dev.vitals.doctor.trace.Curves.labelOrderedBatches(t)) return byLabelOrder(t, findings);
        // a first epoch whose loss blew up, after which the run sat at guessing: the steps overshot and left the
        // network dead or saturated (an epoch log of adam at a large rate: 1.38e29 in the first epoch, then ln 3)
        double blewUp = divergedStart(t);
        if (blewUp > 0) return findings.stream().map(f -> DIVERGED_HELD.contains(f.code()) ? byDivergedStart(f, blewUp, t) : f).toList();
        int classes = softmaxBeforeCrossEntropy(t);
        if (classes > 0) return findings.stream().map(f -> SOFTMAX_FLOORED.contains(f.code()) ? bySoftmax(f, classes) : f).toList();
        int floored = SoftmaxBeforeCrossEntropy.flooredInLog(t);
        if (floored > 0) return findings.stream().map(f -> SOFTMAX_FLOORED.contains(f.code()) ? bySoftmaxFloorInLog(f, t, floored) : f).toList();
        String squash = squashedScoresUnderMse(t);
        if (squash != null) return findings.stream().map(f -> SOFTMAX_FLOORED.contains(f.code()) ? bySquash(f, squash, t.info().targets()) : f).toList();
        Decay.Pull p = Decay.holding(t);
        if (p != null) return findings.stream().map(f -> byDecay(f, p)).toList();
        Clipping.Binding c = Clipping.binding(t);
        if (c != null) return findings.stream().map(f -> byClip(f, c)).toList();
        double dropout = heaviestDropout(t);
        if (dropout >= HEAVY_DROPOUT) return findings.stream().map(f -> byDropout(f, dropout)).toList();
        if (tinyBatchnorm(t)) return findings.stream().map(f -> byBatchnorm(f, t.info().batch())).toList();
        // gradients that vanish before the first layers (measured now, at the end of the steps so far): what
        // the curves show is theirs (a 12-layer sigmoid stack read "learning stalled: unshuffled batches or a
        // rate too low" beside its own VANISHING_GRADIENTS, the first layer at 8.2e-11)
        Finding vanishing = VanishingGradients.vanishing(t);
        if (vanishing != null) return findings.stream().map(f -> VANISH_HELD.contains(f.code()) ? byVanishing(f, vanishing) : f).toList();
        boolean rateHigh = LearningRateTooLow.rateAboveRange(t);
        LearningRateRange.Range r = rateHigh ? LearningRateRange.plausible(t.info().optimizer()) : null;
        // a model of one weight layer is linear in its inputs: what it cannot fit, no rate fits (adam at 0.5
        // on spirals, one dense layer: 56%, "steps that kill ReLU units" for a model without any; a hidden
        // layer of 64 at the same rate: 97.9%)
        if (noHiddenLayer(t)) {
            return findings.stream().map(f -> linearHeld(f) ? byNoHiddenLayer(f, t, r) : rateHigh && RATE_HELD.contains(f.code()) ? byRate(f, t, r) : f).toList();
        }
        if (rateHigh) return findings.stream().map(f -> RATE_HELD.contains(f.code()) ? byRate(f, t, r) : f).toList();
        return findings;
    }

    /** Evidence key of a finding whose cause is a model without a hidden layer (fix adds one first). */
    public static final String HIDDEN_LAYERS = "hidden_layers";

    /** Whether the model is one weight layer from the inputs to the outputs. */
    static boolean noHiddenLayer(Trace t) { return dev.vitals.doctor.trace.WeightLayers.of(t).size() == 1; }

    /**
     * The findings a model without a hidden layer explains: one that fits little, stalls high or stays
     * at chance (concentric circles through one dense layer: 46.9% against 51.2%, blamed on "a bug that
     * stops learning or labels that do not belong", where 64 hidden units reach 93%); not a run too short
     * to judge, nor training examples learned while held-out ones stay at guessing, which name their own cause.
     */
    private static boolean linearHeld(Finding f) {
        return switch (f.code()) {
            case "UNDERFITTING", "LOSS_PLATEAU" -> true;
            case "ACCURACY_AT_CHANCE" -> !Boolean.TRUE.equals(f.evidence().get(AccuracyAtChance.TOO_FEW_STEPS)) && !f.evidence().containsKey("train_accuracy_last_epochs");
            default -> false;
        };
    }

    private static Finding byNoHiddenLayer(Finding f, Trace t, LearningRateRange.Range r) {
        Map<String, Object> e = new LinkedHashMap<>(f.evidence());
        e.put(HIDDEN_LAYERS, 0);
        String rate = r == null ? "" : "; its learning rate is also far above what " + t.info().optimizer().name() + " takes (" + r.measure() + " " + Numbers.fmt(r.effective())
                + ", where runs train at all up to " + Numbers.fmt(r.high()) + ")";
        String cause = "the model has no hidden layer: its one weight layer (" + dev.vitals.doctor.trace.WeightLayers.of(t).get(0).path() + ") maps the inputs straight to the outputs, "
                + "so its class boundaries are flat (linear in the inputs) and it fits only what such boundaries separate" + rate
                + switch (f.code()) {
                    case "ACCURACY_AT_CHANCE" -> "; at chance, no flat boundary separates these classes (none separates rings, or XOR's corners); were a model with a hidden layer at chance too, the labels would not belong to their inputs";
                    case "LOSS_PLATEAU" -> "; or the loss sits at the floor the data allows, if a model with a hidden layer ends at the same loss";
                    default -> "";
                };
        return f.explained(e, cause, "add a hidden layer (64 relu units before the output layer is a usual start); vitals fix tries it"
                + (r == null ? "" : ", and bring the learning rate into the optimizer's range (the lint and the range test of 'vitals check' say where)"));
    }

    /** Whether the model has ReLU units (which steps too large can kill). */
    private static boolean hasRelu(Trace t) {
        return t.layers().stream().anyMatch(l -> l.kind().equals("relu"));
    }

    /** Whether the run's gradients were not cleared between steps: an observed step after the first began with gradients in its buffers. */
    static boolean accumulating(Trace t) {
        Carried c = t.memo(Carried.class, Carried::new);
        var obs = t.observations();
        for (; !c.found && c.read < obs.size(); c.read++) c.found = obs.get(c.read).step() > 0 && obs.get(c.read).gradNormAtStart() > 0;
        return c.found;
    }

    /** The observations read so far, and whether one of them began with gradients in its buffers. */
    private static final class Carried {
        int read;
        boolean found;
    }

    private static Finding byAccumulation(Finding f) {
        Map<String, Object> e = new LinkedHashMap<>(f.evidence());
        e.put("gradients_cleared", false);
        String cause = "gradients are not cleared between steps (GRADIENT_ACCUMULATION): each step applies the sum of every gradient so far, a step that grows "
                + "with the run whatever the rate, so the loss bounces and climbs as if the rate were too high and units die under the large steps";
        return f.explained(e, cause, "clear the gradients before each backward pass (optimizer.zero_grad() / model.zeroGrad()), then judge the run again: the learning rate may be right");
    }

    /** The codes batches ordered by label leave: each stretch of steps fits one class and undoes the last. */
    private static final java.util.Set<String> ORDER_HELD = java.util.Set.of("UNDERFITTING", "OVERFITTING", "LOSS_PLATEAU", "ACCURACY_AT_CHANCE", "LEARNING_RATE_TOO_LOW");

    /** Where the training batches arrive ordered by label, the findings it explains with that cause; the others as they are. */
    static List<Finding> byLabelOrder(Trace t, List<Finding> findings) {
        if (findings.isEmpty() || !dev.vitals.doctor.trace.Curves.labelOrderedBatches(t)) return findings;
        return findings.stream().map(f -> !ORDER_HELD.contains(f.code()) ? f : f.explained(f.evidenceWith("label_ordered_batches", true),
                "training batches arrive ordered by label (DATA_UNSHUFFLED): each stretch of steps sees one class, fits it and undoes the last, so "
                        + "the curves read as a model that fits little and forgets what it saw, whatever its size or rate",
                "shuffle the training data every epoch (data.shuffle: true, the default; a DataLoader with shuffle=True), then judge the run again: "
                        + "the order hides whatever else holds it back (labels that do not belong to their inputs read the same)")).toList();
    }

    /** The codes a softmax's floor on the loss can raise: a loss that stops falling, reads as too slow, or accuracy that stays low. */
    private static final java.util.Set<String> SOFTMAX_FLOORED = java.util.Set.of("LEARNING_RATE_TOO_LOW", "LOSS_PLATEAU", "UNDERFITTING", "ACCURACY_AT_CHANCE", "VANISHING_GRADIENTS");

    /** The classes where the model's last layer is a softmax feeding cross-entropy on class indices (which applies its own); 0 otherwise. */
    static int softmaxBeforeCrossEntropy(Trace t) {
        if (t.info() == null || !"cross_entropy".equals(t.info().loss())) return 0;
        return "softmax".equals(outputKind(t)) ? Math.max(2, t.info().outputs()) : 0;
    }

    private static Finding bySoftmax(Finding f, int classes) {
        Map<String, Object> e = new LinkedHashMap<>(f.evidence());
        double floor = SoftmaxBeforeCrossEntropy.floor(classes);
        e.put("softmax_loss_floor", Numbers.round(floor));
        String cause = "the softmax before cross-entropy (SOFTMAX_BEFORE_CROSS_ENTROPY): the loss applies its own, so the model's probabilities are squashed again; "
                + "the loss cannot fall below " + Numbers.fmt(floor) + " for " + classes + " classes and its gradients are small near it, which no learning rate changes";
        return f.explained(e, cause, "remove the softmax layer before the loss (cross_entropy takes logits and applies its own softmax); vitals fix does it");
    }

    private static Finding bySoftmaxFloorInLog(Finding f, Trace t, int classes) {
        Map<String, Object> e = new LinkedHashMap<>(f.evidence());
        double floor = SoftmaxBeforeCrossEntropy.floor(classes);
        e.put("softmax_loss_floor", Numbers.round(floor));
        var last = t.epochs().getLast();
        String cause = "a loss that never fell below " + Numbers.fmt(floor) + ", the floor of cross-entropy given probabilities instead of logits for " + classes
                + " classes (a softmax before a loss that applies its own), and ended at " + Numbers.fmt(last.trainLoss()) + " with training accuracy "
                + Numbers.pct(last.trainAccuracy()) + ", where a model this accurate scores a loss well below it; unless the targets are smoothed or mixed on purpose (label smoothing, mixup)";
        return f.explained(e, cause, SoftmaxBeforeCrossEntropy.LOG_FIX);
    }

    /** The output activation (tanh, sigmoid) of class scores trained with mse against one-hot or -1/+1 targets; null otherwise. */
    static String squashedScoresUnderMse(Trace t) {
        if (t.info() == null || !"mse".equals(t.info().loss()) || !("onehot".equals(t.info().targets()) || "pm1".equals(t.info().targets()))) return null;
        String last = outputKind(t);
        return "tanh".equals(last) || "sigmoid".equals(last) ? last : null;
    }

    /** The kind of the model's last top-level layer (what the loss is fed); null for a model without layers. */
    private static String outputKind(Trace t) {
        var top = t.layers().stream().filter(l -> l.depth() == 0).toList();
        return top.isEmpty() ? null : top.getLast().kind();
    }

    private static Finding bySquash(Finding f, String activation, String targets) {
        String cause = "class scores squashed by a " + activation + " output and trained with mse against " + ("pm1".equals(targets) ? "-1/+1" : "one-hot")
                + " targets (LOSS_OUTPUT_MISMATCH): each output's gradient shrinks as it nears its target in the " + activation
                + "'s flat tail, so learning slows and stalls short of a fit, whatever the model's size or rate";
        return f.explained(f.evidence(), cause, "use a linear output (no activation after the last layer) with cross_entropy on class-index targets; vitals fix does it");
    }

    /** The codes a learning rate far too high leaves behind without diverging: units killed by large steps, a model that fits little. */
    private static final java.util.Set<String> RATE_HELD = java.util.Set.of("UNDERFITTING", "DEAD_RELU", "LOSS_PLATEAU", "ACCURACY_AT_CHANCE");

    private static Finding byRate(Finding f, Trace t, LearningRateRange.Range r) {
        Map<String, Object> e = new LinkedHashMap<>(f.evidence());
        e.put("learning_rate_measure", Numbers.tidy(r.effective()));
        e.put("learning_rate_plausible_high", r.high());
        // a cause names only what the model has: no ReLU units to kill in a model without any
        String cause = "a learning rate far above what " + t.info().optimizer().name() + " takes (" + r.measure() + " " + Numbers.fmt(r.effective()) + ", where runs train at all up to "
                + Numbers.fmt(r.high()) + "): steps this large throw the weights about" + (hasRelu(t) ? ", kill ReLU units" : "") + " and leave the model fitting little, without a loss that diverges";
        return f.explained(e, cause, "lower the learning rate into the optimizer's range (the range test of 'vitals check' suggests one; adam: 1e-4 to 0.01); vitals fix tries it");
    }

    /** Batchnorm over flat features at a batch below BATCHNORM_SMALL_BATCH's bar: spirals at batch 2 read as vanishing gradients from saturating activations in a ReLU net with batchnorm. */
    static boolean tinyBatchnorm(Trace t) {
        return t.info() != null && !BatchnormSmallBatch.tooSmall(t.layers(), t.info().batch()).isEmpty();
    }

    private static Finding byBatchnorm(Finding f, int batch) {
        Map<String, Object> e = new LinkedHashMap<>(f.evidence());
        e.put(BATCHNORM_BATCH, batch);
        String cause = "batchnorm over flat features at a batch of " + batch + ": each feature is normalised by the mean and variance of " + batch
                + " values, a noise that swamps the signal, and evaluation's running averages of it fit neither";
        return f.explained(e, cause, "use layernorm (it normalises each example on its own), or a batch of 16 or more; vitals fix tries layernorm");
    }

    /** The largest dropout probability among the model's layers, 0 without dropout. */
    static double heaviestDropout(Trace t) {
        double p = 0;
        for (var l : t.layers()) {
            if (!l.kind().equals("dropout")) continue;
            try {
                p = Math.max(p, Double.parseDouble(l.description().substring(l.description().lastIndexOf(' ') + 1)));
            } catch (NumberFormatException | IndexOutOfBoundsException e) {
                // a description without its probability: not judged
            }
        }
        return p;
    }

    private static Finding byDropout(Finding f, double p) {
        Map<String, Object> e = new LinkedHashMap<>(f.evidence());
        e.put(DROPOUT, Numbers.round(p));
        String cause = "dropout of " + Numbers.fmt(p) + " silences that share of the units on every training step: the network trains a different small remnant of itself each time "
                + "and fits little (the layers after it see mostly zeros)";
        return f.explained(e, cause, "lower dropout to 0.3 or less (0.1 to 0.5 is usual); vitals fix tries it");
    }

    private static Finding byDecay(Finding f, Decay.Pull p) {
        Map<String, Object> e = new LinkedHashMap<>(f.evidence());
        e.put("weight_decay", Numbers.tidy(p.weightDecay()));
        e.put(PULL, Numbers.round(p.pull()));
        e.put("weight_norm_start", Numbers.round(p.normStart()));
        e.put("weight_norm_now", Numbers.round(p.normNow()));
        String cause = "weight decay " + Numbers.fmt(p.weightDecay()) + " (added to the gradient, as L2) pulls the weights towards zero "
                + (Double.isInfinite(p.pull()) ? "with nothing to pull against: the loss's gradient in the weight layers is zero"
                        : (p.pull() >= 1 ? Numbers.fmt(p.pull()) + " times as hard as" : "nearly as hard as") + " the loss's gradient pushes them")
                + ", and they shrank from a norm of "
                + Numbers.fmt(p.normStart()) + " to " + Numbers.fmt(p.normNow()) + heldHow(f.code(), p);
        return f.explained(e, cause, DECAY_FIX);
    }

    /**
     * What the decay does to the run, in the finding's own terms: a model at 64% whose loss climbed
     * back was "held near predicting the class shares", which only a run at chance shows.
     */
    private static String heldHow(String code, Decay.Pull p) {
        if (code.equals("ACCURACY_AT_CHANCE")) return ": the model is held near predicting the class shares";
        return p.pull() >= 1 ? ": the decay, not the loss, decides where the weights go" : ": the decay decides where the weights go as much as the loss does";
    }

    private static Finding byClip(Finding f, Clipping.Binding c) {
        Map<String, Object> e = new LinkedHashMap<>(f.evidence());
        e.put("clip_norm", Numbers.tidy(c.clipNorm()));
        e.put("clipped_share", Numbers.round(c.share()));
        e.put(CLIP_FACTOR, Numbers.round(c.factor()));
        e.put("gradient_norm_before_clipping", Numbers.round(c.medianNorm()));
        String cause = "train.clip_norm " + Numbers.fmt(c.clipNorm()) + " cuts the gradient on " + Numbers.pct(c.share()) + " of the steps to a median "
                + Numbers.fmt(c.factor()) + " of its norm (" + Numbers.fmt(c.medianNorm()) + " before clipping): the clip, not the learning rate, sets how far a step goes, and it goes next to nowhere";
        return f.explained(e, cause, CLIP_FIX);
    }

    static final String DECAY_FIX = "lower weight_decay to 1e-4 or less (5e-4 at most is usual for sgd and adam; adamw's decoupled decay takes 0.01 to 0.1); vitals fix tries it";

    static final String CLIP_FIX = "raise train.clip_norm to about 1 (it should cut only the rare large gradients), or set it to 0; vitals fix tries it";

    private static final java.util.Set<String> DIVERGED_HELD = java.util.Set.of("ACCURACY_AT_CHANCE", "UNDERFITTING", "LOSS_PLATEAU");

    /**
     * The first epoch's mean training loss where it is at least {@link #BLEW_UP} times every later
     * epoch's and the class prior's (the steps of that epoch diverged), else 0. A live run's first
     * steps are watched one by one (EXPLODING_GRADIENTS, LEARNING_RATE_TOO_HIGH say it there); an
     * epoch log holds only the epoch's mean.
     */
    static double divergedStart(Trace t) {
        var ep = t.epochs();
        if (ep.size() < 3) return 0;
        double first = ep.get(0).trainLoss(), prior = t.info() == null ? Double.NaN : dev.vitals.doctor.trace.Curves.priorLoss(t.info());
        if (!(first > 0) || Double.isInfinite(first)) return 0;
        for (int i = 1; i < ep.size(); i++) if (!(ep.get(i).trainLoss() * BLEW_UP <= first)) return 0;
        return !(prior > 0) || first >= BLEW_UP * prior ? first : 0;
    }

    /** Evidence key of a finding whose cause is a first epoch that blew up (fix lowers the rate first). */
    public static final String BLEW_UP_KEY = "first_epoch_loss_blew_up";

    private static Finding byDivergedStart(Finding f, double first, Trace t) {
        Map<String, Object> e = new LinkedHashMap<>(f.evidence());
        e.put(BLEW_UP_KEY, Numbers.round(first));
        double last = t.epochs().getLast().trainLoss();
        String cause = "the run blew up in its first epoch (mean training loss " + Numbers.fmt(first) + ", " + Numbers.fmt(first / last) + "x the last epoch's " + Numbers.fmt(last)
                + "): its first steps overshot, and the weights they left (dead or saturated units) hold the model at guessing; the learning rate is too high for the start, or the initialisation too large";
        return f.explained(e, cause, "lower the learning rate (a tenth, or what the range test of 'vitals check' suggests), add warm-up and gradient clipping (train.clip_norm: 1.0), then judge the run again");
    }

    /** Evidence key of a finding whose cause is gradients that vanish before the first layers (fix tries their cures first). */
    public static final String VANISHING = "vanishing_gradients";

    /** The codes gradients that vanish before the first layers explain: a model whose early layers do not learn fits little, stalls, or guesses. */
    private static final java.util.Set<String> VANISH_HELD = java.util.Set.of("UNDERFITTING", "LOSS_PLATEAU", "ACCURACY_AT_CHANCE", "LEARNING_RATE_TOO_LOW");

    private static Finding byVanishing(Finding f, Finding vanishing) {
        Map<String, Object> e = new LinkedHashMap<>(f.evidence());
        e.put(VANISHING, true);
        Object first = vanishing.evidence().get("first_layer_gradient_norm"), ratio = vanishing.evidence().get("first_over_last_ratio");
        String cause = "gradients vanish before they reach the first layers (VANISHING_GRADIENTS: the first layer's gradient norm " + Numbers.fmt(((Number) first).doubleValue())
                + ", " + Numbers.fmt(((Number) ratio).doubleValue()) + " of the last layer's): the early layers barely move, so the model learns little whatever its rate or length";
        return f.explained(e, cause, "cure the vanishing gradients first (relu with he initialisation in place of sigmoid or tanh hidden layers, batchnorm, or fewer layers; vitals fix tries them), then judge the run again");
    }

    /** Whether a weight decay holds the model down: a training loss that climbs as the weights shrink is the decay's, not the rate's. */
    static boolean decayHolds(Trace t) { return Decay.holding(t) != null; }
}
