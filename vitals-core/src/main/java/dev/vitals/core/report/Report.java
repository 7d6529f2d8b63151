package dev.vitals.core.report;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vitals.core.train.EpochResult;
import dev.vitals.core.train.RunResult;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON report of DESIGN.md: {@code {format, command, spec, verdict, findings, metrics}}.
 * {@code verdict} is {@code unhealthy} exactly when a finding of severity error exists.
 */
@JsonPropertyOrder({"format", "command", "spec", "verdict", "findings", "metrics"})
public record Report(int format, String command, String spec, String verdict, List<Finding> findings, Map<String, Object> metrics) {
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static Report of(String command, String spec, List<Finding> findings, Map<String, Object> metrics) {
        boolean bad = findings.stream().anyMatch(Finding::isError);
        return new Report(1, command, spec, bad ? "unhealthy" : "healthy", List.copyOf(findings), metrics);
    }

    public boolean healthy() { return verdict.equals("healthy"); }

    /** Metrics of a run that did not train: no epochs. */
    public static Map<String, Object> untrained() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", List.of());
        return m;
    }

    /** {@code epochs} (one object per epoch) and the test metrics when there was a test split. */
    public static Map<String, Object> metrics(RunResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Map<String, Object>> epochs = new ArrayList<>();
        for (EpochResult e : r.epochs()) epochs.add(epoch(e));
        m.put("epochs", epochs);
        if (r.hasTest()) {
            m.put("test_loss", num(r.testLoss()));
            m.put("test_accuracy", num(r.testAccuracy()));
        }
        m.put("best_epoch", r.bestEpoch() + 1);
        if (r.stopReason() != null) m.put("stopped", r.stopReason());
        m.put("seconds", num(r.seconds()));
        return m;
    }

    public static Map<String, Object> epoch(EpochResult e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", e.epoch() + 1);
        m.put("train_loss", num(e.trainLoss()));
        m.put("val_loss", num(e.valLoss()));
        m.put("train_accuracy", num(e.trainAccuracy()));
        m.put("val_accuracy", num(e.valAccuracy()));
        m.put("seconds", num(e.seconds()));
        m.put("lr", num(e.lr()));
        return m;
    }

    /** JSON has no NaN or infinity: they are written as null. */
    public static Double num(double d) { return Double.isFinite(d) ? d : null; }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the report through a temporary file and a rename, so a reader never sees half of it. */
    public void write(Path path) throws IOException {
        dev.vitals.core.io.AtomicText.write(path, toJson() + "\n");
    }
}
