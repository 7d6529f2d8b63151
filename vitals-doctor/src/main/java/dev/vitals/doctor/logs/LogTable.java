package dev.vitals.doctor.logs;

import java.nio.file.Path;
import java.util.List;

/** A metrics log as read from disk: its format, its column names in order of appearance, and its records. */
public record LogTable(Path source, String format, List<String> names, List<LogRecord> records) {}
