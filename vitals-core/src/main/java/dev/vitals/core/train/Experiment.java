package dev.vitals.core.train;

import dev.vitals.core.InputException;
import dev.vitals.core.Words;
import dev.vitals.core.data.DataPipeline;
import dev.vitals.core.data.PreparedData;
import dev.vitals.core.loss.Loss;
import dev.vitals.core.nn.Activation;
import dev.vitals.core.nn.BatchNorm;
import dev.vitals.core.nn.BuildContext;
import dev.vitals.core.nn.Conv2d;
import dev.vitals.core.nn.Dense;
import dev.vitals.core.nn.Dropout;
import dev.vitals.core.nn.Fault;
import dev.vitals.core.nn.Flatten;
import dev.vitals.core.nn.Layer;
import dev.vitals.core.nn.LayerNorm;
import dev.vitals.core.nn.MaxPool;
import dev.vitals.core.nn.Mode;
import dev.vitals.core.nn.Model;
import dev.vitals.core.nn.Parameter;
import dev.vitals.core.nn.Residual;
import dev.vitals.core.nn.Sequential;
import dev.vitals.core.nn.Softmax;
import dev.vitals.core.optim.Adam;
import dev.vitals.core.optim.Optimizer;
import dev.vitals.core.optim.Schedule;
import dev.vitals.core.optim.Sgd;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.tensor.Shape;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A spec made real: its data prepared, its model built, and the trainer that runs it.
 * {@code Experiment.of(spec).fit()} is the whole of training from a spec; each part can also be
 * built alone (the doctor builds fresh models for its probes the same way).
 */
public final class Experiment {
    private final Spec spec;
    private final PreparedData data;
    private final Model model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final Trainer trainer;

    private Experiment(Spec spec, PreparedData data, Model model, Loss loss, Optimizer optimizer, Trainer trainer) {
        this.spec = spec;
        this.data = data;
        this.model = model;
        this.loss = loss;
        this.optimizer = optimizer;
        this.trainer = trainer;
    }

    /** Loads the data and builds everything; bad input becomes an {@link InputException}. */
    public static Experiment of(Spec spec) {
        return of(spec, loadData(spec));
    }

    /** Builds everything on data already prepared (to share it between several builds). */
    public static Experiment of(Spec spec, PreparedData data) {
        return of(spec, data, Parts.SPEC);
    }

    /**
     * Builds everything on prepared data, with the model and optimizer made by {@code parts}: a Java
     * user's own layers or optimizer go through the same trainer (and the same doctor) as the spec's.
     */
    public static Experiment of(Spec spec, PreparedData data, Parts parts) {
        Model model = parts.build(spec, data.train().exampleShape(), spec.seed());
        requireRoom(spec, model, data.train().size());
        Loss loss = lossFor(spec, model, data.train().classes());
        Optimizer opt = parts.optimizer(spec, model.parameters());
        if (opt == null) throw new IllegalStateException("Experiment.Parts.optimizer returned null; expected an Optimizer over the parameters it was given");
        // the spec's optimizer faults, here for every optimizer: an API user's own ran double_lr as no fault at all
        opt.reproduce(spec.faults().contains(Fault.DOUBLE_LR), spec.faults().contains(Fault.STALE_UPDATES));
        requireValidationForEarlyStop(spec, data);
        Trainer t = new Trainer(model, loss, opt, schedule(spec), trainerConfig(spec));
        return new Experiment(spec, data, model, loss, opt, t);
    }

    /**
     * How a spec's model and optimizer are made. By default from the spec; through the API a user
     * supplies their own (a custom layer inside the model, an optimizer of their own that follows
     * the rule the spec names), and every build the trainer or a probe makes goes through it.
     */
    public interface Parts {
        Parts SPEC = new Parts() {};

        /** A fresh model for examples of {@code input} shape, initialised from {@code seed}. */
        default Model model(Spec spec, Shape input, long seed) { return buildModel(spec, input, seed); }

        /** A fresh optimizer over {@code params}, following {@code spec.optimizer()}. */
        default Optimizer optimizer(Spec spec, List<Parameter> params) { return Experiment.optimizer(spec, params); }

        /** {@link #model}, refusing a null in words rather than a NullPointerException further on. */
        default Model build(Spec spec, Shape input, long seed) {
            Model m = model(spec, input, seed);
            if (m == null) throw new IllegalStateException("Experiment.Parts.model returned null; expected a built Model (Model.build)");
            return m;
        }
    }

