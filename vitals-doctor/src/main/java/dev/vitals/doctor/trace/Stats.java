package dev.vitals.doctor.trace;

import java.util.Arrays;

/** Small robust statistics over series of measurements. */
public final class Stats {
    private Stats() {}

    /**
     * The median of the finite values. A plain loop, not a stream: rules call it on the training
     * thread at observed steps, too rarely for the JIT to compile them, and an interpreted stream
     * pipeline cost ~0.5 ms on 200 values there.
     */
    public static double median(double[] v) {
        double[] s = new double[v.length];
        int n = 0;
        for (double x : v) if (Double.isFinite(x)) s[n++] = x;
        if (n == 0) return Double.NaN;
        Arrays.sort(s, 0, n);
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    /**
     * Whether at least half of the finite values are at least {@code x}: false means the median is
     * below {@code x} (or there is no finite value), known without sorting.
     */
    public static boolean halfAtLeast(double[] v, double x) {
        int finite = 0, above = 0;
        for (double d : v) {
            if (!Double.isFinite(d)) continue;
            finite++;
            if (d >= x) above++;
        }
        return finite > 0 && 2 * above >= finite;
    }

    public static double median(double[] v, int from, int to) {
        return median(Arrays.copyOfRange(v, from, Math.max(from, to)));
    }

    /** Entropy (nats) of the distribution the non-negative {@code weights} give (class counts or shares); 0 when they sum to 0. */
    public static double entropy(double[] weights) {
        double total = 0, h = 0;
        for (double w : weights) total += w;
        for (double w : weights) if (w > 0) h -= w / total * Math.log(w / total);
        return h;
    }

    /** Share of neighbouring labels in y[from, from+n) that are equal; NaN for fewer than two. */
    public static double sameNeighbours(int[] y, int from, int n) {
        if (n < 2) return Double.NaN;
        int same = 0;
        for (int i = from + 1; i < from + n; i++) if (y[i] == y[i - 1]) same++;
        return (double) same / (n - 1);
    }

    /** Least-squares slope of {@code y} against its index. */
    public static double slope(double[] y) {
        int n = y.length;
        if (n < 2) return 0;
        double mx = (n - 1) / 2.0, my = 0;
        for (double v : y) my += v;
        my /= n;
        double num = 0, den = 0;
        for (int i = 0; i < n; i++) {
            num += (i - mx) * (y[i] - my);
            den += (i - mx) * (i - mx);
        }
        return num / den;
    }

    public static double log10(double v) { return Math.log10(Math.max(v, 1e-300)); }
}
