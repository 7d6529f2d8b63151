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

    // a key given twice in one record is refused, as a column named twice in a CSV header is
    private static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    public static LogTable read(Path file) throws IOException {
        String text = Files.readString(file).replace("\uFEFF", "");
        List<JsonNode> roots = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        int start = 1;
        // whether every record so far began and ended on one line (JSON lines, not one document laid out over many)
        boolean oneLineEach = true;
        try (JsonParser p = JSON.createParser(text)) {
            while (p.nextToken() != null) {
                start = p.currentTokenLocation().getLineNr();
                lines.add(start);
                roots.add(JSON.readTree(p));
                oneLineEach &= p.currentTokenLocation().getLineNr() == start;
            }
        } catch (JsonProcessingException e) {
            // a record cut short (a run killed mid-write) is named by the line it starts on, not the end of the file
            JsonLocation at = e.getLocation();
            String msg = plain(e.getOriginalMessage());
            boolean cut = msg.startsWith("Unexpected end-of-input");
            // ...and so is a JSON line left open (a lost '}'), which the parser only notices at the next line's '{'
            boolean runOn = !cut && oneLineEach && !roots.isEmpty() && at != null && at.getLineNr() > start;
            int line = cut || runOn || at == null || at.getLineNr() <= 0 ? start : at.getLineNr();
            int end = (int) text.lines().count();
            throw new InputException(file + " line " + line + ": not valid JSON (" + msg + ")"
                    + (cut && end > line ? "; the record that starts there is cut short at the file's end, line " + end : "")
                    + (runOn ? "; the record that starts there does not end on its line, and runs on into line " + at.getLineNr() : ""));
        }
        Set<String> names = new LinkedHashSet<>();
        List<LogRecord> records = new ArrayList<>();
        String kind;  // what the summary and the report call the layout, so a reader sees how the file was understood
        if (roots.size() == 1 && roots.get(0).isObject() && roots.get(0).path("log_history").isArray()) {
            kind = "trainer_state";
            JsonNode history = roots.get(0).get("log_history");
            for (int i = 0; i < history.size(); i++) add(file, "log_history[" + i + "]", history.get(i), names, records);
        } else if (roots.size() == 1 && roots.get(0).isArray()) {
            kind = "json";
            JsonNode list = roots.get(0);
            for (int i = 0; i < list.size(); i++) add(file, "record " + (i + 1), list.get(i), names, records);
        } else if (roots.size() == 1 && isColumns(roots.get(0))) {
            // Keras' history.history: {"loss": [...], "val_loss": [...]}, one value per epoch from 0
            // a shorter list is a metric measured every k epochs (validation_freq=k), at epochs k-1, 2k-1, ...
            kind = "keras_history";
            JsonNode cols = roots.get(0);
            int n = 0;
            String longest = null;
            for (var e : cols.properties()) {
                if (e.getValue().size() > n) {
                    n = e.getValue().size();
                    longest = e.getKey();
                }
            }
            // Keras validates when (epoch + 1) % k == 0, so n epochs hold floor(n / k) values: the k that gives a list's length
            Map<String, Integer> every = new LinkedHashMap<>();
            for (var e : cols.properties()) {
                int len = e.getValue().size();
                if (len == 0) continue;
                int fewest = n / (len + 1) + 1, most = n / len;
                if (fewest != most) {
                    throw new InputException(file + ": '" + e.getKey() + "' has " + len + " values but '" + longest + "' has " + n
                            + (fewest > most ? "" : ", which fits a value every " + fewest + " to " + most + " epochs (validation_freq) and the history does not say which")
                            + "; expected one value per epoch, or one every k epochs (floor(" + n + " / k) values)");
                }
                every.put(e.getKey(), most);
            }
            for (int i = 0; i < n; i++) {
                Map<String, Object> values = new LinkedHashMap<>();
                values.put("epoch", (double) i);
                for (var e : cols.properties()) {
                    Integer k = every.get(e.getKey());
                    if (k != null && (i + 1) % k == 0 && (i + 1) / k <= e.getValue().size()) values.put(e.getKey(), value(e.getValue().get((i + 1) / k - 1)));
                }
                names.addAll(values.keySet());
                records.add(new LogRecord("epoch " + i, values));
            }
        } else {
            kind = "jsonl";
            for (int i = 0; i < roots.size(); i++) add(file, "line " + lines.get(i), roots.get(i), names, records);
        }
        return new LogTable(file, kind, List.copyOf(names), records);
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

    /**
     * An object whose every value is a list of plain values (numbers, nulls, or text that the reading
     * of a column then names by its epoch: {@code [1, "x", 0.5]} was called one cell holding the list).
     */
    private static boolean isColumns(JsonNode node) {
        if (!node.isObject() || node.isEmpty()) return false;
        for (var e : node.properties()) {
            JsonNode v = e.getValue();
            if (!v.isArray()) return false;
            for (JsonNode x : v) if (!x.isValueNode()) return false;
        }
        return true;
    }

    private static Object value(JsonNode v) {
        // a whole number beyond 2^53 stays text: as a double it would round to a neighbour (a step the log does not have)
        if (v.isIntegralNumber() && v.bigIntegerValue().abs().bitLength() > 53) return v.asText();
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
