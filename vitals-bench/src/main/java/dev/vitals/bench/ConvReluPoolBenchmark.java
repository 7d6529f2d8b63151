package dev.vitals.bench;

import dev.vitals.core.kernel.Passes;
import dev.vitals.core.nn.Activation;
import dev.vitals.core.nn.BuildContext;
import dev.vitals.core.nn.Conv2d;
import dev.vitals.core.nn.Init;
import dev.vitals.core.nn.MaxPool;
import dev.vitals.core.nn.Mode;
import dev.vitals.core.nn.Model;
import dev.vitals.core.nn.Sequential;
import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The CNN's conv2 with its ReLU and 2x2 pooling (64x32x13x13 -> 64 filters 3x3 -> 64x64x5x5), one
 * training step's forward and backward pass with the input gradient, batch 64, Vitals' own
 * threading: {@code layers}, the three layers one after another (ReLU and pooling plane by plane);
 * {@code exact}, the fused group as any training step runs it (ReLU and pooling in Winograd's output
 * transform, the convolution's own backward pass); {@code sparse}, as whole training runs do from
 * step 1,000 (the gradients from the nonzero values pooling leaves). Each fork first waits for the
 * Vector API warm-up, so that every mode runs the compiled vector loops. Score: steps per second.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ConvReluPoolBenchmark extends GemmBenchmarkDefaults {
    @Param({"layers", "exact", "sparse"})
    public String mode;

    private Model model;
    private Sequential body;
    private Tensor x, gy;

    @Setup
    public void setUp() throws InterruptedException {
        model = Model.build(List.of(new Conv2d(64, 3, 1, 0), new Activation.ReLU(), new MaxPool(2)), Shape.of(32, 13, 13),
                new BuildContext(Init.DEFAULT, new SplittableRandom(1)));
        body = model.body();
        // conv2's input is a pooled ReLU output: non-negative
        x = Conv2dBenchmark.random(64, model.inputShape(), 2);
        for (int i = 0; i < x.size(); i++) x.data()[i] = Math.max(0f, x.data()[i]);
        gy = Conv2dBenchmark.random(64, model.outputShape(), 3);
        Passes.vectorSoon(1);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Passes.describe().startsWith("Vector API") && System.nanoTime() < deadline) Thread.sleep(50);
        System.out.println("# passes: " + Passes.describe());
    }

    @Benchmark
    public Tensor step() {
        switch (mode) {
            case "layers" -> body.forwardGroup(0, x, Mode.TRAIN);
            case "exact" -> model.forwardStep(x, Mode.TRAIN, false, false);
            default -> model.forwardStep(x, Mode.TRAIN, false, true);
        }
        return body.backwardGroup(0, gy, true);
    }
}