    /**
     * What {@link #loadData} depends on: specs with equal keys load the same data (a caller that loads
     * the data of many variants of one spec, such as fix, keeps one copy per key).
     */
    public static Object dataKey(Spec spec) {
        return java.util.List.of(spec.data(), spec.seed(), spec.faults(), java.util.Objects.toString(spec.dir()));
    }

    public static PreparedData loadData(Spec spec) {
        PreparedData d;
        try {
            d = DataPipeline.prepare(spec.data(), spec.seed(), spec.faults(), spec.dir());
        } catch (InputException e) {
            String m = e.getMessage();
            if (m.startsWith("data.")) throw new InputException(spec.file() + ": " + m, e);
            throw e;
        }
        requireValidationForEarlyStop(spec, d);
        return d;
    }

    /**
     * The spec checks early_stop against validation: 0; a fraction that rounds to no example (0.0001
     * of iris) left early stopping silently off. Asked where data is loaded and again where an
     * experiment is built on data prepared elsewhere.
     */
    private static void requireValidationForEarlyStop(Spec spec, PreparedData d) {
        if (spec.train().earlyStop() > 0 && (d.validation() == null || d.validation().size() == 0)) {
            throw new InputException((spec.file() == null ? "" : spec.file() + ": ") + "train.early_stop: needs validation examples, but data.validation " + spec.data().validation()
                    + " leaves none of the data's examples; expected a validation fraction that holds some (0.1 is common)");
        }
    }

    /**
     * Trains the model on the training split for the spec's epochs, validating after each and testing at
     * the end where those splits exist; {@code listeners} hear every step and epoch (the doctor's monitor
     * is one). Stops early on a non-finite loss, the spec's early stop, or a {@link RunControl} request.
     */
    public RunResult fit(TrainingListener... listeners) {
        for (TrainingListener l : listeners) trainer.listen(l);
        return trainer.fit(data.train(), data.validation(), data.test());
    }

    public Spec spec() { return spec; }

    public PreparedData data() { return data; }

    public Model model() { return model; }

    public Loss loss() { return loss; }

    public Optimizer optimizer() { return optimizer; }

    public Trainer trainer() { return trainer; }

    // ---- parts -------------------------------------------------------------------------------

    public static Trainer.Config trainerConfig(Spec spec) {
        boolean shuffle = spec.data().shuffle() && !spec.faults().contains(Fault.UNSHUFFLED);
        return new Trainer.Config(spec.name(), (float) spec.optimizer().lr(), spec.train().epochs(), spec.train().batch(),
                spec.train().clipNorm(), spec.train().earlyStop(), spec.data().targets(), shuffle, spec.seed(),
                !spec.faults().contains(Fault.NO_ZERO_GRAD), spec.faults().contains(Fault.EVAL_MODE) ? Mode.EVAL : Mode.TRAIN,
                20, 10);
    }

    /**
     * Where an image too small for a layer became so: the nearest layer before it that shrank the image
     * (a stride of 20 two layers up, where the error named only the maxpool that met [16, 1, 1]).
     */
    private static String shrunkBy(List<Layer> layers, Layer failed, Map<Layer, String> where) {
        int at = -1;
        for (int i = 0; i < layers.size(); i++) if (layers.get(i) == failed) at = i;
        for (int i = at - 1; i >= 0; i--) {
            Layer p = layers.get(i);
            Shape in = p.inputShape(), out = p.outputShape();
            if (in == null || out == null || in.rank() != 3 || out.rank() != 3) continue;
            if (out.dim(1) * out.dim(2) < in.dim(1) * in.dim(2)) {
                return "; " + where.getOrDefault(p, "an earlier layer") + " (" + p.describe() + ") made it from " + in;
            }
        }
        return "";
    }

