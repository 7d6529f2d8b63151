package dev.vitals.doctor.logs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The forward order of a log's per-layer columns. A writer that keeps its own order (a hand-written
 * CSV, JSON lines) lists them as the model runs, and that order is kept. A writer that sorts its
 * header (Lightning's CSVLogger) puts {@code layer10} before
 * {@code layer2}, {@code 10.weight} before {@code 2.weight} and {@code head} first: there the digits
 * in a name are compared as numbers, and a classifier head's name goes last.
 */
final class LayerOrder {
    private LayerOrder() {}

    /** First names of modules that are the network's output layer in common PyTorch and Keras models. */
    static final Set<String> HEADS = Set.of("head", "classifier", "fc", "out", "output", "outputs", "logits", "final", "predictions", "pred", "top");

    /** First names of modules that are the network's input layer: they go first. */
    static final Set<String> STEMS = Set.of("stem", "embed", "embedding", "embeddings", "input", "inputs", "in_proj", "first");

    /** {@code layers} in forward order, given whether the log's whole header was sorted as text. */
    static List<String> forward(List<String> layers, List<String> header) {
        if (!sorted(header)) return layers;
        List<String> out = new ArrayList<>(layers);
        out.sort(Comparator.comparing((String c) -> !isNamed(c, STEMS)).thenComparing(c -> isNamed(c, HEADS)).thenComparing(LayerOrder::natural));
        return out;
    }

    static boolean sorted(List<String> names) {
        for (int i = 1; i < names.size(); i++) if (names.get(i - 1).compareTo(names.get(i)) > 0) return false;
        return names.size() > 1;
    }

    /** Whether the module a column names (the part after the metric's prefix, before the first dot) is one of {@code names}. */
    static boolean isNamed(String column, Set<String> names) {
        Column c = Column.classify(column);
        String layer = c == null || c.layer() == null ? column : c.layer();
        int dot = layer.indexOf('.');
        return names.contains((dot < 0 ? layer : layer.substring(0, dot)).toLowerCase(java.util.Locale.ROOT));
    }

    /** Text order, except that runs of digits compare as numbers ({@code layer2} before {@code layer10}). */
    static int natural(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            char x = a.charAt(i), y = b.charAt(j);
            if (Character.isDigit(x) && Character.isDigit(y)) {
                int si = i, sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) i++;
                while (j < b.length() && Character.isDigit(b.charAt(j))) j++;
                String p = a.substring(si, i).replaceFirst("^0+(?=.)", ""), q = b.substring(sj, j).replaceFirst("^0+(?=.)", "");
                int c = p.length() != q.length() ? Integer.compare(p.length(), q.length()) : p.compareTo(q);
                if (c != 0) return c;
            } else {
                if (x != y) return Character.compare(x, y);
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
