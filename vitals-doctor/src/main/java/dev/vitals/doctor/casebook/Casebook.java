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
        List<Case> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.filter(p -> Files.isRegularFile(p.resolve("case.yaml"))).sorted().toList()) out.add(read(d));
        } catch (IOException e) {
            throw new InputException(root + ": the casebook cannot be read (" + e.getMessage() + ")");
        }
        return out;
    }

    static Case read(Path dir) throws IOException {
        Path file = dir.resolve("case.yaml");
        JsonNode n = YAML.readTree(Files.readString(file));
        List<Run> runs = new ArrayList<>();
        for (JsonNode r : n.path("runs")) {
            List<String> expect = new ArrayList<>();
            for (JsonNode c : r.path("expect")) expect.add(c.asText());
            Map<String, Double> reaches = new LinkedHashMap<>();
            r.path("reaches").fields().forEachRemaining(e -> reaches.put(e.getKey(), e.getValue().asDouble()));
            String spec = r.path("spec").asText();
            if (spec.isEmpty() || !Files.isRegularFile(dir.resolve(spec))) throw new InputException(file + ": run without a spec file: " + r);
            runs.add(new Run(spec, r.path("role").asText("broken"), List.copyOf(expect), Map.copyOf(reaches)));
        }
        String id = dir.getFileName().toString();
        return new Case(id, n.path("title").asText(id), n.path("source").asText(""), n.path("story").asText("").trim(), List.copyOf(runs), dir);
    }
}
