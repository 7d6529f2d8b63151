package dev.vitals.doctor.logs;

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
 * Reads the metrics of a run in MLflow's file store ({@code mlruns/<experiment>/<run>/metrics/}):
 * one file per metric, named by it (a {@code /} in the name is a folder), each line
 * {@code timestamp value step} (older versions: {@code timestamp value}). The rows become a table
 * kept one metric per row, which {@link LongFormat} widens.
 */
final class MlflowRun {
    private MlflowRun() {}

    /** The run's metrics folder: the folder itself when named {@code metrics}, else its {@code metrics} child; null when neither. */
    static Path metricsFolder(Path folder) {
        Path abs = folder.toAbsolutePath().normalize();
        // a run folder holds meta.yaml beside metrics/: a TensorBoard folder that happens to be called metrics is not one
        if (abs.getFileName() != null && abs.getFileName().toString().equals("metrics") && abs.getParent() != null
                && Files.isRegularFile(abs.getParent().resolve("meta.yaml"))) return folder;
        Path m = folder.resolve("metrics");
        return Files.isDirectory(m) && Files.isRegularFile(folder.resolve("meta.yaml")) ? m : null;
    }

    static LogTable read(Path metrics) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(metrics)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        if (files.isEmpty()) throw new InputException(metrics + ": an MLflow metrics folder with no metric files");
        List<LogRecord> rows = new ArrayList<>();
        for (Path f : files) {
            String metric = metrics.relativize(f).toString().replace('\\', '/');
            List<String> lines = Files.readAllLines(f);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).trim();
                if (line.isEmpty()) continue;
                String[] p = line.split("\\s+");
                if (p.length < 2 || p.length > 3) {
                    throw new InputException(f + " line " + (i + 1) + ": '" + line + "', expected 'timestamp value step' as MLflow writes a metric");
                }
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("key", metric);
                v.put("value", p[1]);
                if (p.length == 3) v.put("step", p[2]);
                rows.add(new LogRecord("file " + metric + " line " + (i + 1), v));
            }
        }
        boolean steps = rows.stream().anyMatch(r -> r.values().containsKey("step"));
        return new LogTable(metrics, "mlflow", steps ? List.of("key", "value", "step") : List.of("key", "value"), rows);
    }
}
