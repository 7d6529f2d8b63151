package dev.vitals.doctor.rules;

import dev.vitals.core.report.Finding;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.spec.SpecParser;
import dev.vitals.core.train.Experiment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static dev.vitals.doctor.rules.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * False alarms are defects: the bundled healthy specs (examples/, the casebook's fixed twins, XOR)
 * raise no error and no warning from any data or lint rule, nor from the whole check. Fashion-MNIST's are in
 * {@link FashionMnistRulesTest}.
 */
class HealthySpecsTest {
    static Stream<Path> healthySpecs() throws IOException {
        Path root = repo();
        List<Path> specs;
        try (Stream<Path> ex = Files.list(root.resolve("examples")); Stream<Path> cb = Files.walk(root.resolve("casebook"))) {
            specs = Stream.concat(ex.filter(p -> p.toString().endsWith(".yaml")),
                    cb.filter(p -> p.getFileName().toString().endsWith("-fixed.yaml"))).sorted().toList();
        }
        // fashion-mnist is tested once per class, where its data is loaded once
        specs = specs.stream().filter(p -> !SpecParser.read(p).data().source().equals("fashion-mnist")).toList();
        return specs.stream();
    }

    static void assertHealthy(String name, List<Finding> fs) {
        List<Finding> bad = fs.stream().filter(f -> f.severity() != Finding.Severity.INFO).toList();
        if (!bad.isEmpty()) fail(name + " is healthy but got " + bad);
    }

    @ParameterizedTest
    @MethodSource("healthySpecs")
    void healthySpecsRaiseNoWarning(Path file) {
        Spec s = SpecParser.read(file);
        assertHealthy(file.getFileName().toString(), dataAndLint(s, Experiment.loadData(s)));
    }

    /** The same specs, the casebook's fixed twins and XOR through the whole hierarchy of vitals check: probes and short run too. */
    static Stream<Path> checkedSpecs() throws IOException {
        Path root = repo();
        List<Path> twins;
        try (Stream<Path> cb = Files.walk(root.resolve("casebook"))) {
            twins = cb.filter(p -> p.getFileName().toString().equals("fixed.yaml") || p.getFileName().toString().equals("xor.yaml")).toList();
        }
        return Stream.concat(healthySpecs(), twins.stream()).sorted();
    }

    @ParameterizedTest
    @MethodSource("checkedSpecs")
    void healthySpecsPassTheWholeCheck(Path file) {
        assertHealthy(file.getParent().getFileName() + "/" + file.getFileName(), dev.vitals.doctor.check.Checkup.run(SpecParser.read(file), null).findings());
    }

    @Test void theHealthySetIsNotEmpty() throws IOException {
        List<String> names = healthySpecs().map(p -> p.getFileName().toString()).toList();
        for (String n : List.of("digits-mlp.yaml", "iris-mlp.yaml", "wine-mlp.yaml", "breast-cancer-mlp.yaml", "vanishing-fixed.yaml"))
            assertTrue(names.contains(n), n + " in " + names);
    }

    @Test void xorIsHealthy() {
        Spec s = spec(Fixtures.XOR);
        assertHealthy("xor", dataAndLint(s, Experiment.loadData(s)));
    }
}
