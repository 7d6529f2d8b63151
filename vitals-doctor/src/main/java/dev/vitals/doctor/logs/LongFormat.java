package dev.vitals.doctor.logs;

import dev.vitals.core.InputException;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A log kept one metric per row ("long" or tidy form) turned into one record per step: MLflow's
 * metric history ({@code key,value,timestamp,step}), TensorBoard's dataframe export
 * ({@code run,tag,step,value}: Keras writes its training and validation scalars as the runs
 * {@code train} and {@code validation}), or any table with a name and a value column. The columns
 * may be a name ({@code key}, {@code tag}, {@code metric}, {@code metric_name}, {@code name}), a
 * {@code value}, and optionally a step, an epoch, a {@code run} and a time ({@code timestamp},
 * {@code wall_time}, {@code time}); a table with any other column is not in this form. Without a
 * step, each metric's rows are numbered from 0 on their own. A metric given twice at one step
 * with the same value counts once; with two values it is refused, naming both lines.
 */
final class LongFormat {
    private LongFormat() {}

    private static final Set<String> NAMES = Set.of("key", "tag", "metric", "metric_name", "name");
    private static final Set<String> TIMES = Set.of("timestamp", "wall_time", "walltime", "time");
    private static final Set<String> VALIDATION = Set.of("val", "valid", "validation", "eval", "dev");

    /** The table widened to one record per step when it is in long form, else the table itself. */
    static LogTable widen(LogTable t) {
        String name = null, value = null, step = null, epoch = null, run = null;
        for (String c : t.names()) {
            String n = Column.normalise(c);
            Column meaning = Column.classify(c);
            Column.Kind kind = meaning == null ? null : meaning.kind();
            if (NAMES.contains(n) && name == null) name = c;
            else if (n.equals("value") && value == null) value = c;
            else if (n.equals("run") && run == null) run = c;
            else if (TIMES.contains(n)) continue;
            else if (step == null && kind == Column.Kind.STEP) step = c;
            else if (epoch == null && kind == Column.Kind.EPOCH) epoch = c;
            else return t;
        }
        if (name == null || value == null) return t;

        Map<String, String> prefixes = runPrefixes(t, run);
        // rows grouped by step (exact: 2^53 + 1 is not 2^53), or by each metric's own count without a step column
        TreeMap<BigDecimal, Map<String, Object>> bySteps = new TreeMap<>();
        Map<BigDecimal, String> stepText = new HashMap<>();
        Map<String, String> firstLine = new HashMap<>();
        Map<String, Integer> counts = new HashMap<>();
        Set<String> metrics = new LinkedHashSet<>();
        for (LogRecord r : t.records()) {
            Object key = r.values().get(name), v = r.values().get(value);
            if (key == null || v == null) continue;  // a row without a name or a value logs nothing
            String metric = prefixes.getOrDefault(text(r.values().get(run)), "") + key.toString().trim();
            if (v instanceof String s && !RunLog.isNumberText(s)) {
                throw new InputException(t.source() + " " + r.where() + ": column '" + value + "' holds '" + s.trim() + "' for '" + metric + "', expected a number");
            }
            BigDecimal at;
            String atText;
            if (step != null && r.values().get(step) != null) {
                atText = text(r.values().get(step));
                try {
                    at = new BigDecimal(atText);
                } catch (NumberFormatException e) {
                    throw new InputException(t.source() + " " + r.where() + ": column '" + step + "' holds '" + atText + "', expected a whole number");
                }
            } else {
                int k = counts.merge(metric, 1, Integer::sum) - 1;
                at = BigDecimal.valueOf(k);
                atText = Integer.toString(k);
            }
            Map<String, Object> rec = bySteps.computeIfAbsent(at, x -> new LinkedHashMap<>());
            stepText.putIfAbsent(at, atText);
            String where = metric + "|" + at.stripTrailingZeros().toPlainString();
            if (rec.containsKey(metric)) {
                // the same value logged twice at a step (a rate logged with each batch and again at the epoch's end) says nothing new
                if (sameNumber(rec.get(metric), v)) continue;
                throw new InputException(t.source() + " " + r.where() + ": '" + metric + "' at step " + atText + " again, with another value (first at "
                        + firstLine.get(where) + "): expected one value per metric and step");
            }
            firstLine.put(where, r.where());
            rec.put(metric, v);
            if (epoch != null && r.values().get(epoch) != null) rec.putIfAbsent(epoch, r.values().get(epoch));
            metrics.add(metric);
        }
        if (metrics.isEmpty()) throw new InputException(t.source() + ": no metric values in its '" + name + "' and '" + value + "' columns");

        List<String> names = new ArrayList<>();
        names.add("step");
        if (epoch != null) names.add(epoch);
        for (String m : metrics) {
            if (names.contains(m)) throw new InputException(t.source() + ": the metric '" + m + "' has the name of a column of the table");
            names.add(m);
        }
        List<LogRecord> records = new ArrayList<>();
        for (var e : bySteps.entrySet()) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("step", stepText.get(e.getKey()));
            v.putAll(e.getValue());
            records.add(new LogRecord("step " + stepText.get(e.getKey()), v));
        }
        return new LogTable(t.source(), t.format().equals("mlflow") ? "mlflow" : t.format() + ", one metric per row", List.copyOf(names), records);
    }

    /**
     * The prefix of each run's metrics: none for the training run, {@code validation/} for one named
     * like validation (its last path part: {@code mnist/validation}). Rows of two training runs are
     * two experiments, which one diagnosis cannot mix.
     */
    private static Map<String, String> runPrefixes(LogTable t, String run) {
        Map<String, String> out = new HashMap<>();
        if (run == null) return out;
        Set<String> runs = new LinkedHashSet<>();
        for (LogRecord r : t.records()) {
            Object v = r.values().get(run);
            if (v != null) runs.add(text(v));
        }
        List<String> trains = new ArrayList<>(), validations = new ArrayList<>();
        for (String r : runs) {
            String last = r.replace('\\', '/');
            last = last.substring(last.lastIndexOf('/') + 1);
            boolean val = VALIDATION.contains(last.toLowerCase(Locale.ROOT));
            (val ? validations : trains).add(r);
            out.put(r, val ? "validation/" : "");
        }
        if (trains.size() > 1 || validations.size() > 1) {
            throw new InputException(t.source() + ": rows of " + runs.size() + " runs (" + String.join(", ", runs)
                    + "); expected the rows of one run (its training run, and its validation run if any): filter the table by its run column first");
        }
        return out;
    }

    private static boolean sameNumber(Object a, Object b) {
        if (a.equals(b)) return true;
        try {
            return Double.compare(Double.parseDouble(a.toString().trim()), Double.parseDouble(b.toString().trim())) == 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String text(Object o) {
        if (o == null) return "";
        if (o instanceof Double d && d == Math.rint(d) && !d.isInfinite()) return Long.toString(d.longValue());
        return o.toString().trim();
    }
}
