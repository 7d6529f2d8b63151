package dev.vitals.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Square products, where a kernel's peak shows. Score: calls per second; {@link GemmReport} turns it into GFLOPS. */
@State(Scope.Thread)
public class GemmSquareBenchmark extends GemmBenchmarkDefaults {
    @Param({"square-512", "square-1024", "square-2048"})
    public String shape;

    @Param({"openblas-1", "openblas-2", "vector-1", "vector-2"})
    public String kernel;

    private GemmFixture fixture;

    @Setup
    public void setUp() { fixture = new GemmFixture(shape, kernel); }

    @Benchmark
    public float[] sgemm() { return fixture.run(); }
}
