package dev.vitals.doctor.trace;

import dev.vitals.core.train.RunInfo;

import java.util.List;

/**
 * How hard an L2 weight decay pulls the weights towards zero against the loss's own gradient. Under
 * sgd and adam the decay is added to the gradient (g + wd·w), so {@code wd·‖w‖ / ‖g‖} compares the two
 * pulls layer by layer; at 1 or more the decay sets where the weights go. A healthy decay (1e-4 on
 * weights of norm 10 against batch gradients of 0.5) pulls at a few thousandths of the loss.
 * adamw's decoupled decay shrinks the weights outside the gradient and is not measured here.
 */
public final class Decay {
    private Decay() {}

    /** Observations (the last ones) the pull is the median of. */
    static final int WINDOW = 20;
    /**
     * A pull at least this share of the loss's gradient, with weights shrunk below {@link #SHRUNK} of
     * their start, holds the model down. Measured at the end of runs: 0.92 to 2e8 where weight decay
     * 0.5 to 10 held digits, spirals, wine and blobs at 10-33% (weights at 3e-9 to 0.23 of their
     * start); 0.014 and 0.40 where 1e-4 and 5e-4 trained spirals and digits to 100% and 98% (weights
     * at 1.09 and 0.97 of their start).
     */
    public static final double HOLDS = 0.5, SHRUNK = 0.5;

    /**
     * @param pull the median over the weight layers of the median over recent observations of wd·‖w‖/‖g‖
     * @param normStart the weight layers' joint norm at the first observation
     * @param normNow the same at the last one
     */
    public record Pull(double weightDecay, double pull, double normStart, double normNow) {}

    /** The pull of a coupled weight decay over the last observations, or null where there is none to measure. */
    public static Pull of(Trace t) {
        RunInfo info = t.info();
        if (info == null || info.optimizer() == null) return null;
        double wd = info.optimizer().weightDecay();
        if (!(wd > 0) || info.optimizer().name().equals("adamw")) return null;
        List<WeightLayers.Entry> w = WeightLayers.of(t);
        List<Observation> obs = t.observations();
        if (w.isEmpty() || obs.size() < 2) return null;
        List<Observation> last = obs.subList(Math.max(0, obs.size() - WINDOW), obs.size());
        double[] layer = new double[w.size()];
        for (int k = 0; k < w.size(); k++) {
            int p = w.get(k).param();
            double[] r = new double[last.size()];
            for (int i = 0; i < r.length; i++) {
                double g = last.get(i).paramGrad()[p];
                r[i] = g > 0 ? wd * last.get(i).paramValue()[p] / g : Double.POSITIVE_INFINITY;
            }
            layer[k] = medianKeepingInfinity(r);
        }
        return new Pull(wd, medianKeepingInfinity(layer), norm(obs.get(0), w), norm(obs.getLast(), w));
    }

    /**
     * The median of the finite and infinite values: a layer whose loss gradient is zero has an unbounded
     * pull (the decay alone moves it), which {@link Stats#median} would drop as if it had not been
     * measured. sgd at decay 10 and lr 0.1 zeroes digits' weights in one step; their gradient is zero
     * from then on, every ratio infinite, and the pull read NaN: check's WEIGHT_DECAY_RANGE stayed a
     * warning there while decay 1 made it an error. NaN (non-finite weights) is still left out.
     */
    static double medianKeepingInfinity(double[] v) {
        double[] s = java.util.Arrays.stream(v).filter(x -> !Double.isNaN(x)).sorted().toArray();
        int n = s.length;
        if (n == 0) return Double.NaN;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    /** The pull where it holds the model down (see {@link #HOLDS}), else null. */
    public static Pull holding(Trace t) {
        Pull p = of(t);
        return p != null && p.pull() >= HOLDS && p.normNow() < SHRUNK * p.normStart() ? p : null;
    }

    private static double norm(Observation o, List<WeightLayers.Entry> w) {
        double sq = 0;
        for (WeightLayers.Entry e : w) sq += o.paramValue()[e.param()] * o.paramValue()[e.param()];
        return Math.sqrt(sq);
    }
}
