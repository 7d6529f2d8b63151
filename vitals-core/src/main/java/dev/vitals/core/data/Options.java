package dev.vitals.core.data;

import dev.vitals.core.InputException;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** A source's options, read with types and ranges; keys the source does not know are errors. */
public final class Options {
    private final String source;
    private final Map<String, Object> values;
    private final Set<String> used = new HashSet<>();

    public Options(String source, Map<String, Object> values) {
        this.source = source;
        this.values = values == null ? Map.of() : values;
    }

    public int integer(String key, int def, int min, int max) {
        used.add(key);
        Object v = values.get(key);
        if (v == null) return def;
        if (!(v instanceof Long l) || l < min || l > max) {
            throw new InputException("data.options." + key + ": expected an integer in [" + min + ", " + max + "] for " + source + ", not " + v);
        }
        return (int) (long) l;
    }

    public double number(String key, double def, double min, double max) {
        used.add(key);
        Object v = values.get(key);
        if (v == null) return def;
        double d;
        if (v instanceof Number n) d = n.doubleValue();
        else {
            try {
                d = Double.parseDouble(v.toString());
            } catch (NumberFormatException e) {
                throw new InputException("data.options." + key + ": expected a number in [" + min + ", " + max + "] for " + source + ", not " + v);
            }
        }
        if (!(d >= min && d <= max)) {
            throw new InputException("data.options." + key + ": expected a number in [" + min + ", " + max + "] for " + source + ", not " + v);
        }
        return d;
    }

    public Long seed(String key) {
        used.add(key);
        Object v = values.get(key);
        if (v == null) return null;
        if (!(v instanceof Long l)) throw new InputException("data.options." + key + ": expected an integer, not " + v);
        return l;
    }

    /** Fails on the first option that no reader asked for. */
    public void finish() {
        for (String k : values.keySet()) {
            if (!used.contains(k)) {
                throw new InputException("data.options." + k + ": unknown option for " + source
                        + (used.isEmpty() ? ", which takes no options" : "; expected one of " + String.join(", ", used.stream().sorted().toList())));
            }
        }
    }
}
