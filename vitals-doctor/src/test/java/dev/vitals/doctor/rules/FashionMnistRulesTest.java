package dev.vitals.doctor.rules;

import dev.vitals.core.InputException;
import dev.vitals.core.data.Normalizer;
import dev.vitals.core.data.PreparedData;
import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.spec.SpecParser;
import dev.vitals.core.train.Experiment;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.check.DataContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.vitals.doctor.rules.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Fashion-MNIST, where it is installed: raw pixels are unscaled; the bundled MLP and CNN specs are healthy. Loaded once. */
class FashionMnistRulesTest {
    private static PreparedData raw, standard;

    @BeforeAll static void load() {
        try {
            raw = Experiment.loadData(spec("source: fashion-mnist, normalize: none, validation: 0", "default", "{flatten: null}, {dense: 10}", "cross_entropy", "name: adam"));
        } catch (InputException e) {
            raw = null;
            return;
        }
        // what normalize: standard makes of the same splits (the pipeline's own normaliser, fitted on the training split)
        Normalizer n = Normalizer.fit(Normalizer.Kind.STANDARD, raw.train());
        standard = new PreparedData(n.apply(raw.train()), null, n.apply(raw.test()), n, raw.description());
    }

    private static void installed() { assumeTrue(raw != null, "fashion-mnist is not installed"); }

    @Test void rawPixelsAreUnscaledPerChannel() {
        installed();
        Spec s = spec("source: fashion-mnist, normalize: none, validation: 0", "default", "{flatten: null}, {dense: 128}, relu, {dense: 10}", "cross_entropy", "name: adam");
        DataContext c = data(s, raw);
        Finding f = one(new DataUnscaled().check(c), Code.DATA_UNSCALED);
        assertEquals(Severity.WARNING, f.severity());
        assertNull(f.layer());
        assertEquals("channel 0", f.evidence().get("largest"));
        assertEquals(1, f.evidence().get("channels_judged"));
        near(115.9, num(f, "largest_rms"), 0.005, "RMS of raw pixels");
        near(72.96, num(f, "largest_mean"), 0.005, "mean pixel");
        near(90.03, num(f, "largest_std"), 0.005, "pixel standard deviation");
    }

    @Test void bundledFashionSpecsAreHealthy() {
        installed();
        for (String name : new String[] {"fashion-mlp.yaml", "fashion-cnn.yaml"}) {
            Spec s = SpecParser.read(repo().resolve("examples").resolve(name));
            assertEquals("standard", s.data().normalize().key());
            HealthySpecsTest.assertHealthy(name, dataAndLint(s, standard));
        }
    }

    /** The whole hierarchy of vitals check (probes and the watched short run included), not only data and lint. */
    @Test void bundledFashionSpecsPassTheWholeCheck() {
        installed();
        for (String name : new String[] {"fashion-mlp.yaml", "fashion-cnn.yaml"}) {
            Spec s = SpecParser.read(repo().resolve("examples").resolve(name));
            HealthySpecsTest.assertHealthy(name, dev.vitals.doctor.check.Checkup.run(s, standard, null).findings());
        }
    }

    @Test void itsOwnTestSetHoldsNoCopiesOfTrainingImages() {
        installed();
        DataContext c = data(SpecParser.read(repo().resolve("examples/fashion-mlp.yaml")), standard);
        none(new DataLeakage().check(c), Code.DATA_LEAKAGE);
        assertEquals(0, c.measured().values().get("test_copies_of_training"));
        assertEquals(60000, c.measured().values().get("distinct_training_inputs"));
    }
}
