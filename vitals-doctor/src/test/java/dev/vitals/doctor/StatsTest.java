package dev.vitals.doctor;

import dev.vitals.doctor.trace.Stats;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The medians the rules judge by, and the quick test that spares a healthy run the sorting. */
class StatsTest {
    @Test
    void medianOfTheFiniteValues() {
        assertEquals(2.0, Stats.median(new double[] {3, 1, 2}));
        assertEquals(2.5, Stats.median(new double[] {4, 1, 3, 2}));
        assertEquals(2.0, Stats.median(new double[] {Double.NaN, 3, Double.POSITIVE_INFINITY, 1, 2, Double.NEGATIVE_INFINITY}));
        assertTrue(Double.isNaN(Stats.median(new double[] {Double.NaN})));
        assertTrue(Double.isNaN(Stats.median(new double[0])));
        double[] v = {5, 4, 3};
        Stats.median(v);
        assertEquals(5.0, v[0], "the input is left as it was");
    }

    @Test
    void halfAtLeastSaysWhenTheMedianCannotReachTheValue() {
        assertTrue(Stats.halfAtLeast(new double[] {0.95, 0.1, 0.92, 0.3}, 0.9));
        assertFalse(Stats.halfAtLeast(new double[] {0.95, 0.1, 0.3}, 0.9));
        assertFalse(Stats.halfAtLeast(new double[] {Double.NaN}, 0.9));
        assertFalse(Stats.halfAtLeast(new double[0], 0.9));
        SplittableRandom r = new SplittableRandom(7);
        for (int trial = 0; trial < 2000; trial++) {
            double[] v = new double[1 + r.nextInt(12)];
            for (int i = 0; i < v.length; i++) v[i] = r.nextInt(10) == 0 ? Double.NaN : r.nextInt(5) / 4.0;
            double x = r.nextInt(5) / 4.0, m = Stats.median(v);
            if (!Stats.halfAtLeast(v, x)) assertFalse(m >= x, "median " + m + " of values, of which fewer than half reach " + x);
            if (m >= x) assertTrue(Stats.halfAtLeast(v, x));
        }
    }

    @Test
    void entropyOfCountsAndOfSharesAgree() {
        assertEquals(Math.log(2), Stats.entropy(new double[] {5, 5}), 1e-12);
        assertEquals(Stats.entropy(new double[] {0.75, 0.25}), Stats.entropy(new double[] {3, 1, 0}), 1e-12);
        assertEquals(0.0, Stats.entropy(new double[] {0, 0}));
    }
}
