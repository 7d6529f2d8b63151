package dev.vitals.cli;

import dev.vitals.core.Words;
import dev.vitals.core.report.Report;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.spec.SpecParser;
import dev.vitals.doctor.check.Checkup;
import dev.vitals.doctor.check.StepReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Runs the diagnostic hierarchy on a spec without a full training run: data, lint, initial loss, "
                + "gradient check, update rule, batch mixing, overfit one batch, a short watched run, the learning-rate range test, "
                + "an input-independent baseline.")
final class CheckCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SPEC", description = "the spec file (YAML)")
    Path spec;

    @picocli.CommandLine.Mixin
    JsonReport json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec cmd;

    @Override
    public Integer call() throws Exception {
        json.check();
        Spec s = SpecParser.read(spec);
        Inputs.of(spec, s).notOverwrittenBy(json.file, "--json");
        PrintWriter o = cmd.commandLine().getOut();
        Heading heading = new Heading(o, "check " + s.name() + " (" + spec + ")");
        // the data is loaded first and timed: 20,000 synthetic documents of 20,000 features took 16 s
        // before the first step, and "checked in 4.7s" left them out
        long t0 = System.nanoTime();
        dev.vitals.core.data.PreparedData data = dev.vitals.core.train.Experiment.loadData(s);
        double loading = (System.nanoTime() - t0) / 1e9;
        // with the data line train prints (a header that names fewer columns than the rows hold, the splits'
        // sizes), once the first step reports: bad input found before it leaves nothing on stdout
        Heading withData = new Heading(o, "data: " + data.description());
        Checkup.Result r = Checkup.run(s, data, step -> {
            heading.print();
            withData.print();
            printStep(o, step);
        });
        for (StepReport st : r.steps()) {
            Object w = st.measured().get("withdrawn");
            if (w != null) o.println("withdrawn from step " + st.number() + " (" + st.name() + "): " + w);
        }
        o.printf(java.util.Locale.ROOT, "checked in %.1fs%s%n", r.seconds() + loading, loading >= 0.5 ? String.format(java.util.Locale.ROOT, " (%.1fs of it loading the data)", loading) : "");
        Diagnosis.print(o, r.findings());
        Report report = Report.of("check", s.name(), r.findings(), metrics(r));
        json.write(report);
        return report.healthy() ? Main.OK : Main.UNHEALTHY;
    }

    static void printStep(PrintWriter o, StepReport step) {
        String status = switch (step.status()) {
            case StepReport.OK -> "ok";
            case StepReport.SKIPPED -> "skipped";
            default -> Words.count(step.findings().size(), "finding");
        };
        o.printf("%d. %-22s %-12s %5.2fs  %s%n", step.number(), step.name(), status, step.seconds(), measured(step.measured()));
        o.flush();
    }

    private static String measured(Map<String, Object> m) {
        StringBuilder sb = new StringBuilder();
        for (var e : m.entrySet()) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(e.getKey()).append(' ').append(e.getValue());
            if (sb.length() > 140) {
                sb.append(", ...");
                break;
            }
        }
        return sb.toString();
    }

    static Map<String, Object> metrics(Checkup.Result r) {
        List<Map<String, Object>> steps = new ArrayList<>();
        for (StepReport s : r.steps()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", s.number());
            m.put("name", s.name());
            m.put("status", s.status());
            m.put("seconds", Report.num(s.seconds()));
            m.put("measured", s.measured());
            steps.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("epochs", List.of());
        out.put("steps", steps);
        out.put("seconds", Report.num(r.seconds()));
        return out;
    }
}
