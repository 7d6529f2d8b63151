package dev.vitals.cli;

import dev.vitals.core.InputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.io.PrintWriter;

/**
 * The {@code vitals} command. Exit codes (DESIGN.md): 0 healthy, 2 bad input (one line
 * {@code error: ...}), 3 unhealthy run or check, 1 internal failure.
 */
@Command(name = "vitals", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Trains neural networks and watches the vital signs of their training.",
        subcommands = {TrainCommand.class, CheckCommand.class, FixCommand.class, DiagnoseCommand.class, CasebookCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements java.util.concurrent.Callable<Integer> {
    public static final int OK = 0, INTERNAL = 1, BAD_INPUT = 2, UNHEALTHY = 3;

    static {
        // curves.png is drawn off screen: set before any AWT class loads, so that no display is looked
        // for (a DISPLAY without a reachable X server would fail the drawing); -Djava.awt.headless wins
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** {@code vitals} alone: a missing command is a bad argument (exit 2), with the commands there are. */
    @Override
    public Integer call() {
        spec.commandLine().getErr().println("error: no command given; expected one of "
                + String.join(", ", spec.commandLine().getSubcommands().keySet()) + " (see 'vitals --help')");
        return BAD_INPUT;
    }

    public static void main(String[] args) {
        LauncherStderr.restore();
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line with the given streams and returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        PrintWriter o = new PrintWriter(out, true), e = new PrintWriter(err, true);
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(o);
        cl.setErr(e);
        cl.setParameterExceptionHandler((ex, a) -> {
            e.println("error: " + oneLine(ex.getMessage()) + " (see 'vitals " + commandName(ex.getCommandLine()) + "--help')");
            return BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof InputException ie) {
                e.println("error: " + oneLine(ie.getMessage()));
                return BAD_INPUT;
            }
            e.println("internal error: " + ex + " (please report it; set VITALS_DEBUG=1 for the stack trace)");
            if (System.getenv("VITALS_DEBUG") != null) ex.printStackTrace(e);
            return INTERNAL;
        });
        // picocli honours a --help anywhere on the line before it notices an unknown command, so
        // 'vitals doctor --help' printed the top-level help with exit 0, as if 'doctor' existed
        for (String a : args) {
            if (a.startsWith("-")) continue;
            if (!cl.getSubcommands().containsKey(a)) {
                e.println("error: unknown command '" + a + "'; expected one of " + String.join(", ", cl.getSubcommands().keySet()) + " (see 'vitals --help')");
                return BAD_INPUT;
            }
            break;
        }
        int code;
        try {
            code = cl.execute(args);
        } catch (OutOfMemoryError oom) {
            // the advice names the heap this JVM had: "-Xmx8g" to a user who had given it 20g went in a circle
            long max = Runtime.getRuntime().maxMemory();
            long gib = Math.max(2, 2 * ((max + (1L << 30) - 1) >> 30));
            e.println("error: out of memory: the run needed more than the " + dev.vitals.core.Words.gib(max)
                    + " the JVM may use; give it more with VITALS_JAVA_OPTS=-Xmx" + gib + "g, or use a smaller batch or model");
            if (System.getenv("VITALS_DEBUG") != null) oom.printStackTrace(e);
            code = INTERNAL;
        }
        o.flush();
        e.flush();
        return code;
    }

    private static String commandName(CommandLine cl) {
        String n = cl.getCommandName();
        return n.equals("vitals") ? "" : n + " ";
    }

    static String oneLine(String s) {
        if (s == null) return "unknown problem";
        return s.replaceAll("\\s*\\R\\s*", "; ").trim();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"vitals " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
