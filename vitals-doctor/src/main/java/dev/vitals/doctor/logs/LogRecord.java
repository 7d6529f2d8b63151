package dev.vitals.doctor.logs;

import java.util.Map;

/**
 * One record of a metrics log as read, before interpretation: where it is in the file (for error
 * messages: "line 12", "record 40") and its values by column name. A value is a {@link Double}
 * (NaN where the log wrote null or NaN), or the {@link String} the file held, parsed only if the
 * column is one Vitals reads.
 */
public record LogRecord(String where, Map<String, Object> values) {}
