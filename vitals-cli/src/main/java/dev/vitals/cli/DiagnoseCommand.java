package dev.vitals.cli;

import dev.vitals.core.Words;
import dev.vitals.core.report.Report;
import dev.vitals.core.train.EpochResult;
import dev.vitals.doctor.logs.Classes;
import dev.vitals.doctor.logs.Column;
import dev.vitals.doctor.logs.LogReader;
import dev.vitals.doctor.logs.LogReplay;
import dev.vitals.doctor.logs.RunLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "diagnose", mixinStandardHelpOptions = true,
        description = "Diagnoses a run made elsewhere from its metrics log: CSV with a header row, JSON lines (Vitals' own metrics.jsonl too), "
                + "TensorBoard event files (a file or a folder of them), an MLflow run folder, or a table kept one metric per row, "
                + "replayed through the runtime rules of 'vitals train'.")
final class DiagnoseCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "LOG", description = "the metrics log: a .csv, .jsonl, events.out.tfevents.* file, a folder of event files, or an MLflow run folder")
    Path log;

    @picocli.CommandLine.Mixin
    JsonReport json;

    @Option(names = "--classes", paramLabel = "N", description = "number of classes, for the chance level (default: inferred from an initial loss of ln N, or from a run stuck at chance, else unknown)")
    Integer classes;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec cmd;

    @Override
    public Integer call() throws Exception {
        json.check();
        Inputs.ofLog(log).notOverwrittenBy(json.file, "--json");
        if (classes != null && (classes < 2 || classes > dev.vitals.doctor.logs.Classes.MAX)) {
            throw new dev.vitals.core.InputException("--classes must be from 2 to " + dev.vitals.doctor.logs.Classes.MAX + ", got " + classes);
        }
        RunLog runLog = RunLog.of(LogReader.read(log));
        Classes c = classes != null ? Classes.given(classes) : Classes.infer(runLog);
        LogReplay.Result r = LogReplay.run(runLog, c);
        PrintWriter o = cmd.commandLine().getOut();
        printSummary(o, r);
        Diagnosis.print(o, r.findings());
        // the fixes speak a Vitals spec's keys; a log comes from a framework that has other names
        if (r.findings().stream().anyMatch(f -> f.severity() != dev.vitals.core.report.Finding.Severity.INFO)) {
            o.println("fixes name a Vitals spec's keys (lr, train.clip_norm, init, ...); docs/diagnose.md gives each in PyTorch and Keras");
        }
        Report report = Report.of("diagnose", log.getFileName() == null ? log.toString() : log.getFileName().toString(), r.findings(), metrics(r));
        json.write(report);
        return report.healthy() ? Main.OK : Main.UNHEALTHY;
    }

    private static void printSummary(PrintWriter o, LogReplay.Result r) {
        RunLog l = r.log();
        List<RunLog.Row> rows = l.rows();
        o.printf("diagnose %s (%s)%n", l.table().source(), l.table().format());
        long validated = l.epochs().stream().filter(EpochResult::hasValidation).count();
        o.printf("read %s: %s (steps %d to %d), %s%s%n", Words.count(l.table().records().size(), "record"), Words.count(rows.size(), "logged step"),
                rows.get(0).step(), rows.get(rows.size() - 1).step(), Words.count(l.epochs().size(), "epoch"),
                validated == 0 ? "" : validated == l.epochs().size() ? " with validation" : ", " + validated + " with validation");
        o.println("columns: " + recognised(l));
        String epochCol = l.columns().get(Column.Kind.EPOCH);
        if (epochCol != null) {
            // Keras, Lightning and fastai count epochs from 0; findings count them from 1, as the report does
            Object first = l.table().records().stream().map(rec -> rec.values().get(epochCol)).filter(java.util.Objects::nonNull).findFirst().orElse(null);
            // a Keras history dump holds no epoch numbers of its own: its lists are numbered from 1 here
            if ("keras_history".equals(l.table().format())) o.println("epochs: findings number the history's values from 1");
            else if (first != null && first.toString().trim().matches("0+(\\.0+)?")) {
                o.println("epochs: findings number them from 1, so the log's epoch 0 is epoch 1");
            }
        }
        if (!l.percentColumns().isEmpty()) o.println("accuracy in percent (read divided by 100): " + String.join(", ", l.percentColumns()));
        if (!l.layerColumns().isEmpty()) o.println("per-layer gradient norms: " + String.join(", ", l.layerColumns()));
        o.println("ignored: " + (l.ignored().isEmpty() ? "none" : String.join(", ", l.ignored())));
        o.println("classes: " + (r.classes().count() > 0 ? r.classes().count() + " (" + r.classes().from() + ")" : r.classes().from()));
        if (r.stoppedAt() != null) o.println("replay stopped at step " + r.stoppedAt() + ": the loss is not finite there (later records are not judged)");
    }

    private static String recognised(RunLog l) {
        List<String> s = new ArrayList<>();
        for (var e : l.columns().entrySet()) s.add(e.getValue() + " as " + key(e.getKey()));
        return String.join(", ", s);
    }

    private static String key(Column.Kind k) { return k.name().toLowerCase(Locale.ROOT); }

    private static Map<String, Object> metrics(LogReplay.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Map<String, Object>> epochs = new ArrayList<>();
        for (EpochResult e : r.log().epochs()) epochs.add(Report.epoch(e));
        m.put("epochs", epochs);
        RunLog l = r.log();
        Map<String, Object> log = new LinkedHashMap<>();
        log.put("format", l.table().format());
        log.put("records", l.table().records().size());
        log.put("steps", l.rows().size());
        log.put("first_step", l.rows().get(0).step());
        log.put("last_step", l.rows().get(l.rows().size() - 1).step());
        Map<String, String> cols = new LinkedHashMap<>();
        for (var e : l.columns().entrySet()) cols.put(key(e.getKey()), e.getValue());
        log.put("columns", cols);
        log.put("layer_columns", l.layerColumns());
        log.put("ignored", l.ignored());
        log.put("percent_columns", l.percentColumns());
        log.put("classes", r.classes().count() > 0 ? r.classes().count() : null);
        log.put("classes_from", r.classes().from());
        if (r.stoppedAt() != null) log.put("stopped_at_step", r.stoppedAt());
        m.put("log", log);
        return m;
    }
}
