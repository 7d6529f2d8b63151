package dev.vitals.core.optim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScheduleTest {
    private static final float BASE = 0.1f;
    private static final int N = 10, EPOCHS = 10;

    @Test
    void constantIsTheBaseRateEverywhere() {
        Schedule s = Schedule.constant();
        for (int e = 0; e < EPOCHS; e++) for (int k = 0; k < N; k++) assertEquals(BASE, s.lr(BASE, e, k, N, EPOCHS));
    }

    @Test
    void stepMultipliesByGammaEveryStepSizeEpochs() {
        Schedule s = Schedule.step(3, 0.5);
        double[] expected = {0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125};
        for (int e = 0; e < EPOCHS; e++) {
            // Constant within an epoch.
            assertEquals(expected[e], s.lr(BASE, e, 0, N, EPOCHS), 1e-8);
            assertEquals(expected[e], s.lr(BASE, e, N - 1, N, EPOCHS), 1e-8);
        }
    }

    @Test
    void cosineWithoutWarmupFallsFromBaseToMin() {
        double min = 0.001;
        Schedule s = Schedule.cosine(0, min);
        assertEquals(BASE, s.lr(BASE, 0, 0, N, EPOCHS), 1e-8);
        // Halfway (epoch 5, step 0: 50 of 100 steps done) the rate is the mean of base and min.
        assertEquals((BASE + min) / 2, s.lr(BASE, 5, 0, N, EPOCHS), 1e-7);
        // A quarter: min + (base - min)·(1 + cos(π/4))/2.
        assertEquals(min + (BASE - min) * (1 + Math.cos(Math.PI / 4)) / 2, s.lr(BASE, 2, 5, N, EPOCHS), 1e-7);
        // The last step (99 of 100) is one step short of min.
        assertEquals(min + (BASE - min) * (1 + Math.cos(Math.PI * 0.99)) / 2, s.lr(BASE, 9, 9, N, EPOCHS), 1e-8);
        // Monotone non-increasing.
        float prev = Float.MAX_VALUE;
        for (int e = 0; e < EPOCHS; e++) {
            for (int k = 0; k < N; k++) {
                float lr = s.lr(BASE, e, k, N, EPOCHS);
                assertTrue(lr <= prev);
                prev = lr;
            }
        }
    }

    @Test
    void cosineWithWarmupRisesLinearlyThenDecays() {
        Schedule s = Schedule.cosine(2, 0);
        // Warm-up over the first 2 epochs (20 steps): step k (0-based) runs at base·(k+1)/20.
        assertEquals(BASE * 1 / 20.0, s.lr(BASE, 0, 0, N, EPOCHS), 1e-8);
        assertEquals(BASE * 10 / 20.0, s.lr(BASE, 0, 9, N, EPOCHS), 1e-8);
        assertEquals(BASE * 15 / 20.0, s.lr(BASE, 1, 4, N, EPOCHS), 1e-8);
        assertEquals(BASE, s.lr(BASE, 1, 9, N, EPOCHS), 1e-8);
        // Then the cosine over the remaining 8 epochs: epoch 2 step 0 is its start, epoch 6 its middle.
        assertEquals(BASE, s.lr(BASE, 2, 0, N, EPOCHS), 1e-8);
        assertEquals(BASE / 2, s.lr(BASE, 6, 0, N, EPOCHS), 1e-8);
        assertEquals(BASE * (1 + Math.cos(Math.PI * 3.5 / 8)) / 2, s.lr(BASE, 5, 5, N, EPOCHS), 1e-8);
    }

    @Test
    void invalidSchedulesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Schedule.step(0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> Schedule.step(1, 1.5));
        assertThrows(IllegalArgumentException.class, () -> Schedule.cosine(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> Schedule.cosine(0, Double.NaN));
    }
}
