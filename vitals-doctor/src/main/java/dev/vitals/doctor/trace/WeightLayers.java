package dev.vitals.doctor.trace;

import dev.vitals.core.train.LayerInfo;

import java.util.ArrayList;
import java.util.List;

/** The weight parameters (dense and conv2d kernels) of a trace in forward order, with their layers. */
public final class WeightLayers {
    private WeightLayers() {}

    public record Entry(int param, int layer, String name, String path, int position) {}

    public static List<Entry> of(Trace t) {
        List<Entry> out = new ArrayList<>();
        for (int p = 0; p < t.parameters().size(); p++) {
            String name = t.parameters().get(p);
            int l = t.parameterLayer(p);
            if (!name.endsWith(".weight") || l < 0) continue;
            LayerInfo li = t.layers().get(l);
            if (!li.kind().equals("dense") && !li.kind().equals("conv2d")) continue;
            out.add(new Entry(p, l, name, li.path(), out.size() + 1));
        }
        return out;
    }

    /**
     * The median over {@code obs} of each observation's median update/weight ratio across the weight
     * layers {@code w}: how far a step moves the weights (LEARNING_RATE_TOO_LOW's measure, and what
     * keeps UNDERFITTING from calling a rate too low a model at its capacity).
     */
    public static double medianUpdateRatio(List<Entry> w, List<Observation> obs) {
        double[] ratios = new double[obs.size()];
        for (int i = 0; i < ratios.length; i++) {
            double[] r = new double[w.size()];
            for (int k = 0; k < w.size(); k++) r[k] = obs.get(i).updateRatio(w.get(k).param());
            ratios[i] = Stats.median(r);
        }
        return Stats.median(ratios);
    }
}
