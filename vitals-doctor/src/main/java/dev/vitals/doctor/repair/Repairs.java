package dev.vitals.doctor.repair;

import dev.vitals.core.data.Normalizer;
import dev.vitals.core.loss.TargetEncoding;
import dev.vitals.core.nn.Init;
import dev.vitals.core.spec.Spec;
import dev.vitals.doctor.rules.Numbers;

import java.util.List;
import java.util.Set;

/** The repairs the catalogue draws from, each a pure spec-to-spec transformation. */
public final class Repairs {
    private Repairs() {}

    /**
     * Removes the activation the loss applies itself after the last weight layer: softmax before
     * cross_entropy, sigmoid before binary_cross_entropy.
     */
    public static Repair dropSoftmaxBeforeLoss() {
        return new Repair("drop-softmax", "remove the softmax (or, before binary_cross_entropy, the sigmoid) after the last layer: the loss applies its own",
                s -> {
                    String own = s.loss().equals("cross_entropy") ? "softmax" : s.loss().equals("binary_cross_entropy") ? "sigmoid" : null;
                    if (own == null) return s;
                    return ModelEdits.layers(s, l -> {
                        int last = ModelEdits.lastWeight(l);
                        for (int i = l.size() - 1; i > last; i--) if (l.get(i).kind().equals(own)) l.remove(i);
                        return l;
                    });
                });
    }

    /**
     * The output activation removed and the loss kept: a regression whose sigmoid (0..1) or tanh
     * cannot reach labels up to 109 needs a linear output, not a classifier of 110 classes (which hit
     * 19% of the labels exactly where the linear output hit 24%).
     */
    public static Repair linearOutput() {
        return new Repair("linear-output", "no activation after the last layer (the loss kept)",
                s -> s.loss().equals("mse") ? ModelEdits.layers(s, ModelEdits::linearOutput) : s);
    }

    /**
     * Raw scores into the loss that takes them, with class-index targets: cross-entropy over several
     * outputs, binary cross-entropy over one.
     */
    public static Repair logitsIntoCrossEntropy() {
        return new Repair("cross-entropy", "linear output (no activation after the last layer), cross-entropy loss, class-index targets",
                s -> {
                    Spec t = ModelEdits.layers(s, ModelEdits::linearOutput);
                    String loss = ModelEdits.outputUnits(t.model().layers()) == 1 ? "binary_cross_entropy" : "cross_entropy";
                    return t.withLoss(loss).withData(t.data().withTargets(TargetEncoding.INDEX));
                });
    }

    /**
     * One output per class with cross-entropy, for a model whose last layer has fewer (one output
     * regressing 3 classes, or 5 outputs for digits' 10): the cross-entropy repair alone kept the
     * single output and was refused for labels it cannot predict.
     */
    public static Repair outputPerClass(int classes) {
        return new Repair("output-per-class", "the last dense layer given one output per class (" + classes + "), linear, with cross-entropy on class indices",
                s -> {
                    Spec t = ModelEdits.layers(s, l -> {
                        List<Spec.LayerSpec> out = ModelEdits.linearOutput(l);
                        int last = ModelEdits.lastWeight(out);
                        if (last >= 0 && out.get(last).kind().equals("dense")) out.set(last, ModelEdits.layer("dense", classes));
                        return out;
                    });
                    return t.withLoss("cross_entropy").withData(t.data().withTargets(TargetEncoding.INDEX));
                });
    }

    public static Repair indexTargets() {
        return new Repair("index-targets", "class-index targets", s -> s.withData(s.data().withTargets(TargetEncoding.INDEX)));
    }

    public static Repair reluHidden() {
        return new Repair("relu", "sigmoid/tanh hidden layers replaced by relu, with he initialisation",
                s -> {
                    Spec t = ModelEdits.layers(s, l -> ModelEdits.replaceHidden(l, ModelEdits.SATURATING, ModelEdits.layer("relu")));
                    return t.equals(s) ? s : ModelEdits.init(t, new Init(Init.Kind.HE, 0));
                });
    }

    public static Repair reluHiddenWithBatchNorm() {
        return new Repair("relu+batchnorm", "sigmoid/tanh hidden layers replaced by relu with he initialisation, batchnorm after each hidden dense and conv2d layer",
                s -> {
                    Spec t = reluHidden().apply(s);
                    return t.equals(s) ? s : batchNorm().apply(t);
                });
    }

