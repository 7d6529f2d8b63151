package dev.vitals.core.nn;

import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class BatchNormTest {
    @Test
    void aBatchOfOneExampleLeavesTheRunningStatisticsAlone() {
        // an epoch's last batch can hold one example: its variance is 0 and was averaged into the
        // running variance, which evaluation divides by
        BatchNorm bn = GradChecks.built(new BatchNorm(), Shape.of(3), 1);
        float[] mean = bn.buffers().get("running_mean").copy().data(), var = bn.buffers().get("running_var").copy().data();
        bn.forward(Tensor.wrap(new float[] {1, 2, 3}, 1, 3), Mode.TRAIN);
        assertArrayEquals(mean, bn.buffers().get("running_mean").data());
        assertArrayEquals(var, bn.buffers().get("running_var").data());
        // two examples do move them
        bn.forward(Tensor.wrap(new float[] {1, 2, 3, 3, 6, 9}, 2, 3), Mode.TRAIN);
        assertFalse(java.util.Arrays.equals(var, bn.buffers().get("running_var").data()));
    }
}
