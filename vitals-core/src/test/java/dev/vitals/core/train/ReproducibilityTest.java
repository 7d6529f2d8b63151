package dev.vitals.core.train;

import dev.vitals.core.spec.SpecParser;
import dev.vitals.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The same spec and seed give bit-identical runs: data split, initialisation, shuffling, dropout. */
class ReproducibilityTest {
    private static String spec(String source, long seed) {
        return """
                name: repro
                seed: %d
                data: {source: %s, validation: 0.2}
                model:
                  init: he
                  layers: [{dense: 16}, batchnorm, relu, {dropout: 0.2}, {dense: 8}, tanh, {dense: %d}]
                loss: cross_entropy
                optimizer: {name: adam, lr: 0.01}
                train: {epochs: 3, batch: 32}
                """.formatted(seed, source, source.equals("iris") ? 3 : 10);
    }

    @Test
    void sameSpecAndSeedGiveBitIdenticalMetricsAndWeights() {
        for (String source : List.of("iris", "digits")) {
            Experiment a = Experiment.of(SpecParser.parse(spec(source, 5), null));
            Experiment b = Experiment.of(SpecParser.parse(spec(source, 5), null));
            RunResult ra = a.fit(), rb = b.fit();
            assertEquals(3, ra.epochs().size());
            for (int e = 0; e < 3; e++) {
                EpochResult x = ra.epochs().get(e), y = rb.epochs().get(e);
                assertEquals(Double.doubleToLongBits(x.trainLoss()), Double.doubleToLongBits(y.trainLoss()), source + " epoch " + e);
                assertEquals(Double.doubleToLongBits(x.valLoss()), Double.doubleToLongBits(y.valLoss()));
                assertEquals(x.trainAccuracy(), y.trainAccuracy());
                assertEquals(x.valAccuracy(), y.valAccuracy());
            }
            assertTrue(ra.hasTest());
            assertEquals(Double.doubleToLongBits(ra.testLoss()), Double.doubleToLongBits(rb.testLoss()));
            assertEquals(ra.testAccuracy(), rb.testAccuracy());
            Map<String, Tensor> sa = a.model().state(), sb = b.model().state();
            for (String k : sa.keySet()) assertArrayEquals(sa.get(k).data(), sb.get(k).data(), k);
        }
    }

    @Test
    void anotherSeedGivesAnotherRun() {
        RunResult a = Experiment.of(SpecParser.parse(spec("iris", 5), null)).fit();
        RunResult b = Experiment.of(SpecParser.parse(spec("iris", 6), null)).fit();
        assertNotEquals(a.epochs().get(0).trainLoss(), b.epochs().get(0).trainLoss());
        // The test split does not depend on the seed (DESIGN.md), so the test sets are the same size.
        assertTrue(a.hasTest() && b.hasTest());
        assertTrue(Arrays.asList(a.testAccuracy(), b.testAccuracy()).stream().allMatch(v -> v > 0.5));
    }
}
