package dev.vitals.cli;

import dev.vitals.core.InputException;
import dev.vitals.core.report.Finding;
import dev.vitals.doctor.casebook.Casebook;
import dev.vitals.doctor.casebook.Replay;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "casebook", mixinStandardHelpOptions = true,
        description = "Lists the bundled incidents of networks that train but do not learn, or replays one: "
                + "each broken spec with its diagnosis, then its fixed twin with its result.")
final class CasebookCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "an incident's folder name or a unique part of it, e.g. 000 or frozen")
    String name;

    @Option(names = "--dir", paramLabel = "DIR", description = "read the casebook from DIR instead of the bundled one")
    Path dir;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec cmd;

    @Override
    public Integer call() throws IOException {
        PrintWriter o = cmd.commandLine().getOut();
        List<Casebook.Case> cases = Casebook.load(dir != null ? dir : bundled());
        if (name == null) {
            for (Casebook.Case c : cases) {
                o.printf("%-28s %s%n", c.id(), c.title());
                for (Casebook.Run r : c.runs()) o.printf("    %-7s %s%n", r.role(), r.spec());
            }
            o.println("run one with: vitals casebook NAME");
            return Main.OK;
        }
        List<Casebook.Case> match = cases.stream().filter(c -> c.id().equals(name)).toList();
        if (match.isEmpty()) match = cases.stream().filter(c -> c.id().contains(name)).toList();
        if (match.size() != 1) {
            throw new InputException("casebook: " + (match.isEmpty() ? "no incident matches '" + name + "'" : "'" + name + "' matches several incidents")
                    + "; expected one of " + String.join(", ", cases.stream().map(Casebook.Case::id).toList()));
        }
        Casebook.Case c = match.get(0);
        o.println(c.title());
        o.println(wrap(c.story(), 100));
        o.println();
        boolean all = true;
        for (Casebook.Run r : c.runs()) {
            o.println("== " + r.role() + ": " + r.spec());
            ConsoleProgress progress = new ConsoleProgress(o, cmd.commandLine().getErr());
            Replay.Outcome out = Replay.run(c, r, step -> CheckCommand.printStep(o, step), f -> progress.notice(Diagnosis.notice(f)), progress);
            if (out.train().trained() && out.train().result().hasTest()) {
                o.printf("test accuracy %.2f%%%n", 100 * out.train().result().testAccuracy());
            }
            if (r.broken()) {
                o.println("diagnosed: " + String.join(", ", out.codes()));
                o.println(out.missing().isEmpty() ? "as the casebook says: " + String.join(", ", r.expect())
                        : "MISSING from the diagnosis: " + String.join(", ", out.missing()));
            } else {
                for (Map.Entry<String, Double> e : out.reached().entrySet()) {
                    o.printf("%s %.4f (target %s %.4f)%n", e.getKey(), e.getValue(), e.getKey().endsWith("_below") ? "below" : "at least", r.reaches().get(e.getKey()));
                }
                for (Finding f : out.problems()) o.println("UNEXPECTED " + Diagnosis.notice(f).trim());
                for (String f : out.failed()) o.println("NOT REACHED " + f);
            }
            all &= out.ok();
            o.println();
        }
        o.println(all ? "every run behaved as the casebook says" : "some runs did not behave as the casebook says");
        return all ? Main.OK : Main.INTERNAL;
    }

    /** The casebook inside the jar (or the classes folder when run from a build). */
    static Path bundled() throws IOException {
        URL url = CasebookCommand.class.getResource("/dev/vitals/cli/casebook");
        if (url == null) throw new IllegalStateException("the casebook is missing from the jar");
        try {
            URI uri = url.toURI();
            if (!uri.getScheme().equals("jar")) return Path.of(uri);
            try {
                return FileSystems.getFileSystem(uri).provider().getPath(uri);
            } catch (FileSystemNotFoundException e) {
                return FileSystems.newFileSystem(uri, Map.of()).provider().getPath(uri);
            }
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String wrap(String text, int width) {
        StringBuilder sb = new StringBuilder();
        int col = 0;
        for (String w : text.split("\\s+")) {
            if (col + w.length() + 1 > width && col > 0) {
                sb.append('\n');
                col = 0;
            } else if (col > 0) {
                sb.append(' ');
                col++;
            }
            sb.append(w);
            col += w.length();
        }
        return sb.toString();
    }
}
