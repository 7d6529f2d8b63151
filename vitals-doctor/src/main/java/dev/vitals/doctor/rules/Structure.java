package dev.vitals.doctor.rules;

import dev.vitals.core.train.LayerInfo;
import dev.vitals.doctor.check.LintContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Reading a model's structure for the lint rules: its output activation, hidden activations, depth, normalisation. */
final class Structure {
    private Structure() {}

    static final Set<String> ACTIVATIONS = Set.of("relu", "leaky_relu", "gelu", "sigmoid", "tanh", "softmax");
    static final Set<String> SATURATING = Set.of("sigmoid", "tanh");
    static final Set<String> RELU_LIKE = Set.of("relu", "leaky_relu", "gelu");
    static final Set<String> NORMS = Set.of("batchnorm", "layernorm");

    /** The model's own layers, not those nested in residual blocks. */
    static List<LayerInfo> top(LintContext ctx) {
        return ctx.layers().stream().filter(l -> l.depth() == 0).toList();
    }

    /** The activation the model ends with (dropout after it does not count), or null for a linear output. */
    static LayerInfo outputActivation(LintContext ctx) {
        List<LayerInfo> t = top(ctx);
        for (int i = t.size() - 1; i >= 0; i--) {
            LayerInfo l = t.get(i);
            if (l.kind().equals("dropout")) continue;
            return ACTIVATIONS.contains(l.kind()) ? l : null;
        }
        return null;
    }

    /** Activations of the model's own layers that come before its last weight layer. */
    static List<LayerInfo> hiddenActivations(LintContext ctx) {
        List<LayerInfo> t = top(ctx);
        int lastWeight = -1;
        for (int i = 0; i < t.size(); i++) if (t.get(i).weights()) lastWeight = i;
        List<LayerInfo> out = new ArrayList<>();
        for (int i = 0; i < lastWeight; i++) if (ACTIVATIONS.contains(t.get(i).kind())) out.add(t.get(i));
        return out;
    }

    static List<LayerInfo> hidden(LintContext ctx, Set<String> kinds) {
        return hiddenActivations(ctx).stream().filter(l -> kinds.contains(l.kind())).toList();
    }

    static boolean normalised(LintContext ctx) {
        return ctx.layers().stream().anyMatch(l -> NORMS.contains(l.kind()));
    }

    static boolean residual(LintContext ctx) {
        return ctx.layers().stream().anyMatch(l -> l.kind().equals("residual"));
    }

    /** "layers.11 (softmax)". */
    static String name(LayerInfo l) { return l.description().isEmpty() ? l.path() : l.path() + " (" + l.description() + ")"; }

    /** "layers.1, layers.3 and layers.5" or "layers.1 to layers.9" for long lists. */
    static String names(List<LayerInfo> ls) {
        if (ls.isEmpty()) return "";
        if (ls.size() == 1) return ls.get(0).path();
        if (ls.size() > 3) return ls.get(0).path() + " to " + ls.get(ls.size() - 1).path();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < ls.size(); i++) b.append(i == 0 ? "" : i == ls.size() - 1 ? " and " : ", ").append(ls.get(i).path());
        return b.toString();
    }

    static List<String> paths(List<LayerInfo> ls) { return ls.stream().map(LayerInfo::path).toList(); }
}
