package dev.vitals.core.data;

import dev.vitals.core.InputException;
import dev.vitals.core.tensor.Shape;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads labelled examples from CSV: one example per line, features first, the label in the last
 * column. UTF-8 text, plain or gzipped (recognised by its first bytes, whatever the name), with or
 * without a byte-order mark, LF or CRLF line ends. The first line is a header if one of its feature
 * fields is not a number (nor a missing-value mark such as NA), if its fields are the column numbers
 * (0, 1, 2, ... or 1, 2, 3, ...), or if only its label is a word while the labels below it are numbers.
 * Labels may be numbers (class indices) or words (classes in sorted order), not a mix. Every
 * problem names the file, the line and the column.
 */
public final class CsvReader {
    private CsvReader() {}

    /** Parsed rows with the header (null if none). */
    /** @param lines the file's line number of each example, so that a finding can point at the row */
    public record Table(List<String> header, Dataset data, int[] lines) {
        /** The header's names of the feature columns, unquoted and trimmed; empty where there is no header naming every column. */
        public List<String> featureNames() {
            int columns = data.features() + 1;
            if (header == null || header.size() != columns) return List.of();
            List<String> names = new ArrayList<>(columns - 1);
            for (int i = 0; i < columns - 1; i++) names.add(unquote(header.get(i)).trim());
            return names;
        }
    }

