package dev.vitals.core.spec;

import dev.vitals.core.data.Normalizer;
import dev.vitals.core.loss.TargetEncoding;
import dev.vitals.core.nn.Fault;
import dev.vitals.core.nn.Init;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed, validated training spec (see docs/spec.md and DESIGN.md). Every field has its default
 * filled in; {@code text} is the YAML as written and {@code dir} the folder that relative data paths
 * are resolved against.
 */
public record Spec(String name, long seed, Data data, Model model, String loss, Optimizer optimizer,
                   Schedule schedule, Train train, Set<Fault> faults, String text, Path file) {

    /**
     * {@code test}: NaN means "auto" (the source's own split, else a fixed 20% hold-out), or, with
     * {@code testSource}, the examples of a file of their own ({@code test: csv:test.csv} beside
     * {@code source: csv:train.csv}); {@code testSource} is null otherwise.
     */
    public record Data(String source, Map<String, Object> options, double test, double validation,
                       Normalizer.Kind normalize, boolean shuffle, TargetEncoding targets, String testSource) {
        public Data(String source, Map<String, Object> options, double test, double validation, Normalizer.Kind normalize, boolean shuffle, TargetEncoding targets) {
            this(source, options, test, validation, normalize, shuffle, targets, null);
        }

        public boolean testAuto() { return Double.isNaN(test); }

        public Data withValidation(double v) { return new Data(source, options, test, v, normalize, shuffle, targets, testSource); }

        public Data withNormalize(Normalizer.Kind k) { return new Data(source, options, test, validation, k, shuffle, targets, testSource); }

        public Data withShuffle(boolean s) { return new Data(source, options, test, validation, normalize, s, targets, testSource); }

        public Data withTargets(TargetEncoding t) { return new Data(source, options, test, validation, normalize, shuffle, t, testSource); }
    }

    public record Model(Init init, List<LayerSpec> layers) {
        /** The largest dropout probability anywhere in the model (residual blocks too), 0 without dropout. */
        public double heaviestDropout() { return heaviestDropout(layers); }

        /** The same model with every dropout above {@code p} lowered to it. */
        public Model withDropoutAtMost(double p) { return new Model(init, capDropout(layers, p)); }

        private static double heaviestDropout(List<LayerSpec> layers) {
            double p = 0;
            for (LayerSpec l : layers) {
                if (l.kind().equals("dropout")) p = Math.max(p, l.arg());
                if (l.block() != null) p = Math.max(p, heaviestDropout(l.block()));
            }
            return p;
        }

        private static List<LayerSpec> capDropout(List<LayerSpec> layers, double p) {
            List<LayerSpec> out = new java.util.ArrayList<>();
            for (LayerSpec l : layers) {
                if (l.kind().equals("dropout") && l.arg() > p) out.add(new LayerSpec("dropout", p, null, null, l.where()));
                else if (l.block() != null) out.add(new LayerSpec(l.kind(), l.arg(), l.conv(), capDropout(l.block(), p), l.where()));
                else out.add(l);
            }
            return List.copyOf(out);
        }
    }

    /**
     * One layer as written: its kind and argument ({@code units} for dense, {@code p} for dropout,
     * {@code size} for maxpool, {@code slope} for leaky_relu, conv2d's four numbers), or a residual
     * block's layers. {@code where} is the key path, e.g. {@code model.layers[3]}.
     */
    public record LayerSpec(String kind, double arg, Conv conv, List<LayerSpec> block, String where) {}

    public record Conv(int filters, int kernel, int stride, int padding) {}

    public record Optimizer(String name, double lr, double momentum, boolean nesterov, double weightDecay,
                            double beta1, double beta2, double eps) {
        public Optimizer withLr(double r) { return new Optimizer(name, r, momentum, nesterov, weightDecay, beta1, beta2, eps); }

        public Optimizer withWeightDecay(double wd) { return new Optimizer(name, lr, momentum, nesterov, wd, beta1, beta2, eps); }

        /** SGD's momentum; the parser mirrors it in beta1 where the optimizer has none of its own. */
        public Optimizer withMomentum(double m) {
            boolean adam = name.equals("adam") || name.equals("adamw");
            return new Optimizer(name, lr, m, nesterov, weightDecay, adam ? beta1 : m, beta2, eps);
        }
    }

    public record Schedule(String name, int stepSize, double gamma, double warmup, double minLr) {
        /** The base learning rate throughout: what a spec without {@code schedule} trains with. */
        public static final Schedule CONSTANT = new Schedule("constant", 0, 0.1, 0, 0);
    }

    public record Train(int epochs, int batch, double clipNorm, int earlyStop) {
        public Train withClipNorm(double c) { return new Train(epochs, batch, c, earlyStop); }

        public Train withEarlyStop(int patience) { return new Train(epochs, batch, clipNorm, patience); }

        public Train withBatch(int b) { return new Train(epochs, b, clipNorm, earlyStop); }
    }

    /**
     * Whether the spec regresses the label value: mse on index targets through a last weight layer
     * that is dense with one unit (what {@code RunInfo.regressesLabels} says of the built model).
     */
    public boolean regressesLabels() {
        if (!"mse".equals(loss) || data.targets() != TargetEncoding.INDEX) return false;
        for (int i = model.layers().size() - 1; i >= 0; i--) {
            LayerSpec l = model.layers().get(i);
            if (l.kind().equals("dense")) return l.arg() == 1;
            if (l.kind().equals("conv2d") || l.kind().equals("residual")) return false;
        }
        return false;
    }

    public Path dir() {
        Path p = file == null ? null : file.toAbsolutePath().getParent();
        return p == null ? Path.of("").toAbsolutePath() : p;
    }

    public Spec withEpochs(int epochs) {
        return new Spec(name, seed, data, model, loss, optimizer, schedule,
                new Train(epochs, train.batch(), train.clipNorm(), train.earlyStop()), faults, text, file);
    }

    public Spec withTrain(Train t) {
        return new Spec(name, seed, data, model, loss, optimizer, schedule, t, faults, text, file);
    }

    public Spec withSeed(long s) {
        return new Spec(name, s, data, model, loss, optimizer, schedule, train, faults, text, file);
    }

    /** The same settings without the text and file they were read from, to compare what two specs do. */
    public Spec withoutText() {
        return new Spec(name, seed, data, model, loss, optimizer, schedule, train, faults, null, null);
    }

    public Spec withData(Data d) {
        return new Spec(name, seed, d, model, loss, optimizer, schedule, train, faults, text, file);
    }

    public Spec withModel(Model m) {
        return new Spec(name, seed, data, m, loss, optimizer, schedule, train, faults, text, file);
    }

    public Spec withLoss(String l) {
        return new Spec(name, seed, data, model, l, optimizer, schedule, train, faults, text, file);
    }

    public Spec withOptimizer(Optimizer o) {
        return new Spec(name, seed, data, model, loss, o, schedule, train, faults, text, file);
    }

    public Spec withSchedule(Schedule s) {
        return new Spec(name, seed, data, model, loss, optimizer, s, train, faults, text, file);
    }

    /**
     * The keys of the deliberate bugs this spec reproduces (e.g. {@code double_lr}), sorted. For code
     * that repairs specs; the diagnosis must never read them.
     */
    public java.util.SortedSet<String> injectedBugs() {
        java.util.SortedSet<String> out = new java.util.TreeSet<>();
        for (Fault f : faults) out.add(f.key());
        return out;
    }

    /** This spec without the deliberate bug {@code key}; the same spec when it has no such bug. */
    public Spec withoutInjectedBug(String key) {
        Fault f = Fault.fromKey(key);
        if (f == null || !faults.contains(f)) return this;
        Set<Fault> rest = java.util.EnumSet.noneOf(Fault.class);
        rest.addAll(faults);
        rest.remove(f);
        return new Spec(name, seed, data, model, loss, optimizer, schedule, train, java.util.Collections.unmodifiableSet(rest), text, file);
    }
}