    public static Repair batchNorm() {
        // per channel after a conv2d, as per feature after a dense layer: conv stacks were left with
        // "no candidate repair" for vanishing gradients and no normalisation
        return new Repair("batchnorm", "batchnorm after each hidden dense and conv2d layer",
                s -> hasNorm(s) ? s : ModelEdits.layers(s, l -> ModelEdits.afterHiddenWeights(l, ModelEdits.layer("batchnorm"))));
    }

    /** He for ReLU-like hidden layers, Xavier for sigmoid and tanh, LeCun otherwise. */
    public static Repair matchingInit() {
        return new Repair("matching-init", "initialisation matched to the hidden activation (he for relu, xavier for sigmoid/tanh)",
                s -> ModelEdits.init(s, initFor(ModelEdits.hiddenActivation(s.model().layers()))));
    }

    static Init initFor(String activation) {
        if (activation == null) return new Init(Init.Kind.LECUN, 0);
        return switch (activation) {
            case "relu", "leaky_relu", "gelu" -> new Init(Init.Kind.HE, 0);
            case "sigmoid", "tanh" -> new Init(Init.Kind.XAVIER, 0);
            default -> new Init(Init.Kind.LECUN, 0);
        };
    }

    public static Repair validation() {
        return new Repair("validation", "hold out 20% of the training data for validation",
                s -> s.data().validation() > 0 ? s : s.withData(s.data().withValidation(0.2)));
    }

    public static Repair standardize() {
        return new Repair("normalize", "normalize: standard (statistics from the training split)",
                s -> s.withData(s.data().withNormalize(Normalizer.Kind.STANDARD)));
    }

    /**
     * Standardised inputs with the rate raised by {@code factor}: pixels of 0-255 standardised take
     * steps a hundred times smaller at the same rate, so normalisation alone left sgd at 1e-3
     * LEARNING_RATE_TOO_LOW on Fashion-MNIST and was turned down; a person fixes both at once.
     */
    public static Repair standardizeWithRate(double factor) {
        return new Repair("normalize, lr x" + Numbers.fmt(factor), "normalize: standard and the learning rate x" + Numbers.fmt(factor),
                s -> s.withData(s.data().withNormalize(Normalizer.Kind.STANDARD)).withOptimizer(s.optimizer().withLr(tidy(s.optimizer().lr() * factor))));
    }

    public static Repair shuffle() {
        return new Repair("shuffle", "shuffle: true", s -> s.withData(s.data().withShuffle(true)));
    }

    public static Repair learningRate(double lr, String why) {
        return new Repair("lr " + Numbers.fmt(lr), "learning rate " + Numbers.fmt(lr) + " (" + why + ")",
                s -> s.withOptimizer(s.optimizer().withLr(lr)));
    }

    public static Repair scaleLearningRate(double factor) {
        String f = factor >= 1 ? "x" + Numbers.fmt(factor) : "/" + Numbers.fmt(1 / factor);
        return new Repair("lr " + f, "learning rate " + f,
                s -> s.withOptimizer(s.optimizer().withLr(tidy(s.optimizer().lr() * factor))));
    }

    /** A schedule that decayed the rate to nothing replaced by a constant rate. */
    public static Repair constantSchedule() {
        return new Repair("constant-rate", "schedule: constant (no decay)",
                s -> s.schedule().name().equals("constant") ? s : s.withSchedule(dev.vitals.core.spec.Spec.Schedule.CONSTANT));
    }

    /**
     * SGD momentum above 0.95 brought to the usual 0.9: at 0.999 every step carries the last thousand,
     * an effective rate of lr / (1 - momentum) = 1000 lr, and lowering lr instead keeps a velocity that
     * takes a thousand steps to turn (digits at lr 0.01: diverged; fixed by lr alone, 97.2% with a test loss of 1.49).
     */
    public static Repair usualMomentum() {
        return new Repair("momentum-0.9", "momentum 0.9 (the usual setting)",
                s -> !s.optimizer().name().equals("sgd") || !(s.optimizer().momentum() > 0.95) ? s : s.withOptimizer(s.optimizer().withMomentum(0.9)));
    }

