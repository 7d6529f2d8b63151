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

    /** {@code test}: NaN means "auto" (the source's own split, else a fixed 20% hold-out). */
    public record Data(String source, Map<String, Object> options, double test, double validation,
                       Normalizer.Kind normalize, boolean shuffle, TargetEncoding targets) {
        public boolean testAuto() { return Double.isNaN(test); }
    }

    public record Model(Init init, List<LayerSpec> layers) {}

    /**
     * One layer as written: its kind and argument ({@code units} for dense, {@code p} for dropout,
     * {@code size} for maxpool, {@code slope} for leaky_relu, conv2d's four numbers), or a residual
     * block's layers. {@code where} is the key path, e.g. {@code model.layers[3]}.
     */
    public record LayerSpec(String kind, double arg, Conv conv, List<LayerSpec> block, String where) {}

    public record Conv(int filters, int kernel, int stride, int padding) {}

    public record Optimizer(String name, double lr, double momentum, boolean nesterov, double weightDecay,
                            double beta1, double beta2, double eps) {}

    public record Schedule(String name, int stepSize, double gamma, double warmup, double minLr) {}

    public record Train(int epochs, int batch, double clipNorm, int earlyStop) {}

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
}
