package dev.vitals.doctor.trace;

import java.util.List;

/**
 * Whether gradient clipping sets the steps instead of the learning rate: a clip_norm far below the
 * gradients' norm cuts every step by the same large factor, which reads as a learning rate far too
 * low (clip_norm 1e-4 on digits: steps 2.75e-6 of the weights, 10% accuracy; at clip_norm 1, 98.6%).
 */
public final class Clipping {
    private Clipping() {}

    /** Observations (the last ones) judged. */
    static final int WINDOW = 20;
    /**
     * Clipped on at least this share of them, by a median factor at most {@link #FACTOR}: steps cut fifty
     * times or more (clip_norm 0.1 against gradients of norm 1 cuts by ten, and trains 4 classes of noisy
     * labels to their limit; 1e-4 and 1e-3 cut by thousands).
     */
    public static final double SHARE = 0.8, FACTOR = 0.02;

    /**
     * @param factor the median of clip_norm / gradient norm over the clipped steps: what each step keeps
     * @param medianNorm the median gradient norm before clipping
     */
    public record Binding(double clipNorm, double share, double factor, double medianNorm) {}

    /** The clip where it cuts the recent steps by {@link #FACTOR} or more, else null. */
    public static Binding binding(Trace t) {
        if (t.info() == null || !(t.info().clipNorm() > 0)) return null;
        List<Observation> obs = t.observations();
        if (obs.size() < 2) return null;
        List<Observation> last = obs.subList(Math.max(0, obs.size() - WINDOW), obs.size());
        double clip = t.info().clipNorm();
        double[] norms = new double[last.size()], factors = new double[last.size()];
        int clipped = 0;
        for (int i = 0; i < last.size(); i++) {
            norms[i] = last.get(i).gradNorm();
            factors[i] = last.get(i).clipped() ? clip / norms[i] : 1;
            if (last.get(i).clipped()) clipped++;
        }
        double share = (double) clipped / last.size(), factor = Stats.median(factors);
        return share >= SHARE && factor <= FACTOR ? new Binding(clip, share, factor, Stats.median(norms)) : null;
    }
}
