package dev.vitals.bench;

import dev.vitals.core.nn.Activation;
import dev.vitals.core.nn.BuildContext;
import dev.vitals.core.nn.Dense;
import dev.vitals.core.nn.Flatten;
import dev.vitals.core.nn.Init;
import dev.vitals.core.nn.Model;
import dev.vitals.core.nn.Parameter;
import dev.vitals.core.optim.Adam;
import dev.vitals.core.optim.Optimizer;
import dev.vitals.core.optim.Sgd;
import dev.vitals.core.tensor.Shape;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;
import java.util.SplittableRandom;

/**
 * One optimizer step over the parameters of the 784-256-128-10 MLP (235,146 values in six tensors),
 * as the trainer calls it: unobserved steps without statistics, observed steps measuring the weight
 * and update norms on a strided sample. Score: steps per second; the update is memory-bound (Adam reads
 * and writes weight, gradient and two moments: 16 bytes read and 12 written per value).
 */
@State(Scope.Thread)
public class OptimizerBenchmark extends GemmBenchmarkDefaults {
    @Param({"adam", "sgd-momentum", "sgd"})
    public String optimizer;

    private Optimizer opt;
    private Optimizer.UpdateStats stats;

    @Setup
    public void setUp() {
        Model m = Model.build(List.of(new Flatten(), new Dense(256), new Activation.ReLU(), new Dense(128), new Activation.ReLU(),
                new Dense(10)), Shape.of(1, 28, 28), new BuildContext(Init.DEFAULT, new SplittableRandom(1)));
        List<Parameter> ps = m.parameters();
        SplittableRandom r = new SplittableRandom(2);
        for (Parameter p : ps) {
            float[] g = p.grad().data();
            for (int i = 0; i < p.size(); i++) g[i] = (float) (r.nextGaussian() * 1e-3);
        }
        opt = switch (optimizer) {
            case "adam" -> Adam.adam(ps, 0);
            case "sgd-momentum" -> new Sgd(ps, 0.9, false, 0);
            case "sgd" -> new Sgd(ps, 0, false, 0);
            default -> throw new IllegalArgumentException(optimizer);
        };
        stats = new Optimizer.UpdateStats(ps.size());
    }

    /** Parameters in the model (printed nowhere by JMH; see the class comment). */
    static final int PARAMETERS = 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10;

    @Benchmark
    public Optimizer step() {
        opt.step(1e-3f, null);
        return opt;
    }

    @Benchmark
    public Optimizer observedStep() {
        opt.step(1e-3f, stats);
        return opt;
    }
}
