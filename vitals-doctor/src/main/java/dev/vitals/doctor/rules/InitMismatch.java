package dev.vitals.doctor.rules;

import dev.vitals.core.nn.Init;
import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.core.train.LayerInfo;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.check.LintContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The initialisation does not suit the activations it feeds. Three cases:
 * <ul>
 * <li>he or default (PyTorch's, U(±1/√fan_in)) with several sigmoid/tanh hidden layers: He's gain √2
 *     makes up for ReLU silencing half its inputs, which sigmoid and tanh do not; default's variance
 *     1/(3·fan_in) shrinks the signal at every near-linear tanh or sigmoid layer;</li>
 * <li>xavier or lecun in a deep ReLU network without normalisation: each ReLU layer halves the
 *     signal's variance, which those (designed for tanh) do not make up;</li>
 * <li>normal:STD or uniform:LIMIT whose scale, compounded over the weight layers, leaves the output
 *     signal orders of magnitude smaller (or larger) than a variance-preserving initialisation would
 *     (He before ReLU-like activations, LeCun elsewhere), in a network of three or more weight layers
 *     without normalisation or residual blocks.</li>
 * </ul>
 */
public final class InitMismatch extends Rule implements LintRule {
    static final int SATURATING_LAYERS = 2, RELU_LAYERS = 4, MIN_WEIGHT_LAYERS = 3;
    /**
     * Under default the shrinkage compounds: two tanh layers trained as under xavier (moons 97.0% against
     * 96.5%, spirals 100% both, the first 12 epochs' losses alike), so the warning waits for a third.
     */
    static final int DEFAULT_SATURATING_LAYERS = 3;
    static final double SIGNAL_LOW = 1e-2, SIGNAL_HIGH = 1e2;

    @Override public Code code() { return Code.INIT_MISMATCH; }

    @Override public Severity severity() { return Severity.WARNING; }

    @Override public String condition() {
        return "init he with at least " + SATURATING_LAYERS + " sigmoid/tanh hidden layers, default with at least " + DEFAULT_SATURATING_LAYERS + "; init xavier or lecun with at least " + RELU_LAYERS
                + " relu-like hidden layers and no batchnorm/layernorm; init normal:STD or uniform:LIMIT in a network of at least " + MIN_WEIGHT_LAYERS
                + " weight layers without normalisation or residual blocks, where the product over weight layers of (init std / variance-preserving std: "
                + "sqrt(2/fan_in) before relu-like units, sqrt(1/fan_in) elsewhere) is below " + SIGNAL_LOW + " or above " + SIGNAL_HIGH;
    }

    @Override public Map<String, Object> thresholds() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sigmoid/tanh hidden layers under he", SATURATING_LAYERS);
        m.put("sigmoid/tanh hidden layers under default", DEFAULT_SATURATING_LAYERS);
        m.put("relu-like hidden layers under xavier or lecun", RELU_LAYERS);
        m.put("weight layers for a scale check", MIN_WEIGHT_LAYERS);
        m.put("compounded signal scale, low", SIGNAL_LOW);
        m.put("compounded signal scale, high", SIGNAL_HIGH);
        return m;
    }

    @Override public String basis() {
        return "published: Glorot & Bengio (2010) derive xavier for tanh-like units, He et al. (2015) the √2 gain for ReLU, and report a 30-layer ReLU network that "
                + "stalls under xavier. Measured on digits (64 units, 512 examples) at initialisation: tanh under he starts 15% of the first layer's units in their "
                + "flat tails (slope < 0.1) vs 6% under xavier (for sigmoid, whose tails start further out, 1% vs 0%, and its 5-layer gradient ratio is no worse than xavier's: "
                + "4.5e-3 vs 2.1e-3; there the warning rests on the derivations, and SATURATING_ACTIVATIONS speaks of the real trouble); under default the tanh pre-activations shrink layer by layer (RMS 0.58, 0.26, 0.16, 0.12, 0.11) and "
                + "a 5-layer sigmoid stack passes back 2.5e-4 of the last layer's gradient vs 2.1e-3 under xavier; with one saturating layer the effect is small, hence "
                + "two (three under default: two tanh layers under default trained as under xavier, moons 97.0% against 96.5%, spirals 100% both). ReLU under xavier or lecun: pre-activation RMS 1.0, 0.70, 0.48, 0.35, 0.23 over the first five layers (the signal halves in variance at each); "
                + "after four ReLU layers the output layer's pre-activations are at 0.23. normal:0.01 in 8 ReLU layers: pre-activations collapse to 0.00 by the second hidden layer";
    }

    @Override public String cause() {
        return "the initial weights' scale was chosen without the activation in mind, so the signal and its gradient grow or shrink at every layer from the first step";
    }

    @Override public String fix() {
        return "init: he for relu-like hidden layers, init: xavier for sigmoid/tanh; or add batchnorm after the weight layers";
    }

    @Override
    public List<Finding> lint(LintContext ctx) {
        Init init = ctx.spec().model().init();
        List<LayerInfo> sat = Structure.hidden(ctx, Structure.SATURATING), relu = Structure.hidden(ctx, Structure.RELU_LIKE);
        boolean normalised = Structure.normalised(ctx);
        String key = init.toString();
        if (init.kind() == Init.Kind.HE && sat.size() >= SATURATING_LAYERS || init.kind() == Init.Kind.DEFAULT && sat.size() >= DEFAULT_SATURATING_LAYERS) {
            boolean he = init.kind() == Init.Kind.HE;
            String what = sat.stream().map(LayerInfo::kind).distinct().count() == 1 ? sat.get(0).kind() : "sigmoid/tanh";
            return List.of(finding(Stage.LINT, severity(), sat.get(0).path(), null,
                    "init: " + key + " with " + sat.size() + " " + what + " hidden layers (" + Structure.names(sat) + "): " + (he
                            ? "He's gain of √2 makes up for ReLU silencing half its inputs, which " + what + " does not, so pre-activations start with twice the variance that keeps the signal steady, closer to the flat tails"
                            : "PyTorch's default draws weights from U(±1/√fan_in), a third of the variance that keeps a near-linear " + what + " layer's signal, so the signal and its gradient shrink at every layer"),
                    evidence("init", key, "saturating_hidden_layers", sat.size(), "layers", Structure.paths(sat),
                            "variance_gain_per_layer", he ? 2.0 : 1.0 / 3, "variance_gain_wanted", 1.0),
                    cause(), "init: xavier (or switch the hidden layers to relu and keep init: he)"));
        }
        if ((init.kind() == Init.Kind.XAVIER || init.kind() == Init.Kind.LECUN) && relu.size() >= RELU_LAYERS && !normalised) {
            double scale = Math.pow(0.5, relu.size() / 2.0);
            return List.of(finding(Stage.LINT, severity(), relu.get(0).path(), null,
                    "init: " + key + " with " + relu.size() + " relu-like hidden layers (" + Structure.names(relu) + ") and no normalisation: each ReLU layer halves the "
                            + "signal's variance, which " + key + " does not make up, so the last hidden layer starts at about " + Numbers.fmt(scale) + " of the input's scale",
                    evidence("init", key, "relu_hidden_layers", relu.size(), "layers", Structure.paths(relu), "signal_scale_at_last_hidden_layer", scale),
                    cause(), "init: he (or add batchnorm after the weight layers)"));
        }
        if ((init.kind() == Init.Kind.NORMAL || init.kind() == Init.Kind.UNIFORM) && !normalised && !Structure.residual(ctx)) {
            Scale s = compounded(ctx, init);
            if (s == null) return List.of();
            ctx.measured().put("init_signal_scale", s.product);
            if (s.gains.size() < MIN_WEIGHT_LAYERS || (s.product >= SIGNAL_LOW && s.product <= SIGNAL_HIGH)) return List.of();
            boolean small = s.product < SIGNAL_LOW;
            return List.of(finding(Stage.LINT, severity(), s.first, null,
                    "init: " + key + " is " + (small ? "far below" : "far above") + " the variance-preserving scale over " + s.gains.size() + " weight layers: compounded, "
                            + "the output signal starts at " + Numbers.fmt(s.product) + " times what He/LeCun initialisation gives, so activations and gradients "
                            + (small ? "collapse towards zero" : "blow up"),
                    evidence("init", key, "init_std", s.std, "signal_scale", s.product, "gain_by_layer", s.gains),
                    cause(), small ? "init: he (or a std near sqrt(2/fan_in), " + Numbers.fmt(s.wanted) + " for the first layer)"
                            : "init: he (a std near sqrt(2/fan_in), " + Numbers.fmt(s.wanted) + " for the first layer), or add batchnorm"));
        }
        return List.of();
    }

    record Scale(double product, Map<String, Object> gains, String first, double std, double wanted) {}

    private static final Pattern KERNEL = Pattern.compile("(\\d+)x\\1");

    /** Each top-level weight layer's init std over the variance-preserving one for what follows it, and their product. */
    static Scale compounded(LintContext ctx, Init init) {
        List<LayerInfo> top = Structure.top(ctx);
        Map<String, Object> gains = new LinkedHashMap<>();
        double product = 1, firstStd = Double.NaN, firstWanted = Double.NaN;
        String first = null;
        List<Integer> weights = new ArrayList<>();
        for (int i = 0; i < top.size(); i++) if (top.get(i).weights()) weights.add(i);
        for (int w : weights) {
            LayerInfo l = top.get(w);
            int fanIn = fanIn(l);
            if (fanIn <= 0) return null;
            boolean reluNext = false;
            for (int j = w + 1; j < top.size(); j++) {
                String k = top.get(j).kind();
                if (top.get(j).weights()) break;
                if (Structure.ACTIVATIONS.contains(k)) {
                    reluNext = Structure.RELU_LIKE.contains(k);
                    break;
                }
            }
            double std = init.kind() == Init.Kind.NORMAL ? init.value() : init.value() / Math.sqrt(3);
            double wanted = Math.sqrt((reluNext ? 2.0 : 1.0) / fanIn);
            double gain = std / wanted;
            gains.put(l.path(), Numbers.round(gain));
            product *= gain;
            if (first == null) {
                first = l.path();
                firstStd = std;
                firstWanted = wanted;
            }
        }
        return first == null ? null : new Scale(product, gains, first, firstStd, firstWanted);
    }

    /** Inputs per unit: the input size of a dense layer, channels x kernel area for conv2d. */
    static int fanIn(LayerInfo l) {
        int[] in = l.inputShape();
        if (l.kind().equals("dense")) {
            int n = 1;
            for (int d : in) n *= d;
            return n;
        }
        Matcher m = KERNEL.matcher(l.description());
        if (!m.find() || in.length != 3) return -1;
        int k = Integer.parseInt(m.group(1));
        return in[0] * k * k;
    }
}
