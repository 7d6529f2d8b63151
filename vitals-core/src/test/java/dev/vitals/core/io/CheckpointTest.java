package dev.vitals.core.io;

import dev.vitals.core.InputException;
import dev.vitals.core.data.Dataset;
import dev.vitals.core.nn.Mode;
import dev.vitals.core.spec.SpecParser;
import dev.vitals.core.tensor.Tensor;
import dev.vitals.core.train.Experiment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A checkpoint alone rebuilds the trained model, its spec and its input normalisation. */
class CheckpointTest {
    static final String SPEC = """
            name: ckpt
            seed: 3
            data: {source: wine, validation: 0.2, normalize: standard}
            model:
              init: he
              layers: [{dense: 16}, batchnorm, relu, {dropout: 0.1}, {dense: 3}]
            optimizer: {name: adam, lr: 0.01}
            train: {epochs: 3, batch: 16}
            """;

    @Test
    void loadRecreatesAModelWithIdenticalOutputsSpecAndNormaliser(@TempDir Path dir) throws IOException {
        Path specFile = dir.resolve("ckpt.yaml");
        Files.writeString(specFile, SPEC);
        Experiment exp = Experiment.of(SpecParser.read(specFile));
        exp.fit();
        Path f = dir.resolve("model.safetensors");
        Checkpoint.save(f, exp.spec(), exp.model(), exp.data().normalizer());

        Checkpoint.Loaded loaded = Checkpoint.load(f);
        assertEquals(SPEC, loaded.spec().text());
        assertEquals("ckpt", loaded.spec().name());
        assertEquals(exp.data().normalizer().kind(), loaded.normalizer().kind());
        assertArrayEquals(exp.data().normalizer().shift(), loaded.normalizer().shift());
        assertArrayEquals(exp.data().normalizer().scale(), loaded.normalizer().scale());
        assertEquals(13, loaded.normalizer().shift().length);
        assertTrue(Arrays.stream(toDoubles(loaded.normalizer().scale())).anyMatch(s -> s != 1), "standardisation statistics, not defaults");

        // every parameter and buffer (batch-norm running statistics included) is restored bit for bit
        Map<String, Tensor> a = exp.model().state(), b = loaded.model().state();
        assertEquals(a.keySet(), b.keySet());
        assertTrue(a.keySet().stream().anyMatch(k -> k.contains("running")), "buffers are saved too: " + a.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k).data(), b.get(k).data(), k);

        // the same inputs give the same outputs, bit for bit
        Dataset test = exp.data().test();
        Tensor x = Tensor.wrap(test.x().clone(), batchShape(test));
        float[] expected = exp.model().forward(x, Mode.EVAL).copy().data();
        float[] actual = loaded.model().forward(Tensor.wrap(test.x().clone(), batchShape(test)), Mode.EVAL).copy().data();
        assertEquals(test.size() * 3, expected.length);
        assertArrayEquals(expected, actual);
        // and the loaded normaliser prepares raw inputs the way training did
        Dataset raw = Experiment.loadData(SpecParser.parse(SPEC.replace("normalize: standard", "normalize: none"), specFile)).test();
        assertEquals(test.size(), raw.size());
        assertArrayEquals(test.x(), loaded.normalizer().apply(raw).x());
    }

    @Test
    void aSafetensorsFileWithoutVitalsMetadataIsBadInput(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("foreign.safetensors");
        Safetensors.write(f, Map.of("w", Tensor.wrap(new float[] {1, 2}, 2)), Map.of());
        InputException e = assertThrows(InputException.class, () -> Checkpoint.load(f));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("without Vitals metadata"), e.getMessage());
    }

    @Test
    void aCheckpointWhoseWeightsDoNotFitItsSpecIsBadInput(@TempDir Path dir) throws IOException {
        Path specFile = dir.resolve("ckpt.yaml");
        Files.writeString(specFile, SPEC);
        Experiment exp = Experiment.of(SpecParser.read(specFile));
        Path f = dir.resolve("model.safetensors");
        Checkpoint.save(f, exp.spec(), exp.model(), exp.data().normalizer());
        Safetensors.Contents c = Safetensors.read(f);
        Map<String, String> meta = new java.util.LinkedHashMap<>(c.metadata());
        meta.put("spec", SPEC.replace("dense: 16", "dense: 17"));
        Safetensors.write(f, c.tensors(), meta);
        InputException e = assertThrows(InputException.class, () -> Checkpoint.load(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    }

    static int[] batchShape(Dataset d) {
        int[] ex = d.exampleShape().dims();
        int[] s = new int[ex.length + 1];
        s[0] = d.size();
        System.arraycopy(ex, 0, s, 1, ex.length);
        return s;
    }

    static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
