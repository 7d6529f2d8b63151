package dev.vitals.doctor.repair;

import dev.vitals.core.nn.Init;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.spec.Spec.LayerSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Pure edits of a spec's layer list, the building blocks of the structural repairs. A hidden layer
 * is one with a weight layer after it; what follows the last weight layer is the output's.
 */
final class ModelEdits {
    static final Set<String> ACTIVATIONS = Set.of("relu", "leaky_relu", "gelu", "sigmoid", "tanh", "softmax");
    static final Set<String> SATURATING = Set.of("sigmoid", "tanh");
    static final Set<String> NORMS = Set.of("batchnorm", "layernorm");

    private ModelEdits() {}

    static LayerSpec layer(String kind) { return new LayerSpec(kind, Double.NaN, null, null, ""); }

    static LayerSpec layer(String kind, double arg) { return new LayerSpec(kind, arg, null, null, ""); }

    static boolean weighted(LayerSpec l) { return l.kind().equals("dense") || l.kind().equals("conv2d") || l.kind().equals("residual"); }

    /** Index of the last weight layer, -1 when there is none. */
    static int lastWeight(List<LayerSpec> layers) {
        for (int i = layers.size() - 1; i >= 0; i--) if (weighted(layers.get(i))) return i;
        return -1;
    }

    /** The spec with {@code edit} applied to its top-level layers, key paths renumbered. */
    static Spec layers(Spec spec, UnaryOperator<List<LayerSpec>> edit) {
        List<LayerSpec> out = edit.apply(new ArrayList<>(spec.model().layers()));
        return spec.withModel(new Spec.Model(spec.model().init(), renumber(out, "model.layers")));
    }

    static Spec init(Spec spec, Init init) {
        return spec.withModel(new Spec.Model(init, spec.model().layers()));
    }

    /** Key paths follow the positions, as the parser would give them to the written spec. */
    static List<LayerSpec> renumber(List<LayerSpec> layers, String prefix) {
        List<LayerSpec> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            LayerSpec l = layers.get(i);
            String where = prefix + "[" + i + "]";
            List<LayerSpec> block = l.block() == null ? null : renumber(l.block(), where + ".residual");
            out.add(new LayerSpec(l.kind(), l.arg(), l.conv(), block, where));
        }
        return List.copyOf(out);
    }

    /** Hidden activations of one kind set replaced by {@code to}; the output's activation kept. */
    static List<LayerSpec> replaceHidden(List<LayerSpec> layers, Set<String> from, LayerSpec to) {
        int last = lastWeight(layers);
        List<LayerSpec> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            LayerSpec l = layers.get(i);
            // a residual block before the output is hidden throughout: its tanh stayed while the repair said "replaced"
            if (i < last && l.block() != null) out.add(new LayerSpec(l.kind(), l.arg(), l.conv(), replaceAll(l.block(), from, to), l.where()));
            else out.add(i < last && from.contains(l.kind()) ? to : l);
        }
        return out;
    }

    /** Every layer of {@code from}'s kinds replaced by {@code to}, inside nested blocks too. */
    private static List<LayerSpec> replaceAll(List<LayerSpec> layers, Set<String> from, LayerSpec to) {
        List<LayerSpec> out = new ArrayList<>();
        for (LayerSpec l : layers) {
            if (l.block() != null) out.add(new LayerSpec(l.kind(), l.arg(), l.conv(), replaceAll(l.block(), from, to), l.where()));
            else out.add(from.contains(l.kind()) ? to : l);
        }
        return out;
    }

    /** {@code insert} after every hidden dense or conv2d layer that is not already followed by one of its kind. */
    static List<LayerSpec> afterHiddenWeights(List<LayerSpec> layers, LayerSpec insert) {
        return afterHidden(layers, insert, l -> l.kind().equals("dense") || l.kind().equals("conv2d"));
    }

    /** {@code insert} after every hidden activation that is not already followed by one of its kind. */
    static List<LayerSpec> afterHiddenActivations(List<LayerSpec> layers, LayerSpec insert) {
        return afterHidden(layers, insert, l -> ACTIVATIONS.contains(l.kind()));
    }

    private static List<LayerSpec> afterHidden(List<LayerSpec> layers, LayerSpec insert, java.util.function.Predicate<LayerSpec> where) {
        int last = lastWeight(layers);
        List<LayerSpec> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            LayerSpec l = layers.get(i);
            out.add(l);
            boolean next = i + 1 < layers.size() && layers.get(i + 1).kind().equals(insert.kind());
            if (i < last && where.test(l) && !next) out.add(insert);
        }
        return out;
    }

    /** The layers after the last weight layer removed when they are activations: the output gives raw scores. */
    static List<LayerSpec> linearOutput(List<LayerSpec> layers) {
        int last = lastWeight(layers);
        List<LayerSpec> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            if (i > last && ACTIVATIONS.contains(layers.get(i).kind())) continue;
            out.add(layers.get(i));
        }
        return out;
    }

    /** The hidden activation the spec uses most, null when it has none. */
    static String hiddenActivation(List<LayerSpec> layers) {
        int last = lastWeight(layers);
        java.util.Map<String, Integer> n = new java.util.HashMap<>();
        for (int i = 0; i < last; i++) if (ACTIVATIONS.contains(layers.get(i).kind())) n.merge(layers.get(i).kind(), 1, Integer::sum);
        return n.entrySet().stream().max(java.util.Map.Entry.comparingByValue()).map(java.util.Map.Entry::getKey).orElse(null);
    }

    /** Units of the output's weight layer, 0 when it is not dense. */
    static int outputUnits(List<LayerSpec> layers) {
        int last = lastWeight(layers);
        return last >= 0 && layers.get(last).kind().equals("dense") ? (int) layers.get(last).arg() : 0;
    }
}
