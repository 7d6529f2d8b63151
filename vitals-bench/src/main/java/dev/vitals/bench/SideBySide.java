package dev.vitals.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vitals.core.data.Dataset;
import dev.vitals.core.data.PreparedData;
import dev.vitals.core.kernel.Gemm;
import dev.vitals.core.kernel.Kernels;
import dev.vitals.core.kernel.Passes;
import dev.vitals.core.kernel.OpenBlasGemm;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.spec.SpecParser;
import dev.vitals.core.train.EpochResult;
import dev.vitals.core.train.Experiment;
import dev.vitals.core.train.RunResult;
import dev.vitals.core.train.Trainer;
import dev.vitals.doctor.WatchedRun;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The Vitals side of {@code bench/side-by-side}, one process per run so that each run's peak memory
 * is its own. Subcommands:
 * <ul>
 *   <li>{@code run --workload W --epochs E [--subset TRAIN,TEST] [--fashion DIR] [--watched]}: trains
 *       one workload and prints one JSON line (epoch seconds, test accuracy, peak RSS), the same
 *       fields as {@code bench/pytorch_reference.py};</li>
 *   <li>{@code export-documents --out FILE.npz [--subset ...]}: writes the documents workload's prepared
 *       splits (x_train, y_train, x_test, y_test) for the PyTorch side, so both train on identical numbers;</li>
 *   <li>{@code table FILE.jsonl [--note LINE]...}: the comparison table from both sides' JSON lines;</li>
 *   <li>{@code overhead [--workload mlp64] [--epochs 1] [--repeats N] [--subset ...]}: the cost of the
 *       doctor's monitoring, one JVM, runs alternating between monitored and bare;</li>
 *   <li>{@code profile [--workload cnn] [--epochs 2] [--subset ...]}: where an epoch's time goes, per
 *       layer and pass, GEMM and the rest ({@link StepProfile}).</li>
 * </ul>
 * Workloads are the specs below; data: Fashion-MNIST (standardised per channel on the training split)
 * and the synthetic documents (TF-IDF rows, not normalised further).
 */
public final class SideBySide {
    static final List<String> WORKLOADS = List.of("mlp64", "mlp256", "cnn", "docs");
    private static final ObjectMapper JSON = new ObjectMapper();

