package dev.vitals.cli;

import dev.vitals.core.spec.Spec;
import dev.vitals.core.spec.SpecParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Trains the model a spec describes, with every monitor on; writes the run's artifacts under --out.")
final class TrainCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SPEC", description = "the spec file (YAML)")
    Path spec;

    @Option(names = "--epochs", paramLabel = "N", description = "train for N epochs instead of the spec's train.epochs")
    Integer epochs;

    @Option(names = "--out", paramLabel = "DIR", description = "folder for the run's artifacts (default: runs/<name>-<timestamp>)")
    Path out;

    @picocli.CommandLine.Mixin
    JsonReport json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec cmd;

    @Override
    public Integer call() throws Exception {
        Spec s = SpecParser.read(spec, epochs);
        Inputs.of(spec, s).notOverwrittenBy(json.file, "--json");
        return new TrainRun(s, out, json, cmd.commandLine().getOut(), cmd.commandLine().getErr()).execute();
    }
}
