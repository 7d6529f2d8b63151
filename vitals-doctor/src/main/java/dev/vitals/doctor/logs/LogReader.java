package dev.vitals.doctor.logs;

import dev.vitals.core.InputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads a metrics log in whichever format it is: TensorBoard event files (a file whose name holds
 * {@code tfevents}, or a folder of them), an MLflow run folder ({@link MlflowRun}), JSON lines ({@code .jsonl}/{@code .json}, or content that
 * starts with '{'), else CSV with a header row; a table kept one metric per row is widened to one
 * record per step ({@link LongFormat}).
 */
public final class LogReader {
    private LogReader() {}

    /** The log a {@code vitals train} run leaves in its folder. */
    public static final String VITALS_LOG = "metrics.jsonl";

    public static LogTable read(Path path) {
        if (!Files.exists(path)) throw new InputException(path + ": no such file or folder");
        try {
            if (Files.isDirectory(path) && MlflowRun.metricsFolder(path) != null) return LongFormat.widen(MlflowRun.read(MlflowRun.metricsFolder(path)));
            // a Vitals run folder: its metrics.jsonl holds what its TensorBoard file does, and the classes, their shares and the loss
            if (Files.isDirectory(path) && Files.isRegularFile(path.resolve(VITALS_LOG))) return read(path.resolve(VITALS_LOG));
            // a run stopped before its first step (NaN inputs, labels the model cannot predict) leaves its report and no log
            if (Files.isDirectory(path) && Files.isRegularFile(path.resolve("report.json")) && Files.isRegularFile(path.resolve("spec.yaml"))
                    && !TensorBoardLog.holdsEventFiles(path)) {
                throw new InputException(path + ": a Vitals run folder without metrics.jsonl: the run never trained (its data could not be trained on); "
                        + path.resolve("report.json") + " says why");
            }
            if (Files.isDirectory(path) || TensorBoardLog.isEventFile(path)) return TensorBoardLog.read(path);
            if (!Files.isReadable(path)) throw new InputException(path + ": cannot be read");
            String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
            // a spec handed to diagnose read as a CSV ("line 3: 3 values, but the header names 1 columns")
            if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                throw new InputException(path + ": a YAML file, expected a training log (CSV, JSON lines, TensorBoard events, an MLflow run folder); "
                        + "a spec is run with 'vitals check' or 'vitals train'");
            }
            if (name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".ndjson") || startsWithBrace(path)) return LongFormat.widen(JsonLinesLog.read(path));
            return LongFormat.widen(PanelExport.widen(CsvLog.read(path)));
        } catch (java.nio.charset.MalformedInputException e) {
            throw new InputException(path + ": not a text metrics log (not UTF-8) and not a TensorBoard event file (events.out.tfevents.*)");
        } catch (IOException e) {
            throw new InputException(path + ": cannot be read (" + e.getMessage() + ")", e);
        } catch (UncheckedIOException e) {
            throw new InputException(path + ": cannot be read (" + e.getCause().getMessage() + ")", e);
        }
    }

    private static boolean startsWithBrace(Path p) throws IOException {
        try (var r = Files.newBufferedReader(p)) {
            int c;
            while ((c = r.read()) >= 0) {
                if (c == '\uFEFF' || Character.isWhitespace(c)) continue;
                return c == '{';
            }
            return false;
        }
    }
}