    /** The spec's model for examples of {@code input} shape, initialised from {@code seed}. */
    public static Model buildModel(Spec spec, Shape input, long seed) {
        Map<Layer, String> where = new IdentityHashMap<>();
        List<Layer> layers = layers(spec, spec.model().layers(), where);
        BuildContext ctx = new BuildContext(spec.model().init(), new SplittableRandom(seed ^ 0x1417_5EEDL), spec.faults());
        Model model;
        try {
            model = Model.build(layers, input, ctx);
        } catch (Sequential.ShapeException e) {
            Layer l = e.layer();
            throw new InputException(spec.file() + ": " + where.getOrDefault(l, "model.layers") + " (" + l.describe() + "): "
                    + e.getMessage() + (l.inputShape() != null && e.getMessage().contains(l.inputShape().toString()) ? ""
                            : " [input " + (l.inputShape() == null ? "?" : l.inputShape()) + "]") + shrunkBy(layers, l, where));
        } catch (IllegalArgumentException e) {
            throw new InputException(spec.file() + ": model: " + e.getMessage());
        }
        // a fault that lives in a layer the model lacks would run as no fault at all ("healthy"):
        // wrong_bias_grad in a model of conv2d and flatten only
        for (Fault f : List.of(Fault.WRONG_BIAS_GRAD, Fault.MIXED_BATCH)) {
            if (spec.faults().contains(f) && !ctx.claimed(f)) {
                throw new InputException(spec.file() + ": faults: " + f.key() + " lives in " + (f == Fault.WRONG_BIAS_GRAD ? "a dense layer's bias gradient" : "a dense or flatten layer's reshape")
                        + ", and the model has no " + (f == Fault.WRONG_BIAS_GRAD ? "dense layer" : "dense or flatten layer") + " to carry it");
            }
        }
        if (spec.train().batch() == 1) {
            for (var e : where.entrySet()) {
                if (e.getKey() instanceof BatchNorm bn && bn.inputShape() != null && bn.inputShape().rank() == 1) {
                    throw new InputException(spec.file() + ": train.batch: 1, but " + e.getValue() + " (batchnorm) normalises each feature over the batch, "
                            + "and one example leaves nothing to normalise (every output 0, no variance to learn for evaluation); "
                            + "expected a batch of at least 2, or layernorm, which normalises each example on its own");
                }
            }
        }
        return model;
    }

    /**
     * Refuses a model that cannot train in this JVM, before a step runs, naming the layer and the
     * numbers: a batch's activations at a layer larger than one array holds, or a training that
     * surely needs more than the heap (weights, gradients, the optimizer's state and one batch's
     * layer outputs, 4 bytes a value). The batch is the one that runs: the spec's, or all the
     * training examples where they are fewer. Built anyway, such a model failed later with "tensor
     * ... is too large" or "out of memory" and exit 1, in the middle of a check.
     */
    static void requireRoom(Spec spec, Model model, int trainExamples) {
        long batch = Math.max(1, Math.min(spec.train().batch(), trainExamples));
        int fits = model.examplesPerForward();
        if (batch > fits) {
            Layer l = model.largestOutput();
            throw new InputException(spec.file() + ": train.batch: " + batch + " examples"
                    + (batch < spec.train().batch() ? " (all the training examples, fewer than the batch of " + spec.train().batch() + ")" : "")
                    + " of " + specPlace(l) + " (" + l.describe() + ")'s output " + l.outputShape() + " (" + l.outputShape().size()
                    + " values each) are more than one array holds (2^31 values); expected a batch of at most " + fits + ", or a smaller layer");
        }
        Spec.Optimizer o = spec.optimizer();
        int slots = switch (o.name()) {
            case "adam", "adamw" -> 2;
            case "sgd" -> o.momentum() > 0 ? 1 : 0;
            default -> 0;
        };
        long params = model.parameterCount();
        long activations = model.inputShape().size();
        for (Layer l : model.allLayers()) if (l.outputShape() != null && l.children().isEmpty()) activations += l.outputShape().size();
        // a lower bound, so that no spec that would run is refused: each layer's output once, no
        // gradient buffers, no data
        long weights = 4L * params * (2 + slots), acts = 4L * batch * activations, need = weights + acts;
        long max = Runtime.getRuntime().maxMemory();
        if (need <= max) return;
        String culprit;
        if (acts > weights) {
            Layer l = model.largestOutput();
            culprit = l != null && l.outputShape().size() >= model.inputShape().size()
                    ? "the largest output is " + specPlace(l) + "'s (" + l.describe() + ", " + l.outputShape().size() + " values an example); expected a smaller batch or layer"
                    : "an example's input alone is " + model.inputShape().size() + " values; expected a smaller batch";
        } else {
            Layer largest = null;
            long most = -1;
            for (Layer l : model.allLayers()) {
                if (!l.children().isEmpty()) continue;
                long n = 0;
                for (var p : l.parameters()) n += p.value().size();
                if (n > most) { most = n; largest = l; }
            }
            culprit = "the largest layer is " + specPlace(largest) + " (" + largest.describe() + ", " + most + " parameters); expected a smaller model";
        }
        throw new InputException(spec.file() + ": model: training needs at least " + Words.gib(need) + " (" + params + " parameters with their gradients"
                + (slots == 0 ? "" : " and " + o.name() + "'s " + (slots == 2 ? "two moments" : "momentum")) + ", " + Words.gib(weights)
                + "; the layer outputs of a batch of " + batch + ", " + Words.gib(acts) + "), more than the " + Words.gib(max) + " the JVM may use; " + culprit
                + ", or a larger Java heap (-Xmx; for the vitals command, VITALS_JAVA_OPTS=-Xmx16g)");
    }

