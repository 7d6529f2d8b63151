package dev.vitals.doctor.casebook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.vitals.core.InputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The bundled incidents: one folder per incident with its specs and a {@code case.yaml} that says,
 * for each spec, its role (broken, fixed, sanity), the finding codes a broken run must produce and
 * the results a fixed run must reach ({@code test_accuracy}, {@code val_accuracy}: at least;
 * {@code val_loss_below}: the best validation loss under).
 */
public final class Casebook {
    private static final YAMLMapper YAML = new YAMLMapper();

    private Casebook() {}

    public record Run(String spec, String role, List<String> expect, Map<String, Double> reaches) {
        public boolean broken() { return role.equals("broken"); }
    }

    public record Case(String id, String title, String source, String story, List<Run> runs, Path dir) {}

    /** Every incident under {@code root}, in folder order. */
    public static List<Case> load(Path root) {
        if (!Files.isDirectory(root)) {
            throw new InputException(root + ": " + (Files.exists(root) ? "is a file" : "no such folder") + "; expected a casebook folder (one folder per incident, each with a case.yaml)");
        }
        List<Case> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.filter(p -> Files.isRegularFile(p.resolve("case.yaml"))).sorted().toList()) out.add(read(d));
        } catch (IOException e) {
            throw new InputException(root + ": the casebook cannot be read (" + e.getMessage() + ")");
        }
        if (out.isEmpty()) throw new InputException(root + ": holds no incident; expected folders each with a case.yaml");
        return out;
    }

    private static final List<String> CASE_KEYS = List.of("title", "source", "story", "runs"), RUN_KEYS = List.of("spec", "role", "expect", "reaches"),
            ROLES = List.of("broken", "fixed", "sanity"), REACHES = List.of("test_accuracy", "val_accuracy", "val_loss_below");

    /** One incident's case.yaml, checked key by key: a casebook that says nothing must not pass as one whose runs all behaved. */
    static Case read(Path dir) throws IOException {
        Path file = dir.resolve("case.yaml");
        JsonNode n;
        try {
            n = YAML.readTree(Files.readString(file));
        } catch (java.nio.charset.MalformedInputException e) {
            // was "CASEBOOK: the casebook cannot be read (Input length = 1)", naming neither the file nor what was wrong
            throw new InputException(file + ": bytes that are not UTF-8 text; expected a YAML text file saved as UTF-8");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var at = e.getLocation();
            throw new InputException(file + (at != null && at.getLineNr() > 0 ? " line " + at.getLineNr() : "") + ": invalid YAML ("
                    + String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("") + ")");
        }
        if (n == null || !n.isObject()) throw new InputException(file + ": expected a mapping with title, story and runs");
        keys(n, file, "", CASE_KEYS);
        if (!n.path("runs").isArray() || n.path("runs").isEmpty()) throw new InputException(file + ": runs: expected a list of at least one run (spec, role, expect or reaches)");
        List<Run> runs = new ArrayList<>();
        int i = 0;
        for (JsonNode r : n.path("runs")) {
            String where = "runs[" + i++ + "]";
            if (!r.isObject()) throw new InputException(file + ": " + where + ": expected a mapping with spec and role");
            keys(r, file, where + ".", RUN_KEYS);
            List<String> expect = new ArrayList<>();
            for (JsonNode c : r.path("expect")) {
                String code = c.asText();
                if (java.util.Arrays.stream(dev.vitals.doctor.Code.values()).noneMatch(k -> k.name().equals(code))) {
                    throw new InputException(file + ": " + where + ".expect: unknown finding code '" + code + "'");
                }
                expect.add(code);
            }
            Map<String, Double> reaches = new LinkedHashMap<>();
            for (var e : r.path("reaches").properties()) {
                if (!REACHES.contains(e.getKey())) throw new InputException(file + ": " + where + ".reaches." + e.getKey() + ": unknown; expected one of " + String.join(", ", REACHES));
                if (!e.getValue().isNumber()) throw new InputException(file + ": " + where + ".reaches." + e.getKey() + ": expected a number");
                // an accuracy above 1 no run reaches: the casebook then "failed" with exit 1, an internal failure, for a typo (97 for 0.97)
                double v = e.getValue().asDouble();
                boolean accuracy = e.getKey().endsWith("accuracy");
                if (!Double.isFinite(v) || v < 0 || v == 0 && !accuracy || accuracy && v > 1) {
                    throw new InputException(file + ": " + where + ".reaches." + e.getKey() + ": expected "
                            + (accuracy ? "a fraction from 0 to 1 (0.97 for 97%)" : "a positive loss") + ", not " + e.getValue().asText());
                }
                reaches.put(e.getKey(), e.getValue().asDouble());
            }
            String spec = r.path("spec").asText();
            if (spec.isEmpty() || !isFile(dir, spec)) throw new InputException(file + ": " + where + ".spec: no spec file '" + spec + "' in " + dir);
            String role = r.path("role").asText("broken");
            if (!ROLES.contains(role)) throw new InputException(file + ": " + where + ".role: expected one of " + String.join(", ", ROLES) + ", not '" + role + "'");
            if (role.equals("broken") && expect.isEmpty()) throw new InputException(file + ": " + where + ": a broken run needs expect: the finding codes it must produce");
            runs.add(new Run(spec, role, List.copyOf(expect), Map.copyOf(reaches)));
        }
        String id = dir.getFileName().toString();
        return new Case(id, n.path("title").asText(id), n.path("source").asText(""), n.path("story").asText("").trim(), List.copyOf(runs), dir);
    }

    /** Whether {@code name} is a file in {@code dir}; false for a name no path can be made of (half a character from a "\\ud800" escape gave exit 1). */
    private static boolean isFile(Path dir, String name) {
        try {
            return Files.isRegularFile(dir.resolve(name));
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    private static void keys(JsonNode n, Path file, String prefix, List<String> known) {
        for (String k : (Iterable<String>) () -> n.fieldNames()) {
            if (!known.contains(k)) throw new InputException(file + ": " + prefix + k + ": unknown key; expected one of " + String.join(", ", known));
        }
    }
}
