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
    /**
     * JSON has no NaN or infinity, and Jackson would write them as the strings "NaN" and "Infinity":
     * every non-finite number, in metrics and in any finding's evidence (a loss that went NaN, a
     * gradient norm that overflowed), is written as null.
     */
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .registerModule(new com.fasterxml.jackson.databind.module.SimpleModule("finite-or-null")
                    .addSerializer(Double.class, new FiniteOrNull<>(Double.class))
                    .addSerializer(double.class, new FiniteOrNull<>(double.class))
                    .addSerializer(Float.class, new FiniteOrNull<>(Float.class))
                    .addSerializer(float.class, new FiniteOrNull<>(float.class)));

    private static final class FiniteOrNull<T extends Number> extends com.fasterxml.jackson.databind.ser.std.StdSerializer<T> {
        FiniteOrNull(Class<T> type) { super(type); }

        @Override
        public void serialize(T v, com.fasterxml.jackson.core.JsonGenerator g, com.fasterxml.jackson.databind.SerializerProvider p) throws IOException {
            double d = v.doubleValue();
            if (!Double.isFinite(d)) g.writeNull();
            else if (v instanceof Float f) g.writeNumber(f);
            else g.writeNumber(d);
        }
    }

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

    /**
     * The metrics of a {@code train} that did not start: no epoch, no kept weights, and why; the test
     * metrics null where a test split exists (present, as {@code val_*} are, but not measured).
     */
    public static Map<String, Object> untrained(String why, double seconds, boolean testSplit) {
        Map<String, Object> m = untrained();
        if (testSplit) {
            m.put("test_loss", null);
            m.put("test_accuracy", null);
        }
        m.put("best_epoch", null);
        m.put("stopped", why);
        m.put("seconds", num(seconds));
        return m;
    }

    /**
     * {@code epochs} (one object per epoch) and the test metrics when there was a test split: null
     * where the run never reached them (stopped by a non-finite loss, its weights NaN).
     */
    public static Map<String, Object> metrics(RunResult r, boolean testSplit) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Map<String, Object>> epochs = new ArrayList<>();
        for (EpochResult e : r.epochs()) epochs.add(epoch(e));
        m.put("epochs", epochs);
        if (testSplit || r.hasTest()) {
            m.put("test_loss", num(r.testLoss()));
            m.put("test_accuracy", num(r.testAccuracy()));
        }
        // the epoch whose weights were kept (1-based); null when no epoch finished
        m.put("best_epoch", r.bestEpoch() >= 0 ? r.bestEpoch() + 1 : null);
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
        m.put("lr", rate(e.lr()));
        return m;
    }

    /** JSON has no NaN or infinity: they are written as null. */
    public static Double num(double d) { return Double.isFinite(d) ? d : null; }

    /** A float32 learning rate as its shortest decimal (0.001, not the 0.0010000000474974513 a widening gives); null if not finite. */
    public static Double rate(float lr) { return Float.isFinite(lr) ? Double.parseDouble(Float.toString(lr)) : null; }

    public String toJson() {
        try {
            return unpairedSurrogatesEscaped(JSON.writeValueAsString(this));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The JSON text with each unpaired surrogate written as its escape ("\\ud800"), which JSON allows
     * and UTF-8 can hold: a metrics log's column named with half a character (a JSON lines key
     * "\\ud800x") reached the report raw, and writing it failed with exit 1 after the diagnosis. Such a
     * character can only stand inside a JSON string, where the escape means the same.
     */
    static String unpairedSurrogatesEscaped(String json) {
        StringBuilder sb = null;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < json.length() && Character.isLowSurrogate(json.charAt(i + 1))) {
                if (sb != null) sb.append(c).append(json.charAt(i + 1));
                i++;
            } else if (Character.isSurrogate(c)) {
                if (sb == null) sb = new StringBuilder(json.length() + 16).append(json, 0, i);
                sb.append(String.format("\\u%04x", (int) c));
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? json : sb.toString();
    }

    /** Writes the report through a temporary file and a rename, so a reader never sees half of it. */
    public void write(Path path) throws IOException {
        dev.vitals.core.io.AtomicText.write(path, toJson() + "\n");
    }
}
