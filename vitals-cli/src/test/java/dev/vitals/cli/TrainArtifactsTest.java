package dev.vitals.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vitals.core.io.Checkpoint;
import dev.vitals.core.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The healthy path of {@code vitals train} and {@code vitals demo}: exit 0 and every artifact DESIGN.md and the README promise. */
class TrainArtifactsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int EPOCHS = 10;

    /** examples/iris-mlp.yaml, copied next to the test's files (the module's folder is the working directory under Maven). */
    static Path copyExample(Path dir) throws IOException {
        Path example = Path.of(System.getProperty("basedir", ".")).resolve("../examples/iris-mlp.yaml").normalize();
        assertTrue(Files.isRegularFile(example), "the example spec " + example);
        return Files.copy(example, dir.resolve("iris-mlp.yaml"));
    }

    static Cli.Result train(Path spec, Path out, Path json) {
        Cli.Result r = Cli.run("train", spec.toString(), "--epochs", Integer.toString(EPOCHS), "--out", out.toString(), "--json", json.toString());
        assertEquals(Main.OK, r.code(), r.out() + r.err());
        assertFalse(r.all().contains("Exception"), r.all());
        return r;
    }

    @Test
    void aRunWithAWrongGradientTrainsAndReportsIt(@TempDir Path dir) throws IOException {
        // faults: [wrong_bias_grad]: the preflight's GRADIENT_CHECK_FAILED stopped the run before its first
        // step and vitals train ended in "internal error: java.lang.NullPointerException" (exit 1)
        Path spec = Files.writeString(dir.resolve("bias.yaml"), """
                name: bias
                seed: 4
                data: {source: iris, validation: 0.2}
                model: {layers: [{dense: 16}, relu, {dense: 3}]}
                optimizer: {name: adam, lr: 0.01}
                train: {epochs: 2, batch: 16}
                faults: [wrong_bias_grad]
                """);
        Path out = dir.resolve("run");
        Cli.Result r = Cli.run("train", spec.toString(), "--out", out.toString());
        assertEquals(Main.UNHEALTHY, r.code(), r.all());
        assertFalse(r.all().contains("Exception"), r.all());
        assertTrue(r.out().contains("ERROR GRADIENT_CHECK_FAILED [layers.0]"), r.out());
        assertTrue(r.out().contains("epoch 2/2"), r.out());
        assertTrue(Files.isRegularFile(out.resolve("report.json")) && Files.isRegularFile(out.resolve("model.safetensors")), out.toString());
    }

    @Test
    void trainWritesSpecMetricsCheckpointAndReport(@TempDir Path dir) throws IOException {
        Path spec = copyExample(dir);
        Path out = dir.resolve("run"), json = dir.resolve("report.json");
        Cli.Result r = train(spec, out, json);
        assertTrue(r.out().contains("artifacts: " + out), r.out());
        assertTrue(r.out().matches("(?s).*test: loss [0-9.]+, accuracy [0-9.]+% \\(30 examples\\).*"), r.out());

        // the run folder holds exactly the five artifacts and a TensorBoard event file, and nothing else is left next to them
        Set<String> files = new TreeSet<>();
        try (var s = Files.list(out)) {
            s.forEach(p -> files.add(p.getFileName().toString()));
        }
        String events = files.stream().filter(f -> f.matches("events\\.out\\.tfevents\\.\\d+\\.vitals")).findFirst().orElseThrow(() -> new AssertionError(files.toString()));
        assertEquals(new TreeSet<>(List.of("curves.png", "metrics.jsonl", "model.safetensors", "report.json", "spec.yaml", events)), files);
        assertEquals("", r.err(), "a healthy run writes nothing on stderr (drawing included)");
        try (var s = Files.list(dir)) {
            assertEquals(Set.of("iris-mlp.yaml", "run", "report.json"), new TreeSet<>(s.map(p -> p.getFileName().toString()).toList()));
        }
        // the copy is the spec with the run's --epochs written in, every other line as it was
        assertEquals("# train.epochs " + EPOCHS + " from the command line (--epochs)\n" + Files.readString(spec).replaceFirst("epochs: \\d+", "epochs: " + EPOCHS),
                Files.readString(out.resolve("spec.yaml")));

        // metrics.jsonl: one JSON object per line: the classes, then observed steps and one line per epoch
        List<JsonNode> epochLines = new ArrayList<>();
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertFalse(lines.isEmpty());
        JsonNode header = JSON.readTree(lines.get(0));
        assertEquals(3, header.get("classes").asInt(), lines.get(0));
        assertEquals(List.of("classes", "loss_function", "class_shares", "outputs", "train_examples", "validation_examples", "batch_size", "early_stop", "optimizer"), names(header));
        assertEquals("adam", header.get("optimizer").asText());
        int observed = 0, steps = 0;
        for (String line : lines.subList(1, lines.size())) {
            JsonNode n = JSON.readTree(line);
            assertTrue(n.isObject(), line);
            assertTrue(n.has("step") && n.has("epoch"), line);
            if (n.has("train_loss")) epochLines.add(n);
            else if (n.has("grad_norm")) {
                observed++;
                assertTrue(n.get("loss").isNumber() && n.has("lr") && n.has("accuracy"), line);
                for (String p : List.of("layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias")) assertTrue(n.get("grad_norm/" + p).isNumber() && n.has("update_ratio/" + p), p + " in " + line);
            } else {
                assertTrue(n.get("loss").isNumber() && n.size() == 3, "every step's loss: " + line);
                steps++;
            }
        }
        assertEquals(EPOCHS, epochLines.size());
        assertTrue(observed >= 20 && steps > 0, observed + " observed steps, " + steps + " others");
        assertEquals(epochLines.get(EPOCHS - 1).get("step").asInt(), observed + steps, "one line per step");
        for (int e = 0; e < EPOCHS; e++) {
            JsonNode n = epochLines.get(e);
            assertEquals(e + 1, n.get("epoch").intValue());
            for (String k : List.of("train_loss", "val_loss", "train_accuracy", "val_accuracy", "seconds")) assertTrue(n.get(k).isNumber(), k + " in " + n);
        }

        // the TensorBoard file: the same epochs (as floats), and each layer's gradient norm and update ratio at the observed steps
        dev.vitals.doctor.logs.RunLog tb = dev.vitals.doctor.logs.RunLog.of(dev.vitals.doctor.logs.LogReader.read(out.resolve(events)));
        assertEquals("tensorboard", tb.table().format());
        assertEquals(EPOCHS, tb.epochs().size());
        for (int e = 0; e < EPOCHS; e++) {
            assertEquals((float) epochLines.get(e).get("train_loss").doubleValue(), (float) tb.epochs().get(e).trainLoss(), 1e-6);
            assertEquals((float) epochLines.get(e).get("val_accuracy").doubleValue(), (float) tb.epochs().get(e).valAccuracy(), 1e-6);
        }
        assertEquals(List.of("grad_norm/layers.0.weight", "grad_norm/layers.0.bias", "grad_norm/layers.2.weight", "grad_norm/layers.2.bias"), tb.layerColumns());
        assertTrue(tb.table().names().containsAll(List.of("update_ratio/layers.0.weight", "update_ratio/layers.2.bias", "test/accuracy", "train/lr")), tb.table().names().toString());

        // the JSON report: exactly DESIGN.md's fields, the same in the run folder and at --json
        JsonNode report = JSON.readTree(json.toFile());
        assertEquals(report, JSON.readTree(out.resolve("report.json").toFile()));
        assertEquals(List.of("format", "command", "spec", "verdict", "findings", "metrics"), names(report));
        assertEquals(1, report.get("format").intValue());
        assertEquals("train", report.get("command").textValue());
        assertEquals("iris-mlp", report.get("spec").textValue());
        assertEquals("healthy", report.get("verdict").textValue());
        assertTrue(report.get("findings").isArray());
        for (JsonNode f : report.get("findings")) assertFalse(f.get("severity").textValue().equals("error"), "a healthy run has no error: " + f);
        JsonNode metrics = report.get("metrics");
        JsonNode epochs = metrics.get("epochs");
        assertEquals(EPOCHS, epochs.size());
        for (int e = 0; e < EPOCHS; e++) {
            JsonNode m = epochs.get(e);
            for (String k : List.of("train_loss", "val_loss", "train_accuracy", "val_accuracy", "seconds")) assertTrue(m.get(k).isNumber(), k + " in " + m);
            assertEquals(epochLines.get(e).get("train_loss").doubleValue(), m.get("train_loss").doubleValue(), "metrics.jsonl and the report agree");
            double acc = m.get("val_accuracy").doubleValue();
            assertTrue(acc >= 0 && acc <= 1, m.toString());
        }
        assertTrue(metrics.get("test_loss").isNumber());
        double testAccuracy = metrics.get("test_accuracy").doubleValue();
        assertTrue(testAccuracy > 0.6 && testAccuracy <= 1, "iris is learnt in " + EPOCHS + " epochs: " + testAccuracy);
        assertTrue(epochs.get(EPOCHS - 1).get("train_loss").doubleValue() < epochs.get(0).get("train_loss").doubleValue(), "the loss fell");

        // the checkpoint rebuilds the model with the spec and the normaliser's statistics
        Checkpoint.Loaded loaded = Checkpoint.load(out.resolve("model.safetensors"));
        assertEquals(Files.readString(out.resolve("spec.yaml")), loaded.spec().text(), "the run folder's copy");
        assertEquals(EPOCHS, loaded.spec().train().epochs());
        assertEquals(4, loaded.normalizer().shift().length);
        assertArrayEquals(new int[] {4}, loaded.model().inputShape().dims());
        assertEquals(3, loaded.model().outputShape().size());
        // and says what each output stands for
        assertEquals(List.of("setosa", "versicolor", "virginica"), loaded.classNames());
    }

    @Test
    void theRunFoldersSpecCopyReachesItsRelativeDataFromThere(@TempDir Path dir) throws IOException {
        // csv:data/t.csv resolves against the spec's folder; the copy in runs/x/ must still find it
        Files.createDirectories(dir.resolve("project/data"));
        StringBuilder csv = new StringBuilder("a,b,label\n");
        for (int i = 0; i < 60; i++) csv.append(i % 7).append(',').append(i % 5).append(',').append(i % 2).append('\n');
        Files.writeString(dir.resolve("project/data/t.csv"), csv);
        Path spec = Files.writeString(dir.resolve("project/spec.yaml"), "name: rel\n# the data beside the spec\ndata: {source: 'csv:data/t.csv'}\n"
                + "model: {layers: [{dense: 4}, relu, {dense: 2}]}\ntrain: {epochs: 1, batch: 8}\n");
        Path out = dir.resolve("elsewhere/runs/x");
        Cli.Result r = Cli.run("train", spec.toString(), "--out", out.toString());
        assertFalse(r.all().contains("Exception"), r.all());
        String copy = Files.readString(out.resolve("spec.yaml"));
        assertTrue(copy.contains("../../../project/data/t.csv"), copy);
        assertTrue(copy.contains("# the data beside the spec"), "comments kept: " + copy);
        Cli.Result again = Cli.run("check", out.resolve("spec.yaml").toString());
        assertFalse(again.err().contains("error:"), again.all());
        // check gives the data line train gives, under its heading
        assertTrue(again.out().lines().skip(1).findFirst().orElse("").startsWith("data: csv t.csv: "), again.out());
        // the checkpoint holds the same copy: read from beside it, its data path was one that did not exist
        String stored = dev.vitals.core.io.Safetensors.read(out.resolve("model.safetensors")).metadata().get("spec");
        assertEquals(copy, stored);
        assertEquals(1, Checkpoint.load(out.resolve("model.safetensors")).spec().train().epochs());
    }

    @Test
    void theRunFoldersSpecCopyKeepsTheEpochsOfTheCommandLine(@TempDir Path dir) throws IOException {
        // --epochs 1 over a spec of 3 left a copy (and a checkpoint) that ran 3
        Path spec = Files.writeString(dir.resolve("three.yaml"), "# three epochs\ndata: {source: iris}\nmodel: {layers: [{dense: 4}, relu, {dense: 3}]}\ntrain: {epochs: 3, batch: 16}\n");
        Path out = dir.resolve("run");
        Cli.Result r = Cli.run("train", spec.toString(), "--epochs", "1", "--out", out.toString());
        assertEquals(Main.OK, r.code(), r.all());
        String copy = Files.readString(out.resolve("spec.yaml"));
        assertTrue(copy.startsWith("# train.epochs 1 from the command line (--epochs)\n# three epochs\n"), copy);
        assertEquals(1, dev.vitals.core.spec.SpecParser.parse(copy, out.resolve("spec.yaml")).train().epochs());
        assertEquals("three", dev.vitals.core.spec.SpecParser.parse(copy, out.resolve("spec.yaml")).name());
        assertEquals(1, Checkpoint.load(out.resolve("model.safetensors")).spec().train().epochs());
    }

    @Test
    void sameSpecAndSeedGiveIdenticalMetricsAndWeights(@TempDir Path dir) throws IOException {
        Path spec = copyExample(dir);
        train(spec, dir.resolve("a"), dir.resolve("a.json"));
        train(spec, dir.resolve("b"), dir.resolve("b.json"));
        JsonNode a = JSON.readTree(dir.resolve("a.json").toFile()), b = JSON.readTree(dir.resolve("b.json").toFile());
        assertEquals(withoutSeconds(a), withoutSeconds(b));
        assertEquals(withoutSeconds(metricLines(dir.resolve("a/metrics.jsonl"))), withoutSeconds(metricLines(dir.resolve("b/metrics.jsonl"))));
        Map<String, Tensor> wa = Checkpoint.tensors(dir.resolve("a/model.safetensors")), wb = Checkpoint.tensors(dir.resolve("b/model.safetensors"));
        assertEquals(wa.keySet(), wb.keySet());
        for (String k : wa.keySet()) assertArrayEquals(wa.get(k).data(), wb.get(k).data(), k);
        // and the comparison is not vacuous: the epochs were there
        assertEquals(EPOCHS, a.get("metrics").get("epochs").size());
    }

    @Test
    void demoTrainsTheBundledDigitsAndPrintsItsTestAccuracy(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("demo"), json = dir.resolve("demo.json");
        Cli.Result r = Cli.run("demo", "--out", out.toString(), "--json", json.toString());
        assertEquals(Main.OK, r.code(), r.out() + r.err());
        assertTrue(r.out().matches("(?s).*test: loss [0-9.]+, accuracy [0-9.]+% \\(\\d+ examples\\).*"), r.out());
        JsonNode report = JSON.readTree(json.toFile());
        assertEquals("healthy", report.get("verdict").textValue());
        assertTrue(report.get("metrics").get("test_accuracy").doubleValue() > 0.9, "an MLP learns the digits: " + report.get("metrics").get("test_accuracy"));
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
    }

    @Test
    void demoTakesTrainsEpochsOption(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("demo.json");
        Cli.Result r = Cli.run("demo", "--epochs", "2", "--out", dir.resolve("demo").toString(), "--json", json.toString());
        assertFalse(r.all().contains("Unknown option"), r.all());
        assertEquals(2, JSON.readTree(json.toFile()).get("metrics").get("epochs").size());
    }

    @Test
    void aKilledRunStopsAfterItsStepAndLeavesItsWeightsAndReport(@TempDir Path dir) throws Exception {
        // a separate JVM, stopped as Ctrl-C or a kill stops one (SIGTERM here): it once left a folder with no model and no report
        Path out = dir.resolve("run"), json = dir.resolve("r.json"), spec = copyExample(dir);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                "dev.vitals.cli.Main", "train", spec.toString(), "--epochs", "1000000", "--out", out.toString(), "--json", json.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("console.txt").toFile()).start();
        try {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < deadline && p.isAlive()
                    && !(Files.exists(out.resolve("metrics.jsonl")) && Files.readString(out.resolve("metrics.jsonl")).contains("\"epoch\""))) {
                Thread.sleep(50);
            }
            assertTrue(p.isAlive(), "the run ended before it could be stopped: " + Files.readString(dir.resolve("console.txt")));
            p.destroy();
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the run did not stop");
        } finally {
            p.destroyForcibly();
        }
        assertEquals(143, p.exitValue(), Files.readString(dir.resolve("console.txt")));
        JsonNode report = JSON.readTree(json.toFile());
        assertTrue(report.get("metrics").get("stopped").asText().startsWith("interrupted"), report.get("metrics").toString());
        assertTrue(report.get("metrics").get("epochs").size() >= 1);
        // stopped inside an epoch the weights are no finished epoch's, and best_epoch said they were
        String stopped = report.get("metrics").get("stopped").asText();
        if (stopped.contains("; during epoch")) {
            assertTrue(report.get("metrics").get("best_epoch").isNull(), report.get("metrics").toString());
            assertTrue(stopped.matches("interrupted .*; during epoch \\d+, after \\d+ of its \\d+ steps: the weights are as of that step"), stopped);
        } else {
            assertEquals(report.get("metrics").get("epochs").size(), report.get("metrics").get("best_epoch").asInt(), report.get("metrics").toString());
        }
        assertEquals(report, JSON.readTree(out.resolve("report.json").toFile()));
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
        // the JVM is shutting down: no picture, whose first drawing would hold up the exit, and a line that says so
        assertFalse(Files.exists(out.resolve("curves.png")));
        assertTrue(Files.readString(dir.resolve("console.txt")).contains("warning: curves.png not written: the run was interrupted"), Files.readString(dir.resolve("console.txt")));
        try (var files = Files.list(out)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }

    static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) out.add(it.next());
        return out;
    }

    static JsonNode metricLines(Path p) throws IOException {
        var arr = JSON.createArrayNode();
        for (String line : Files.readAllLines(p)) arr.add(JSON.readTree(line));
        return arr;
    }

    /** The tree with every "seconds" field removed (wall time differs between runs). */
    static JsonNode withoutSeconds(JsonNode n) {
        JsonNode c = n.deepCopy();
        strip(c);
        return c;
    }

    private static void strip(JsonNode n) {
        if (n.isObject()) ((com.fasterxml.jackson.databind.node.ObjectNode) n).remove("seconds");
        for (JsonNode child : n) strip(child);
    }

    @Test
    void aFindingRaisedAgainGraverIsNotReportedWithdrawn(@TempDir Path dir) throws IOException {
        // sgd with momentum 0.999 on digits: the loss bounces (a warning), then diverges (an error); the
        // end printed "withdrawn: LEARNING_RATE_TOO_HIGH" for the warning beside the error it became
        Path spec = dir.resolve("heavy.yaml");
        Files.writeString(spec, """
                name: heavy
                seed: 7
                data: {source: digits, validation: 0.1, normalize: standard}
                model: {init: he, layers: [{dense: 128}, relu, {dense: 64}, relu, {dense: 10}]}
                optimizer: {name: sgd, lr: 0.01, momentum: 0.999}
                train: {epochs: 10, batch: 32}
                """);
        Cli.Result r = Cli.run("train", spec.toString(), "--out", dir.resolve("run").toString());
        assertEquals(Main.UNHEALTHY, r.code(), r.all());
        assertTrue(r.out().contains("  ! WARNING LEARNING_RATE_TOO_HIGH") && r.out().contains("    ERROR LEARNING_RATE_TOO_HIGH (step"), r.out());
        assertFalse(r.out().contains("withdrawn: LEARNING_RATE_TOO_HIGH"), r.out());
    }

    @Test
    void aRunStoppedByANonFiniteLossReportsItsTestMetricsAsNull(@TempDir Path dir) throws IOException {
        // sgd at 5 on digits goes NaN: the test split exists but was never measured; its keys were
        // missing while val_* are present as null
        Path spec = dir.resolve("nan.yaml");
        Files.writeString(spec, """
                name: nan
                seed: 1
                data: {source: digits}
                model: {layers: [{dense: 64}, relu, {dense: 64}, relu, {dense: 10}]}
                optimizer: {name: sgd, lr: 5.0}
                train: {epochs: 3, batch: 32}
                """);
        Path json = dir.resolve("r.json");
        Cli.Result r = Cli.run("train", spec.toString(), "--out", dir.resolve("run").toString(), "--json", json.toString());
        assertEquals(Main.UNHEALTHY, r.code(), r.all());
        JsonNode metrics = new ObjectMapper().readTree(json.toFile()).get("metrics");
        assertTrue(metrics.has("stopped"), metrics.toString());
        assertTrue(metrics.has("test_accuracy") && metrics.get("test_accuracy").isNull(), metrics.toString());
        assertTrue(metrics.has("test_loss") && metrics.get("test_loss").isNull(), metrics.toString());
    }

    @Test
    void epochsGivenOnTheCommandLineAreTheRunTheSpecsRulesJudge(@TempDir Path dir) throws IOException {
        // a warm-up as long as the spec's 4 epochs was refused even with --epochs 6, which leaves it shorter than the run
        Path spec = dir.resolve("warm.yaml");
        Files.writeString(spec, """
                name: warm
                seed: 1
                data: {source: iris, validation: 0.2}
                model: {layers: [{dense: 8}, relu, {dense: 3}]}
                optimizer: {name: adam, lr: 0.01}
                schedule: {name: cosine, warmup: 4}
                train: {epochs: 4, batch: 16}
                """);
        Cli.Result refused = Cli.run("train", spec.toString(), "--out", dir.resolve("a").toString());
        assertEquals(Main.BAD_INPUT, refused.code(), refused.all());
        Cli.Result longer = Cli.run("train", spec.toString(), "--epochs", "6", "--out", dir.resolve("b").toString());
        assertTrue(longer.code() == Main.OK || longer.code() == Main.UNHEALTHY, longer.all());
        assertTrue(longer.out().contains("epoch 6/6"), longer.out());
    }
}
