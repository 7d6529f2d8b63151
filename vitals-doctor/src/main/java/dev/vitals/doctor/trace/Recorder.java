package dev.vitals.doctor.trace;

import dev.vitals.core.nn.Mode;
import dev.vitals.core.train.EpochResult;
import dev.vitals.core.train.LayerStats;
import dev.vitals.core.train.ParamStats;
import dev.vitals.core.train.RunInfo;
import dev.vitals.core.train.StepEvent;
import dev.vitals.core.train.TrainingListener;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Copies what the engine reports into a {@link Trace}. Unobserved steps cost a few stores; observed
 * steps copy the per-layer and per-parameter statistics the engine already computed.
 */
public final class Recorder implements TrainingListener {
    private Trace trace;
    private int[] labelCounts = new int[0];

    public Trace trace() { return trace; }

    @Override
    public void onRunBegin(RunInfo run) {
        List<String> names = new ArrayList<>(run.parameters());
        int[] owner = new int[names.size()];
        Arrays.fill(owner, -1);
        for (int li = 0; li < run.layers().size(); li++) {
            for (String p : run.layers().get(li).parameters()) {
                int i = names.indexOf(p);
                if (i >= 0) owner[i] = li;
            }
        }
        trace = new Trace(run, names, owner, run.layers());
        labelCounts = new int[Math.max(run.classes(), 1) + 1];
    }

    @Override
    public void onStep(StepEvent s) {
        trace.step(s.loss, s.batchSize > 0 ? (double) s.correct / s.batchSize : Double.NaN, purity(s));
        if (s.labels != null && s.batchSize > 1) trace.labelOrder(Stats.sameNeighbours(s.labels, 0, s.batchSize));
        if (!s.observed) return;
        int np = s.params.length, nl = s.layers.length;
        if (trace.parameterSize(0) < 0 && np > 0) {
            int[] sizes = new int[np];
            for (int i = 0; i < np; i++) sizes[i] = s.params[i].size;
            trace.parameterSizes(sizes);
        }
        double[] pg = new double[np], pu = new double[np], pv = new double[np], pz = new double[np];
        for (int i = 0; i < np; i++) {
            ParamStats p = s.params[i];
            pg[i] = p.gradNorm;
            pu[i] = p.updateNorm;
            pv[i] = p.valueNorm;
            pz[i] = p.gradZeroFraction;
        }
        double[] lz = new double[nl], ld = new double[nl], ls = new double[nl], lm = new double[nl], lsd = new double[nl], lg = new double[nl];
        boolean bad = false;
        for (int i = 0; i < nl; i++) {
            LayerStats l = s.layers[i];
            lz[i] = l.zeroFraction;
            ld[i] = l.deadFraction;
            ls[i] = l.saturatedFraction;
            lm[i] = l.mean;
            lsd[i] = l.std;
            lg[i] = l.gradNorm;
            bad |= l.nonFinite;
        }
        trace.observe(new Observation(s.globalStep, s.epoch, s.batchSize, s.loss, s.lr, s.mode == Mode.TRAIN, s.gradNorm, s.gradNormAtStart,
                s.clipped, pg, pu, pv, pz, lz, ld, ls, lm, lsd, lg, bad));
    }

    /** Share of the batch in its most frequent class: about the largest class share when shuffled, 1 when sorted. */
    private float purity(StepEvent s) {
        if (s.labels == null || s.batchSize == 0) return Float.NaN;
        Arrays.fill(labelCounts, 0);
        int max = 0;
        for (int i = 0; i < s.batchSize; i++) {
            int y = s.labels[i];
            int slot = y >= 0 && y < labelCounts.length - 1 ? y : labelCounts.length - 1;
            max = Math.max(max, ++labelCounts[slot]);
        }
        return (float) max / s.batchSize;
    }

    @Override
    public void onEpochEnd(EpochResult e) { trace.epoch(e); }
}
