package dev.vitals.doctor.logs;

import dev.vitals.core.InputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
            if (Files.isDirectory(path) && !TensorBoardLog.holdsEventFiles(path)) return read(logInFolder(path));
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
            throw new InputException(path + firstMalformed(path) + ": not a text metrics log (not UTF-8) and not a TensorBoard event file (events.out.tfevents.*)");
        } catch (IOException e) {
            throw new InputException(path + ": cannot be read (" + e.getMessage() + ")", e);
        } catch (UncheckedIOException e) {
            throw new InputException(path + ": cannot be read (" + e.getCause().getMessage() + ")", e);
        }
    }

    /**
     * Where a file's first byte that is not UTF-8 lies, as " line L (byte B)" (B counted from 0), or ""
     * where it cannot be found (a folder, a file that changed): a CSV log with one Latin-1 cell was
     * refused naming the file alone, where every other problem names the line.
     */
    static String firstMalformed(Path path) {
        if (!Files.isRegularFile(path)) return "";
        var decoder = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        byte[] buf = new byte[1 << 16];
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(buf).limit(0);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(1 << 16);
        long base = 0, line = 1;
        try (var s = Files.newInputStream(path)) {
            boolean eof = false;
            while (true) {
                int done = in.position();
                for (int i = 0; i < done; i++) if (buf[i] == '\n') line++;
                base += done;
                in.compact();
                int n = eof ? -1 : s.read(buf, in.position(), in.remaining());
                if (n < 0) eof = true;
                else in.position(in.position() + n);
                in.flip();
                out.clear();
                java.nio.charset.CoderResult r = decoder.decode(in, out, eof);
                if (r.isError()) {
                    int at = in.position();
                    for (int i = 0; i < at; i++) if (buf[i] == '\n') line++;
                    return " line " + line + " (byte " + (base + at) + ")";
                }
                if (eof && !in.hasRemaining()) return "";
            }
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** The logs other trainers leave in a run folder under these names: Lightning's CSVLogger, Hugging Face's checkpoints, Keras' CSVLogger example. */
    private static final List<String> KNOWN_LOGS = List.of("metrics.csv", "trainer_state.json", "training.log", "history.json", "log.csv");

    /**
     * The metrics log of a folder without TensorBoard files: a Lightning {@code version_0/} folder holds
     * {@code metrics.csv} beside {@code hparams.yaml}, and "no TensorBoard event files in this folder"
     * left the user to find it. The one log of a known name, else the one CSV or JSON file; several, or
     * none, are named in the error.
     */
    private static Path logInFolder(Path folder) throws IOException {
        List<Path> files;
        try (var s = Files.list(folder)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        List<Path> known = files.stream().filter(f -> KNOWN_LOGS.contains(f.getFileName().toString())).toList();
        if (known.size() == 1) return known.get(0);
        List<Path> logs = files.stream().filter(f -> {
            String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
            return n.endsWith(".csv") || n.endsWith(".jsonl") || n.endsWith(".ndjson") || n.endsWith(".json") || n.endsWith(".tsv");
        }).toList();
        if (known.isEmpty() && logs.size() == 1) return logs.get(0);
        List<Path> named = known.isEmpty() ? logs : known;
        String list = named.stream().limit(6).map(f -> f.getFileName().toString()).collect(java.util.stream.Collectors.joining(", "));
        throw new InputException(folder + ": no TensorBoard event files (events.out.tfevents.*) in this folder"
                + (named.isEmpty() ? ", and no CSV or JSON metrics log beside them; expected a log file, a run folder holding one, or a TensorBoard log folder"
                        : ", and " + named.size() + " files that may be a metrics log (" + list + (named.size() > 6 ? ", ..." : "") + "): give the one to read"));
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
