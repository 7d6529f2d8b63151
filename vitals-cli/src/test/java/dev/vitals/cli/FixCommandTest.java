package dev.vitals.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.spec.SpecParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FixCommandTest {
    static final Path ROOT = Path.of("..");

    @TempDir
    Path tmp;

    record Outcome(int code, String out, String err) {}

    static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aSpecWrittenToAnotherFolderStillFindsItsData() throws Exception {
        // csv: paths resolve against the spec's folder; the repaired spec in out/deeper/ must point back at data/
        Path data = Files.createDirectories(tmp.resolve("data")), specs = Files.createDirectories(tmp.resolve("specs"));
        StringBuilder csv = new StringBuilder("a,b,label\n");
        java.util.SplittableRandom rng = new java.util.SplittableRandom(2);
        for (int i = 0; i < 300; i++) {
            int y = i % 2;
            csv.append(String.format(java.util.Locale.ROOT, "%.3f,%.3f,%d%n", rng.nextGaussian() + 2 * y, rng.nextGaussian() - y, y));
        }
        Files.writeString(data.resolve("t.csv"), csv);
        Path input = specs.resolve("broken.yaml");
        Files.writeString(input, "name: t\nseed: 1\ndata: {source: 'csv:../data/t.csv', validation: 0.2}\n"
                + "model: {layers: [{dense: 16}, relu, {dense: 2}, softmax]}\nloss: cross_entropy\ntrain: {epochs: 5, batch: 32}\n");
        Path fixed = tmp.resolve("out/deeper/fixed.yaml");
        Files.createDirectories(fixed.getParent());
        Outcome o = run("fix", input.toString(), "--write", fixed.toString());
        assertEquals(Main.OK, o.code(), o.out() + o.err());
        assertEquals("csv:../../data/t.csv", SpecParser.read(fixed).data().source());
        assertTrue(Files.readString(fixed).startsWith("# repaired by 'vitals fix'"), Files.readString(fixed));
        Outcome check = run("check", fixed.toString());
        assertEquals(Main.OK, check.code(), "the written spec finds its data: " + check.out() + check.err());
    }

    @Test
    void writesTheRepairedSpecAndAReportWithVerifiedFindings() throws Exception {
        Path input = tmp.resolve("broken.yaml");
        Files.copy(ROOT.resolve("casebook/000-stuck-at-chance/broken.yaml"), input);
        String original = Files.readString(input);
        Path fixed = tmp.resolve("fixed.yaml"), json = tmp.resolve("report.json");

        Outcome o = run("fix", input.toString(), "--write", fixed.toString(), "--json", json.toString());
        assertEquals(Main.OK, o.code(), o.out() + o.err());
        assertTrue(o.out().contains("kept "), o.out());
        assertEquals(original, Files.readString(input), "the input spec is not touched");
        Spec s = SpecParser.read(fixed);
        assertTrue(Files.readString(fixed).startsWith("# repaired by 'vitals fix'"));
        assertEquals("cross_entropy", s.loss());

        JsonNode r = new ObjectMapper().readTree(json.toFile());
        assertEquals("fix", r.get("command").asText());
        assertEquals("healthy", r.get("verdict").asText());
        assertTrue(r.get("findings").size() > 0);
        for (JsonNode f : r.get("findings")) assertTrue(f.hasNonNull("verified"), f.toString());
        assertTrue(r.get("metrics").get("repairs").size() >= 1);

        Outcome check = run("check", fixed.toString());
        assertEquals(Main.OK, check.code(), "the written spec checks healthy: " + check.out());
    }

    @Test
    void withoutWriteTheRepairedSpecGoesToStandardOutputAlone() throws Exception {
        Path input = tmp.resolve("broken.yaml");
        Files.copy(ROOT.resolve("casebook/000-stuck-at-chance/broken.yaml"), input);
        String original = Files.readString(input);
        Outcome o = run("fix", input.toString());
        assertEquals(Main.OK, o.code(), o.err());
        assertEquals("cross_entropy", SpecParser.parse(o.out(), input).loss(), "standard output is a spec: " + o.out());
        assertTrue(o.err().contains("verified:"), o.err());
        assertEquals(original, Files.readString(input));
    }

    @Test
    void writeMayNameTheInputToReplaceIt() throws Exception {
        Path input = tmp.resolve("broken.yaml");
        Files.copy(ROOT.resolve("casebook/000-stuck-at-chance/broken.yaml"), input);
        Outcome o = run("fix", input.toString(), "--write", input.toString());
        assertEquals(Main.OK, o.code(), o.out() + o.err());
        assertTrue(SpecParser.read(input).injectedBugs().isEmpty(), "the input now holds the repaired spec");
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
    }

    @Test
    void aHealthySpecIsUnchanged() throws Exception {
        Path input = ROOT.resolve("examples/iris-mlp.yaml");
        Path out = tmp.resolve("iris.yaml");
        Outcome o = run("fix", input.toString(), "--write", out.toString());
        assertEquals(Main.OK, o.code(), o.out() + o.err());
        assertTrue(o.out().contains("nothing to repair"), o.out());
        assertEquals(Files.readString(input), Files.readString(out));
    }

    @Test
    void anUncurableErrorExitsUnhealthy() throws Exception {
        // fractional labels: no change to the spec makes them class indices (too few outputs are now cured)
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 60; i++) csv.append(i).append(',').append(-i).append(',').append(i % 3 == 0 ? "0.5" : Integer.toString(i % 2)).append('\n');
        Files.writeString(tmp.resolve("frac.csv"), csv);
        Path input = tmp.resolve("labels.yaml");
        Files.writeString(input, """
                name: fractional-labels
                data: {source: "csv:frac.csv"}
                model: {init: he, layers: [{dense: 16}, relu, {dense: 2}]}
                """);
        Outcome o = run("fix", input.toString(), "--write", tmp.resolve("out.yaml").toString());
        assertEquals(Main.UNHEALTHY, o.code(), o.out());
        assertTrue(o.out().contains("not cured: no candidate repair for DATA_LABEL_RANGE"), o.out());
    }

    @Test
    void badInputIsOneErrorLine() {
        for (String[] args : new String[][] {
                {"fix", tmp.resolve("missing.yaml").toString()},
                {"fix", ROOT.resolve("examples/iris-mlp.yaml").toString(), "--write", tmp.resolve("no/such/dir/x.yaml").toString()},
                {"fix", ROOT.resolve("examples/iris-mlp.yaml").toString(), "--budget", "0"}}) {
            Outcome o = run(args);
            assertEquals(Main.BAD_INPUT, o.code(), String.join(" ", args));
            assertTrue(o.err().startsWith("error: "), o.err());
            assertEquals(1, o.err().strip().lines().count(), o.err());
            assertFalse(o.err().contains("Exception"), o.err());
        }
    }
}
