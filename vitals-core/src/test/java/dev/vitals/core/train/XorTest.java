package dev.vitals.core.train;

import dev.vitals.core.data.Dataset;
import dev.vitals.core.loss.BinaryCrossEntropy;
import dev.vitals.core.loss.TargetEncoding;
import dev.vitals.core.nn.Activation;
import dev.vitals.core.nn.BuildContext;
import dev.vitals.core.nn.Dense;
import dev.vitals.core.nn.Init;
import dev.vitals.core.nn.Mode;
import dev.vitals.core.nn.Model;
import dev.vitals.core.nn.Parameter;
import dev.vitals.core.optim.Schedule;
import dev.vitals.core.optim.Sgd;
import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * XOR with the 2-4-4-1 ReLU network (dense 4, relu, dense 4, relu, dense 1; binary cross-entropy).
 *
 * <p>Settings: inputs ±1 (what {@code normalize: standard} makes of 0/1), xavier init, SGD with
 * momentum 0.9 and lr 0.05, full batch of 4, 1500 epochs. Searched over inits (he, xavier, lecun,
 * default, normal, uniform), SGD/momentum/Nesterov/Adam at several rates, warm-up, and 0/1 or ±1
 * inputs, 100 seeds each: no setting solves every seed; the best solve about 80%. The failing seeds
 * are the same under every optimizer tried, and end at a stationary point (gradient norm below
 * 1e-3 with the loss far from 0): ReLU units dead for the inputs that matter, a property of the
 * initialisation of so small a ReLU network, not of the trainer. This test holds both halves.
 */
class XorTest {
    private static final float[] X = {-1, -1, -1, 1, 1, -1, 1, 1};
    private static final float[] Y = {0, 1, 1, 0};

    @Test
    void twoFourFourOneReluNetLearnsXorOrStopsAtADeadReluStationaryPoint() {
        Dataset xor = new Dataset(Shape.of(2), X, Y, 2, null);
        int solved = 0, seeds = 20;
        for (long seed = 0; seed < seeds; seed++) {
            Model m = Model.build(List.of(new Dense(4), new Activation.ReLU(), new Dense(4), new Activation.ReLU(), new Dense(1)),
                    Shape.of(2), new BuildContext(Init.parse("xavier"), new SplittableRandom(seed)));
            Trainer.Config cfg = new Trainer.Config("xor", 0.05f, 1500, 4, 0, 0, TargetEncoding.INDEX, true, seed, true, Mode.TRAIN, 0, 1_000_000);
            RunResult r = new Trainer(m, new BinaryCrossEntropy(), new Sgd(m.parameters(), 0.9, false, 0), Schedule.constant(), cfg)
                    .fit(xor, null, null);
            Tensor out = m.forward(Tensor.wrap(X.clone(), 4, 2), Mode.EVAL);
            boolean ok = true;
            for (int i = 0; i < 4; i++) {
                double p = 1 / (1 + Math.exp(-out.data()[i]));
                ok &= Y[i] == 1 ? p > 0.95 : p < 0.05;
            }
            if (ok) {
                solved++;
                continue;
            }
            double gn = gradNorm(m, out);
            long s = seed;
            assertTrue(gn < 1e-3 && r.last().trainLoss() > 0.3, () -> "seed " + s + " neither solved XOR nor stuck: loss "
                    + r.last().trainLoss() + ", gradient norm " + gn);
        }
        assertTrue(solved >= 15, "solved " + solved + " of " + seeds);
    }

    private static double gradNorm(Model m, Tensor out) {
        Tensor g = Tensor.zeros(4, 1);
        new BinaryCrossEntropy().forward(out, new int[] {0, 1, 1, 0}, Y, g);
        m.zeroGrad();
        m.backward(g, false);
        double s = 0;
        for (Parameter p : m.parameters()) for (int i = 0; i < p.size(); i++) s += p.grad().data()[i] * p.grad().data()[i];
        return Math.sqrt(s);
    }
}
