package dev.vitals.bench;

import dev.vitals.core.kernel.Gemm;
import dev.vitals.core.kernel.Kernels;
import dev.vitals.core.nn.BuildContext;
import dev.vitals.core.nn.Conv2d;
import dev.vitals.core.nn.Init;
import dev.vitals.core.nn.Mode;
import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.SplittableRandom;

/**
 * The two convolutions of the Fashion-MNIST CNN at batch 64, forward and backward, as the layer runs
 * them (im2col of the whole batch, one GEMM, the bias and layout copy; backward: layout copy, bias
 * gradient, weight-gradient GEMM, input-gradient GEMM and col2im). conv1: 64x1x28x28 -> 32 filters
 * 3x3, backward without an input gradient (it is the model's first layer); conv2: 64x32x13x13 -> 64
 * filters 3x3, backward with it. Score: calls per second (throughput, as the GEMM benchmarks).
 */
@State(Scope.Thread)
public class Conv2dBenchmark extends GemmBenchmarkDefaults {
    @Param({"conv1", "conv2"})
    public String layer;

    @Param({"openblas-1", "openblas-2"})
    public String kernel;

    private Conv2d conv;
    private Tensor x, gy;
    private boolean inputGrad;

    @Setup
    public void setUp() {
        Gemm g = GemmFixture.kernel(kernel);
        Kernels.use(g);
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
