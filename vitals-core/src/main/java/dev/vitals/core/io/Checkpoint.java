package dev.vitals.core.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vitals.core.InputException;
import dev.vitals.core.data.Normalizer;
import dev.vitals.core.nn.Model;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.spec.SpecParser;
import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;
import dev.vitals.core.train.Experiment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained model on disk: its parameters and buffers as safetensors, with the spec's YAML, the
 * input shape and the normaliser's statistics in the metadata, so that the file alone can rebuild the
 * model and prepare new inputs the way training did.
 */
public final class Checkpoint {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpoint() {}

    /** @param classNames what each output index stands for, where the labels were words (empty otherwise) */
    public record Loaded(Spec spec, Model model, Normalizer normalizer, List<String> classNames) {}

    public static void save(Path path, Spec spec, Model model, Normalizer norm) throws IOException {
        save(path, spec, model, norm, List.of());
    }

    /** With {@code classNames}: the words a CSV's labels were, in the order of the class indices, so that a prediction can be read back. */
    public static void save(Path path, Spec spec, Model model, Normalizer norm, List<String> classNames) throws IOException {
        save(path, spec.text(), model, norm, classNames);
    }

    /** With the spec's text as it should be stored (a run folder's copy, its data path rewritten to reach the data from there). */
    public static void save(Path path, String specText, Model model, Normalizer norm, List<String> classNames) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "vitals-checkpoint-1");
        meta.put("spec", specText);
        meta.put("input_shape", JSON.writeValueAsString(model.inputShape().dims()));
        ObjectNode n = JSON.createObjectNode();
        n.put("kind", norm.kind().key());
        var sh = n.putArray("shift");
        for (float f : norm.shift()) sh.add(f);
        var sc = n.putArray("scale");
        for (float f : norm.scale()) sc.add(f);
        meta.put("normalizer", JSON.writeValueAsString(n));
        if (!classNames.isEmpty()) meta.put("class_names", JSON.writeValueAsString(classNames));
        Safetensors.write(path, model.state(), meta);
    }

    /** Rebuilds the model described by the checkpoint's spec and loads its weights. */
    public static Loaded load(Path path) {
        Safetensors.Contents c = Safetensors.read(path);
        String text = c.metadata().get("spec");
        String shape = c.metadata().get("input_shape");
        String norm = c.metadata().get("normalizer");
        if (text == null || shape == null || norm == null) {
            throw new InputException(path + ": safetensors file without Vitals metadata (spec, input_shape, normalizer)");
        }
        try {
            Spec spec = SpecParser.parse(text, path.resolveSibling("spec.yaml"));
            int[] dims = JSON.readValue(shape, int[].class);
            Model model = Experiment.buildModel(spec, Shape.of(dims), spec.seed());
            model.load(c.tensors());
            var nn = JSON.readTree(norm);
            float[] shift = floats(nn.get("shift")), scale = floats(nn.get("scale"));
            Normalizer.Kind kind = Normalizer.Kind.fromKey(nn.get("kind").asText());
            String names = c.metadata().get("class_names");
            List<String> classNames = names == null ? List.of() : List.of(JSON.readValue(names, String[].class));
            return new Loaded(spec, model, new Normalizer(kind, Shape.of(dims), shift, scale), classNames);
        } catch (IOException | IllegalArgumentException | NullPointerException e) {
            throw new InputException(path + ": checkpoint metadata is inconsistent (" + e.getMessage() + ")");
        }
    }

    private static float[] floats(com.fasterxml.jackson.databind.JsonNode a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) f[i] = (float) a.get(i).asDouble();
        return f;
    }

    /** Values as written, for tests comparing a round trip. */
    public static Map<String, Tensor> tensors(Path path) { return Safetensors.read(path).tensors(); }
}
