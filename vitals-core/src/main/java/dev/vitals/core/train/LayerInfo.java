package dev.vitals.core.train;

import dev.vitals.core.nn.Activation;
import dev.vitals.core.nn.Layer;
import dev.vitals.core.nn.Model;
import dev.vitals.core.nn.Parameter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What an observer may know about one layer of the model being trained: its position, kind,
 * description, shapes, parameters, where its slope vanishes (for activations: none, negative, tails)
 * how deeply it is nested in residual blocks, and the share of its input's positions it reads
 * ({@link dev.vitals.core.nn.Layer#inputCoverage}).
 */
public record LayerInfo(int index, String path, String kind, String description, int[] inputShape, int[] outputShape,
                        List<String> parameters, String saturation, int depth, boolean stochastic, boolean matrix, double inputCoverage) {

    /** A layer that draws no random numbers and, unless its kind says so, has no weight matrix: how logs describe theirs. */
    public LayerInfo(int index, String path, String kind, String description, int[] inputShape, int[] outputShape,
                     List<String> parameters, String saturation, int depth) {
        this(index, path, kind, description, inputShape, outputShape, parameters, saturation, depth, false, false, 1);
    }

    /** A layer with a weight matrix: dense, conv2d, or one of an API user's own with a parameter of two axes or more ({@code matrix}). */
    public boolean weights() { return kind.equals("dense") || kind.equals("conv2d") || matrix; }

    /** Every layer of {@code model}, nested ones included, in forward order. */
    public static List<LayerInfo> describe(Model model) {
        List<Layer> layers = model.allLayers();
        List<LayerInfo> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            List<String> pn = new ArrayList<>();
            if (l.children().isEmpty()) for (Parameter p : l.parameters()) pn.add(p.fullName());
            String sat = l instanceof Activation a ? a.saturation().name().toLowerCase(Locale.ROOT) : "none";
            int depth = l.path().split("\\.block\\.").length - 1;
            out.add(new LayerInfo(i, l.path(), l.kind(), l.describe(), l.inputShape().dims(), l.outputShape().dims(),
                    List.copyOf(pn), sat, depth, l instanceof dev.vitals.core.nn.Stochastic,
                    l.children().isEmpty() && l.parameters().stream().anyMatch(p -> p.value().rank() >= 2), l.inputCoverage()));
        }
        return List.copyOf(out);
    }

    /** Values per example at this layer's output. */
    public int outputSize() {
        int n = 1;
        for (int d : outputShape) n *= d;
        return n;
    }
}
