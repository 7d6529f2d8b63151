package dev.vitals.bench;

import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the GEMM benchmarks through JMH and prints their scores as GFLOPS (2*m*n*k floating-point
 * operations per call), one row per shape and one column per kernel. Arguments are JMH's own
 * (e.g. {@code -p shape=square-512 -p kernel=vector-1,openblas-1}, or a benchmark regex); warm-up and
 * measurement default to short settings unless given.
 */
public final class GemmReport {
    private static final List<String> KERNEL_ORDER = List.of("openblas-1", "openblas-2", "vector-1", "vector-2", "java");

    private GemmReport() {}

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        if (cli.shouldHelp() || cli.shouldList() || cli.shouldListWithParams()) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        ChainedOptionsBuilder opts = new OptionsBuilder().parent(cli)
                .mode(org.openjdk.jmh.annotations.Mode.Throughput).timeUnit(TimeUnit.SECONDS);
        if (cli.getIncludes().isEmpty()) opts.include("Gemm|PeakFma");
        if (!cli.getWarmupIterations().hasValue()) opts.warmupIterations(2);
        if (!cli.getWarmupTime().hasValue()) opts.warmupTime(TimeValue.milliseconds(500));
        if (!cli.getMeasurementIterations().hasValue()) opts.measurementIterations(5);
        if (!cli.getMeasurementTime().hasValue()) opts.measurementTime(TimeValue.milliseconds(500));
        String loadBefore = loadAverage();
        Collection<RunResult> results = new Runner(opts.build()).run();
        print(results, loadBefore, System.out);
    }

    /** The figure for one Zen 5 core (AVX-512, two FMA pipes, ~3.3 GHz), used when the peak was not measured. */
    static final double ASSUMED_PEAK_PER_CORE = 213;

    static void print(Collection<RunResult> results, String loadBefore, PrintStream out) {
        Map<String, Map<String, Result<?>>> byShape = new LinkedHashMap<>();
        List<String> kernels = new ArrayList<>();
        double measuredPeak = Double.NaN;
        for (RunResult r : results) {
            if (r.getParams().getBenchmark().endsWith("PeakFmaBenchmark.fma")) {
                measuredPeak = r.getPrimaryResult().getStatistics().getMax() * peakFlopsPerCall() / 1e9;
                continue;
            }
            String shape = r.getParams().getParam("shape"), kernel = r.getParams().getParam("kernel");
            if (shape == null || kernel == null) continue;
            // The same pair can come from two benchmark classes when -p overrides their params; keep the first.
            byShape.computeIfAbsent(shape, s -> new LinkedHashMap<>()).putIfAbsent(kernel, r.getPrimaryResult());
            if (!kernels.contains(kernel)) kernels.add(kernel);
        }
        double peak = Double.isNaN(measuredPeak) ? Double.parseDouble(System.getProperty("vitals.peak.gflops",
                Double.toString(ASSUMED_PEAK_PER_CORE))) : measuredPeak;
        kernels.sort((x, y) -> Integer.compare(order(x), order(y)));
        if (byShape.isEmpty() && Double.isNaN(measuredPeak)) return; // no GEMM in this run: JMH's own table says it all
        out.println();
        out.printf(Locale.ROOT, "GEMM throughput in GFLOPS (2*m*n*k per call): mean / best measurement iteration (best as %% of peak).%n");
        out.printf(Locale.ROOT, "On a busy machine the best iteration is the better estimate of what the kernel can do.%n");
        out.printf(Locale.ROOT, "Peak: %.1f GFLOPS per core, %s; a kernel on N threads is compared with N cores' peak.%n", peak,
                Double.isNaN(measuredPeak) ? (System.getProperty("vitals.peak.gflops") != null ? "as given by -Dvitals.peak.gflops"
                        : "assumed (the issue's figure for a Zen 5 core; run PeakFma to measure it)")
                        : "measured by PeakFmaBenchmark (best iteration of an FMA-bound Vector API loop, one thread)");
        out.printf(Locale.ROOT, "%d cores, %s %s, load average %s before and %s after%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), loadBefore, loadAverage());
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-20s %-20s", "shape", "call"));
        for (String k : kernels) head.append(String.format(Locale.ROOT, " %21s", k));
        boolean ratio = kernels.contains("vector-1") && kernels.contains("openblas-1");
        if (ratio) head.append("  vector-1/openblas-1 (best)");
        out.println(head);
        for (var e : byShape.entrySet()) {
            GemmShapes.Shape s = GemmShapes.get(e.getKey());
            double gflop = s.flops() / 1e9;
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-20s %-20s", s.name(), s.describe()));
            for (String k : kernels) {
                Result<?> r = e.getValue().get(k);
                if (r == null) {
                    row.append(String.format(Locale.ROOT, " %21s", "-"));
                } else {
                    double best = r.getStatistics().getMax() * gflop;
                    row.append(String.format(Locale.ROOT, " %6.1f / %6.1f (%3.0f%%)", r.getScore() * gflop, best,
                            100 * best / (peak * cores(k))));
                }
            }
            if (ratio) {
                Result<?> v = e.getValue().get("vector-1"), o = e.getValue().get("openblas-1");
                if (v != null && o != null) {
                    row.append(String.format(Locale.ROOT, "  %25.0f%%", 100 * v.getStatistics().getMax() / o.getStatistics().getMax()));
                }
            }
            out.println(row);
        }
    }

    /** Cores a kernel may use: openblas-N and vector-N use N (at most the machine's), java one. */
    static int cores(String kernel) {
        int dash = kernel.indexOf('-');
        int n = dash < 0 ? 1 : Integer.parseInt(kernel.substring(dash + 1));
        return Math.max(1, Math.min(n, Runtime.getRuntime().availableProcessors()));
    }

    /** PeakFmaBenchmark's flops per call; needs the Vector API module in this JVM (bench/gemm adds it). */
    private static double peakFlopsPerCall() {
        try {
            return PeakFmaBenchmark.flopsPerCall();
        } catch (LinkageError e) {
            return Double.NaN;
        }
    }

    private static int order(String kernel) {
        int i = KERNEL_ORDER.indexOf(kernel);
        return i < 0 ? KERNEL_ORDER.size() : i;
    }

    /** The 1-minute load average where the system reports one: other work on the machine skews the numbers. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "n/a";
        }
    }
}
