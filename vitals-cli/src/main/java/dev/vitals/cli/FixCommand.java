package dev.vitals.cli;

import dev.vitals.core.InputException;
import dev.vitals.core.Words;
import dev.vitals.core.io.AtomicText;
import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Report;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.spec.SpecParser;
import dev.vitals.core.spec.SpecWriter;
import dev.vitals.doctor.repair.FixResult;
import dev.vitals.doctor.repair.Fixer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code vitals fix SPEC}. With {@code --write FILE} the repaired spec goes to FILE and the account
 * of the repairs to standard output; without it the repaired spec alone goes to standard output (so
 * it can be redirected) and the account to standard error. The input spec is never replaced unless
 * {@code --write} names it.
 */
@Command(name = "fix", mixinStandardHelpOptions = true,
        description = "Checks a spec, tries candidate repairs for each finding on a short budget, keeps those that measurably "
                + "cure it, and writes the repaired spec (to standard output without --write).")
final class FixCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SPEC", description = "the spec file (YAML)")
    Path spec;

    @Option(names = "--write", paramLabel = "FILE", description = "write the repaired spec to FILE (may name SPEC itself to replace it)")
    Path write;

    @picocli.CommandLine.Mixin
    JsonReport json;

    @Option(names = "--budget", paramLabel = "SECONDS", description = "time for the search of repairs, after the first check (default: ${DEFAULT-VALUE})", defaultValue = "60")
    double budget;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec cmd;

    @Override
    public Integer call() throws Exception {
        json.check();
        if (write != null) TrainRun.checkWritableFile(write, "--write");
        if (!(budget > 0) || Double.isInfinite(budget)) throw new InputException("--budget: expected a positive number of seconds, not " + budget);
        Spec s = SpecParser.read(spec);
        Inputs.of(spec, s).notOverwrittenBy(json.file, "--json");
        // --write may name the spec itself (to replace it), never its data
        Inputs.of(null, s).notOverwrittenBy(write, "--write");
        if (write != null && json.file != null && Inputs.same(write, json.file)) {
            throw new InputException("--json " + json.file + ": is also the --write file; give the report and the repaired spec different files");
        }
        PrintWriter out = cmd.commandLine().getOut();
        PrintWriter log = write != null ? out : cmd.commandLine().getErr();
        Heading heading = new Heading(log, "fix " + s.name() + " (" + spec + ")");
        Fixer.Options defaults = Fixer.Options.defaults();
        FixResult r = Fixer.fix(s, new Fixer.Options(budget, defaults.trialEpochs(), defaults.trialSeconds()), line -> {
            heading.print();
            log.println(line);
            log.flush();
        });
        heading.print();
        printAccount(log, r);
        if (write != null) {
            // an unchanged spec written over itself would only lose its timestamp
            boolean intoInput = write.toAbsolutePath().normalize().equals(spec.toAbsolutePath().normalize());
            // a relative data path resolves against the spec's folder: written elsewhere, it must still find the data
            Path from = spec.toAbsolutePath().getParent(), to = write.toAbsolutePath().getParent();
            if (r.changed() || !intoInput) AtomicText.write(write, SpecWriter.rebased(r.yaml(), from, to));
            String what = r.changed() ? "wrote the repaired spec to "
                    : r.before().stream().anyMatch(Finding::isError)
                    ? (r.budgetSpent() ? "the time budget ran out with no repair kept; wrote the spec unchanged to " : "no repair kept; wrote the spec unchanged to ")
                    : "nothing to repair; wrote the spec unchanged to ";
            log.println(what + write);
        } else {
            out.print(r.yaml());
            if (!r.yaml().endsWith("\n")) out.println();
            out.flush();
        }
        List<Finding> findings = r.findings();
        Report report = new Report(1, "fix", s.name(), r.healthy() ? "healthy" : "unhealthy", findings, r.metrics());
        json.write(report);
        return r.healthy() ? Main.OK : Main.UNHEALTHY;
    }

    private static void printAccount(PrintWriter o, FixResult r) {
        if (r.before().isEmpty()) {
            o.println("nothing to repair: the check found nothing");
            return;
        }
        if (r.changed()) o.println("kept " + Words.count(r.kept().size(), "repair") + ":");
        for (Fixer.Kept k : r.kept()) o.println("  " + k.repair().name() + ": " + k.repair().description() + " (cures " + k.target() + ")");
        String all = Fixer.inAll(r.original(), r.repaired(), r.kept());
        if (all != null) o.println(all);
        o.println("findings:");
        for (Finding f : r.findings()) {
            o.println(Diagnosis.notice(f));
            o.println("      verified: " + f.verified());
        }
        long errors = r.after().stream().filter(Finding::isError).count();
        o.printf("repaired spec: %s (%d error%s left) in %.1fs%n", errors == 0 ? "healthy" : "UNHEALTHY", errors, errors == 1 ? "" : "s", r.seconds());
    }
}
