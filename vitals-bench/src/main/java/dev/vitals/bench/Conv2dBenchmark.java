package dev.vitals.bench;

import dev.vitals.core.nn.BuildContext;
import dev.vitals.core.nn.Conv2d;
import dev.vitals.core.nn.Init;
import dev.vitals.core.nn.Mode;
import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.SplittableRandom;

/**
 * The two convolutions of the Fashion-MNIST CNN at batch 64, forward and backward, as training runs
 * them: the process's kernel as Vitals chooses it (OpenBLAS one thread per call), each example
 * unfolded and multiplied on the worker threads (backward: the weight and bias gradients per part,
 * the input gradient and col2im). conv1: 64x1x28x28 -> 32 filters 3x3, backward without an input
 * gradient (it is the model's first layer); conv2: 64x32x13x13 -> 64 filters 3x3, backward with it.
 * Score: calls per second (throughput, as the GEMM benchmarks). Unlike the GEMM benchmarks' forks,
 * these keep Vitals' own threading.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class Conv2dBenchmark extends GemmBenchmarkDefaults {
    @Param({"conv1", "conv2"})
    public String layer;

    private Conv2d conv;
    private Tensor x, gy;
    private boolean inputGrad;

    @Setup
    public void setUp() {
        Shape in = layer.equals("conv1") ? Shape.of(1, 28, 28) : Shape.of(32, 13, 13);
        conv = new Conv2d(layer.equals("conv1") ? 32 : 64, 3, 1, 0);
        Shape out = conv.build(in, new BuildContext(Init.DEFAULT, new SplittableRandom(1)));
        inputGrad = layer.equals("conv2");
        x = random(64, in, 2);
        gy = random(64, out, 3);
        conv.forward(x, Mode.TRAIN);
    }

    static Tensor random(int batch, Shape example, long seed) {
        Tensor t = Tensor.reuse(null, batch, example);
        SplittableRandom r = new SplittableRandom(seed);
        float[] d = t.data();
        for (int i = 0; i < t.size(); i++) d[i] = (float) r.nextGaussian();
        return t;
    }

    @Benchmark
    public Tensor forward() { return conv.forward(x, Mode.TRAIN); }

    @Benchmark
    public Tensor backward() { return conv.backward(gy, inputGrad); }
}
