package dev.vitals.core.train;

import dev.vitals.core.InputException;
import dev.vitals.core.nn.BuildContext;
import dev.vitals.core.nn.Dense;
import dev.vitals.core.nn.Init;
import dev.vitals.core.nn.Model;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.spec.SpecParser;
import dev.vitals.core.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Models that cannot train in this JVM are refused before a step, for the batch that runs. */
class RoomTest {
    private static Spec spec(int batch) {
        return SpecParser.parse("data: {source: iris}\nmodel: {layers: [{dense: 3}]}\ntrain: {epochs: 1, batch: " + batch + "}\n", null);
    }

    /** Examples of 300,000 values: 7,158 of them fill one Java array. */
    private static Model wide() {
        return Model.build(List.of(new Dense(3)), Shape.of(300_000), new BuildContext(Init.parse("default"), new SplittableRandom(1)));
    }

    @Test
    void aBatchLargerThanTheDataIsJudgedByTheExamplesThatRun() {
        Model m = wide();
        // 100 examples of a batch of 10,000 are what a step takes: 120 MB, nothing to refuse
        assertDoesNotThrow(() -> Experiment.requireRoom(spec(10_000), m, 100));
        InputException all = assertThrows(InputException.class, () -> Experiment.requireRoom(spec(10_000), m, 8_000));
        assertTrue(all.getMessage().contains("train.batch: 8000 examples (all the training examples, fewer than the batch of 10000)"), all.getMessage());
        assertTrue(all.getMessage().contains("at most 7158"), all.getMessage());
        InputException spec = assertThrows(InputException.class, () -> Experiment.requireRoom(spec(7_200), m, 20_000));
        assertTrue(spec.getMessage().startsWith("null: train.batch: 7200 examples of "), spec.getMessage());
    }

    @Test
    void trainingThatCannotFitInTheHeapNamesWhatItNeeds() {
        Model m = wide();
        long max = Runtime.getRuntime().maxMemory();
        // a batch whose inputs alone (4 bytes a value) are twice the heap, within one array's limit
        int batch = (int) Math.min(7_000, 2 * max / (4L * 300_000) + 1);
        org.junit.jupiter.api.Assumptions.assumeTrue(4L * batch * 300_000 > max, "a heap this large takes more than one array's batch");
        InputException e = assertThrows(InputException.class, () -> Experiment.requireRoom(spec(batch), m, batch));
        String msg = e.getMessage();
        assertTrue(msg.contains("model: training needs at least"), msg);
        assertTrue(msg.contains("900003 parameters with their gradients and adam's two moments"), msg);
        assertTrue(msg.contains("an example's input alone is 300000 values; expected a smaller batch"), msg);
        assertTrue(msg.contains("the JVM may use") && msg.contains("VITALS_JAVA_OPTS=-Xmx"), msg);
    }
}
