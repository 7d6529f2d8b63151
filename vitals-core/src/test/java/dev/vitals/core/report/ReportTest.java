package dev.vitals.core.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON report of DESIGN.md: its fields, every field of a finding, and the verdict rule. */
class ReportTest {
    static Finding full() {
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("grad_norm_first", 1.5e-9);
        evidence.put("layers", List.of("layers.0", "layers.2"));
        evidence.put("ratio", 12);
        return new Finding("VANISHING_GRADIENTS", Severity.ERROR, Stage.TRAIN, "layers.0", 120L,
                "early layers' gradients are 1e-7 of the last layer's", evidence, "sigmoid in a deep stack", "use relu and He init",
                "after the repair the first layer's gradient norm rose 1e5-fold");
    }

    static Finding minimal(Severity s) {
        return new Finding("NO_VALIDATION", s, Stage.LINT, null, null, "nothing measures generalisation", Map.of(), "no split", "set data.validation", null);
    }

    static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) out.add(it.next());
        return out;
    }

    @Test
    void nonFiniteNumbersInEvidenceAreNullNotStrings() throws IOException {
        // a run whose loss overflowed: Jackson wrote "Infinity" and "NaN" as strings, which a pipeline reading numbers trips on
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("previous_losses", java.util.Arrays.asList(1.21e13, Double.POSITIVE_INFINITY));
        evidence.put("loss_now", Double.NaN);
        evidence.put("by_layer", Map.of("layers.0", Float.NaN));
        evidence.put("lr", 0.5f);
        Finding f = new Finding("LOSS_NONFINITE", Severity.ERROR, Stage.TRAIN, null, 2L, "the loss became NaN", evidence, "c", "f", null);
        JsonNode n = Report.JSON.readTree(Report.of("train", "t", List.of(f), Report.untrained()).toJson());
        JsonNode ev = n.get("findings").get(0).get("evidence");
        assertEquals(1.21e13, ev.get("previous_losses").get(0).doubleValue());
        assertTrue(ev.get("previous_losses").get(1).isNull(), ev.toString());
        assertTrue(ev.get("loss_now").isNull(), ev.toString());
        assertTrue(ev.get("by_layer").get("layers.0").isNull(), ev.toString());
        assertEquals(0.5, ev.get("lr").doubleValue());
        assertEquals(0.001, Report.rate(0.001f), "a float rate as its shortest decimal");
    }

    @Test
    void writesEveryFieldAndReadsBackTheSameReport(@TempDir Path dir) throws IOException {
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("epochs", List.of(Map.of("epoch", 1, "train_loss", 0.5)));
        metrics.put("test_accuracy", 0.9);
        Report r = Report.of("check", "digits-mlp", List.of(full(), minimal(Severity.INFO)), metrics);
        Path f = dir.resolve("report.json");
        r.write(f);
        try (var s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList(), "no temporary file left");
        }

        JsonNode n = Report.JSON.readTree(f.toFile());
        assertEquals(List.of("format", "command", "spec", "verdict", "findings", "metrics"), names(n));
        assertEquals(1, n.get("format").intValue());
        assertEquals("check", n.get("command").textValue());
        assertEquals("digits-mlp", n.get("spec").textValue());
        assertEquals("unhealthy", n.get("verdict").textValue());
        JsonNode a = n.get("findings").get(0);
        assertEquals(List.of("code", "severity", "stage", "layer", "step", "message", "evidence", "cause", "fix", "verified"), names(a));
        assertEquals("VANISHING_GRADIENTS", a.get("code").textValue());
        assertEquals("error", a.get("severity").textValue());
        assertEquals("train", a.get("stage").textValue());
        assertEquals("layers.0", a.get("layer").textValue());
        assertEquals(120, a.get("step").longValue());
        assertEquals(1.5e-9, a.get("evidence").get("grad_norm_first").doubleValue());
        assertEquals("layers.2", a.get("evidence").get("layers").get(1).textValue());
        assertTrue(a.get("verified").textValue().startsWith("after the repair"));
        // optional fields are left out when absent, never written as null
        JsonNode b = n.get("findings").get(1);
        assertEquals(List.of("code", "severity", "stage", "message", "evidence", "cause", "fix"), names(b));
        assertEquals("info", b.get("severity").textValue());
        assertEquals("lint", b.get("stage").textValue());

        // and the file reads back into the same report
        Report back = Report.JSON.readValue(f.toFile(), Report.class);
        assertEquals(r.format(), back.format());
        assertEquals(r.command(), back.command());
        assertEquals(r.spec(), back.spec());
        assertEquals(r.verdict(), back.verdict());
        assertEquals(r.findings(), back.findings());
        assertEquals(Report.JSON.valueToTree(r.metrics()), Report.JSON.valueToTree(back.metrics()));
    }

    @Test
    void unhealthyExactlyWhenAnErrorExists() {
        assertEquals("healthy", Report.of("train", "x", List.of(), Report.untrained()).verdict());
        assertEquals("healthy", Report.of("train", "x", List.of(minimal(Severity.WARNING), minimal(Severity.INFO)), Report.untrained()).verdict());
        assertTrue(Report.of("train", "x", List.of(minimal(Severity.WARNING)), Report.untrained()).healthy());
        assertEquals("unhealthy", Report.of("train", "x", List.of(minimal(Severity.INFO), minimal(Severity.ERROR)), Report.untrained()).verdict());
        assertFalse(Report.of("train", "x", List.of(minimal(Severity.ERROR)), Report.untrained()).healthy());
    }

    @Test
    void nonFiniteNumbersAreWrittenAsNull() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", List.of());
        m.put("test_loss", Report.num(Double.NaN));
        m.put("seconds", Report.num(Double.POSITIVE_INFINITY));
        JsonNode n = Report.JSON.readTree(Report.of("train", "x", List.of(), m).toJson());
        assertTrue(n.get("metrics").get("test_loss").isNull());
        assertTrue(n.get("metrics").get("seconds").isNull());
    }

    @Test
    void halfACharacterIsWrittenAsItsEscape(@TempDir Path dir) throws IOException {
        // a diagnosed log's column "\\ud800x" (half a character, from a JSON escape) made writing the report fail, exit 1
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", List.of());
        m.put("ignored", List.of("\ud800x", "ok \ud83d\ude00", "\ude00\ud83d"));
        m.put("\udc00key", 1);
        Path f = dir.resolve("r.json");
        Report.of("diagnose", "x", List.of(), m).write(f);
        String text = Files.readString(f);
        assertTrue(text.contains("\"\\ud800x\"") && text.contains("\"\\ude00\\ud83d\"") && text.contains("\"\\udc00key\""), text);
        assertTrue(text.contains("ok \ud83d\ude00"), "a whole pair stays as it is: " + text);
        JsonNode n = Report.JSON.readTree(f.toFile());
        assertEquals("\ud800x", n.get("metrics").get("ignored").get(0).textValue());
        assertEquals(1, n.get("metrics").get("\udc00key").intValue());
    }

    @Test
    void writeReplacesAnExistingReport(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("r.json");
        Files.writeString(f, "old");
        Report.of("train", "x", List.of(), Report.untrained()).write(f);
        assertEquals("healthy", Report.JSON.readTree(f.toFile()).get("verdict").textValue());
    }
}