    public static Repair clipAndLowerLr() {
        return new Repair("clip+lower-lr", "clip_norm 1 and the learning rate /10",
                s -> s.train().clipNorm() > 0 && s.train().clipNorm() <= 1 ? s
                        : s.withTrain(s.train().withClipNorm(1)).withOptimizer(s.optimizer().withLr(tidy(s.optimizer().lr() / 10))));
    }

    /** A clip_norm below 1 (one that cut every step to next to nothing) raised to 1. */
    public static Repair looserClip() {
        return new Repair("looser-clip", "clip_norm raised to 1", s -> s.train().clipNorm() > 0 && s.train().clipNorm() < 1 ? s.withTrain(s.train().withClipNorm(1)) : s);
    }

    public static Repair clip() {
        return new Repair("clip", "clip_norm 1", s -> s.train().clipNorm() > 0 && s.train().clipNorm() <= 1 ? s : s.withTrain(s.train().withClipNorm(1)));
    }

    /** Hidden batchnorm layers replaced by layernorm, which normalises each example on its own (batches of 2 or 3 estimate no statistics). */
    public static Repair layerNorm() {
        return new Repair("layernorm", "hidden batchnorm replaced by layernorm",
                s -> ModelEdits.layers(s, l -> ModelEdits.replaceHidden(l, Set.of("batchnorm"), ModelEdits.layer("layernorm"))));
    }

    public static Repair leakyRelu() {
        return new Repair("leaky-relu", "relu hidden layers replaced by leaky_relu (slope 0.01)",
                s -> ModelEdits.layers(s, l -> ModelEdits.replaceHidden(l, Set.of("relu"), ModelEdits.layer("leaky_relu", 0.01))));
    }

    public static Repair dropout() {
        return new Repair("dropout", "dropout 0.3 after each hidden activation",
                s -> s.model().layers().stream().anyMatch(l -> l.kind().equals("dropout")) ? s
                        : ModelEdits.layers(s, l -> ModelEdits.afterHiddenActivations(l, ModelEdits.layer("dropout", 0.3))));
    }

    /** Dropout above 0.3 lowered to 0.3: heavy dropout keeps a network from fitting even one batch. */
    public static Repair lighterDropout() {
        return new Repair("lighter-dropout", "dropout lowered to 0.3 wherever it was higher",
                s -> s.withModel(s.model().withDropoutAtMost(0.3)));
    }

    public static Repair weightDecay() {
        return new Repair("weight-decay", "weight decay 1e-4 (adam becomes adamw)",
                s -> {
                    if (s.optimizer().weightDecay() >= 1e-4) return s;
                    Spec.Optimizer o = s.optimizer().withWeightDecay(1e-4);
                    if (o.name().equals("adam")) o = new Spec.Optimizer("adamw", o.lr(), o.momentum(), o.nesterov(), o.weightDecay(), o.beta1(), o.beta2(), o.eps());
                    return s.withOptimizer(o);
                });
    }

    /**
     * A batch above 256 examples brought down to 64: one of the whole training set takes one step an
     * epoch, and a run of 30 epochs stops far from converged (digits: 86% where batches of 32 reach 97%).
     */
    public static Repair smallerBatch() {
        return new Repair("smaller-batch", "batch 64 (more optimizer steps an epoch)",
                s -> s.train().batch() <= 256 ? s : s.withTrain(s.train().withBatch(64)));
    }

    /** Optimizer steps a plan of too few is brought to: what the short trials of fix take at most. */
    static final int ENOUGH_STEPS = 300;

    /**
     * A plan of too few optimizer steps (iris at batch 100000: five in all) given about
     * {@value #ENOUGH_STEPS}: a batch of at most 64, and the epochs that take it there over
     * {@code trainSize} examples.
     */
    public static Repair moreSteps(int trainSize) {
        return new Repair("more-steps", "batch at most 64 and epochs for about " + ENOUGH_STEPS + " optimizer steps", s -> {
            int batch = Math.min(s.train().batch(), 64);
            int perEpoch = (int) Math.ceil(Math.max(1, trainSize) / (double) batch);
            int epochs = Math.max(s.train().epochs(), (int) Math.ceil((double) ENOUGH_STEPS / perEpoch));
            return s.withTrain(s.train().withBatch(batch)).withEpochs(epochs);
        });
    }

