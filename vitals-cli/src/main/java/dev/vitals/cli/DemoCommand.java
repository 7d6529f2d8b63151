package dev.vitals.cli;

import dev.vitals.core.spec.Spec;
import dev.vitals.core.spec.SpecParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Trains a bundled example (an MLP on the UCI digits, no download) and shows the result.")
final class DemoCommand implements Callable<Integer> {
    static final String SPEC = "/dev/vitals/cli/demo/digits-mlp.yaml";

    @Option(names = "--out", paramLabel = "DIR", description = "folder for the run's artifacts (default: runs/<name>-<timestamp>)")
    Path out;

    @Option(names = "--epochs", paramLabel = "N", description = "train for N epochs instead of the example's")
    Integer epochs;

    @picocli.CommandLine.Mixin
    JsonReport json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec cmd;

    @Override
    public Integer call() throws IOException {
        String text;
        try (InputStream in = DemoCommand.class.getResourceAsStream(SPEC)) {
            if (in == null) throw new IllegalStateException("the demo spec is missing from the jar");
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Spec s = SpecParser.parse(text, Path.of("digits-mlp.yaml"), epochs);
        var o = cmd.commandLine().getOut();
        o.println("Vitals demo: a 64-128-64-10 ReLU network learns the UCI handwritten digits (bundled, no download).");
        o.println("The spec it trains (also in examples/digits-mlp.yaml):");
        for (String line : text.strip().split("\\R")) o.println("  | " + line);
        o.println();
        return new TrainRun(s, out, json, o, cmd.commandLine().getErr()).execute();
    }
}
