package dev.vitals.core.data;

import dev.vitals.core.InputException;
import dev.vitals.core.tensor.Shape;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Reads labelled examples from CSV: one example per line, features first, the label in the last
 * column. A first line with any non-numeric field is a header. Labels may be numbers (class
 * indices) or words (mapped to classes in sorted order). Every problem names the line and column.
 */
public final class CsvReader {
    private CsvReader() {}

    /** Parsed rows with the header (null if none). */
    public record Table(List<String> header, Dataset data) {}

    public static Table read(BufferedReader in, String name) throws IOException {
        List<String> header = null;
        List<float[]> rows = new ArrayList<>();
        List<String> labelText = new ArrayList<>();
        int columns = -1, firstDataLine = 0, lineNo = 0;
        boolean textLabels = false, numericLabels = false;
        String line;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (lineNo == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
            if (line.isBlank()) continue;
            List<String> fields = split(line);
            if (header == null && rows.isEmpty() && labelText.isEmpty() && !allNumeric(fields)) {
                header = fields;
                continue;
            }
            if (columns < 0) {
                columns = fields.size();
                firstDataLine = lineNo;
                if (columns < 2) {
                    throw new InputException(name + " line " + lineNo + ": " + columns + " value(s); expected features followed by a label in the last column");
                }
            } else if (fields.size() != columns) {
                throw new InputException(name + " line " + lineNo + ": " + fields.size() + " values, expected " + columns
                        + " as in line " + firstDataLine);
            }
            float[] row = new float[columns - 1];
            for (int c = 0; c < columns - 1; c++) row[c] = number(fields.get(c), name, lineNo, c + 1);
            String lab = fields.get(columns - 1).trim();
            if (lab.isEmpty()) throw new InputException(name + " line " + lineNo + ", column " + columns + ": empty label");
            if (parse(lab) == null) {
                if (numericLabels) throw mixed(name, lineNo, columns, lab);
                textLabels = true;
            } else {
                if (textLabels) throw mixed(name, lineNo, columns, lab);
                numericLabels = true;
            }
            rows.add(row);
            labelText.add(lab);
        }
        if (rows.isEmpty()) throw new InputException(name + ": no data rows" + (header != null ? " after the header" : ""));
        int features = columns - 1;
        float[] x = new float[rows.size() * features];
        for (int i = 0; i < rows.size(); i++) System.arraycopy(rows.get(i), 0, x, i * features, features);
        float[] labels = new float[rows.size()];
        List<String> classNames;
        if (textLabels) {
            classNames = new ArrayList<>(new TreeSet<>(labelText));
            for (int i = 0; i < labels.length; i++) labels[i] = classNames.indexOf(labelText.get(i));
        } else {
            for (int i = 0; i < labels.length; i++) labels[i] = parse(labelText.get(i));
            classNames = List.of();
        }
        int classes = textLabels ? classNames.size() : Dataset.classesOf(labels);
        return new Table(header, new Dataset(Shape.of(features), x, labels, classes, classNames));
    }

    private static InputException mixed(String name, int line, int col, String lab) {
        return new InputException(name + " line " + line + ", column " + col + ": label '" + lab
                + "' mixes numbers and words in the label column; expected all class numbers or all class names");
    }

    private static float number(String field, String name, int line, int col) {
        String t = field.trim();
        if (t.isEmpty()) throw new InputException(name + " line " + line + ", column " + col + ": empty value; expected a number (write NaN for a missing value)");
        Float v = parse(t);
        if (v == null) throw new InputException(name + " line " + line + ", column " + col + ": '" + abbreviate(t) + "' is not a number");
        return v;
    }

    /** A number, including NaN/inf spellings; null if the field is not one. */
    static Float parse(String t) {
        String s = t.trim();
        if (s.length() >= 2 && s.charAt(0) == '"' && s.charAt(s.length() - 1) == '"') s = s.substring(1, s.length() - 1).trim();
        if (s.isEmpty()) return null;
        switch (s.toLowerCase(Locale.ROOT)) {
            case "nan": return Float.NaN;
            case "inf", "+inf", "infinity", "+infinity": return Float.POSITIVE_INFINITY;
            case "-inf", "-infinity": return Float.NEGATIVE_INFINITY;
            default:
        }
        char c0 = s.charAt(0);
        if (!(Character.isDigit(c0) || c0 == '-' || c0 == '+' || c0 == '.')) return null;
        char last = s.charAt(s.length() - 1);
        if (!(Character.isDigit(last) || last == '.')) return null;  // Java would accept "1f" and "2d"
        try {
            return Float.parseFloat(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean allNumeric(List<String> fields) {
        for (String f : fields) if (parse(f) == null) return false;
        return true;
    }

    /** Splits on commas, honouring double quotes. */
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
        out.add(sb.toString());
        return out;
    }

    private static String abbreviate(String s) { return s.length() > 40 ? s.substring(0, 37) + "..." : s; }
}