    /** Where a built layer stands in the spec: layers.2.block.1 is model.layers[2].residual[1]. */
    private static String specPlace(Layer l) {
        if (l == null || l.path() == null || l.path().isEmpty()) return "model.layers";
        return "model." + l.path().replaceAll("^layers\\.(\\d+)", "layers[$1]").replaceAll("\\.block\\.(\\d+)", ".residual[$1]");
    }


    private static List<Layer> layers(Spec spec, List<Spec.LayerSpec> specs, Map<Layer, String> where) {
        List<Layer> out = new ArrayList<>();
        for (Spec.LayerSpec s : specs) {
            Layer l;
            try {
                l = switch (s.kind()) {
                    case "dense" -> new Dense((int) s.arg());
                    case "relu" -> new Activation.ReLU();
                    case "leaky_relu" -> new Activation.LeakyReLU((float) s.arg());
                    case "gelu" -> new Activation.GELU();
                    case "sigmoid" -> new Activation.Sigmoid();
                    case "tanh" -> new Activation.Tanh();
                    case "softmax" -> new Softmax();
                    case "dropout" -> new Dropout(s.arg());
                    case "batchnorm" -> new BatchNorm();
                    case "layernorm" -> new LayerNorm();
                    case "conv2d" -> new Conv2d(s.conv().filters(), s.conv().kernel(), s.conv().stride(), s.conv().padding());
                    case "maxpool" -> new MaxPool((int) s.arg());
                    case "flatten" -> new Flatten();
                    case "residual" -> new Residual(layers(spec, s.block(), where));
                    default -> throw new IllegalArgumentException("unknown layer '" + s.kind() + "'");
                };
            } catch (IllegalArgumentException e) {
                throw new InputException(spec.file() + ": " + s.where() + ": " + e.getMessage());
            }
            where.put(l, s.where());
            out.add(l);
        }
        return out;
    }

    public static Loss lossFor(Spec spec, Model model, int classes) {
        Loss loss = Loss.fromKey(spec.loss());
        if (model.outputShape().rank() != 1) {
            throw new InputException(spec.file() + ": loss: " + spec.loss() + " needs a flat output per example, but the model ends with shape "
                    + model.outputShape() + "; add 'flatten' and a dense layer");
        }
        try {
            loss.checkFits(model.outputShape().size(), classes, spec.data().targets());
        } catch (IllegalArgumentException e) {
            throw new InputException(spec.file() + ": loss: " + e.getMessage());
        }
        return loss;
    }

    /** The spec's optimizer over {@code params}; its faults are applied by {@link #of}, as to an optimizer of the API user's own. */
    public static Optimizer optimizer(Spec spec, List<Parameter> params) {
        Spec.Optimizer o = spec.optimizer();
        return switch (o.name()) {
            case "sgd" -> new Sgd(params, o.momentum(), o.nesterov(), o.weightDecay());
            case "adam" -> new Adam(params, o.beta1(), o.beta2(), o.eps(), o.weightDecay(), false);
            case "adamw" -> new Adam(params, o.beta1(), o.beta2(), o.eps(), o.weightDecay(), true);
            default -> throw new InputException(spec.file() + ": optimizer.name: unknown optimizer '" + o.name() + "'");
        };
    }

    public static Schedule schedule(Spec spec) {
        Spec.Schedule s = spec.schedule();
        return switch (s.name()) {
            case "step" -> Schedule.step(s.stepSize(), s.gamma());
            case "cosine" -> Schedule.cosine(s.warmup(), s.minLr());
            default -> Schedule.constant();
        };
    }
}
