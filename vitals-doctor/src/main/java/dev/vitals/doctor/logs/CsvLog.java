package dev.vitals.doctor.logs;

import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.vitals.core.InputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a CSV (or tab-separated) metrics log with a header row. Each line is parsed on its own so
 * that errors name the line exactly; metrics logs never hold quoted line breaks. Cells stay text
 * until the interpretation knows which columns hold numbers. A row with fewer cells than the header
 * leaves the rest not logged, as pandas reads it.
 */
public final class CsvLog {
    private CsvLog() {}

    public static LogTable read(Path file) throws IOException {
        String text = Files.readString(file);
        List<String> lines = text.lines().toList();
        // a last line without its line end and short of cells was cut off as it was written (a run
        // killed mid-write): its last number may be cut too ("0.3930" of "0.39301"), so it is not read as data
        boolean cutAtEnd = !text.isEmpty() && !text.endsWith("\n") && !text.endsWith("\r");
        int first = 0;
        while (first < lines.size() && (lines.get(first).isBlank() || lines.get(first).startsWith("#"))) first++;
        if (first == lines.size()) throw new InputException(file + ": empty log, expected a header row and at least one row of metrics");
        String header = lines.get(first).replace("\uFEFF", "");
        char sep = header.indexOf('\t') >= 0 && header.indexOf(',') < 0 ? '\t' : header.indexOf(';') >= 0 && header.indexOf(',') < 0 ? ';' : ',';
        CsvMapper mapper = new CsvMapper();
        ObjectReader reader = mapper.readerFor(String[].class).with(com.fasterxml.jackson.dataformat.csv.CsvSchema.emptySchema().withColumnSeparator(sep));
        String[] names = cells(reader, header, file, first + 1);
        List<String> cols = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            String n = names[i].trim();
            if (n.isEmpty()) n = "column " + (i + 1);
            if (cols.contains(n)) throw new InputException(file + " line " + (first + 1) + ": column '" + n + "' appears twice in the header");
            cols.add(n);
        }
        List<LogRecord> records = new ArrayList<>();
        for (int i = first + 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] c = cells(reader, line, file, i + 1);
            if (c.length > cols.size()) {
                throw new InputException(file + " line " + (i + 1) + ": " + c.length + " values, but the header names " + cols.size() + " columns");
            }
            if (c.length < cols.size() && cutAtEnd && i == lines.size() - 1) {
                throw new InputException(file + " line " + (i + 1) + ": " + c.length + " values, but the header names " + cols.size()
                        + " columns, and the file ends inside this line: it was cut off while being written; expected whole rows (remove the last line to read the rest)");
            }
            Map<String, Object> values = new LinkedHashMap<>();
            for (int k = 0; k < c.length; k++) if (!notLogged(c[k])) values.put(cols.get(k), c[k].trim());
            records.add(new LogRecord("line " + (i + 1), values));
        }
        return new LogTable(file, "csv", List.copyOf(cols), records);
    }

    /**
     * An empty cell, or a marker that pandas also reads as missing: Keras 3's CSVLogger writes
     * {@code NA} for the validation metrics of epochs without validation ({@code validation_freq=2})
     * and for its always-empty {@code val_learning_rate}. NaN is not among them: in a loss column it
     * is a diverged value, not a missing one.
     */
    static boolean notLogged(String cell) {
        return cell.isBlank() || dev.vitals.core.data.CsvReader.missing(cell);
    }

    private static String[] cells(ObjectReader reader, String line, Path file, int lineNo) {
        try {
            return reader.readValue(line);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new InputException(file + " line " + lineNo + ": not valid CSV (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new InputException(file + " line " + lineNo + ": not valid CSV (" + e.getMessage() + ")");
        }
    }
}
