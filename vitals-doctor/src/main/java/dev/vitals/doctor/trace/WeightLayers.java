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
}
