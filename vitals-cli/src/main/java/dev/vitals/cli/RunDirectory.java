package dev.vitals.cli;

import dev.vitals.core.InputException;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.spec.SpecWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** The folder of one run's artifacts; never reuses a folder that already holds a run. */
final class RunDirectory {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private final Path path;

    private RunDirectory(Path path) { this.path = path; }

    Path path() { return path; }

    /** Fails (bad input) if {@code out} cannot hold a new run; called before anything is written. */
    static void check(Path out) {
        if (out == null) return;
        if (out.toString().isEmpty()) throw new InputException("--out: empty path, expected a folder");
        if (Files.exists(out) && !Files.isDirectory(out)) throw new InputException("--out " + out + ": is a file, expected a folder");
        if (Files.isDirectory(out)) {
            for (String f : new String[] {"metrics.jsonl", "model.safetensors", "report.json", "spec.yaml"}) {
                if (Files.exists(out.resolve(f))) {
                    throw new InputException("--out " + out + ": already holds a run (" + f + "); choose another folder so nothing is overwritten");
                }
            }
        }
        Path parent = out.toAbsolutePath().getParent();
        while (parent != null && !Files.exists(parent)) parent = parent.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new InputException("--out " + out + ": " + parent + " is a file, expected a folder (or a path where one can be created)");
        }
        if (parent != null && !Files.isWritable(parent)) throw new InputException("--out " + out + ": " + parent + " is not writable");
        // asked of the file system itself: /proc says it is writable and refuses new files
        Path where = Files.isDirectory(out) ? out : parent;
        String refused = where == null ? null : refusesFiles(where);
        if (refused != null) throw new InputException("--out " + out + ": cannot create files in " + where + " (" + refused + ")");
    }

    /**
     * Why no file can be created in {@code folder}, asked of the file system by creating and deleting
     * one (/proc says it is writable and refuses new files); null when one can.
     */
    static String refusesFiles(Path folder) {
        try {
            Files.delete(Files.createTempFile(folder, ".vitals-", ".tmp"));
            return null;
        } catch (IOException e) {
            if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) return f.getReason();
            return e instanceof java.nio.file.NoSuchFileException ? "no such file or folder" : String.valueOf(e.getMessage());
        }
    }

    static RunDirectory create(Path out, String name) throws IOException {
        Path p = out;
        if (p == null) {
            String base = name.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + LocalDateTime.now().format(STAMP);
            p = Path.of("runs", base);
            for (int i = 2; Files.exists(p); i++) p = Path.of("runs", base + "-" + i);
        }
        Files.createDirectories(p);
        return new RunDirectory(p);
    }

    /**
     * A copy of the spec, runnable from the run folder: a relative {@code csv:} or {@code idx:} path
     * resolves against the spec's folder, so it is rewritten to reach the same data from here.
     */
    void writeSpec(Spec spec) throws IOException {
        Files.writeString(path.resolve("spec.yaml"), SpecWriter.rebased(spec.text(), spec.dir(), path.toAbsolutePath()));
    }
}
