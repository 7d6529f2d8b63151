package dev.vitals.cli;

import dev.vitals.core.InputException;
import dev.vitals.core.data.Sources;
import dev.vitals.core.spec.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files a command reads, so that none of its outputs ({@code --json}, {@code --write}) is one of
 * them: a report written over the spec, the data or the log it came from would destroy the input
 * without a word.
 */
final class Inputs {
    private final List<Path> files = new ArrayList<>();
    private final List<String> roles = new ArrayList<>();

    /** The spec file and the data files it names. */
    static Inputs of(Path specFile, Spec spec) {
        Inputs in = new Inputs();
        if (specFile != null) in.add(specFile, "the spec being read");
        for (Path p : Sources.files(spec.data().source(), spec.dir())) in.add(p, "a data file of the spec");
        if (spec.data().testSource() != null) for (Path p : Sources.files(spec.data().testSource(), spec.dir())) in.add(p, "the spec's test file");
        return in;
    }

    /** A log file, or the files of a log folder. */
    static Inputs ofLog(Path log) {
        Inputs in = new Inputs();
        if (Files.isDirectory(log)) {
            try (var s = Files.walk(log)) {
                s.filter(Files::isRegularFile).forEach(p -> in.add(p, "a file of the log being read"));
            } catch (IOException | RuntimeException e) {
                // an unreadable folder is reported when the log is read
            }
        } else {
            in.add(log, "the log being read");
        }
        return in;
    }

    Inputs add(Path p, String role) {
        files.add(p);
        roles.add(role);
        return this;
    }

    /** Fails (bad input) when {@code target}, given as {@code option}, is one of these files. */
    void notOverwrittenBy(Path target, String option) {
        if (target == null) return;
        for (int i = 0; i < files.size(); i++) {
            if (same(target, files.get(i))) {
                throw new InputException(option + " " + target + ": is " + roles.get(i) + "; choose another file so the input is not overwritten");
            }
        }
    }

    static boolean same(Path a, Path b) {
        try {
            if (Files.exists(a) && Files.exists(b)) return Files.isSameFile(a, b);
        } catch (IOException e) {
            // fall back to comparing the paths
        }
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
}
