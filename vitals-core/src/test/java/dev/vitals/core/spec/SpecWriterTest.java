package dev.vitals.core.spec;

import dev.vitals.core.data.Normalizer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpecWriterTest {
    private static final String TEXT = """
            name: t
            description: a test spec
            seed: 3
            data: {source: digits, options: {}, validation: 0.2, normalize: none}
            model:
              init: xavier
              layers: [{dense: 32}, tanh, {dense: 10}, softmax]
            loss: cross_entropy
            optimizer: {name: sgd, lr: 0.01, momentum: 0.9}
            train: {epochs: 4, batch: 16}
            faults: [double_lr, eval_mode]
            """;

    private final Spec spec = SpecParser.parse(TEXT, Path.of("t.yaml"));

    @Test
    void unchangedSpecReadsBackEqualAndKeepsWhatWasWritten() {
        String yaml = SpecWriter.write(spec, spec, List.of());
        Spec back = SpecParser.parse(yaml, Path.of("t.yaml"));
        assertEquals(spec.withoutText(), back.withoutText());
        assertTrue(yaml.contains("description: a test spec"), yaml);
        assertFalse(yaml.contains("shuffle"), "defaults the user left out stay out: " + yaml);
    }

    @Test
    void anOptimizerOrScheduleGivenByNameHasItsDefaultsAndTakesARepair() {
        Spec bare = SpecParser.parse(TEXT.replace("optimizer: {name: sgd, lr: 0.01, momentum: 0.9}", "optimizer: sgd\nschedule: cosine"), Path.of("t.yaml"));
        assertEquals("sgd", bare.optimizer().name());
        assertEquals(0.01, bare.optimizer().lr(), "sgd's default rate");
        assertEquals(0.0, bare.optimizer().momentum());
        assertEquals("cosine", bare.schedule().name());
        Spec adam = SpecParser.parse(TEXT.replace("optimizer: {name: sgd, lr: 0.01, momentum: 0.9}", "optimizer: adam"), Path.of("t.yaml"));
        assertEquals(0.001, adam.optimizer().lr(), "adam's default rate");
        assertEquals(0.9, adam.optimizer().beta1());

        String yaml = SpecWriter.write(bare, bare.withOptimizer(bare.optimizer().withLr(0.1)), List.of());
        Spec back = SpecParser.parse(yaml, Path.of("t.yaml"));
        assertEquals("sgd", back.optimizer().name(), yaml);
        assertEquals(0.1, back.optimizer().lr(), yaml);
        assertEquals("cosine", back.schedule().name(), yaml);
    }

    @Test
    void changedSettingsAreWrittenAndTheRestKept() {
        List<Spec.LayerSpec> layers = spec.model().layers().subList(0, 3);
        Spec changed = spec.withData(spec.data().withNormalize(Normalizer.Kind.STANDARD))
                .withModel(new Spec.Model(spec.model().init(), layers))
                .withOptimizer(spec.optimizer().withLr(0.1))
                .withTrain(spec.train().withClipNorm(1))
                .withoutInjectedBug("double_lr");
        String yaml = SpecWriter.write(spec, changed, List.of("repaired", "second line"));
        assertTrue(yaml.startsWith("# repaired\n# second line\n"), yaml);
        Spec back = SpecParser.parse(yaml, Path.of("t.yaml"));
        assertEquals(Normalizer.Kind.STANDARD, back.data().normalize());
        assertEquals(0.2, back.data().validation());
        assertTrue(SpecWriter.sameLayers(layers, back.model().layers()));
        assertEquals(0.1, back.optimizer().lr());
        assertEquals(0.9, back.optimizer().momentum(), "momentum kept as written");
        assertEquals(1.0, back.train().clipNorm());
        assertEquals(16, back.train().batch());
        assertEquals(List.of("eval_mode"), List.copyOf(back.injectedBugs()));
        assertTrue(yaml.contains("description: a test spec"), "untouched keys stay as written: " + yaml);
    }

    @Test
    void sectionsThatDidNotChangeKeepTheirCommentsAndLayout() {
        // fix --write onto the spec itself once dropped every comment the user wrote
        String text = """
                # my digits experiment
                name: t
                seed: 3   # the lucky one
                data:
                  source: digits    # bundled
                  validation: 0.2
                # the model below was tuned by hand
                model:
                  layers: [{dense: 32}, relu, {dense: 10}]
                optimizer: {name: sgd, lr: 0.01, momentum: 0.999}   # too much momentum?
                train: {epochs: 4, batch: 16}
                """;
        Spec s = SpecParser.parse(text, Path.of("t.yaml"));
        Spec changed = s.withOptimizer(s.optimizer().withMomentum(0.9)).withTrain(s.train().withBatch(64));
        String yaml = SpecWriter.write(s, changed, List.of("repaired"));
        assertTrue(yaml.startsWith("# repaired\n# my digits experiment\nname: t\nseed: 3   # the lucky one\n"), yaml);
        assertTrue(yaml.contains("  source: digits    # bundled\n"), yaml);
        assertTrue(yaml.contains("# the model below was tuned by hand\nmodel:\n  layers: [{dense: 32}, relu, {dense: 10}]\n"), yaml);
        assertTrue(yaml.contains("optimizer: {name: sgd, lr: 0.01, momentum: 0.9}\n"), "a one-line section stays on one line: " + yaml);
        assertTrue(yaml.endsWith("train: {epochs: 4, batch: 64}\n"), yaml);
        Spec back = SpecParser.parse(yaml, Path.of("t.yaml"));
        assertEquals(changed.withoutText(), back.withoutText());
    }

    @Test
    void removingTheLastInjectedBugRemovesTheKey() {
        Spec clean = spec.withoutInjectedBug("double_lr").withoutInjectedBug("eval_mode");
        assertTrue(clean.injectedBugs().isEmpty());
        String yaml = SpecWriter.write(spec, clean, List.of());
        assertFalse(yaml.contains("faults"), yaml);
        assertTrue(SpecParser.parse(yaml, null).injectedBugs().isEmpty());
    }

    @Test
    void removingABugTheSpecDoesNotHaveChangesNothing() {
        assertSame(spec, spec.withoutInjectedBug("nan_inputs"));
        assertSame(spec, spec.withoutInjectedBug("no_such_bug"));
    }

    @Test
    void aRebasedSpecChangesOnlyItsSourceValueWhereTheTextHoldsItOnce() {
        Path from = Path.of("/p/specs"), to = Path.of("/p/runs/x");
        String body = "\n# the data, beside the spec\nmodel: {layers: [{dense: 4}, relu, {dense: 2}]}  # small\n";
        assertEquals("name: a\ndata: {source: csv:../../specs/data/t.csv, shuffle: true}" + body,
                SpecWriter.rebased("name: a\ndata: {source: csv:data/t.csv, shuffle: true}" + body, from, to));
        assertEquals("name: a\ndata:\n  source: 'csv:../../specs/data/t.csv'  # ours\n" + body,
                SpecWriter.rebased("name: a\ndata:\n  source: 'csv:data/t.csv'  # ours\n" + body, from, to));
        assertEquals("name: a\ndata: {source: \"idx:../../specs/imgs\"}" + body,
                SpecWriter.rebased("name: a\ndata: {source: \"idx:imgs\"}" + body, from, to));
        // a path that would not read back as plain text is quoted
        assertEquals("name: a\ndata: {source: 'csv:../../specs/my data #1.csv'}" + body,
                SpecWriter.rebased("name: a\ndata: {source: 'csv:my data #1.csv'}" + body, from, to));
        // the same text twice (here in a comment): written anew, the leading comments kept
        String twice = "# source: csv:t.csv\nname: a\ndata: {source: csv:t.csv}\n";
        String anew = SpecWriter.rebased(twice, from, to);
        assertTrue(anew.startsWith("# source: csv:t.csv\n") && anew.contains("csv:../../specs/t.csv"), anew);
        // a test file of its own moves with the training file
        assertEquals("name: a\ndata: {source: csv:../../specs/train.csv, test: csv:../../specs/test.csv}" + body,
                SpecWriter.rebased("name: a\ndata: {source: csv:train.csv, test: csv:test.csv}" + body, from, to));
        // and a test fraction is no path
        assertEquals("name: a\ndata: {source: iris, test: 0.3}" + body, SpecWriter.rebased("name: a\ndata: {source: iris, test: 0.3}" + body, from, to));
    }

    @Test
    void aTestFileGoesWithACsvSource() {
        Spec s = SpecParser.parse("name: a\ndata: {source: 'csv:train.csv', test: 'csv:test.csv'}\nmodel: {layers: [{dense: 2}]}\n", null);
        assertEquals("csv:test.csv", s.data().testSource());
        String m = org.junit.jupiter.api.Assertions.assertThrows(dev.vitals.core.InputException.class,
                () -> SpecParser.parse("name: a\ndata: {source: iris, test: 'csv:test.csv'}\nmodel: {layers: [{dense: 2}]}\n", null)).getMessage();
        assertTrue(m.contains("data.test") && m.contains("goes with a csv: source"), m);
        m = org.junit.jupiter.api.Assertions.assertThrows(dev.vitals.core.InputException.class,
                () -> SpecParser.parse("name: a\ndata: {source: 'csv:t.csv', test: 'test.csv'}\nmodel: {layers: [{dense: 2}]}\n", null)).getMessage();
        assertTrue(m.contains("data.test") && m.contains("a test file (csv:PATH)"), m);
    }

    @Test
    void aCopyKeepsTheNameTheSpecTookFromItsFile() {
        // good.yaml without a name ran as "good"; its copy, saved as spec.yaml, ran again as "spec"
        String text = "# my run\ndata: {source: iris}   # bundled\nmodel: {layers: [{dense: 3}]}\n";
        String named = SpecWriter.named(text, "good");
        assertEquals("# my run\nname: 'good'\ndata: {source: iris}   # bundled\nmodel: {layers: [{dense: 3}]}\n", named);
        assertEquals("good", SpecParser.parse(named, null).name());
        // a name of its own stays, and so does every byte
        String own = "name: mine\ndata: {source: iris}\n";
        assertSame(own, SpecWriter.named(own, "file"));
        // a quote in the name, and a document in flow style
        assertEquals("it's", SpecParser.parse(SpecWriter.named(text, "it's"), null).name());
        String flow = "{data: {source: iris}, model: {layers: [{dense: 3}]}}\n";
        Spec f = SpecParser.parse(SpecWriter.named(flow, "flow"), null);
        assertEquals("flow", f.name());
        assertEquals("iris", f.data().source());
    }
}
