package dev.vitals.doctor.check;

import dev.vitals.doctor.rules.Numbers;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a step of the diagnosis measured, in the order it measured it, for the report. */
public final class Measurements {
    private final Map<String, Object> values = new LinkedHashMap<>();

    public void put(String key, Object value) { values.put(key, Numbers.tidy(value)); }

    public Map<String, Object> values() { return Collections.unmodifiableMap(values); }

    public boolean isEmpty() { return values.isEmpty(); }
}
