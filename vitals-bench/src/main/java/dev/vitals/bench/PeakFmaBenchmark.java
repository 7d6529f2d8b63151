package dev.vitals.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The machine's single-core float32 peak as the JIT reaches it: fused multiply-adds on the widest
 * vectors, {@value #ACCUMULATORS} independent chains (more than latency x FMA pipes on current
 * cores, so the chains never wait on each other), no memory traffic. {@link GemmReport} turns the
 * score into GFLOPS ({@link #flopsPerCall()} per call) and states every GEMM result as a fraction of
 * it. On Zen 5 with AVX-512 (two 512-bit FMA pipes) the expected figure is 16 lanes x 2 flops x 2
 * pipes x clock, e.g. 213 GFLOPS at 3.3 GHz: the figure.
 */
@State(Scope.Thread)
public class PeakFmaBenchmark extends GemmBenchmarkDefaults {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int ACCUMULATORS = 12, ROUNDS = 4096;

    private float[] seed;

    /** Floating-point operations per call of {@link #fma()}: two per lane per FMA. */
    static double flopsPerCall() { return 2.0 * S.length() * ACCUMULATORS * ROUNDS; }

    @Setup
    public void setUp() {
        seed = new float[S.length() * 2];
        for (int i = 0; i < seed.length; i++) seed[i] = 1f + i * 1e-6f;
    }

    @Benchmark
    public float fma() {
        FloatVector m = FloatVector.fromArray(S, seed, 0), c = FloatVector.fromArray(S, seed, S.length()).mul(1e-7f);
        FloatVector a0 = c, a1 = c, a2 = c, a3 = c, a4 = c, a5 = c, a6 = c, a7 = c, a8 = c, a9 = c, a10 = c, a11 = c;
        for (int r = 0; r < ROUNDS; r++) {
            a0 = a0.fma(m, c); a1 = a1.fma(m, c); a2 = a2.fma(m, c); a3 = a3.fma(m, c);
            a4 = a4.fma(m, c); a5 = a5.fma(m, c); a6 = a6.fma(m, c); a7 = a7.fma(m, c);
            a8 = a8.fma(m, c); a9 = a9.fma(m, c); a10 = a10.fma(m, c); a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11).reduceLanes(
                jdk.incubator.vector.VectorOperators.ADD);
    }
}
