package dev.vitals.cli;

import dev.vitals.core.report.Report;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The {@code --json FILE} option every command shares: the file is checked before any work, so a
 * path that cannot be written is bad input (exit 2) rather than a lost report at the end.
 */
final class JsonReport {
    @Option(names = "--json", paramLabel = "FILE", description = "also write the JSON report to FILE")
    Path file;

    /** Fails with an InputException when FILE is given and cannot be created or replaced. */
    void check() { check(null); }

    /** {@code created}: a folder the command will create (train's --out), which may hold the report. */
    void check(java.nio.file.Path created) {
        if (file != null) TrainRun.checkWritableFile(file, "--json", created);
    }

    void write(Report report) throws IOException {
        if (file != null) report.write(file);
    }
}
