package dev.vitals.doctor.check;

import dev.vitals.core.data.Dataset;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.spec.SpecParser;
import dev.vitals.core.train.Experiment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The examples the probes measure on: a fair picture of the training split. */
class ProbeContextTest {
    @TempDir
    Path dir;

    @Test
    void aRegressionsSampleIsDrawnAtRandomNotFromItsSmallestLabels() throws IOException {
        // 1000 rows with labels 0..999, each its own "class": round-robin over classes took the 256 smallest
        StringBuilder csv = new StringBuilder("x,y\n");
        for (int i = 0; i < 1000; i++) csv.append(i / 1000.0).append(',').append(i).append('\n');
        Files.writeString(dir.resolve("prices.csv"), csv);
        Spec spec = SpecParser.parse("name: p\nseed: 1\ndata: {source: csv:prices.csv}\nmodel: {layers: [{dense: 8}, relu, {dense: 1}]}\nloss: mse\n"
                + "train: {epochs: 1, batch: 32}\n", dir.resolve("p.yaml"));
        assertTrue(spec.regressesLabels());
        Dataset train = Experiment.loadData(spec).train();
        Dataset s = new ProbeContext(spec, Experiment.loadData(spec), new Measurements(), 1).sample(256);
        double all = IntStream.of(train.labels()).average().orElseThrow(), sampled = IntStream.of(s.labels()).average().orElseThrow();
        assertEquals(256, s.size());
        assertEquals(all, sampled, 60, "the sample's mean label against the split's (a standard error is about 18)");
    }

    @Test
    void aClassifiersSampleHoldsEveryClass() {
        Spec spec = SpecParser.parse("name: d\nseed: 1\ndata: {source: digits}\nmodel: {layers: [{dense: 8}, relu, {dense: 10}]}\ntrain: {epochs: 1, batch: 32}\n", null);
        Dataset s = new ProbeContext(spec, Experiment.loadData(spec), new Measurements(), 1).sample(32);
        int[] counts = new int[10];
        for (int y : s.labels()) counts[y]++;
        assertTrue(IntStream.of(counts).allMatch(c -> c == 3 || c == 4), java.util.Arrays.toString(counts));
    }
}
