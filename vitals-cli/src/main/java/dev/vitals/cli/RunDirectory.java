package dev.vitals.cli;

import dev.vitals.core.InputException;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.spec.SpecWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** The folder of one run's artifacts; never reuses a folder that already holds a run. */
final class RunDirectory {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private final Path path;

    private RunDirectory(Path path) { this.path = path; }

    Path path() { return path; }

    /** What a run writes into its folder. */
    static final String[] ARTIFACTS = {"curves.png", "metrics.jsonl", "model.safetensors", "report.json", "spec.yaml"};

    /** Fails (bad input) if {@code out} cannot hold a new run; called before anything is written. */
    static void check(Path out) {
        if (out == null) return;
        if (out.toString().isEmpty()) throw new InputException("--out: empty path, expected a folder");
        if (out.toAbsolutePath().normalize().getParent() == null) {
            throw new InputException("--out " + out + ": is the root of the file system; expected a folder for this run's files");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) throw new InputException("--out " + out + ": is a file, expected a folder");
        if (Files.isDirectory(out)) {
            for (String f : ARTIFACTS) {
                if (Files.exists(out.resolve(f))) {
                    throw new InputException("--out " + out + ": already holds a run (" + f + "); choose another folder so nothing is overwritten");
                }
            }
            String events = eventFile(out);
            if (events != null) {
                throw new InputException("--out " + out + ": already holds a run's TensorBoard log (" + events + "); choose another folder so two runs' curves are not mixed");
            }
        }
        if (Files.isDirectory(out)) {
            // a folder made for the run (a CI artifact folder in a tree it cannot write) is judged itself, not its parent
            if (!Files.isWritable(out)) throw new InputException("--out " + out + ": is not writable");
            String refused = refusesFiles(out);
            if (refused != null) throw new InputException("--out " + out + ": cannot create files in " + out + " (" + refused + ")");
            return;
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

    /**
     * Creates the run's folder and claims it by creating its {@code spec.yaml} exclusively: a second
     * run started into the same folder at the same time finds it taken (checking first and writing
     * later let two runs interleave one metrics log).
     */
    static RunDirectory create(Path out, String name) throws IOException {
        if (out != null) {
            Files.createDirectories(out);
            if (!claim(out)) throw new InputException("--out " + out + ": another run has just started writing there; choose another folder so nothing is overwritten");
            return new RunDirectory(out);
        }
        // the name as a file name: no separators or control characters, and short enough for any file system
        String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
        String base = (safe.length() > 100 ? safe.substring(0, 100) : safe) + "-" + LocalDateTime.now().format(STAMP);
        Path p = Path.of("runs", base);
        for (int i = 2; ; i++) {
            Files.createDirectories(p);
            if (claim(p)) return new RunDirectory(p);
            p = Path.of("runs", base + "-" + i);
        }
    }

    private static boolean claim(Path folder) throws IOException {
        try {
            Files.createFile(folder.resolve("spec.yaml"));
            return true;
        } catch (java.nio.file.FileAlreadyExistsException e) {
            return false;
        }
    }

    /** The name of a TensorBoard event file directly in {@code folder}, or null: TensorBoard would draw two runs' files there as one. */
    static String eventFile(Path folder) {
        try (var s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("events.out.tfevents.")).sorted().findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** Fails when {@code file} (a {@code --json} report) would replace one of this run's own files in {@code out}. */
    static void notAnArtifact(Path out, Path file, String option) {
        if (out == null || file == null) return;
        Path f = file.toAbsolutePath().normalize(), o = out.toAbsolutePath().normalize();
        for (String a : ARTIFACTS) {
            if (a.equals("report.json")) continue;  // the same report: written twice, nothing lost
            if (f.equals(o.resolve(a))) {
                throw new InputException(option + " " + file + ": is the run's own " + a + " in --out; expected a path outside the run's files");
            }
        }
    }

    /**
     * A copy of the spec, runnable from the run folder: a relative {@code csv:} or {@code idx:} path
     * resolves against the spec's folder, so it is rewritten to reach the same data from here, and
     * an --epochs of the command line is written in. Returns the text written.
     */
    String writeSpec(Spec spec) throws IOException {
        String text = spec.text();
        // the run's own plan: --epochs 2 over a spec of 100 left a copy that ran 100
        if (text != null) text = SpecWriter.withEpochs(text, spec.train().epochs(), List.of("train.epochs " + spec.train().epochs() + " from the command line (--epochs)"));
        // named: a spec that took its name from its file would run again as "spec"
        String written = SpecWriter.named(SpecWriter.rebased(text, spec.dir(), path.toAbsolutePath()), spec.name());
        Files.writeString(path.resolve("spec.yaml"), written);
        return written;
    }
}
