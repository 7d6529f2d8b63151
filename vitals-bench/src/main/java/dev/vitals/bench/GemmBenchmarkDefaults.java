package dev.vitals.bench;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Settings shared by the GEMM benchmarks. Each (shape, kernel) pair runs in its own fork, so
 * OpenBLAS's process-wide thread count and the JIT's profile belong to that pair alone. The forks run
 * with {@code -Dvitals.openblas.javaThreads=false}: there "openblas-N" is OpenBLAS on N threads of its
 * own, the setting {@code bench/gemm-native} measures from C, not Vitals' split over its workers.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Dvitals.openblas.javaThreads=false"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public abstract class GemmBenchmarkDefaults {
}