    /** An early stop of less patience than 5 epochs given 5: one ended a run on a wobble of its validation loss. */
    public static Repair patientEarlyStop() {
        return new Repair("patient-early-stop", "early_stop raised to 5 epochs of patience",
                s -> s.train().earlyStop() > 0 && s.train().earlyStop() < 5 ? s.withTrain(s.train().withEarlyStop(5)) : s);
    }

    public static Repair earlyStop() {
        return new Repair("early-stop", "early_stop 5 (keeps the best validation epoch)",
                s -> s.train().earlyStop() > 0 || s.data().validation() == 0 ? s : s.withTrain(s.train().withEarlyStop(5)));
    }

    /**
     * Hidden dense layers narrower than the output layer widened to 64 units (or the output's width):
     * a 1-unit layer before 10 classes caps what any layer after it can do, so adding one does not help.
     */
    public static Repair widenBottleneck() {
        return new Repair("widen", "hidden dense layers narrower than the output widened to 64 units",
                s -> ModelEdits.layers(s, l -> {
                    int last = ModelEdits.lastWeight(l);
                    if (last < 0 || !l.get(last).kind().equals("dense")) return l;
                    double outputs = l.get(last).arg(), width = Math.max(64, outputs);
                    for (int i = 0; i < last; i++) {
                        Spec.LayerSpec h = l.get(i);
                        if (h.kind().equals("dense") && h.arg() < outputs) l.set(i, ModelEdits.layer("dense", width));
                    }
                    return l;
                }));
    }

    /** Top-level conv2d layers whose stride steps past their kernel given a stride of the kernel's size: every input position read. */
    public static Repair strideWithinKernel() {
        return new Repair("stride-within-kernel", "conv2d strides larger than the kernel set to the kernel size",
                s -> ModelEdits.layers(s, l -> {
                    for (int i = 0; i < l.size(); i++) {
                        Spec.LayerSpec c = l.get(i);
                        if (c.conv() != null && c.conv().stride() > c.conv().kernel()) {
                            Spec.Conv k = c.conv();
                            l.set(i, new Spec.LayerSpec(c.kind(), c.arg(), new Spec.Conv(k.filters(), k.kernel(), k.kernel(), k.padding()), c.block(), c.where()));
                        }
                    }
                    return l;
                }));
    }

    /** A weight decay of 0.1 and more (it outweighs the loss) lowered to 1e-4. */
    public static Repair lighterWeightDecay() { return lighterWeightDecay(0.1); }

    /** A weight decay of {@code atLeast} or more lowered to 1e-4: 0.1 where nothing measured the decay, any above 1e-4 where the run showed it holding the model down. */
    public static Repair lighterWeightDecay(double atLeast) {
        return new Repair("lighter-weight-decay", "weight decay lowered to 1e-4",
                s -> s.optimizer().weightDecay() >= atLeast && s.optimizer().weightDecay() > 1e-4 ? s.withOptimizer(s.optimizer().withWeightDecay(1e-4)) : s);
    }

    public static Repair hiddenLayer() {
        return new Repair("hidden-layer", "a hidden layer of 64 relu units before the output layer",
                s -> ModelEdits.layers(s, l -> {
                    int last = ModelEdits.lastWeight(l);
                    if (last < 0 || !l.get(last).kind().equals("dense")) return l;
                    l.addAll(last, List.of(ModelEdits.layer("dense", 64), ModelEdits.layer("relu")));
                    return l;
                }));
    }

    /** The deliberate bug {@code key} taken out of the training loop. */
    public static Repair removeInjectedBug(String key) {
        return new Repair("remove " + key, "remove the injected bug " + key, s -> s.withoutInjectedBug(key), true);
    }

    /** Removes several injected bugs at once: two that produce the same finding each leave it alone. */
    public static Repair removeInjectedBugs(java.util.List<String> keys) {
        String names = String.join(" and ", keys);
        return new Repair("remove " + names, "remove the injected bugs " + names, s -> {
            Spec out = s;
            for (String k : keys) out = out.withoutInjectedBug(k);
            return out;
        }, true);
    }

    private static boolean hasNorm(Spec s) {
        return s.model().layers().stream().anyMatch(l -> ModelEdits.NORMS.contains(l.kind()));
    }

    /** A rate times ten as a person writes it: 0.001 x 10 is 0.01, not 0.010000000000000002 in the written spec. */
    static double tidy(double lr) {
        return Numbers.significant(lr, 6);
    }
}
