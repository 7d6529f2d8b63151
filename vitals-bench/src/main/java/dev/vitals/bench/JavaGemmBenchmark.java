package dev.vitals.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The plain-Java reference, only at sizes where it finishes in reasonable time. */
@State(Scope.Thread)
public class JavaGemmBenchmark extends GemmBenchmarkDefaults {
    @Param({"square-64", "square-256", "mlp-b64-fc3-fwd", "cnn-conv2-fwd"})
    public String shape;

    @Param({"java"})
    public String kernel;

    private GemmFixture fixture;

    @Setup
    public void setUp() { fixture = new GemmFixture(shape, kernel); }

    @Benchmark
    public float[] sgemm() { return fixture.run(); }
}
