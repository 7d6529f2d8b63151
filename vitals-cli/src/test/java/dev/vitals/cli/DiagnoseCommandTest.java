package dev.vitals.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiagnoseCommandTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static Run vitals(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    @Test
    void vitalsOwnLogOfARunThatFailedIsDiagnosedAsTheRunWas(@TempDir Path dir) throws IOException {
        // adam at 0.1 on digits: train failed it at its end (36% / 35%, a loss that climbed between epochs);
        // diagnose of the same run's metrics.jsonl, 54 rows of observed steps, passed it with a warning
        Path spec = Files.writeString(dir.resolve("hot.yaml"), "name: hot\nseed: 3\ndata: {source: digits, validation: 0.2}\n"
                + "model: {init: he, layers: [{dense: 128}, relu, {dense: 64}, relu, {dense: 10}]}\noptimizer: {name: adam, lr: 0.1}\ntrain: {epochs: 10, batch: 32}\n");
        Cli.Result trained = Cli.run("train", spec.toString(), "--out", dir.resolve("run").toString());
        assertEquals(Main.UNHEALTHY, trained.code(), trained.all());
        assertTrue(trained.out().contains("ERROR LEARNING_RATE_TOO_HIGH"), trained.out());
        Cli.Result read = Cli.run("diagnose", dir.resolve("run/metrics.jsonl").toString());
        assertEquals(Main.UNHEALTHY, read.code(), read.all());
        assertTrue(read.out().contains("ERROR LEARNING_RATE_TOO_HIGH"), read.out());
        assertTrue(read.out().contains("less than halfway from guessing"), read.out());
    }

    @Test
    void aRunFoldersFindingsNameTheStepsTheLiveRunNamed(@TempDir Path dir) throws IOException {
        // an epoch's finding read step 245 from the run folder where the live run, its report.json and the
        // epoch's record in metrics.jsonl say 246 (the steps done at the epoch's end)
        Path spec = Files.writeString(dir.resolve("clip.yaml"), "name: clip\nseed: 6\ndata: {source: digits, validation: 0.1}\n"
                + "model: {init: he, layers: [{dense: 128}, relu, {dense: 64}, relu, {dense: 10}]}\noptimizer: {name: sgd, lr: 0.05, momentum: 0.9}\n"
                + "train: {epochs: 8, batch: 32, clip_norm: 1.0}\n");
        Cli.Result trained = Cli.run("train", spec.toString(), "--out", dir.resolve("run").toString());
        Cli.Result read = Cli.run("diagnose", dir.resolve("run").toString(), "--json", dir.resolve("d.json").toString());
        assertEquals(trained.code(), read.code(), read.all());
        JsonNode live = new ObjectMapper().readTree(dir.resolve("run/report.json").toFile()), replay = new ObjectMapper().readTree(dir.resolve("d.json").toFile());
        java.util.Map<String, String> liveSteps = new java.util.TreeMap<>(), replaySteps = new java.util.TreeMap<>();
        for (JsonNode f : live.get("findings")) if (f.get("stage").asText().equals("train")) liveSteps.put(f.get("code").asText(), f.path("step").asText());
        for (JsonNode f : replay.get("findings")) replaySteps.put(f.get("code").asText(), f.path("step").asText());
        assertTrue(liveSteps.containsKey("OVERFITTING"), "the premise: an epoch's finding, " + liveSteps);
        assertEquals(liveSteps, replaySteps);
        // the header's momentum as written in the spec, not its float32 widened (0.8999999761581421)
        assertTrue(Files.readAllLines(dir.resolve("run/metrics.jsonl")).get(0).contains("\"optimizer\":\"sgd\",\"momentum\":0.9}"),
                Files.readAllLines(dir.resolve("run/metrics.jsonl")).get(0));
    }

    @Test
    void aShortRunAtChanceReadFromItsFolderIsTheWarningTheLiveRunGave(@TempDir Path dir) throws IOException {
        // 18 steps at 25% on 4 blobs: live a warning naming the run's length (exit 0); its folder read an error (exit 3)
        Path spec = Files.writeString(dir.resolve("blobs.yaml"), "name: blobs\ndata: {source: 'synthetic:blobs', options: {samples: 600, classes: 4}}\n"
                + "model: {layers: [{dense: 8}, relu, {dense: 4}]}\ntrain: {epochs: 3}\n");
        Cli.Result trained = Cli.run("train", spec.toString(), "--out", dir.resolve("run").toString());
        assertEquals(Main.OK, trained.code(), trained.all());
        assertTrue(trained.out().contains("WARNING ACCURACY_AT_CHANCE"), "the premise: " + trained.out());
        Cli.Result read = Cli.run("diagnose", dir.resolve("run").toString());
        assertEquals(Main.OK, read.code(), read.all());
        assertTrue(read.out().contains("WARNING ACCURACY_AT_CHANCE"), read.out());
    }

    @Test
    void aClassCountBeyondAMillionIsBadInputNotAnOutOfMemory() throws IOException {
        Path log = write("m.csv", "step,loss\n0,2.3\n1,2.2\n");
        Run r = vitals("diagnose", log.toString(), "--classes", "1000000000");
        assertEquals(Main.BAD_INPUT, r.code(), r.out() + r.err());
        assertEquals("error: --classes must be from 2 to 1000000, got 1000000000\n", r.err());
    }

    @Test
    void anExplodingRunIsUnhealthyWithAJsonReport() throws IOException {
        StringBuilder sb = new StringBuilder("global_step,train/loss,grad_norm,notes\n");
        for (int i = 0; i < 30; i++) sb.append(i * 10).append(',').append(String.format(Locale.ROOT, "%.4f,%.4g,x%n", 2.3 + 0.05 * i, Math.pow(1.5, i)));
        Path log = write("run.csv", sb.toString());
        Path json = dir.resolve("report.json");
        Run r = vitals("diagnose", log.toString(), "--json", json.toString());
        assertEquals(Main.UNHEALTHY, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("30 logged steps (steps 0 to 290)"), r.out());
        assertTrue(r.out().contains("global_step as step") && r.out().contains("train/loss as loss") && r.out().contains("ignored: notes"), r.out());
        assertTrue(r.out().contains("ERROR EXPLODING_GRADIENTS"), r.out());
        assertTrue(r.out().contains("cause:") && r.out().contains("fix:"), r.out());
        assertTrue(r.out().contains("fixes name a Vitals spec's keys"), "the log's framework has other names: " + r.out());
        JsonNode rep = new ObjectMapper().readTree(json.toFile());
        assertEquals("diagnose", rep.get("command").asText());
        assertEquals("unhealthy", rep.get("verdict").asText());
        assertEquals("EXPLODING_GRADIENTS", rep.get("findings").get(0).get("code").asText());
        assertEquals("csv", rep.get("metrics").get("log").get("format").asText());
    }

    @Test
    void theSummaryCountsTheEpochsThatWereValidated() throws IOException {
        // Keras at validation_freq=2: ten of twenty epochs validated
        StringBuilder loss = new StringBuilder(), val = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            loss.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", 2.0 * Math.pow(0.9, i)));
            if (i % 2 == 1) val.append(val.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", 2.1 * Math.pow(0.92, i)));
        }
        Run r = vitals("diagnose", write("history.json", "{\"loss\": [" + loss + "], \"val_loss\": [" + val + "]}").toString());
        assertTrue(r.out().contains("20 epochs, 10 with validation"), r.out());
        assertTrue(r.out().contains("(keras_history)"), r.out());
        assertTrue(r.out().contains("epochs: findings number the history's values from 1"), "a history dump has no epoch 0 of its own: " + r.out());
        assertFalse(r.out().contains("fixes name"), "nothing to fix: " + r.out());
    }

    @Test
    void badInputIsExitTwoWithOneLine() throws IOException {
        Run missing = vitals("diagnose", dir.resolve("nope.csv").toString());
        assertEquals(Main.BAD_INPUT, missing.code());
        assertTrue(missing.err().startsWith("error: ") && missing.err().contains("nope.csv") && missing.err().strip().lines().count() == 1, missing.err());
        Run text = vitals("diagnose", write("t.csv", "step,loss\n0,1.0\n1,lots\n").toString());
        assertEquals(Main.BAD_INPUT, text.code());
        assertTrue(text.err().contains("t.csv line 3: column 'loss' holds 'lots'"), text.err());
        Run empty = vitals("diagnose", write("e.jsonl", "\n").toString());
        assertEquals(Main.BAD_INPUT, empty.code(), empty.err());
        Run spec = vitals("diagnose", write("spec.yaml", "name: x\ndata: {source: iris}\nmodel: {layers: [{dense: 3}]}\n").toString());
        assertEquals(Main.BAD_INPUT, spec.code());
        assertTrue(spec.err().contains("spec.yaml: a YAML file, expected a training log") && spec.err().contains("'vitals check'"), spec.err());
        Run noLoss = vitals("diagnose", write("n.csv", "step,acc\n0,0.1\n").toString());
        assertEquals(Main.BAD_INPUT, noLoss.code());
        assertTrue(noLoss.err().contains("no training-loss column"), noLoss.err());
        Path corrupt = dir.resolve("events.out.tfevents.123.host");
        Files.write(corrupt, new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9, 0, 0, 0, 0, 0});
        Run tb = vitals("diagnose", corrupt.toString());
        assertEquals(Main.BAD_INPUT, tb.code());
        assertTrue(tb.err().contains("corrupt TensorBoard record"), tb.err());
        assertTrue(empty.err().contains("empty log, no records"), empty.err());
        Path emptyEvents = dir.resolve("tb").resolve("events.out.tfevents.1.host");
        Files.createDirectories(emptyEvents.getParent());
        Files.write(emptyEvents, new byte[0]);
        Run emptyTb = vitals("diagnose", emptyEvents.toString());
        assertEquals(Main.BAD_INPUT, emptyTb.code(), emptyTb.err());
        assertTrue(emptyTb.err().contains("empty log, no records"), emptyTb.err());
        // a step that is no whole number, or beyond what a long holds, was silently truncated or capped
        Run half = vitals("diagnose", write("h.csv", "step,loss\n1.5,1.0\n2.5,0.9\n").toString());
        assertEquals(Main.BAD_INPUT, half.code(), half.out() + half.err());
        assertTrue(half.err().contains("h.csv line 2: step column 'step': expected a whole number of steps from 0 to 2^53 (9007199254740992), not 1.5"), half.err());
        Run huge = vitals("diagnose", write("u.csv", "step,loss\n99999999999999999999,1.0\n2,1.0\n").toString());
        assertEquals(Main.BAD_INPUT, huge.code(), huge.out() + huge.err());
        assertTrue(huge.err().contains("u.csv line 2: step column 'step'"), huge.err());
        // the report never replaces the log it diagnoses
        Path log = write("self.csv", "step,loss\n0,1.0\n1,0.9\n");
        Run self = vitals("diagnose", log.toString(), "--json", log.toString());
        assertEquals(Main.BAD_INPUT, self.code(), self.err());
        assertTrue(self.err().contains("is the log being read"), self.err());
        assertEquals("step,loss\n0,1.0\n1,0.9\n", Files.readString(log));
        for (Run r : new Run[] {missing, text, empty, noLoss, tb, emptyTb, half, huge, self}) {
            assertFalse(r.err().contains("\tat "), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }

    /** A run trained here, then diagnosed from its own metrics log: the replay must agree it is healthy. */
    @Test
    void vitalsOwnMetricsLogRoundTripsHealthy() throws IOException {
        Path spec = Path.of("..", "examples", "iris-mlp.yaml");
        Path out = dir.resolve("run");
        Run train = vitals("train", spec.toString(), "--epochs", "30", "--out", out.toString());
        assertEquals(Main.OK, train.code(), train.out() + train.err());
        Path json = dir.resolve("diag.json");
        Run diag = vitals("diagnose", out.resolve("metrics.jsonl").toString(), "--classes", "3", "--json", json.toString());
        assertEquals(Main.OK, diag.code(), diag.out() + diag.err());
        assertTrue(diag.out().contains("30 epochs with validation"), diag.out());
        assertTrue(diag.out().contains("diagnosis: healthy"), diag.out());
        JsonNode rep = new ObjectMapper().readTree(json.toFile());
        assertEquals("healthy", rep.get("verdict").asText());
        assertEquals(30, rep.get("metrics").get("epochs").size());
        assertEquals(3, rep.get("metrics").get("log").get("classes").asInt());
        // without --classes: the log's first line says how many, nothing is guessed from the first loss
        assertTrue(Files.readAllLines(out.resolve("metrics.jsonl")).get(0).startsWith("{\"classes\":3,\"loss_function\":\"cross_entropy\",\"class_shares\":[0.333333,0.333333,0.333333],"));
        // the run folder itself is read by its metrics.jsonl, beside which its TensorBoard file holds the same
        Run folder = vitals("diagnose", out.toString());
        assertEquals(Main.OK, folder.code(), folder.out() + folder.err());
        assertTrue(folder.out().startsWith("diagnose " + out.resolve("metrics.jsonl") + " (jsonl)"), folder.out());
        Run own = vitals("diagnose", out.resolve("metrics.jsonl").toString());
        assertEquals(Main.OK, own.code(), own.out() + own.err());
        assertTrue(own.out().contains("classes: 3 (from the log's own classes record)"), own.out());
        assertFalse(own.out().contains("ignored: classes"), own.out());
        assertFalse(own.out().contains("loss_function"), "the declared loss is read, not an ignored column: " + own.out());
        assertFalse(own.out().contains("class_shares"), "the class shares are read, not an ignored column: " + own.out());
    }

    @Test
    void aRunThatWentNanIsLoggedAndDiagnosedAsLossNonFinite() throws IOException {
        Path spec = write("hot.yaml", """
                name: hot
                seed: 1
                data: {source: iris, validation: 0.15, normalize: none}
                model: {init: he, layers: [{dense: 16}, relu, {dense: 3}]}
                loss: cross_entropy
                optimizer: {name: sgd, lr: 1.0e+30}
                train: {epochs: 5, batch: 16}
                """);
        Path out = dir.resolve("hot-run");
        Run train = vitals("train", spec.toString(), "--out", out.toString());
        assertEquals(Main.UNHEALTHY, train.code(), train.out() + train.err());
        assertTrue(train.out().contains("LOSS_NONFINITE"), train.out());
        Run diag = vitals("diagnose", out.resolve("metrics.jsonl").toString());
        assertEquals(Main.UNHEALTHY, diag.code(), train.out() + diag.out() + diag.err());
        assertTrue(diag.out().contains("LOSS_NONFINITE"), diag.out());
        assertTrue(diag.out().contains("replay stopped at step"), diag.out());
    }
}
