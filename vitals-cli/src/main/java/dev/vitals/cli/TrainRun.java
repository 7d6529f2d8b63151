package dev.vitals.cli;

import dev.vitals.core.InputException;
import dev.vitals.core.Words;
import dev.vitals.core.data.PreparedData;
import dev.vitals.core.io.Checkpoint;
import dev.vitals.core.kernel.Kernels;
import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Report;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.train.Experiment;
import dev.vitals.core.train.RunResult;
import dev.vitals.doctor.WatchedRun;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One {@code vitals train}: everything that can be wrong with the input is checked before any file
 * is written (spec, data, model, output paths); then the run trains with progress on the console
 * and leaves its artifacts (spec copy, metrics.jsonl, TensorBoard event file, checkpoint, report,
 * curves.png) in the run folder.
 */
final class TrainRun {
    private final Spec spec;
    private final Path out;
    private final JsonReport json;
    private final PrintWriter o, e;

    TrainRun(Spec spec, Path out, JsonReport json, PrintWriter o, PrintWriter e) {
        this.spec = spec;
        this.out = out;
        this.json = json;
        this.o = o;
        this.e = e;
    }

    int execute() throws IOException {
        long t0 = System.nanoTime();
        json.check(out);
        RunDirectory.check(out);
        RunDirectory.notAnArtifact(out, json.file, "--json");
        PreparedData data = Experiment.loadData(spec);
        WatchedRun.Preflight pre = WatchedRun.preflight(spec, data);
        // the model and loss are built (and a loss that does not fit the output refused) before the
        // run's first line: bad input is one error line, not a run that starts and then fails
        Experiment exp = pre.blocksTraining() ? null : Experiment.of(spec, data);
        o.println("run " + spec.name() + ": " + data.description());
        for (Finding f : pre.findings()) o.println(Diagnosis.notice(f));
        if (pre.blocksTraining()) {
            String why = "not training: the data cannot be trained on as it is";
            o.println(why);
            Diagnosis.print(o, pre.findings());
            Report report = Report.of("train", spec.name(), pre.findings(), Report.untrained(why, (System.nanoTime() - t0) / 1e9, hasTest(data)));
            // the run folder holds what a pipeline looks for (the report and the spec), with no model
            RunDirectory dir = RunDirectory.create(out, spec.name());
            dir.writeSpec(spec);
            report.write(dir.path().resolve("report.json"));
            json.write(report);
            o.println("artifacts: " + dir.path());
            return Main.UNHEALTHY;
        }
        o.println("model: " + Words.count(exp.model().parameterCount(), "parameter") + ", " + Words.count(exp.model().layers().size(), "layer") + ", loss "
                + spec.loss() + ", optimizer " + spec.optimizer().name() + " lr " + spec.optimizer().lr()
                + "; matrix kernel " + Kernels.gemm());
        if (!Kernels.note().isEmpty()) o.println("note: " + Kernels.note());

        RunDirectory dir = RunDirectory.create(out, spec.name());
        String specText = dir.writeSpec(spec);
        // Ctrl-C or a kill: the run stops after its current step and leaves its weights and its report,
        // as a run stopped early does, instead of a folder without them. The JVM runs this hook while
        // the training thread finishes, and exits (130 or 143) once the run is written up.
        java.util.concurrent.CountDownLatch written = new java.util.concurrent.CountDownLatch(1);
        Thread onSignal = new Thread(() -> {
            exp.trainer().control().requestStop("interrupted (SIGINT or SIGTERM): stopped after the step in progress");
            try {
                written.await(INTERRUPT_GRACE_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // the JVM is going down regardless
            }
        }, "vitals-interrupt");
        Runtime.getRuntime().addShutdownHook(onSignal);
        try {
            return trainAndReport(pre, exp, dir, specText);
        } finally {
            written.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it has been let go above
            }
        }
    }

    /** How long a signal waits for the stopped run to save its weights and report. */
    static final int INTERRUPT_GRACE_SECONDS = 30;

