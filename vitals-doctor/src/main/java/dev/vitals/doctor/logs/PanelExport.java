package dev.vitals.doctor.logs;

import dev.vitals.core.InputException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A chart panel exported as CSV by Weights &amp; Biases: a step column and, per run, columns named
 * {@code <run> - <metric>} with {@code __MIN} and {@code __MAX} companions (the band the chart draws
 * when it smooths or groups). One run's columns are renamed to their metric and the bands dropped;
 * the panels of several runs are refused, since one diagnosis is of one run.
 */
final class PanelExport {
    private PanelExport() {}

    private static final Pattern RUN_METRIC = Pattern.compile("^(.+?) - (.+)$");

    static LogTable widen(LogTable t) {
        Set<String> runs = new LinkedHashSet<>();
        Map<String, String> renamed = new LinkedHashMap<>();
        for (String c : t.names()) {
            Matcher m = RUN_METRIC.matcher(c);
            if (!m.matches()) {
                renamed.put(c, c);
                continue;
            }
            runs.add(m.group(1).trim());
            String metric = m.group(2).trim();
            if (!metric.endsWith("__MIN") && !metric.endsWith("__MAX")) renamed.put(c, metric);
        }
        if (runs.isEmpty()) return t;
        // every other column must be the step (or time) the panel plots against
        for (String c : t.names()) {
            if (RUN_METRIC.matcher(c).matches()) continue;
            Column k = Column.classify(c);
            if (k == null || k.kind() != Column.Kind.STEP && k.kind() != Column.Kind.EPOCH) return t;
        }
        if (runs.size() > 1) {
            throw new InputException(t.source() + ": a chart exported with " + runs.size() + " runs (" + String.join(", ", runs)
                    + "); expected one run's columns: export the chart with one run shown, or its run history");
        }
        if (new LinkedHashSet<>(renamed.values()).size() < renamed.size()) return t;  // two columns would take one name: leave them
        List<LogRecord> records = new ArrayList<>();
        for (LogRecord r : t.records()) {
            Map<String, Object> v = new LinkedHashMap<>();
            for (var e : r.values().entrySet()) {
                String to = renamed.get(e.getKey());
                if (to != null) v.put(to, e.getValue());
            }
            records.add(new LogRecord(r.where(), v));
        }
        return new LogTable(t.source(), t.format() + ", chart of run " + runs.iterator().next(), List.copyOf(renamed.values()), records);
    }
}
