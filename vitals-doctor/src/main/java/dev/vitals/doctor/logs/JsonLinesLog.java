package dev.vitals.doctor.logs;

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
 * Reads a JSON-lines metrics log: one object per line. Python's json module writes NaN and
 * Infinity bare, and Vitals writes non-finite numbers as null; both read as NaN or infinity.
 * A nested object ({@code "grad_norm": {"fc1": 0.3}}) is flattened to {@code grad_norm/fc1}.
 */
public final class JsonLinesLog {
    private JsonLinesLog() {}

    private static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    public static LogTable read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        Set<String> names = new LinkedHashSet<>();
        List<LogRecord> records = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).replace("\uFEFF", "");
            if (line.isBlank()) continue;
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new InputException(file + " line " + (i + 1) + ": not valid JSON (" + e.getOriginalMessage() + ")");
            }
            if (node == null || !node.isObject()) throw new InputException(file + " line " + (i + 1) + ": expected one JSON object per line");
            Map<String, Object> values = new LinkedHashMap<>();
            flatten("", node, values);
            names.addAll(values.keySet());
            records.add(new LogRecord("line " + (i + 1), values));
        }
        return new LogTable(file, "jsonl", List.copyOf(names), records);
    }

    private static void flatten(String prefix, JsonNode node, Map<String, Object> out) {
        for (var e : node.properties()) {
            String key = prefix + e.getKey();
            JsonNode v = e.getValue();
            if (v.isObject() && prefix.isEmpty()) flatten(key + "/", v, out);
            else if (v.isNumber()) out.put(key, v.doubleValue());
            else if (v.isNull()) out.put(key, Double.NaN);
            else if (v.isValueNode()) out.put(key, v.asText());
            else out.put(key, v.toString());
        }
    }
}
