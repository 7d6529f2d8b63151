package dev.vitals.doctor.trace;

import java.util.Arrays;

/** Small robust statistics over series of measurements. */
public final class Stats {
    private Stats() {}

    public static double median(double[] v) {
        double[] s = Arrays.stream(v).filter(Double::isFinite).sorted().toArray();
        if (s.length == 0) return Double.NaN;
        return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
    }

    public static double median(float[] v, int from, int to) {
        double[] d = new double[Math.max(0, to - from)];
        for (int i = from; i < to; i++) d[i - from] = v[i];
        return median(d);
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
