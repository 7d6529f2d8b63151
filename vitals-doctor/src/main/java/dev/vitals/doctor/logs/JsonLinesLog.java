package dev.vitals.doctor.logs;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.vitals.core.InputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a JSON metrics log: JSON lines (one object per record), or one document that holds the
 * records: a list of objects, Hugging Face's {@code trainer_state.json} (its {@code log_history}),
 * or a Keras {@code history.history} dump (one list per metric, a value per epoch). Python's json
 * module writes NaN and Infinity bare, and Vitals writes non-finite numbers as null; both read as
 * NaN or infinity. A nested object ({@code "grad_norm": {"fc1": 0.3}}) is flattened to
 * {@code grad_norm/fc1}.
 */
public final class JsonLinesLog {
    private JsonLinesLog() {}

    private static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    public static LogTable read(Path file) throws IOException {
        String text = Files.readString(file).replace("\uFEFF", "");
        List<JsonNode> roots = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        int start = 1;
        try (JsonParser p = JSON.createParser(text)) {
            while (p.nextToken() != null) {
                start = p.currentTokenLocation().getLineNr();
                lines.add(start);
                roots.add(JSON.readTree(p));
            }
        } catch (JsonProcessingException e) {
            // a record cut short (a run killed mid-write) is named by the line it starts on, not the end of the file
            JsonLocation at = e.getLocation();
            String msg = plain(e.getOriginalMessage());
            int line = msg.startsWith("Unexpected end-of-input") || at == null || at.getLineNr() <= 0 ? start : at.getLineNr();
            throw new InputException(file + " line " + line + ": not valid JSON (" + msg + ")");
        }
        Set<String> names = new LinkedHashSet<>();
        List<LogRecord> records = new ArrayList<>();
        if (roots.size() == 1 && roots.get(0).isObject() && roots.get(0).path("log_history").isArray()) {
            JsonNode history = roots.get(0).get("log_history");
            for (int i = 0; i < history.size(); i++) add(file, "log_history[" + i + "]", history.get(i), names, records);
        } else if (roots.size() == 1 && roots.get(0).isArray()) {
            JsonNode list = roots.get(0);
            for (int i = 0; i < list.size(); i++) add(file, "record " + (i + 1), list.get(i), names, records);
        } else if (roots.size() == 1 && isColumns(roots.get(0))) {
            // Keras' history.history: {"loss": [...], "val_loss": [...]}, one value per epoch from 0
            JsonNode cols = roots.get(0);
            int n = cols.properties().iterator().next().getValue().size();
            for (int i = 0; i < n; i++) {
                Map<String, Object> values = new LinkedHashMap<>();
                values.put("epoch", (double) i);
                for (var e : cols.properties()) values.put(e.getKey(), value(e.getValue().get(i)));
                names.addAll(values.keySet());
                records.add(new LogRecord("epoch " + i, values));
            }
        } else {
            for (int i = 0; i < roots.size(); i++) add(file, "line " + lines.get(i), roots.get(i), names, records);
        }
        return new LogTable(file, "jsonl", List.copyOf(names), records);
    }

    private static void add(Path file, String where, JsonNode node, Set<String> names, List<LogRecord> records) {
        if (node == null || !node.isObject()) {
            throw new InputException(file + " " + where + ": expected a JSON object of metrics: one JSON object per line, or one document holding them "
                    + "(a list of objects, a trainer_state.json with log_history, or a Keras history of one list per metric)");
        }
        // Hugging Face's Trainer ends its log with a summary of the run (its train_loss is the whole run's mean), not a step
        if (node.has("train_runtime")) return;
        Map<String, Object> values = new LinkedHashMap<>();
        flatten("", node, values);
        names.addAll(values.keySet());
        records.add(new LogRecord(where, values));
    }

    /** An object whose every value is a list of numbers (or nulls), all of one length. */
    private static boolean isColumns(JsonNode node) {
        if (!node.isObject() || node.isEmpty()) return false;
        int n = -1;
        for (var e : node.properties()) {
            JsonNode v = e.getValue();
            if (!v.isArray() || v.isEmpty() || n >= 0 && v.size() != n) return false;
            n = v.size();
            for (JsonNode x : v) if (!x.isNumber() && !x.isNull()) return false;
        }
        return true;
    }

    private static Object value(JsonNode v) {
        if (v.isNumber()) return v.doubleValue();
        if (v.isNull()) return Double.NaN;
        return v.isValueNode() ? v.asText() : v.toString();
    }

    private static void flatten(String prefix, JsonNode node, Map<String, Object> out) {
        for (var e : node.properties()) {
            String key = prefix + e.getKey();
            JsonNode v = e.getValue();
            if (v.isObject() && prefix.isEmpty()) flatten(key + "/", v, out);
            else out.put(key, value(v));
        }
    }

    /** Jackson's message without its source description (internal, and with a setting's name in it). */
    private static String plain(String message) {
        String m = message == null ? "malformed" : message;
        for (String cut : new String[] {"\n", " (start marker at", " at [Source", "[Source"}) {
            int i = m.indexOf(cut);
            if (i >= 0) m = m.substring(0, i);
        }
        return m.strip();
    }
}
