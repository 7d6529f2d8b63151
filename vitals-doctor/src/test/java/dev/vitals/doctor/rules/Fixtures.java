package dev.vitals.doctor.rules;

import dev.vitals.core.data.Dataset;
import dev.vitals.core.data.Normalizer;
import dev.vitals.core.data.PreparedData;
import dev.vitals.core.nn.Model;
import dev.vitals.core.report.Finding;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.spec.SpecParser;
import dev.vitals.core.tensor.Shape;
import dev.vitals.core.train.Experiment;
import dev.vitals.core.train.LayerInfo;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.Rules;
import dev.vitals.doctor.check.DataContext;
import dev.vitals.doctor.check.LintContext;
import dev.vitals.doctor.check.Measurements;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Builds data and lint contexts from spec text, as {@code vitals check} does, and finds the findings of one code. */
final class Fixtures {
    private Fixtures() {}

    static Spec spec(String yaml) { return SpecParser.parse(yaml, null); }

    /** A spec of the usual sections, with the data, model layers, loss and optimizer given. */
    static Spec spec(String data, String init, String layers, String loss, String optimizer) {
        return spec("name: t\nseed: 1\ndata: {" + data + "}\nmodel: {init: '" + init + "', layers: [" + layers + "]}\nloss: " + loss
                + "\noptimizer: {" + optimizer + "}\ntrain: {epochs: 1, batch: 32}\n");
    }

    static int outputs(Model m) { return m.outputShape().rank() == 1 ? m.outputShape().size() : -1; }

    static DataContext data(Spec s) { return data(s, Experiment.loadData(s)); }

    static DataContext data(Spec s, PreparedData d) {
        Model m = Experiment.buildModel(s, d.train().exampleShape(), s.seed());
        return new DataContext(s, d, outputs(m), new Measurements());
    }

    static LintContext lint(Spec s) { return lint(s, Experiment.loadData(s)); }

    static LintContext lint(Spec s, PreparedData d) {
        Model m = Experiment.buildModel(s, d.train().exampleShape(), s.seed());
        return new LintContext(s, LayerInfo.describe(m), m.inputShape().dims(), m.outputShape().dims(), d.train().classes(), d.train().size(),
                d.validation() == null ? 0 : d.validation().size(), d.test() == null ? 0 : d.test().size(), new Measurements());
    }

    /** Prepared data made of the given splits as they are (no normalisation). */
    static PreparedData prepared(Dataset train, Dataset validation, Dataset test) {
        return new PreparedData(train, validation, test, Normalizer.fit(Normalizer.Kind.NONE, train), "test data");
    }

    static Dataset dataset(Shape shape, float[] x, float[] labels, int classes) {
        return new Dataset(shape, x, labels, classes, List.of());
    }

    /** Every finding of every data rule and every lint rule for the spec on its data. */
    static List<Finding> dataAndLint(Spec s, PreparedData d) {
        List<Finding> all = new ArrayList<>();
        DataContext dc = data(s, d);
        for (DataRule r : Rules.dataRules()) all.addAll(r.check(dc));
        LintContext lc = lint(s, d);
        for (LintRule r : Rules.lintRules()) all.addAll(r.lint(lc));
        return all;
    }

    static List<Finding> of(List<Finding> fs, Code c) { return fs.stream().filter(f -> f.code().equals(c.name())).toList(); }

    /** The one finding of code {@code c} among {@code fs}. */
    static Finding one(List<Finding> fs, Code c) {
        List<Finding> m = of(fs, c);
        if (m.size() != 1) fail("expected one " + c + " finding, got " + m.size() + ": " + fs);
        Finding f = m.get(0);
        assertEquals(c.stage(), f.stage(), "stage of " + c);
        assertTrue(f.message() != null && !f.message().isBlank() && f.cause() != null && f.fix() != null, "message, cause and fix: " + f);
        return f;
    }

    static void none(List<Finding> fs, Code c) {
        List<Finding> m = of(fs, c);
        if (!m.isEmpty()) fail("expected no " + c + " finding, got " + m);
    }

    static double num(Finding f, String key) {
        Object v = f.evidence().get(key);
        if (!(v instanceof Number n)) throw new AssertionError("evidence " + key + " is " + v + " in " + f.evidence());
        return n.doubleValue();
    }

    static void near(double expected, double actual, double relTol, String what) {
        assertTrue(Math.abs(actual - expected) <= relTol * Math.abs(expected), what + ": expected " + expected + " but was " + actual);
    }

    /** The repository's root folder (where examples/ and casebook/ are), found from the working folder upwards. */
    static Path repo() {
        Path p = Path.of("").toAbsolutePath();
        for (Path q = p; q != null; q = q.getParent()) if (Files.isDirectory(q.resolve("examples")) && Files.isDirectory(q.resolve("casebook"))) return q;
        throw new IllegalStateException("no examples/ folder above " + p);
    }

    /** The XOR sanity check of DESIGN.md: 2-4-4-1 ReLU, binary cross-entropy, all four points, no validation. */
    static final String XOR = """
            name: xor
            seed: 1
            data: {source: "synthetic:xor", validation: 0}
            model:
              init: he
              layers: [{dense: 4}, relu, {dense: 4}, relu, {dense: 1}]
            loss: binary_cross_entropy
            optimizer: {name: adam, lr: 0.01}
            train: {epochs: 300, batch: 4}
            """;
}
