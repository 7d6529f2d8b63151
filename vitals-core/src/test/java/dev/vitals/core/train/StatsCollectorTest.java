package dev.vitals.core.train;

import dev.vitals.core.nn.Activation;
import dev.vitals.core.nn.BuildContext;
import dev.vitals.core.nn.Init;
import dev.vitals.core.nn.Layer;
import dev.vitals.core.nn.Mode;
import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The observed-step statistics of layer outputs against the same quantities counted one by one. */
class StatsCollectorTest {
    @Test
    void reluOutputsMeanStdZerosAndDeadChannels() {
        // 5 examples of 4 channels x 3 positions; channel 2 is negative everywhere, so dead
        Tensor x = Tensor.reuse(null, 5, Shape.of(4, 1, 3));
        SplittableRandom r = new SplittableRandom(1);
        float[] v = x.data();
        for (int i = 0; i < v.length; i++) v[i] = (i / 3) % 4 == 2 ? -1f - r.nextFloat() : (float) r.nextGaussian();
        Activation relu = built(new Activation.ReLU(), x.exampleShape());
        float[] y = relu.forward(x, Mode.TRAIN).data();
        LayerStats st = measure(relu);

        double sum = 0, sq = 0;
        int zeros = 0;
        for (float a : y) {
            sum += a;
            sq += (double) a * a;
            zeros += a == 0 ? 1 : 0;
        }
        double mean = sum / y.length;
        assertEquals(mean, st.mean, 1e-12);
        assertEquals(Math.sqrt(sq / y.length - mean * mean), st.std, 1e-12);
        assertEquals((double) zeros / y.length, st.zeroFraction, 1e-12);
        assertEquals(0.25, st.deadFraction, 1e-12, "one channel of four never fires");
        assertFalse(st.nonFinite);
    }

    @Test
    void denseReluZerosAndDeadUnits() {
        // 7 examples of 6 units; units 1 and 4 never fire, unit 5 fires once
        Tensor x = Tensor.reuse(null, 7, Shape.of(6));
        SplittableRandom r = new SplittableRandom(2);
        float[] v = x.data();
        for (int i = 0; i < 7; i++) {
            for (int u = 0; u < 6; u++) {
                double z = u == 1 || u == 4 ? -0.1 - r.nextDouble() : u == 5 ? (i == 3 ? 0.5 : -0.5) : r.nextGaussian();
                v[i * 6 + u] = (float) z;
            }
        }
        Activation relu = built(new Activation.ReLU(), x.exampleShape());
        float[] y = relu.forward(x, Mode.TRAIN).data();
        LayerStats st = measure(relu);
        int zeros = 0;
        for (float a : y) zeros += a == 0 ? 1 : 0;
        assertEquals((double) zeros / y.length, st.zeroFraction, 1e-12);
        assertEquals(2.0 / 6, st.deadFraction, 1e-12, "units 1 and 4 never fire");
    }

    @Test
    void nonFiniteOutputsAreFlaggedAndLeftOutOfMeanAndStd() {
        Tensor x = Tensor.reuse(null, 2, Shape.of(5));
        float[] v = {1, 2, Float.NaN, 3, 4, Float.POSITIVE_INFINITY, 5, 6, 7, 8};
        System.arraycopy(v, 0, x.data(), 0, v.length);
        Activation tanh = built(new Activation.Tanh(), x.exampleShape());
        tanh.forward(x, Mode.TRAIN);
        LayerStats st = measure(tanh);
        assertTrue(st.nonFinite);
        assertTrue(Double.isFinite(st.mean) && Double.isFinite(st.std));
        // saturated: tanh of 6, 7, 8 and inf (= 1), beyond tanh(5); NaN is not, and counts in the whole
        assertEquals(4.0 / 10, st.saturatedFraction, 1e-12);
    }

    @Test
    void longOutputsAndGradientsAreMeasuredInPartsTheSameAsOneByOne() {
        // 3 examples of 50,001 values: long enough to be cut into parts over the worker threads
        Tensor x = Tensor.reuse(null, 3, Shape.of(50_001));
        SplittableRandom r = new SplittableRandom(4);
        float[] v = x.data();
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * 3 + 1);
        Activation relu = built(new Activation.ReLU(), x.exampleShape());
        float[] y = relu.forward(x, Mode.TRAIN).data();
        LayerStats st = measure(relu);
        double sum = 0, sq = 0;
        for (float a : y) {
            sum += a;
            sq += (double) a * a;
        }
        double mean = sum / y.length;
        assertEquals(mean, st.mean, 1e-12 * Math.abs(mean));
        assertEquals(Math.sqrt(sq / y.length - mean * mean), st.std, 1e-12);

        StatsCollector c = new StatsCollector(List.of(), List.of());
        for (int n : new int[] {0, 1, 7, 8, 9, StatsCollector.BLOCK * 2 - 1, StatsCollector.BLOCK * 2, v.length}) {
            double expected = 0;
            for (int i = 0; i < n; i++) expected += (double) v[i] * v[i];
            double got = c.sumSquares(v, n);
            assertEquals(expected, got, 1e-12 * expected, "sum of squares of " + n + " values");
            assertEquals(got, c.sumSquares(v, n), "the same parts every time");
        }
    }

    private static <L extends Layer> L built(L layer, Shape in) {
        layer.build(in, new BuildContext(Init.DEFAULT, new SplittableRandom(3)));
        return layer;
    }

    private static LayerStats measure(Layer l) {
        LayerStats st = new LayerStats("layers.0", l.kind());
        new StatsCollector(List.of(l), List.of()).layers(new LayerStats[] {st});
        return st;
    }
}