    private int trainAndReport(WatchedRun.Preflight pre, Experiment exp, RunDirectory dir, String specText) throws IOException {
        WatchedRun.Outcome outcome;
        java.util.List<Finding> live = new java.util.ArrayList<>();
        Curves curves = new Curves();
        try (MetricsLog log = new MetricsLog(dir.path().resolve("metrics.jsonl")); EventLog events = new EventLog(dir.path())) {
            ConsoleProgress progress = new ConsoleProgress(o, e);
            outcome = WatchedRun.train(pre, exp, f -> {
                live.add(f);
                progress.notice(Diagnosis.notice(f));
            }, progress, log, events, curves);
        }
        RunResult r = outcome.result();
        if (r.hasTest()) {
            o.printf("test: loss %s, accuracy %.2f%% (%d examples)%n", ConsoleProgress.loss(r.testLoss()), 100 * r.testAccuracy(), exp.data().test().size());
        }
        if (r.stopReason() != null) o.println("stopped: " + r.stopReason());
        // the spec as the run folder holds it: its data path reaches the data from beside the checkpoint
        Checkpoint.save(dir.path().resolve("model.safetensors"), specText, exp.model(), exp.data().normalizer(), exp.data().train().classNames());
        Report report = Report.of("train", spec.name(), outcome.findings(), Report.metrics(r, hasTest(exp.data())));
        report.write(dir.path().resolve("report.json"));
        json.write(report);
        // a finding printed while the run went on that no longer holds of the whole run (accuracy at
        // chance at epoch 12 of a run that ended well above it) is withdrawn from the diagnosis: say so
        for (int i = 0; i < live.size(); i++) {
            Finding f = live.get(i);
            if (outcome.findings().stream().anyMatch(x -> x == f)) continue;
            // raised again at a graver severity later (a warning become an error): replaced, not withdrawn
            boolean replaced = live.subList(i + 1, live.size()).stream()
                    .anyMatch(g -> g.code().equals(f.code()) && java.util.Objects.equals(g.layer(), f.layer()));
            if (!replaced) o.println("withdrawn: " + f.code() + " (step " + f.step() + "): it no longer holds at the end of the run");
        }
        // a lint warning the run measured away (a deep network without normalisation that trained well)
        outcome.withdrawn().forEach((f, why) -> o.println("withdrawn: " + f.code() + " (" + f.stage().name().toLowerCase(java.util.Locale.ROOT) + "): " + why));
        Diagnosis.print(o, outcome.findings());
        // last, once everything else is written: drawing never fails the run (a warning line at most)
        curves.write(dir.path().resolve("curves.png"), e);
        o.println("artifacts: " + dir.path());
        return report.healthy() ? Main.OK : Main.UNHEALTHY;
    }

    /**
     * The file may be created or replaced: its folder exists and it is not a folder itself, and a file
     * can be created beside it (asked of the file system itself: /proc says it is writable and
     * refuses new files), or it is a device or pipe that can be written to.
     */
    static void checkWritableFile(Path p, String option) { checkWritableFile(p, option, null); }

    /**
     * Fails (bad input) unless {@code p} can be written as a new or replaced file; {@code created}: a
     * folder this run will create (its --out), inside which a file's folder need not exist yet. A
     * link is judged by what it points at, where the write goes: one into a folder that does not
     * exist passed here and failed with exit 1 after the whole run.
     */
    static void checkWritableFile(Path p, String option, Path created) {
        if (p.toString().isEmpty()) throw new InputException(option + ": empty path, expected a file name");
        // "-" reads as standard output, which carries the console's account; a file named "-" surprised a user
        if (p.toString().equals("-")) {
            throw new InputException(option + " -: standard output carries the console's account; expected a file name (/dev/stdout writes into it anyway)");
        }
        Path given = p.toAbsolutePath();
        Path abs = followLinks(given, option, p);
        String name = abs.equals(given) ? p.toString() : p + " (a link to " + abs + ")";
        if (Files.isDirectory(abs)) throw new InputException(option + " " + name + ": is a folder, expected a file name");
        if (Files.exists(abs) && !Files.isRegularFile(abs)) {
            if (!Files.isWritable(abs)) throw new InputException(option + " " + name + ": is not writable");
            return;
        }
        Path parent = abs.getParent();
        // --out DIR --json DIR/report.json with DIR new: the run creates DIR, which --out's check vouches for
        if (created != null && parent != null && !Files.exists(parent) && parent.normalize().startsWith(created.toAbsolutePath().normalize())) return;
        if (parent == null || !Files.isDirectory(parent)) throw new InputException(option + " " + name + ": the folder " + parent + " does not exist");
        if (!Files.isWritable(parent)) throw new InputException(option + " " + name + ": the folder " + parent + " is not writable");
        String refused = RunDirectory.refusesFiles(parent);
        if (refused != null) throw new InputException(option + " " + name + ": cannot create a file in " + parent + " (" + refused + ")");
    }

    /** Where a chain of symbolic links ends (at most 40 of them, as the kernel allows). */
    private static Path followLinks(Path abs, String option, Path given) {
        Path cur = abs;
        for (int i = 0; i < 40 && Files.isSymbolicLink(cur); i++) {
            try {
                cur = cur.getParent().resolve(Files.readSymbolicLink(cur)).normalize();
            } catch (IOException e) {
                throw new InputException(option + " " + given + ": a link that cannot be read (" + e.getMessage() + ")");
            }
        }
        if (Files.isSymbolicLink(cur)) throw new InputException(option + " " + given + ": a chain of more than 40 links; expected a file name");
        return cur;
    }

    private static boolean hasTest(PreparedData d) { return d.test() != null && d.test().size() > 0; }
}
