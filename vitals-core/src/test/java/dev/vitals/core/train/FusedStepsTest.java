package dev.vitals.core.train;

import dev.vitals.core.data.Dataset;
import dev.vitals.core.loss.CrossEntropy;
import dev.vitals.core.loss.TargetEncoding;
import dev.vitals.core.nn.Activation;
import dev.vitals.core.nn.BuildContext;
import dev.vitals.core.nn.Conv2d;
import dev.vitals.core.nn.Dense;
import dev.vitals.core.nn.Flatten;
import dev.vitals.core.nn.Init;
import dev.vitals.core.nn.MaxPool;
import dev.vitals.core.nn.Mode;
import dev.vitals.core.nn.Model;
import dev.vitals.core.optim.Adam;
import dev.vitals.core.optim.Schedule;
import dev.vitals.core.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A trainer with fused steps (a CNN's first convolution, ReLU and pooling in one pass; a later
 * Winograd convolution's ReLU and pooling in its output transform and its gradients from the nonzero
 * values) trains as the layers one by one do, and gives the same numbers however often its steps
 * are observed.
 */
class FusedStepsTest {
    @Test
    void observationDoesNotChangeAFusedRunAndTheLayersAgree() {
        for (boolean later : new boolean[] {false, true}) {
            double[] quiet = losses(later, true, Integer.MAX_VALUE), watched = losses(later, true, 1), plain = losses(later, false, Integer.MAX_VALUE);
            String which = later ? "a Winograd convolution: " : "the first convolution: ";
            for (int i = 0; i < quiet.length; i++) {
                assertEquals(quiet[i], watched[i], 0.0, which + "epoch " + i + ": observed steps change nothing");
                assertEquals(plain[i], quiet[i], 1e-4 * Math.abs(plain[i]), which + "epoch " + i + ": fused against the layers one by one");
            }
        }
    }

    /**
     * Training loss of each of three epochs; every step observed when {@code observeEvery} is 1.
     * {@code later}: the fused group is a second convolution of 16 channels (Winograd's), not the first.
     */
    private static double[] losses(boolean later, boolean fused, int observeEvery) {
        SplittableRandom r = new SplittableRandom(3);
        int n = 48;
        float[] x = new float[n * 100], y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            // class 1 has a bright upper half
            for (int p = 0; p < 100; p++) x[i * 100 + p] = (float) (r.nextGaussian() + (i % 2 == 1 && p < 50 ? 1 : 0));
        }
        Dataset d = new Dataset(Shape.of(1, 10, 10), x, y, 2, null);
        List<dev.vitals.core.nn.Layer> layers = later
                ? List.of(new Conv2d(16, 3, 1, 1), new Activation.Tanh(), new Conv2d(16, 3, 1, 0), new Activation.ReLU(), new MaxPool(2),
                        new Flatten(), new Dense(2))
                : List.of(new Conv2d(4, 3, 1, 0), new Activation.ReLU(), new MaxPool(2), new Flatten(), new Dense(2));
        Model m = Model.build(layers, Shape.of(1, 10, 10), new BuildContext(Init.DEFAULT, new SplittableRandom(9)));
        Trainer.Config cfg = new Trainer.Config("t", 1e-2f, 3, 8, 0, 0, TargetEncoding.INDEX, true, 1, true, Mode.TRAIN,
                observeEvery == 1 ? Integer.MAX_VALUE : 0, observeEvery);
        RunResult res = new Trainer(m, new CrossEntropy(), new Adam(m.parameters(), 0.9, 0.999, 1e-8, 0, false), Schedule.constant(), cfg)
                .fusedSteps(fused ? 0 : Long.MAX_VALUE).fit(d, null, null);
        return res.epochs().stream().mapToDouble(EpochResult::trainLoss).toArray();
    }
}