    /** Reads the CSV file at {@code path}; every problem becomes an {@link InputException}. */
    public static Table read(Path path) {
        String name = path.toString();
        if (Files.isDirectory(path)) throw new InputException(name + ": is a folder, expected a CSV file");
        try (InputStream raw = Files.newInputStream(path)) {
            return read(raw, name);
        } catch (NoSuchFileException e) {
            throw new InputException(name + ": no such file; expected a CSV file (label in the last column)");
        } catch (AccessDeniedException e) {
            throw new InputException(name + ": permission denied");
        } catch (IOException e) {
            throw new InputException(name + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    /** Reads CSV text, gzipped or not, from {@code raw}; {@code name} names it in messages. */
    public static Table read(InputStream raw, String name) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(2);
        boolean gzip = in.read() == 0x1F && in.read() == 0x8B;
        in.reset();
        InputStream text = in;
        if (gzip) {
            BufferedInputStream inner = new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
            inner.mark(2);
            try {
                // gzip inside gzip read as "contains NUL bytes; this is a binary file"
                if (inner.read() == 0x1F && inner.read() == 0x8B) {
                    throw new InputException(name + ": is compressed twice: once decompressed it is gzip data again (1f 8b), expected CSV text; gunzip it once");
                }
            } catch (EOFException e) {
                throw new InputException(name + ": truncated gzip data (the compressed stream ends early)");
            } catch (ZipException e) {
                throw new InputException(name + ": corrupt gzip data (" + e.getMessage() + ")");
            }
            inner.reset();
            text = inner;
        }
        // undecodable bytes become U+FFFD, which the parser reports with its line: the decoder reads
        // ahead, so failing in the decoder could not say where
        try {
            return new Parser(name).readAll(new BufferedReader(new InputStreamReader(text, StandardCharsets.UTF_8), 1 << 16));
        } catch (EOFException e) {
            throw new InputException(name + ": truncated gzip data (the compressed stream ends early)");
        } catch (ZipException e) {
            throw new InputException(name + ": corrupt gzip data (" + e.getMessage() + ")");
        }
    }

    /**
     * Whether a first line read as UTF-8 is UTF-16 text: its byte-order mark (FF FE or FE FF, not
     * UTF-8) or, without one, a NUL beside every ASCII character.
     */
    static boolean utf16(String firstLine) {
        if (firstLine.startsWith("\uFFFD\uFFFD")) return true;
        int nul = 0;
        for (int i = 0; i < firstLine.length(); i++) if (firstLine.charAt(i) == '\0') nul++;
        return firstLine.length() >= 4 && nul * 2 >= firstLine.length() - 1;
    }

    /** Reads CSV text from {@code in}; {@code name} names it in messages. */
    public static Table read(BufferedReader in, String name) throws IOException {
        return new Parser(name).readAll(in);
    }

    private static final class Parser {
        private final String name;
        private List<String> header;
        private final List<float[]> rows = new ArrayList<>();
        private final List<String> labelText = new ArrayList<>();
        private final List<Integer> rowLines = new ArrayList<>();
        private int columns = -1, firstDataLine;
        private boolean textLabels, numericLabels;

        Parser(String name) { this.name = name; }

        Table readAll(BufferedReader in) throws IOException {
            List<String> pending = null;   // a first line that is a header only if the labels below are numbers
            int pendingLine = 0, lineNo = 0;
            String line;
            while ((line = in.readLine()) != null) {
                lineNo++;
                // every byte-order mark, not just one (a file saved twice by an editor that adds its own)
                if (lineNo == 1) while (line.startsWith("\uFEFF")) line = line.substring(1);
                if (line.isBlank()) continue;
                if (lineNo == 1 && utf16(line)) {
                    throw new InputException(name + ": UTF-16 text (as Excel's \"Unicode text\" or PowerShell writes it); expected UTF-8: save it as UTF-8 (iconv -f UTF-16 -t UTF-8)");
                }
                if (line.indexOf('\0') >= 0) {
                    throw new InputException(name + " line " + lineNo + ": contains NUL bytes; this is a binary file, expected CSV text");
                }
                if (line.indexOf('\uFFFD') >= 0) {
                    throw new InputException(name + " line " + lineNo + ": bytes that are not UTF-8 text; expected a CSV text file (save it as UTF-8)");
                }
                // a quoted field may hold line breaks (RFC 4180): the record goes on until its quote closes
                int recordLine = lineNo;
                List<String> fields = CsvReader.split(line);
                while (fields == null) {
                    String more = in.readLine();
                    if (more == null) {
                        throw new InputException(name + " line " + recordLine + ": a double quote is never closed; expected \"...\" around a quoted field");
                    }
                    lineNo++;
                    line = line + "\n" + more;
                    fields = CsvReader.split(line);
                }
                if (recordLine != lineNo && (line.indexOf('\0') >= 0 || line.indexOf('\uFFFD') >= 0)) {
                    throw new InputException(name + " line " + recordLine + ": a quoted field holds NUL bytes or bytes that are not UTF-8 text; expected a CSV text file (save it as UTF-8)");
                }
                if (header == null && pending == null && rows.isEmpty()) {
                    // a field a spreadsheet leaves for a missing value (NA, ?) makes a data row, not a
                    // header: "1.0,NA,2.0,3.0,1" was taken for one and the row dropped without a word
                    List<String> features = fields.subList(0, Math.max(0, fields.size() - 1));
                    if (!allNumericOrMissing(features) || numbered(fields) || pandasIndexHeader(fields)) {
                        header = fields;
                        continue;
                    }
                    if (parse(fields.getLast()) == null) {
                        pending = fields;
                        pendingLine = recordLine;
                        continue;
                    }
                }
                if (pending != null) {
                    if (parse(fields.getLast()) != null) header = pending;
                    else add(pending, pendingLine);
                    pending = null;
                }
                add(fields, recordLine);
            }
            if (pending != null) add(pending, pendingLine);
            if (lineNo == 0) throw new InputException(name + ": is empty; expected lines of numbers with the label in the last column");
            if (rows.isEmpty()) {
                throw new InputException(name + ": no data rows" + (header != null ? " after the header line" : "")
                        + "; expected lines of numbers with the label in the last column");
            }
            return table();
        }

        private void add(List<String> fields, int lineNo) {
            if (columns < 0) {
                columns = fields.size();
                firstDataLine = lineNo;
                if (columns < 2) {
                    // a European spreadsheet's export (;) or a TSV: say what separates the values, rather than "one value"
                    String only = fields.isEmpty() ? "" : fields.get(0);
                    String sep = only.indexOf(';') >= 0 ? "';'" : only.indexOf('\t') >= 0 ? "tabs" : null;
                    throw new InputException(name + " line " + lineNo + ", column 1: " + (sep == null ? "one value per line" : "values separated by " + sep + ", not commas")
                            + "; expected features followed by a label in the last column, separated by commas"
                            + (sep == null ? "" : " (decimal points, not commas); save the file as comma-separated CSV"));
                }
            } else if (fields.size() != columns) {
                String which = fields.size() < columns ? "column " + (fields.size() + 1) + " onwards missing" : "extra values from column " + (columns + 1);
                throw new InputException(name + " line " + lineNo + ": " + fields.size() + " values (" + which + "); expected " + columns
                        + " (" + (columns - 1) + " features and the label) as in line " + firstDataLine);
            }
            float[] row = new float[columns - 1];
            for (int c = 0; c < columns - 1; c++) row[c] = number(fields.get(c), lineNo, c);
            String lab = unquote(fields.get(columns - 1));
            if (lab.isEmpty()) throw new InputException(where(lineNo, columns - 1) + ": empty label; expected a class number or name in the last column");
            // NA and ? are a missing label, not a class of their own (they became classes "NA" and "?")
            if (missing(lab)) throw new InputException(where(lineNo, columns - 1) + ": label '" + lab + "' marks a missing value; expected a class number or name in the last column (drop the row)");
            if (parse(lab) == null) {
                if (numericLabels) throw mixed(lineNo, lab);
                textLabels = true;
            } else {
                if (textLabels) throw mixed(lineNo, lab);
                numericLabels = true;
            }
            rows.add(row);
            labelText.add(lab);
            rowLines.add(lineNo);
        }

        private Table table() {
            int features = columns - 1;
            float[] x = new float[rows.size() * features];
            for (int i = 0; i < rows.size(); i++) System.arraycopy(rows.get(i), 0, x, i * features, features);
            float[] labels = new float[rows.size()];
            List<String> classNames;
            if (textLabels) {
                classNames = new ArrayList<>(new TreeSet<>(labelText));
                java.util.Map<String, Integer> index = new java.util.HashMap<>();
                for (int c = 0; c < classNames.size(); c++) index.put(classNames.get(c), c);
                for (int i = 0; i < labels.length; i++) labels[i] = index.get(labelText.get(i));
            } else {
                for (int i = 0; i < labels.length; i++) labels[i] = parse(labelText.get(i));
                classNames = List.of();
            }
            int classes = textLabels ? classNames.size() : Dataset.classesOf(labels);
            return new Table(header, new Dataset(Shape.of(features), x, labels, classes, classNames), rowLines.stream().mapToInt(Integer::intValue).toArray());
        }

        private InputException mixed(int line, String lab) {
            return new InputException(where(line, columns - 1) + ": label '" + abbreviate(lab) + "' is a " + (textLabels ? "number" : "word")
                    + " but the labels above are " + (textLabels ? "words" : "numbers") + "; expected all class numbers or all class names");
        }

        private float number(String field, int line, int col) {
            String t = unquote(field);
            if (t.isEmpty()) throw new InputException(where(line, col) + ": empty value; expected a number (write NaN for a missing value)");
            Float v = parse(t);
            if (v == null) throw new InputException(where(line, col) + ": '" + abbreviate(t) + "' is not a number; expected a number (features first, the label last"
                    + (missing(t) ? "; write NaN for a missing value" : "") + ")");
            // a finite number beyond float32's range became infinity, which the data check then
            // reported as an infinity written in the file
            if (Float.isInfinite(v) && !t.toLowerCase(Locale.ROOT).contains("inf")) {
                throw new InputException(where(line, col) + ": " + abbreviate(t) + " is beyond the range of a 32-bit float (about ±3.4e38); expected values within it (rescale the column)");
            }
            return v;
        }

        /** "file line L, column C (its header name)", columns counted from 1. */
        private String where(int line, int col) {
            String h = header != null && header.size() == columns && col < header.size() ? unquote(header.get(col)) : "";
            return name + " line " + line + ", column " + (col + 1) + (h.isEmpty() ? "" : " (" + abbreviate(h) + ")");
        }

    }

    /** A number, including NaN/inf spellings; null if the field is not one. */
    static Float parse(String t) {
        String s = unquote(t);
        if (s.isEmpty()) return null;
        switch (s.toLowerCase(Locale.ROOT)) {
            case "nan", "+nan", "-nan": return Float.NaN;
            case "inf", "+inf", "infinity", "+infinity": return Float.POSITIVE_INFINITY;
            case "-inf", "-infinity": return Float.NEGATIVE_INFINITY;
            default:
        }
        char c0 = s.charAt(0);
        if (!(Character.isDigit(c0) || c0 == '-' || c0 == '+' || c0 == '.')) return null;
        char last = s.charAt(s.length() - 1);
        if (!(Character.isDigit(last) || last == '.')) return null;  // Java would accept "1f" and "2d"
        if (s.startsWith("0x") || s.startsWith("0X") || s.startsWith("-0x") || s.startsWith("+0x")) return null;
        try {
            return Float.parseFloat(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String unquote(String t) {
        String s = t.trim();
        if (s.length() >= 2 && s.charAt(0) == '"' && s.charAt(s.length() - 1) == '"') s = s.substring(1, s.length() - 1).trim();
        return s;
    }

    /** What spreadsheets and pandas write for a missing value (NaN aside, which is a value here). */
    public static boolean missing(String field) {
        return switch (unquote(field).trim()) {
            case "NA", "N/A", "n/a", "na", "?", "<NA>", "#N/A", "NULL", "null", "None" -> true;
            default -> false;
        };
    }

    /**
     * Numbers or missing values only: an empty field is a missing value too ("1,,0" on the first line
     * was taken for a header and the row dropped without a word, where any later line says "empty value").
     */
    private static boolean allNumericOrMissing(List<String> fields) {
        for (String f : fields) if (parse(f) == null && !missing(f) && !unquote(f).isEmpty()) return false;
        return true;
    }

    /** pandas' header over an unnamed index and numbered columns: an empty first name, then 0, 1, 2, ... */
    private static boolean pandasIndexHeader(List<String> fields) {
        return fields.size() >= 4 && unquote(fields.getFirst()).isEmpty() && numbered(fields.subList(1, fields.size()));
    }

    /**
     * Column names that are their own numbers, 0, 1, 2, ... or 1, 2, 3, ... across the whole line
     * (pandas' default header, or numbered columns, the label's name included or numbered too):
     * "1,2,3,4,class" was read as a row whose label "class" became a class of one example.
     */
    static boolean numbered(List<String> fields) {
        if (fields.size() < 3) return false;
        int start = -1;
        for (int i = 0; i < fields.size() - 1; i++) {
            String f = unquote(fields.get(i)).trim();
            if (!f.matches("\\d+")) return false;
            int v = Integer.parseInt(f.length() > 9 ? "-1" : f);
            if (i == 0) start = v;
            if (start > 1 || v != start + i) return false;
        }
        // the label's name is a word or the next number: a row "1,2,-1.5" (features 1 and 2, a real
        // target) was taken for a header and dropped
        String last = unquote(fields.getLast()).trim();
        if (parse(last) == null) return true;
        return last.matches("\\d+") && Integer.parseInt(last.length() > 9 ? "-1" : last) == start + fields.size() - 1;
    }

    /** Splits on commas, honouring double quotes (which it drops); null if a quote is never closed. */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == '"') {
                if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    sb.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (ch == ',' && !quoted) {
                out.add(sb.toString());
                sb.setLength(0);
            } else {
                sb.append(ch);
            }
        }
        if (quoted) return null;
        out.add(sb.toString());
        return out;
    }

    private static String abbreviate(String s) { return s.length() > 40 ? s.substring(0, 37) + "..." : s; }
}
