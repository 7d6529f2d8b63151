package dev.vitals.doctor.rules;

import dev.vitals.core.data.Dataset;
import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.check.DataContext;
import dev.vitals.doctor.trace.Stats;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Inputs on a scale the first layer's initialisation does not expect. Judged on the training split
 * as the model will see it (after the spec's normalisation), per feature for flat examples and per
 * channel for images [C, H, W] (never per pixel: an image's border pixels are constant), from each
 * feature's root mean square, which grows with both its offset from zero and its spread. Features
 * with no spread are left out: a constant input only shifts the first layer's bias.
 * <p>
 * Two symptoms, either fires: the largest feature's RMS is far above 1 (raw pixel values, amounts
 * in thousands), or far above the typical feature's (one unscaled column among scaled ones). Only
 * the large side counts: a feature much smaller than the rest is merely learned more slowly, and
 * sparse inputs (TF-IDF rows, rarely-lit pixels) are legitimately small.
 */
public final class DataUnscaled extends Rule implements DataRule {
    static final double LARGE = 30, SPREAD = 50, CONSTANT = 1e-6;

    @Override public Code code() { return Code.DATA_UNSCALED; }

    @Override public Severity severity() { return Severity.WARNING; }

    @Override public String condition() {
        return "on the training split as normalised, the largest per-feature (per-channel for images) RMS is above " + (int) LARGE
                + ", or above " + (int) SPREAD + " times the median feature's RMS; features whose standard deviation is below "
                + CONSTANT + " of their magnitude are ignored";
    }

    @Override public Map<String, Object> thresholds() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("largest feature RMS", LARGE);
        m.put("largest over median feature RMS", SPREAD);
        m.put("constant feature (relative std)", CONSTANT);
        return m;
    }

    @Override public String basis() {
        return "measured on every bundled and synthetic set: with normalize standard every non-constant feature has RMS 1 and with minmax the largest is 0.80 "
                + "(largest/median at most 1.7); with normalize none, healthy inputs reach a largest RMS of 12.8 (digits, 0-16 intensities, which train as well raw as "
                + "standardised: test accuracy 0.978 vs 0.975), 8.5 (blobs), 5.9 (iris), and synthetic:documents (unit-length TF-IDF rows) a largest/median of 8.9; "
                + "unscaled sets measure fashion-mnist 116 (raw pixels; one epoch of fashion-mlp: loss 0.675 vs 0.460, test accuracy 0.835 vs 0.856), "
                + "wine 820 and 320 times the median (60 epochs: test accuracy 0.889 vs 0.944, first-epoch loss 331 vs 1.7), breast-cancer 1085 and 4560 times "
                + "(test accuracy 0.858 vs 0.973, first-epoch loss 206 vs 0.81). The thresholds sit between the two groups, near their geometric middles";
    }

    @Override public String cause() {
        return "inputs are fed on their raw scale: initialisations (He, Xavier) assume inputs near zero mean and unit variance, so large features saturate or "
                + "blow up the first layer's pre-activations and dominate its gradient, while the rest barely move";
    }

    @Override public String fix() {
        return "set data.normalize: standard (per feature, or per channel for images, with statistics from the training split only), or minmax";
    }

    /** Per-feature statistics of a split: mean, standard deviation and RMS of each feature (per channel for images). */
    record FeatureStats(double[] mean, double[] std, double[] rms, boolean images) {}

    static FeatureStats stats(Dataset d) {
        int[] s = d.exampleShape().dims();
        boolean images = s.length == 3;
        int f = d.features(), groups = images ? s[0] : f, per = f / groups, n = d.size();
        double[] ref = new double[groups], sum = new double[groups], sumSq = new double[groups];
        long[] count = new long[groups];
        float[] x = d.x();
        // sums shifted by each feature's first finite value keep a constant feature's variance exactly zero
        for (int g = 0; g < groups; g++) {
            ref[g] = Double.NaN;
            for (int i = 0; i < n && Double.isNaN(ref[g]); i++) {
                for (int k = 0, o = i * f + g * per; k < per; k++) {
                    if (Float.isFinite(x[o + k])) {
                        ref[g] = x[o + k];
                        break;
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int g = 0; g < groups; g++) {
                double r = ref[g], s1 = 0, s2 = 0;
                long c = 0;
                for (int k = 0, o = i * f + g * per; k < per; k++) {
                    float v = x[o + k];
                    if (!Float.isFinite(v)) continue;
                    double dv = v - r;
                    s1 += dv;
                    s2 += dv * dv;
                    c++;
                }
                sum[g] += s1;
                sumSq[g] += s2;
                count[g] += c;
            }
        }
        double[] mean = new double[groups], std = new double[groups], rms = new double[groups];
        for (int g = 0; g < groups; g++) {
            if (count[g] == 0) {
                mean[g] = std[g] = rms[g] = Double.NaN;
                continue;
            }
            double m = sum[g] / count[g];
            std[g] = Math.sqrt(Math.max(0, sumSq[g] / count[g] - m * m));
            mean[g] = ref[g] + m;
            rms[g] = Math.sqrt(mean[g] * mean[g] + std[g] * std[g]);
        }
        return new FeatureStats(mean, std, rms, images);
    }

    @Override
    public List<Finding> check(DataContext ctx) {
        Dataset train = ctx.data().train();
        FeatureStats st = stats(train);
        int groups = st.rms().length, judged = 0, constant = 0, largest = -1;
        double[] rms = new double[groups];
        for (int g = 0; g < groups; g++) {
            if (Double.isNaN(st.rms()[g])) continue;
            if (st.std()[g] <= CONSTANT * Math.max(1, Math.abs(st.mean()[g]))) {
                constant++;
                continue;
            }
            rms[judged++] = st.rms()[g];
            if (largest < 0 || st.rms()[g] > st.rms()[largest]) largest = g;
        }
        if (judged == 0) return List.of();
        double median = Stats.median(java.util.Arrays.copyOf(rms, judged)), max = st.rms()[largest], ratio = max / median;
        String unit = st.images() ? "channel" : "feature";
        ctx.measured().put(unit + "_rms_largest", max);
        ctx.measured().put(unit + "_rms_median", median);
        ctx.measured().put(unit + "s_constant", constant);
        boolean large = max > LARGE, spread = ratio > SPREAD;
        if (!large && !spread) return List.of();
        String name = unit + " " + largest, header = DataSplits.name(ctx.data(), train, largest);
        StringBuilder msg = new StringBuilder(name + (header == null ? "" : " ('" + header + "')") + " of the training inputs has RMS " + Numbers.fmt(max) + " (mean " + Numbers.fmt(st.mean()[largest])
                + ", standard deviation " + Numbers.fmt(st.std()[largest]) + ")");
        if (spread && judged > 1) msg.append(", ").append(Numbers.fmt(ratio)).append(" times the median ").append(unit).append("'s ").append(Numbers.fmt(median));
        msg.append(", where a network expects inputs near zero mean and unit variance (normalize: ").append(ctx.spec().data().normalize().key()).append(")");
        Map<String, Object> top = new LinkedHashMap<>();
        Integer[] order = new Integer[groups];
        for (int g = 0; g < groups; g++) order[g] = g;
        java.util.Arrays.sort(order, (a, b) -> Double.compare(Double.isNaN(st.rms()[b]) ? -1 : st.rms()[b], Double.isNaN(st.rms()[a]) ? -1 : st.rms()[a]));
        for (int k = 0; k < Math.min(5, groups); k++) top.put(unit + " " + order[k], Numbers.round(st.rms()[order[k]]));
        Map<String, Object> ev = evidence("largest_rms", max, "largest", name, "largest_mean", st.mean()[largest], "largest_std", st.std()[largest],
                        "median_rms", median, "largest_over_median", ratio, unit + "s_judged", judged, unit + "s_constant_ignored", constant,
                        "largest_rms_by_" + unit, top, "normalize", ctx.spec().data().normalize().key());
        if (header != null) ev.put("largest_name", header);
        return List.of(finding(Stage.DATA, null, null, msg.toString(), ev));
    }
}
