package dev.vitals.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The calls the layers make on the project's workloads (names in {@link GemmShapes}). */
@State(Scope.Thread)
public class GemmModelBenchmark extends GemmBenchmarkDefaults {
    @Param({"mlp-b64-fc1-fwd", "mlp-b64-fc1-wgrad", "mlp-b64-fc2-fwd", "mlp-b64-fc2-igrad", "mlp-b64-fc3-fwd",
            "mlp-b256-fc1-fwd", "mlp-b256-fc1-wgrad",
            "cnn-b64-conv1-fwd", "cnn-b64-conv1-wgrad", "cnn-b64-conv2-fwd", "cnn-b64-conv2-wgrad", "cnn-b64-conv2-igrad",
            "cnn-fc-b64-fwd", "cnn-fc-b64-wgrad",
            "doc-b64-fc1-fwd", "doc-b64-fc1-wgrad", "doc-b64-fc2-fwd", "doc-b64-fc2-igrad"})
    public String shape;

    @Param({"openblas-1", "openblas-2", "vector-1", "vector-2"})
    public String kernel;

    private GemmFixture fixture;

    @Setup
    public void setUp() { fixture = new GemmFixture(shape, kernel); }

    @Benchmark
    public float[] sgemm() { return fixture.run(); }
}