    private SideBySide() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) usage("a subcommand is needed");
        Map<String, List<String>> o = options(Arrays.copyOfRange(args, 1, args.length));
        switch (args[0]) {
            case "run" -> run(o);
            case "export-documents" -> exportDocuments(o);
            case "table" -> table(o);
            case "overhead" -> overhead(o);
            case "core-latency" -> System.out.printf(Locale.ROOT, "%.0f%n", coreRoundTripNanos());
            case "profile" -> {
                String subset = opt(o, "subset", null);
                Spec spec = spec(opt(o, "workload", "cnn"), Integer.parseInt(opt(o, "epochs", "2")), opt(o, "fashion", null),
                        subset != null);
                StepProfile.run(spec, data(spec, subset));
            }
            default -> usage("unknown subcommand '" + args[0] + "'");
        }
    }

    private static void usage(String why) {
        System.err.println("error: " + why + "\nusage: SideBySide run|export-documents|table|overhead|profile|core-latency [options] (see bench/side-by-side)");
        System.exit(2);
    }

    /** {@code --key value} pairs (repeatable), {@code --flag} alone, and bare words under "". */
    static Map<String, List<String>> options(String[] args) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--")) {
                String key = a.substring(2), value = "true";
                int eq = key.indexOf('=');
                if (eq >= 0) {
                    value = key.substring(eq + 1);
                    key = key.substring(0, eq);
                } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                    value = args[++i];
                }
                m.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
            } else {
                m.computeIfAbsent("", k -> new ArrayList<>()).add(a);
            }
        }
        return m;
    }

    private static String opt(Map<String, List<String>> o, String key, String dflt) {
        List<String> v = o.get(key);
        return v == null || v.isEmpty() ? dflt : v.get(v.size() - 1);
    }

    // ---- workloads -----------------------------------------------------------------------------

    /** The spec of a workload, as a user would write it. {@code fashion} null: Vitals' own search for the files. */
    static Spec spec(String workload, int epochs, String fashion, boolean quick) {
        String source = fashion == null ? "fashion-mnist" : "\"idx:" + fashion.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        String data = "data: {source: " + source + ", test: auto, validation: 0, normalize: standard}\n";
        String yaml = switch (workload) {
            case "mlp64", "mlp256" -> "name: side-by-side-" + workload + "\nseed: 1\n" + data
                    + "model: {init: default, layers: [flatten, {dense: 256}, relu, {dense: 128}, relu, {dense: 10}]}\n"
                    + "train: {epochs: " + epochs + ", batch: " + (workload.equals("mlp64") ? 64 : 256) + "}\n";
            case "cnn" -> "name: side-by-side-cnn\nseed: 1\n" + data
                    + "model: {init: default, layers: [{conv2d: {filters: 32, kernel: 3}}, relu, {maxpool: 2},"
                    + " {conv2d: {filters: 64, kernel: 3}}, relu, {maxpool: 2}, flatten, {dense: 128}, relu, {dense: 10}]}\n"
                    + "train: {epochs: " + epochs + ", batch: 64}\n";
            // 5000 inputs, 50 classes; 10,000 documents (2,000 held out as the test split), 1,000 with --quick;
            // generated from seed 1 whatever the run's seed, so that every repeat trains on the same documents
            case "docs" -> "name: side-by-side-docs\nseed: 1\n"
                    + "data: {source: \"synthetic:documents\", options: {samples: " + (quick ? 1000 : 10000)
                    + ", classes: 50, features: 5000, seed: 1}, test: auto, validation: 0, normalize: none}\n"
                    + "model: {init: default, layers: [{dense: 2048}, relu, {dense: 1024}, relu, {dense: 512}, relu,"
                    + " {dense: 256}, relu, {dense: 128}, relu, {dense: 50}]}\n"
                    + "train: {epochs: " + epochs + ", batch: 64}\n";
            default -> throw new IllegalArgumentException("unknown workload '" + workload + "'; known: " + WORKLOADS);
        };
        yaml += "loss: cross_entropy\noptimizer: {name: adam, lr: 0.001}\n";
        return SpecParser.parse(yaml, null);
    }

    /**
     * The workload's prepared data, cut to the first {@code train} and {@code test} examples of each
     * split when asked ({@code --subset TRAIN,TEST}; the PyTorch side cuts the same way, after
     * normalising with the full training split's statistics, as here).
     */
    static PreparedData data(Spec spec, String subset) {
        PreparedData d = Experiment.loadData(spec);
        if (subset == null) return d;
        String[] p = subset.split(",");
        int tr = Integer.parseInt(p[0].trim()), te = p.length > 1 ? Integer.parseInt(p[1].trim()) : tr;
        return new PreparedData(first(d.train(), tr), d.validation(), first(d.test(), te), d.normalizer(), d.description());
    }

    private static Dataset first(Dataset d, int n) {
        if (d == null || n >= d.size()) return d;
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        return d.subset(idx);
    }

    // ---- run -------------------------------------------------------------------------------------

    private static void run(Map<String, List<String>> o) throws IOException {
        String workload = opt(o, "workload", null);
        if (workload == null) usage("run needs --workload");
        int epochs = Integer.parseInt(opt(o, "epochs", "5"));
        String subset = opt(o, "subset", null);
        Spec spec = spec(workload, epochs, opt(o, "fashion", null), subset != null);
        // A seed other than the workload's draws another initialisation and shuffle order; the data
        // stay the same (the documents' generator has its own seed in the options).
        String seed = opt(o, "seed", null);
        if (seed != null) spec = spec.withSeed(Long.parseLong(seed));
        PreparedData data = data(spec, subset);
        Experiment e = Experiment.of(spec, data);
        boolean watched = Boolean.parseBoolean(opt(o, "watched", "false"));
        RunResult r;
        StepClock clock = new StepClock();
        if (watched) {
            WatchedRun.Preflight pre = WatchedRun.preflight(spec, data);
            r = WatchedRun.train(pre, e, f -> { }, clock).result();
        } else {
            // as vitals train runs it (WatchedRun turns fused steps on too)
            e.trainer().fusedSteps(Trainer.FUSED_FROM_STEP);
            r = e.fit();
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("framework", "vitals");
        out.put("version", version());
        out.put("workload", workload);
        out.put("seed", spec.seed());
        out.put("batch", spec.train().batch());
        out.put("train_size", data.train().size());
        out.put("kernel", kernelDescription());
        out.put("watched", watched);
        ArrayNode secs = out.putArray("epoch_seconds");
        for (EpochResult er : r.epochs()) secs.add(er.seconds());
        // What the observed steps of the later epochs cost in this fresh JVM, where the doctor's rules
        // run as cold code. Not the first epoch's: its observed steps are its first 20, which run before
        // the JIT has compiled the step, so against the epoch's median step they look dearer than they are.
        if (watched && r.epochs().size() > 1) out.put("monitoring_ms_later_epochs", clock.extraMsPerEpoch(1));
        out.put("test_accuracy", r.testAccuracy());
        out.put("peak_rss_mb", peakRssMb());
        System.out.println(JSON.writeValueAsString(out));
    }

    static String version() {
        String v = SideBySide.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }

    static String kernelDescription() {
        Gemm g = Kernels.gemm();
        String s = g.name();
        if (g instanceof OpenBlasGemm ob) s += (ob.core().isEmpty() ? "" : " " + ob.core()) + ", " + ob.threading();
        String note = Kernels.note();
        if (!note.isEmpty()) s += " (" + note + ")";
        // asked when the run has ended: whether its warm-up won
        return s + ", " + Passes.describe();
    }

    /** The process's peak resident set (VmHWM), in MiB; -1 where /proc does not tell. */
    static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    // ---- export-documents -----------------------------------------------------------------------

    private static void exportDocuments(Map<String, List<String>> o) throws IOException {
        String out = opt(o, "out", null);
        if (out == null) usage("export-documents needs --out FILE.npz");
        String subset = opt(o, "subset", null);
        PreparedData d = data(spec("docs", 1, null, subset != null), subset);
        writeNpz(Path.of(out), d.train(), d.test());
        System.err.printf(Locale.ROOT, "documents: %d train and %d test rows of %d features written to %s%n",
                d.train().size(), d.test().size(), d.train().features(), out);
    }

    /** A NumPy .npz (a zip of .npy files): x_train, y_train, x_test (float32 [n, f]) and y_test (int32 [n]). */
    static void writeNpz(Path file, Dataset train, Dataset test) throws IOException {
        try (OutputStream fo = Files.newOutputStream(file);
             ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(fo, 1 << 20))) {
            zip.setLevel(Deflater.BEST_SPEED);
            for (var e : Map.of("train", train, "test", test).entrySet()) {
                Dataset d = e.getValue();
                zip.putNextEntry(new ZipEntry("x_" + e.getKey() + ".npy"));
                writeNpy(zip, "<f4", new long[] {d.size(), d.features()}, d.x(), null);
                zip.closeEntry();
                zip.putNextEntry(new ZipEntry("y_" + e.getKey() + ".npy"));
                writeNpy(zip, "<i4", new long[] {d.size()}, null, d.labels());
                zip.closeEntry();
            }
        }
    }

    static void writeNpy(OutputStream out, String descr, long[] shape, float[] f, int[] i) throws IOException {
        StringBuilder dims = new StringBuilder();
        for (long s : shape) dims.append(s).append(", ");
        if (shape.length > 1) dims.setLength(dims.length() - 2);
        String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        DataOutputStream d = new DataOutputStream(out);
        d.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        int len = header.length();
        d.write(len & 0xFF);
        d.write(len >>> 8);
        d.write(header.getBytes(StandardCharsets.US_ASCII));
        int n = f != null ? f.length : i.length;
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < n; k++) {
            if (f != null) buf.putFloat(f[k]);
            else buf.putInt(i[k]);
            if (!buf.hasRemaining()) {
                d.write(buf.array(), 0, buf.position());
                buf.clear();
            }
        }
        d.write(buf.array(), 0, buf.position());
        d.flush();
    }

    // ---- table -----------------------------------------------------------------------------------

    /** One workload and framework, over all its repeats. */
    record Row(String workload, String framework, List<Double> epochSeconds, List<Double> accuracy, List<Double> rss,
               int trainSize, int epochs) {
        double medianEpoch() { return median(epochSeconds); }
    }

    private static void table(Map<String, List<String>> o) throws IOException {
        List<String> files = o.getOrDefault("", List.of());
        if (files.size() != 1) usage("table needs one results file");
        List<JsonNode> results = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(files.get(0)))) {
            if (!line.isBlank()) results.add(JSON.readTree(line));
        }
        System.out.print(table(results, o.getOrDefault("note", List.of())));
    }

    /**
     * Each repeat's pair of runs: median epochs, their ratio, and the cache-line round trip between
     * the two cores measured just before each run (the script adds it as {@code core_round_trip_ns}).
     * On a VM whose two vCPUs the host sometimes places on one die and sometimes on two, that round
     * trip (about 70 against 480 ns on the machine of docs/PERFORMANCE.md) says which a run got.
     */
    private static void runByRun(List<JsonNode> results, List<String> workloads, StringBuilder sb) {
        boolean any = results.stream().anyMatch(r -> r.has("core_round_trip_ns"));
        sb.append("run by run: median epoch s").append(any ? " (core-to-core round trip measured before the run, ns)" : "").append('\n');
        for (String wl : workloads) {
            List<JsonNode> v = new ArrayList<>(), p = new ArrayList<>();
            for (JsonNode r : results) {
                if (!workloadName(r).equals(wl)) continue;
                (r.path("framework").asText().startsWith("pytorch") ? p : v).add(r);
            }
            for (int i = 0; i < Math.max(v.size(), p.size()); i++) {
                sb.append(String.format(Locale.ROOT, "%-8s run %d:", wl, i + 1));
                double vs = i < v.size() ? medianEpoch(v.get(i)) : Double.NaN, ps = i < p.size() ? medianEpoch(p.get(i)) : Double.NaN;
                if (i < v.size()) sb.append(String.format(Locale.ROOT, "  vitals %.3f%s", vs, roundTrip(v.get(i))));
                if (i < p.size()) sb.append(String.format(Locale.ROOT, "  pytorch %.3f%s", ps, roundTrip(p.get(i))));
                if (i < v.size() && i < p.size()) sb.append(String.format(Locale.ROOT, "  %.2fx", ps / vs));
                sb.append('\n');
            }
        }
    }

    /** The watched runs' monitoring cost in their later epochs, accounted inside them, against those epochs less that cost. */
    private static void monitoringCost(List<JsonNode> results, StringBuilder sb) {
        for (JsonNode r : results) {
            if (!r.has("monitoring_ms_later_epochs")) continue;
            List<Double> secs = epochSeconds(r);
            double later = r.path("monitoring_ms_later_epochs").asDouble(), epoch = median(secs.subList(1, secs.size()));
            sb.append(String.format(Locale.ROOT, "monitoring, %s seed %d: %.1f ms an epoch after the first (%.1f%%), accounted inside the watched run%n",
                    r.path("workload").asText(), r.path("seed").asLong(), later, 100 * later / (1000 * epoch - later)));
        }
    }

    private static double medianEpoch(JsonNode r) {
        List<Double> secs = epochSeconds(r);
        return secs.isEmpty() ? Double.NaN : median(secs);
    }

    /** A result line's epoch times, s. */
    private static List<Double> epochSeconds(JsonNode r) {
        List<Double> secs = new ArrayList<>();
        for (JsonNode s : r.path("epoch_seconds")) secs.add(s.asDouble());
        return secs;
    }

    /** A result line's workload as the tables name it ("docs"; a result may name the documents "documents"). */
    private static String workloadName(JsonNode r) {
        String w = r.path("workload").asText();
        return w.equals("documents") ? "docs" : w;
    }

    private static String roundTrip(JsonNode r) {
        return r.has("core_round_trip_ns") ? String.format(Locale.ROOT, " (%d ns)", r.path("core_round_trip_ns").asLong()) : "";
    }

    /**
     * The time for a cache line to go from one core to another and back: two threads take turns
     * writing one volatile value, 100,000 times; the median of three such measurements.
     */
    static double coreRoundTripNanos() throws InterruptedException {
        double[] m = new double[3];
        for (int k = 0; k < m.length; k++) {
            int n = 100_000;
            java.util.concurrent.atomic.AtomicLong flag = new java.util.concurrent.atomic.AtomicLong();
            Thread other = new Thread(() -> {
                for (long i = 1; i <= n; i++) {
                    while (flag.get() != 2 * i - 1) Thread.onSpinWait();
                    flag.set(2 * i);
                }
            });
            other.setDaemon(true);
            other.start();
            long t0 = System.nanoTime();
            for (long i = 1; i <= n; i++) {
                flag.set(2 * i - 1);
                while (flag.get() != 2 * i) Thread.onSpinWait();
            }
            m[k] = (System.nanoTime() - t0) / (double) n;
            other.join();
        }
        Arrays.sort(m);
        return m[1];
    }

    static String table(List<JsonNode> results, List<String> notes) {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (JsonNode r : results) {
            String fw = r.path("framework").asText().startsWith("pytorch") ? "pytorch" : "vitals";
            String wl = workloadName(r);
            List<Double> secs = epochSeconds(r);
            Row row = rows.computeIfAbsent(wl + "|" + fw, k -> new Row(wl, fw, new ArrayList<>(), new ArrayList<>(),
                    new ArrayList<>(), r.path("train_size").asInt(), secs.size()));
            row.epochSeconds().addAll(secs);
            row.accuracy().add(r.path("test_accuracy").asDouble());
            row.rss().add(r.path("peak_rss_mb").asDouble());
        }
        StringBuilder sb = new StringBuilder();
        for (String n : notes) sb.append(n).append('\n');
        java.util.Set<String> vitalsKernels = new java.util.LinkedHashSet<>(), torchSetups = new java.util.LinkedHashSet<>();
        for (JsonNode r : results) {
            if (r.path("framework").asText().startsWith("pytorch")) {
                String core = r.path("blas_core").asText("");
                torchSetups.add("torch " + r.path("version").asText() + ", " + r.path("threads").asText() + " threads, BLAS "
                        + r.path("blas").asText() + (core.isEmpty() ? "" : " (" + core + " kernels)"));
            } else {
                vitalsKernels.add("vitals " + r.path("version").asText() + ", GEMM " + r.path("kernel").asText()
                        + (r.path("watched").asBoolean() ? ", every doctor monitor on" : ""));
            }
        }
        for (String k : vitalsKernels) sb.append(k).append('\n');
        for (String k : torchSetups) sb.append(k).append('\n');
        sb.append(String.format(Locale.ROOT, "%-8s %-8s %6s %7s %10s %11s %10s %9s %10s %14s%n", "workload", "framework",
                "epochs", "runs", "epoch s", "samples/s", "test acc", "peak MB", "epoch min", "pytorch/vitals"));
        List<String> order = new ArrayList<>();
        for (Row r : rows.values()) if (!order.contains(r.workload())) order.add(r.workload());
        for (String wl : order) {
            Row v = rows.get(wl + "|vitals"), p = rows.get(wl + "|pytorch");
            for (Row r : new Row[] {v, p}) {
                if (r == null) continue;
                double med = r.medianEpoch();
                String ratio = "";
                if (r == v && p != null) ratio = String.format(Locale.ROOT, "%.2fx", p.medianEpoch() / med);
                sb.append(String.format(Locale.ROOT, "%-8s %-8s %6d %7d %10.3f %11.0f %10.4f %9.0f %10.3f %14s%n", r.workload(),
                        r.framework(), r.epochs(), r.accuracy().size(), med, r.trainSize() / med, median(r.accuracy()),
                        median(r.rss()), r.epochSeconds().stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN), ratio));
            }
        }
        sb.append("epoch s: median over every epoch of every run; samples/s: training examples / median epoch; test acc and\n"
                + "peak MB (VmHWM of the run's process): medians over runs; pytorch/vitals: PyTorch's median epoch over Vitals'\n"
                + "(above 1: Vitals is faster).\n");
        runByRun(results, order, sb);
        monitoringCost(results, sb);
        return sb.toString();
    }

    static double median(List<Double> xs) {
        if (xs.isEmpty()) return Double.NaN;
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = a.length;
        return n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
    }

    // ---- overhead --------------------------------------------------------------------------------

    /**
     * The cost of watching: the same workload trained from the same spec and data, one epoch per run by
     * default, in three ways that alternate in one JVM (the order rotates every round):
     * <ul>
     *   <li>bare: the trainer with no listeners and no observed steps after the first (the engine alone);</li>
     *   <li>engine: the trainer as specs configure it (statistics on the first 20 steps, then every 10th or 8 per epoch, whichever is sparser), no listeners;</li>
     *   <li>watched: as {@code vitals train} runs it, {@link WatchedRun} with every monitor attached
     *       (the preflight runs once, before timing; the console and metrics writers are not included);</li>
     *   <li>with {@code --modes}, also: listener (the trainer as specs configure it with one listener that
     *       does nothing), monitor (the doctor's Monitor alone, without WatchedRun).</li>
     * </ul>
     * One untimed round first warms the JIT. Reports median epoch seconds and the overhead over bare.
     * With two or more epochs per run it also reports the first epoch and the later ones apart: a run
     * observes its first 20 steps in full and then 8 steps an epoch, so the first epoch carries a
     * start-up cost that later epochs do not.
     */
    private static void overhead(Map<String, List<String>> o) throws InterruptedException {
        String workload = opt(o, "workload", "mlp64");
        int epochs = Integer.parseInt(opt(o, "epochs", "1"));
        int repeats = Integer.parseInt(opt(o, "repeats", "5"));
        String subset = opt(o, "subset", null);
        Spec spec = spec(workload, epochs, opt(o, "fashion", null), subset != null);
        PreparedData data = data(spec, subset);
        WatchedRun.Preflight pre = WatchedRun.preflight(spec, data);
        String[] modes = opt(o, "modes", "bare,engine,watched").split(",");
        if (!List.of(modes).contains("bare")) usage("overhead --modes must include bare");
        Map<String, List<Double>> secs = new LinkedHashMap<>(), first = new LinkedHashMap<>(), later = new LinkedHashMap<>();
        for (String m : modes) {
            secs.put(m, new ArrayList<>());
            first.put(m, new ArrayList<>());
            later.put(m, new ArrayList<>());
        }
        List<Double> pairRatio = new ArrayList<>(), laterRatio = new ArrayList<>();
        StepClock clock = new StepClock();
        for (int round = -1; round < repeats; round++) {
            double rt = coreRoundTripNanos();
            Map<String, Double> thisRound = new LinkedHashMap<>(), thisLater = new LinkedHashMap<>();
            for (int k = 0; k < modes.length; k++) {
                String m = modes[Math.floorMod(k + round, modes.length)];
                List<Double> epochSecs = runOnce(m, spec, data, pre, round >= 0 ? clock : new StepClock());
                double s = epochSecs.stream().mapToDouble(Double::doubleValue).sum();
                thisRound.put(m, s);
                if (epochSecs.size() > 1) thisLater.put(m, median(epochSecs.subList(1, epochSecs.size())));
                if (round >= 0) {
                    secs.get(m).add(s);
                    first.get(m).add(epochSecs.get(0));
                    later.get(m).addAll(epochSecs.subList(1, epochSecs.size()));
                }
            }
            if (round >= 0 && thisRound.containsKey("watched")) {
                pairRatio.add(thisRound.get("watched") / thisRound.get("bare"));
                if (thisLater.containsKey("watched")) laterRatio.add(thisLater.get("watched") / thisLater.get("bare"));
            }
            System.err.printf(Locale.ROOT, "round %d%s: %s, core-to-core round trip before it %.0f ns%n", round + 1,
                    round < 0 ? " (warm-up, not counted)" : "", thisRound, rt);
        }
        double bare = median(secs.get("bare"));
        System.out.printf(Locale.ROOT, "Monitoring overhead, workload %s (%d training examples), %d epoch(s) per run, %d rounds, kernel %s%n",
                workload, data.train().size(), epochs, repeats, kernelDescription());
        System.out.printf(Locale.ROOT, "%-8s %12s %12s %12s%n", "mode", "median s", "min s", "vs bare");
        for (String m : modes) {
            double med = median(secs.get(m));
            System.out.printf(Locale.ROOT, "%-8s %12.3f %12.3f %+11.1f%%%n", m, med,
                    secs.get(m).stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN), 100 * (med / bare - 1));
        }
        if (!pairRatio.isEmpty()) {
            System.out.printf(Locale.ROOT, "watched/bare, median of the per-round ratios: %+.1f%% (target: at most +2%%)%n",
                    100 * (median(pairRatio) - 1));
        }
        if (epochs > 1) {
            System.out.printf(Locale.ROOT, "%nFirst epoch (observes its first 20 steps in full) and later epochs (8 observed steps each):%n");
            System.out.printf(Locale.ROOT, "%-8s %14s %10s %16s %10s%n", "mode", "first epoch s", "vs bare", "later epochs s", "vs bare");
            double bareFirst = median(first.get("bare")), bareLater = median(later.get("bare"));
            for (String m : modes) {
                double f = median(first.get(m)), l = median(later.get(m));
                System.out.printf(Locale.ROOT, "%-8s %14.3f %+9.1f%% %16.3f %+9.1f%%%n", m, f, 100 * (f / bareFirst - 1), l, 100 * (l / bareLater - 1));
            }
            if (!laterRatio.isEmpty()) {
                System.out.printf(Locale.ROOT, "watched/bare, later epochs, median of the per-round ratios: %+.1f%%%n", 100 * (median(laterRatio) - 1));
            }
        }
        if (secs.containsKey("watched")) clock.report(median(first.get("bare")), epochs > 1 ? median(later.get("bare")) : Double.NaN);
    }

    /**
     * The monitoring cost accounted from inside the watched runs, which the VM's drift between runs
     * does not blur: each step is timed from one step event to the next (after the Monitor has
     * handled it), and what the observed steps took beyond the median of the others is their cost.
     */
    static final class StepClock implements dev.vitals.core.train.TrainingListener {
        private long last;
        private int epoch;
        /** [0] the first epoch, [1] the later ones: durations of observed and of other steps, ns. */
        private final List<List<Long>> observed = List.of(new ArrayList<>(), new ArrayList<>()), plain = List.of(new ArrayList<>(), new ArrayList<>());
        private final int[] epochsSeen = new int[2];

        @Override
        public void onEpochBegin(int e) {
            epoch = e;
            last = 0;
            epochsSeen[Math.min(e, 1)]++;
        }

        @Override
        public void onStep(dev.vitals.core.train.StepEvent s) {
            long t = System.nanoTime();
            // the first step of an epoch has no event before it in the epoch; it is left out on both sides
            if (last != 0) (s.observed ? observed : plain).get(Math.min(epoch, 1)).add(t - last);
            last = t;
        }

        /** The median of the unobserved steps, ns: {@code k} 0 the first epoch, 1 the later ones. */
        private double plainStep(int k) { return median(plain.get(k).stream().map(Long::doubleValue).toList()); }

        /** The observed steps' time beyond the median of the others, ns over all epochs of kind {@code k}. */
        private double extraNanos(int k) {
            double base = plainStep(k), extra = 0;
            for (long d : observed.get(k)) extra += d - base;
            return extra;
        }

        private boolean seen(int k) { return epochsSeen[k] > 0 && !plain.get(k).isEmpty(); }

        /** {@link #extraNanos} per epoch, in ms. */
        double extraMsPerEpoch(int k) { return seen(k) ? extraNanos(k) / epochsSeen[k] / 1e6 : Double.NaN; }

        void report(double bareFirst, double bareLater) {
            System.out.printf(Locale.ROOT, "%nAccounted inside the watched runs (observed steps' time beyond the median of the other steps; the JVM is warm from the rounds before):%n");
            for (int k = 0; k < 2; k++) {
                if (!seen(k)) continue;
                int n = observed.get(k).size();
                double perEpoch = extraMsPerEpoch(k) / 1e3, bare = k == 0 ? bareFirst : bareLater;
                System.out.printf(Locale.ROOT, "%-14s %5.1f observed steps an epoch, %4.0f us each beyond a %4.0f us step: %6.1f ms an epoch, %+.1f%% of bare's %.3f s%n",
                        k == 0 ? "first epoch:" : "later epochs:", (double) n / epochsSeen[k], n == 0 ? 0 : extraNanos(k) / n / 1e3,
                        plainStep(k) / 1e3, perEpoch * 1e3, 100 * perEpoch / bare, bare);
            }
        }
    }

    /** Each epoch's seconds of training (the epochs' own times: no data loading, no evaluation). */
    private static List<Double> runOnce(String mode, Spec spec, PreparedData data, WatchedRun.Preflight pre, StepClock clock) {
        Experiment e = Experiment.of(spec, data);
        // every mode trains as vitals train does (WatchedRun sets the same)
        e.trainer().fusedSteps(Trainer.FUSED_FROM_STEP);
        RunResult r = switch (mode) {
            case "bare" -> new Trainer(e.model(), e.loss(), e.optimizer(), Experiment.schedule(spec),
                    Experiment.trainerConfig(spec).withObserve(0, Integer.MAX_VALUE)).fusedSteps(Trainer.FUSED_FROM_STEP).fit(data.train(), null, null);
            case "engine" -> e.trainer().fit(data.train(), null, null);
            case "watched" -> WatchedRun.train(pre, e, f -> { }, clock).result();
            case "listener" -> e.fit(new dev.vitals.core.train.TrainingListener() { });
            case "monitor" -> e.fit(new dev.vitals.doctor.Monitor(f -> { }));
            default -> throw new IllegalArgumentException(mode);
        };
        return r.epochs().stream().map(EpochResult::seconds).toList();
    }
}
