package dev.vitals.doctor.logs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a column (CSV header, JSON key, TensorBoard tag) of a foreign metrics log means. Names are
 * matched after normalisation (lower case, separators as '_'), word by word, so that {@code loss},
 * {@code train/loss}, {@code Loss/train} and {@code train_loss_step} all read as the training loss.
 */
public record Column(Kind kind, String name, String layer) {

    public enum Kind {
        STEP, EPOCH,
        /** training loss, per step or per epoch (the reader decides which column is which) */
        LOSS, EPOCH_LOSS,
        ACCURACY, EPOCH_ACCURACY,
        VAL_LOSS, VAL_ACCURACY,
        GRAD_NORM, LAYER_GRAD_NORM, LR,
        /** a layer's or parameter's update/weight ratio: the applied update's norm over the weights' norm */
        LAYER_UPDATE_RATIO,
        /** the epoch's duration in seconds (Vitals' own epoch records) */
        EPOCH_SECONDS
    }

    private static final Set<String> STEP_NAMES = Set.of("step", "steps", "global_step", "globalstep", "iteration", "iterations", "iter", "it",
            "batch", "train_step", "trainer_global_step", "n_iter", "num_steps");
    private static final Set<String> EPOCH_NAMES = Set.of("epoch", "epochs", "train_epoch");
    private static final Set<String> SECONDS_NAMES = Set.of("seconds", "epoch_seconds", "epoch_time");
    private static final Set<String> VAL = Set.of("val", "valid", "validation", "eval", "dev");
    private static final Set<String> TRAIN = Set.of("train", "training");
    private static final Set<String> QUALIFIERS = Set.of("mean", "avg", "average", "categorical", "sparse", "binary", "step", "total");
    private static final Set<String> NORM_QUALIFIERS = Set.of("total", "global", "train", "l2", "2", "0", "step", "norm");
    private static final List<String> UPDATE_PREFIXES = List.of("update_ratio", "update_to_weight", "update_weight_ratio", "update_to_weight_ratio");
    private static final List<String> LAYER_PREFIXES = List.of("grad_norm", "gradient_norm", "grad_norms", "gradient_norms", "grad_2.0_norm",
            "gradnorm", "grads_norm", "grad_norm_by_layer");

    /** Lower case, separators ('/', '.', '-', ':', space) as single underscores. */
    public static String normalise(String name) {
        String s = name.trim().toLowerCase(Locale.ROOT).replaceAll("[/.\\-: ]+", "_").replaceAll("_+", "_");
        return s.replaceAll("^_|_$", "");
    }

    /** The column's meaning, or null when Vitals does not read it. */
    public static Column classify(String name) {
        String lower = name.trim().toLowerCase(Locale.ROOT);
        for (String p : LAYER_PREFIXES) {
            if (lower.length() > p.length() + 1 && lower.startsWith(p) && "/.:".indexOf(lower.charAt(p.length())) >= 0) {
                return new Column(Kind.LAYER_GRAD_NORM, name, name.trim().substring(p.length() + 1));
            }
        }
        for (String p : UPDATE_PREFIXES) {
            if (lower.length() > p.length() + 1 && lower.startsWith(p) && "/.:".indexOf(lower.charAt(p.length())) >= 0) {
                return new Column(Kind.LAYER_UPDATE_RATIO, name, name.trim().substring(p.length() + 1));
            }
        }
        String n = normalise(name);
        if (STEP_NAMES.contains(n)) return new Column(Kind.STEP, name, null);
        if (EPOCH_NAMES.contains(n)) return new Column(Kind.EPOCH, name, null);
        if (SECONDS_NAMES.contains(n)) return new Column(Kind.EPOCH_SECONDS, name, null);
        List<String> words = new ArrayList<>(Arrays.asList(n.split("_")));
        if (isLr(words)) return new Column(Kind.LR, name, null);
        if (isGradNorm(words)) return new Column(Kind.GRAD_NORM, name, null);
        String layer = underscoredLayer(name.trim());
        if (layer != null) return new Column(Kind.LAYER_GRAD_NORM, name, layer);
        boolean val = false, epoch = false;
        String metric = null;
        for (String w : words) {
            if (VAL.contains(w)) val = true;
            else if (w.equals("epoch")) epoch = true;
            else if (w.equals("loss") || w.equals("acc") || w.equals("accuracy")) {
                if (metric != null) return null;
                metric = w.equals("loss") ? "loss" : "accuracy";
            } else if (!TRAIN.contains(w) && !QUALIFIERS.contains(w)) return null;
        }
        if (metric == null) return null;
        boolean loss = metric.equals("loss");
        Kind k = val ? (loss ? Kind.VAL_LOSS : Kind.VAL_ACCURACY)
                : epoch ? (loss ? Kind.EPOCH_LOSS : Kind.EPOCH_ACCURACY)
                : (loss ? Kind.LOSS : Kind.ACCURACY);
        return new Column(k, name, null);
    }

    private static final java.util.regex.Pattern UNDERSCORED = java.util.regex.Pattern.compile(
            "(?i)^(?:grad(?:ient)?s?_norms?_(.+)|(.+?)_grad(?:ient)?s?_norms?)$");

    /**
     * The layer of a per-layer norm joined by underscores ({@code grad_norm_layer0}, {@code
     * grad_norm_fc1_weight}, {@code layer0_grad_norm}), which read as the same as {@code grad_norm/layer0}
     * only where the rest names a layer: it holds a digit, or a weight or bias, and is not one of the
     * whole model's qualifiers ({@code grad_norm_total}, {@code grad_norm_clipped}, {@code grad_norm_max}
     * stay the global norm or unread). Null otherwise.
     */
    static String underscoredLayer(String name) {
        java.util.regex.Matcher m = UNDERSCORED.matcher(name);
        if (!m.matches()) return null;
        String rest = m.group(1) != null ? m.group(1) : m.group(2);
        String n = normalise(rest);
        if (n.isEmpty() || !n.matches(".*[a-z].*")) return null;
        List<String> words = Arrays.asList(n.split("_"));
        if (words.stream().allMatch(w -> NORM_QUALIFIERS.contains(w) || QUALIFIERS.contains(w) || TRAIN.contains(w) || VAL.contains(w) || w.equals("epoch"))) return null;
        boolean named = n.matches(".*\\d.*") || words.contains("weight") || words.contains("bias");
        return named ? rest : null;
    }

    private static boolean isLr(List<String> w) {
        List<String> rest = w.stream().filter(x -> !x.equals("epoch") && !x.equals("train") && !x.equals("step")).toList();
        if (rest.equals(List.of("lr")) || rest.equals(List.of("learning", "rate")) || rest.equals(List.of("learningrate"))) return true;
        return rest.size() == 2 && rest.get(0).equals("lr");  // lr_0, lr_adam, lr_pg0: one optimizer group
    }

    private static boolean isGradNorm(List<String> w) {
        if (w.equals(List.of("gradnorm"))) return true;
        boolean grad = false, norm = false;
        for (String x : w) {
            if (x.equals("grad") || x.equals("gradient") || x.equals("grads") || x.equals("gradients")) grad = true;
            else if (x.equals("norm")) norm = true;
            else if (!NORM_QUALIFIERS.contains(x)) return false;
        }
        return grad && norm;
    }
}
