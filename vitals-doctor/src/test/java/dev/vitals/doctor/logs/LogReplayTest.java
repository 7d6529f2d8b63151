package dev.vitals.doctor.logs;

import dev.vitals.core.InputException;
import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.Locale;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Synthetic logs with one failure signature each, replayed through the runtime rules. */
class LogReplayTest {
    @TempDir
    Path dir;

    private LogReplay.Result replay(String name, String content, Integer classes) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        RunLog log = RunLog.of(LogReader.read(p));
        return LogReplay.run(log, classes == null ? Classes.infer(log) : Classes.given(classes));
    }

    private static String csv(String header, int rows, IntFunction<String> row) {
        StringBuilder sb = new StringBuilder(header).append('\n');
        for (int i = 0; i < rows; i++) sb.append(row.apply(i)).append('\n');
        return sb.toString();
    }

    private static String f(double v) { return String.format(Locale.ROOT, "%.6g", v); }

    private static List<String> codes(LogReplay.Result r) { return r.findings().stream().map(Finding::code).toList(); }

    private static Finding only(LogReplay.Result r, String code) {
        assertEquals(List.of(code), codes(r), () -> "findings: " + r.findings());
        return r.findings().get(0);
    }

    /** Loss falling smoothly from ln 10 with 2% wiggle, validation following 5% above, accuracy rising. */
    static String healthy() {
        return csv("step,epoch,loss,accuracy,grad_norm,lr,val_loss,val_accuracy", 300, i -> {
            double loss = 2.25 * Math.exp(-i / 70.0) + 0.05, wiggle = 1 + 0.02 * Math.sin(i * 1.7);
            double acc = Math.min(0.98, 0.1 + 0.88 * (1 - Math.exp(-i / 50.0)));
            boolean end = i % 30 == 29;
            return (i * 10) + "," + (i / 30 + 1) + "," + f(loss * wiggle) + "," + f(acc) + "," + f(1.0 - i / 600.0) + ",0.001,"
                    + (end ? f(loss * 1.05) + "," + f(acc - 0.02) : ",");
        });
    }

    /** A wide CSV log as MLflow keeps it: one row per metric and step (key, value, timestamp, step). */
    static String oneMetricPerRow(String wide) {
        List<String> lines = wide.lines().toList();
        String[] header = lines.get(0).split(",", -1);
        StringBuilder sb = new StringBuilder("key,value,timestamp,step\n");
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split(",", -1);
            for (int k = 0; k < header.length; k++) {
                if (header[k].equals("step") || c[k].isEmpty()) continue;
                sb.append(header[k]).append(',').append(c[k]).append(",1700000000000,").append(c[0]).append('\n');
            }
        }
        return sb.toString();
    }

    @Test
    void aCrossEntropyFlooredWhereASoftmaxFloorsItAtAHighAccuracyNamesTheSoftmax() throws IOException {
        // PyTorch, softmax before CrossEntropyLoss on Fashion-MNIST, 8 epochs: the loss from 2.30 down to 1.606 at
        // 85.7% training accuracy, never below the 1.461 of probabilities for 10 classes; only its plateau was named
        double[] floored = {2.05, 1.75, 1.68, 1.65, 1.63, 1.62, 1.61, 1.606}, proper = {1.2, 0.75, 0.6, 0.52, 0.47, 0.44, 0.42, 0.40};
        double[] acc = {0.62, 0.76, 0.80, 0.82, 0.83, 0.84, 0.85, 0.857};
        for (double[] losses : List.of(floored, proper)) {
            String log = csv("epoch,loss,accuracy,val_loss,val_accuracy", 8, e -> e + "," + f(losses[e]) + "," + f(acc[e]) + "," + f(losses[e] + 0.02) + "," + f(acc[e] - 0.01));
            List<Finding> fs = replay("keras.csv", log, 10).findings().stream().filter(x -> x.code().equals("SOFTMAX_BEFORE_CROSS_ENTROPY")).toList();
            if (losses == proper) {
                assertTrue(fs.isEmpty(), "a loss below the floor is no softmax's: " + fs);
                continue;
            }
            assertEquals(1, fs.size());
            assertEquals(Finding.Severity.WARNING, fs.get(0).severity(), "read from a log, not seen in a model");
            assertTrue(fs.get(0).message().startsWith("the training loss never fell below 1.461, the lowest cross-entropy reaches on probabilities for 10 classes"), fs.get(0).message());
        }
        // three classes: the floor (0.551) is where an accurate model's loss may be; not judged
        String three = csv("epoch,loss,accuracy", 8, e -> e + "," + f(0.9 - 0.04 * e) + "," + f(0.8 + 0.01 * e));
        assertTrue(codes(replay("three.csv", three, 3)).stream().noneMatch("SOFTMAX_BEFORE_CROSS_ENTROPY"::equals));
    }

    @Test
    void aLogThatEndsStillClimbingIsUnderfittingWithoutAStepCountItCannotKnow() throws IOException {
        // 30 epochs of 2 logged steps each, accuracy still rising 3 points every 5 epochs at the end
        String log = csv("step,epoch,loss,accuracy,val_loss,val_accuracy", 60, i -> {
            int e = i / 2;
            double acc = 0.9 - 0.7 * Math.exp(-e / 12.0), loss = 2.3 * Math.exp(-e / 18.0);
            return i + "," + (e + 1) + "," + f(loss) + "," + f(acc) + "," + (i % 2 == 1 ? f(loss + 0.1) + "," + f(acc - 0.03) : ",");
        });
        Finding u = only(replay("climbing.csv", log, 10), "UNDERFITTING");
        assertTrue(u.message().startsWith("the run ended while the model was still learning"), u.message());
        assertTrue(u.cause().startsWith("the run was too short for its learning rate"), "a log's batch and data size are unknown: " + u.cause());
    }

    @Test
    void aLogKeptOneMetricPerRowIsJudgedAsItsWideForm() throws IOException {
        String diverging = csv("step,loss,grad_norm", 300, i -> i + "," + f(i < 150 ? 2.3 - i * 0.005 : 1.55 * Math.pow(1.08, i - 150)) + "," + f(1 + i * 0.1));
        for (String wide : List.of(healthy(), diverging)) {
            LogReplay.Result a = replay("wide.csv", wide, 10), b = replay("long.csv", oneMetricPerRow(wide), 10);
            assertEquals(codes(a), codes(b));
            assertEquals(a.findings().stream().map(Finding::message).toList(), b.findings().stream().map(Finding::message).toList());
        }
        assertTrue(codes(replay("d.csv", oneMetricPerRow(diverging), 10)).contains("LEARNING_RATE_TOO_HIGH"), "the divergence is seen in the long form too");
    }

    @Test
    void aHuggingFaceTrainerLogWithFractionalEpochsIsReadByWholeEpochs() throws IOException {
        // the Trainer logs epoch = step / steps per epoch (0.25 ... 1.0) and its evaluation as a record of
        // its own at the epoch's end; each distinct value was once an epoch of its own (48 instead of 12)
        double[] val = {1.2, 0.8, 0.6, 0.5, 0.55, 0.62, 0.7, 0.78, 0.85, 0.9, 0.95, 1.0};
        StringBuilder sb = new StringBuilder();
        for (int s = 1; s <= 240; s++) {
            double loss = 2.3 * Math.exp(-s / 40.0) + 0.01 * (s % 3);
            if (s % 5 == 0) sb.append(String.format(Locale.ROOT, "{\"loss\": %.4f, \"learning_rate\": 0.001, \"epoch\": %.2f, \"step\": %d}%n", loss, s / 20.0, s));
            if (s % 20 == 0) sb.append(String.format(Locale.ROOT, "{\"eval_loss\": %s, \"eval_accuracy\": 0.9, \"epoch\": %.1f, \"step\": %d}%n", val[s / 20 - 1], s / 20.0, s));
        }
        LogReplay.Result r = replay("trainer_state.jsonl", sb.toString(), null);
        assertEquals(12, r.log().epochs().size());
        assertEquals(0.5, r.log().epochs().get(3).valLoss(), 1e-12);
        assertTrue(codes(r).contains("OVERFITTING"), r.findings().toString());
        // its first loss, 2.05, is near ln 8, but the first accuracy logged (0.9, on validation) is far above guessing among 8
        assertEquals(0, r.classes().count(), r.classes().from());
    }

    @Test
    void aFirstAccuracyFarAboveGuessingAmongManyClassesInfersNoCount() throws IOException {
        // a Keras epoch log of a 10-class run stuck at a loss of 3.5: 3.743 is ln 42, but 17.3% is seven times 1/42
        LogReplay.Result r = replay("keras.csv", "epoch,accuracy,loss,val_accuracy,val_loss\n0,0.1729,3.7431,0.0882,2.6821\n1,0.075,5.0368,0.1108,2.6999\n", null);
        assertEquals(0, r.classes().count(), r.classes().from());
    }

    @Test
    void aRunStuckAtChanceAtItsEndSaysHowManyClassesItGuessesAmong() throws IOException {
        // SGD at 1.0 on digits, logged by Keras: the first epoch's mean loss (1776) says nothing, the
        // last epochs sit at 2.36-2.45 (ln 10 = 2.303 and above) with accuracy near 10%: "healthy"
        // without --classes; inferred 10 from the plateau, the run is at chance
        StringBuilder sb = new StringBuilder("epoch,accuracy,loss,val_accuracy,val_loss\n0,0.1321,1776.24,0.1114,2.4108\n");
        double[][] rows = {{0.0939, 2.3893, 0.0919, 2.3859}, {0.0925, 2.4226, 0.1421, 2.3261}, {0.1050, 2.3650, 0.0864, 2.4380},
                {0.1085, 2.4036, 0.1086, 2.4359}, {0.1071, 2.3838, 0.0864, 2.3533}, {0.0925, 2.3606, 0.0864, 2.3995},
                {0.0967, 2.4047, 0.0947, 2.3866}, {0.0946, 2.3572, 0.0864, 2.3932}, {0.0967, 2.3728, 0.0836, 2.4639}};
        for (int e = 0; e < rows.length; e++) sb.append(String.format(Locale.ROOT, "%d,%.4f,%.4f,%.4f,%.4f%n", e + 1, rows[e][0], rows[e][1], rows[e][2], rows[e][3]));
        LogReplay.Result r = replay("keras.csv", sb.toString(), null);
        assertEquals(10, r.classes().count(), r.classes().from());
        assertTrue(codes(r).contains("ACCURACY_AT_CHANCE"), r.findings().toString());
        // an error: a log of epochs alone numbers one row an epoch, and its 10 "steps" are no run too short to judge
        assertTrue(r.findings().stream().filter(f -> f.code().equals("ACCURACY_AT_CHANCE")).allMatch(dev.vitals.core.report.Finding::isError), r.findings().toString());

        // a binary run at chance under a cyclic rate (Lightning, first row at step 9): its epochs' losses
        // spike to 1.0 with the cycle and dip to 0.691, just below ln 2; it was "classes unknown", healthy
        StringBuilder cyclic = new StringBuilder("epoch,accuracy,loss,val_accuracy,val_loss\n");
        double[] spikes = {0.720, 0.713, 0.708, 0.742, 0.705, 0.696, 0.704, 0.705, 0.705, 0.722, 0.720, 0.754};
        for (int e = 0; e < 36; e++) {
            double val = e % 9 == 4 ? 1.002 : e % 5 == 1 ? 0.691 : 0.70 + 0.001 * (e % 4);
            cyclic.append(String.format(Locale.ROOT, "%d,%.3f,%.4f,%.3f,%.4f%n", e, 0.48 + 0.01 * (e % 5), spikes[e % spikes.length], e % 2 == 0 ? 0.533 : 0.467, val));
        }
        LogReplay.Result c = replay("metrics.csv", cyclic.toString(), null);
        assertEquals(2, c.classes().count(), c.classes().from());
        assertTrue(codes(c).contains("ACCURACY_AT_CHANCE"), c.findings().toString());

        // a step log whose first row is step 49 (Lightning logs every 50 steps) has moved off ln C:
        // its 2.466 is near ln 12 but says nothing of a 10-class run that learned
        StringBuilder steps = new StringBuilder("step,loss,accuracy\n");
        for (int s = 49; s < 1000; s += 50) steps.append(s).append(',').append(String.format(Locale.ROOT, "%.4f,%.3f%n", 2.466 * Math.exp(-s / 300.0), Math.min(0.95, 0.1 + s / 1000.0)));
        assertEquals(0, replay("lightning.csv", steps.toString(), null).classes().count());
    }

    @Test
    void aKerasRunThrownAboutByItsRateIsTooHighNotOverfitting() throws IOException {
        // Adam at 0.1 on digits: the training loss climbs back from 1.46 while validation is above its first epoch
        String log = """
                epoch,accuracy,loss,val_accuracy,val_loss
                0,0.5907,2.0300,0.6549,1.3396
                1,0.6343,1.4560,0.3350,3.5316
                2,0.5693,1.5404,0.4937,2.1235
                3,0.4414,1.6270,0.3980,1.4812
                4,0.3636,1.9875,0.3375,1.7500
                5,0.2693,1.8780,0.2191,2.0544
                6,0.2771,1.8275,0.3023,1.8498
                7,0.3536,1.6384,0.3375,2.0533
                """;
        LogReplay.Result r = replay("keras.csv", log, null);
        Finding f = only(r, "LEARNING_RATE_TOO_HIGH");
        assertEquals(5, f.evidence().get("peak_epoch"));
        assertEquals(2, f.evidence().get("lowest_epoch"));
    }

    @Test
    void aKerasRunWithDropoutWhoseValidationComesBackIsNotOverfitting() throws IOException {
        // one low validation epoch (0.1184), three above it by more than 10%, then back within 10%: the end shows no overfitting
        StringBuilder sb = new StringBuilder("epoch,accuracy,loss,val_accuracy,val_loss\n");
        double[] val = {1.29, 0.43, 0.24, 0.187, 0.163, 0.169, 0.141, 0.157, 0.143, 0.136, 0.136, 0.144, 0.145, 0.149, 0.143, 0.145, 0.140, 0.143, 0.1184,
                0.1393, 0.1312, 0.1423, 0.1326, 0.1385, 0.1292};
        double[] train = {1.94, 0.90, 0.40, 0.247, 0.189, 0.169, 0.141, 0.123, 0.099, 0.094, 0.088, 0.069, 0.066, 0.062, 0.071, 0.060, 0.047, 0.053, 0.0376,
                0.0386, 0.0437, 0.0338, 0.0299, 0.0323, 0.0282};
        for (int i = 0; i < val.length; i++) sb.append(i).append(",0.95,").append(f(train[i])).append(",0.97,").append(f(val[i])).append('\n');
        LogReplay.Result r = replay("dropout.csv", sb.toString(), null);
        assertEquals(List.of(), r.findings(), "raised at epoch 22, withdrawn at the end");
        // the same run stopped at epoch 22 shows it
        String upTo22 = sb.toString().lines().limit(23).collect(java.util.stream.Collectors.joining("\n")) + "\n";
        only(replay("dropout22.csv", upTo22, null), "OVERFITTING");
    }

    @Test
    void aWarmRestartsSpikeThatComesBackIsWithdrawn() throws IOException {
        // cosine warm restarts: the loss jumps at a restart for two epochs, then falls below its old best
        double[] loss = {2.0, 1.2, 0.8, 0.5, 0.35, 0.25, 0.21, 1.1, 0.9, 0.3, 0.12, 0.05, 0.02, 0.01, 0.006};
        String log = csv("epoch,loss", loss.length, i -> i + "," + f(loss[i]));
        assertEquals(List.of(), replay("sgdr.csv", log, null).findings());
        // stopped in the spike, it is still a climb that has not come back
        String cut = csv("epoch,loss", 9, i -> i + "," + f(loss[i]));
        only(replay("sgdr-cut.csv", cut, null), "LEARNING_RATE_TOO_HIGH");
    }

    @Test
    void aFittedModelFineTunedBouncesByOneExampleNotByOvershooting() throws IOException {
        // fine-tuning from 100%: a first logged loss of 0.0033 is no start to halve, and batch noise is spikes
        SplittableRandom rng = new SplittableRandom(3);
        String log = csv("step,loss,accuracy", 300, i -> i + "," + f(0.003 + (rng.nextDouble() < 0.1 ? 0.02 : 0.001 * rng.nextDouble())) + ",1.0");
        assertTrue(codes(replay("finetune.csv", log, null)).stream().noneMatch(c -> c.equals("LEARNING_RATE_TOO_HIGH")));
    }

    @Test
    void aSmoothEpochLogDoesNotLookTooHot() throws IOException {
        String log = csv("epoch,loss,val_loss", 12, i -> i + "," + f(2.3 * Math.exp(-0.4 * i) + 0.05) + "," + f(2.3 * Math.exp(-0.35 * i) + 0.1));
        assertEquals(List.of(), replay("smooth.csv", log, null).findings());
    }

    @Test
    void aSmallModelLevelledOffWithNoisyGradientsIsUnderfitting() throws IOException {
        // a 2-unit model on digits: the loss falls to 0.9 and stays; mini-batch noise keeps the gradient norm near 0.7
        SplittableRandom rng = new SplittableRandom(1);
        String log = csv("step,epoch,loss,accuracy,grad_norm,val_loss,val_accuracy", 800, s -> {
            double loss = 0.9 + 1.4 * Math.exp(-s / 60.0) + 0.05 * (rng.nextDouble() - 0.5);
            String row = s + "," + s / 20 + "," + f(loss) + "," + f(0.66 - 0.5 * Math.exp(-s / 60.0)) + "," + f(0.7 + 0.1 * rng.nextDouble());
            return row + (s % 20 == 19 ? "," + f(loss + 0.1) + "," + f(0.61 - 0.5 * Math.exp(-s / 60.0)) : ",,");
        });
        Finding f = only(replay("small.csv", log, 10), "UNDERFITTING");
        assertEquals(0.66, (double) f.evidence().get("train_accuracy"), 0.01);
    }

    @Test
    void aSortedHeaderPutsAStemFirst() throws IOException {
        LogReplay.Result r = replay("stem.csv", csv("epoch,grad_2.0_norm/blocks.0.weight,grad_2.0_norm/blocks.1.weight,grad_2.0_norm/head.weight,grad_2.0_norm/stem.weight,step,train_loss_step",
                3, i -> "0,0.1,0.2,0.3,0.05," + i + ",2.3"), null);
        assertEquals(List.of("grad_2.0_norm/stem.weight", "grad_2.0_norm/blocks.0.weight", "grad_2.0_norm/blocks.1.weight", "grad_2.0_norm/head.weight"),
                r.log().layerColumns());
    }

    @Test
    void aHealthyLogRaisesNothing() throws IOException {
        LogReplay.Result r = replay("healthy.csv", healthy(), null);
        assertEquals(List.of(), r.findings());
        assertEquals(10, r.classes().count(), "the first loss 2.3 is ln 10");
        assertTrue(r.classes().from().startsWith("inferred"), r.classes().from());
        assertEquals(10, r.log().epochs().size());
        assertEquals(2990, r.trace().stepNumber(299), "the trace keeps the logged step numbers");
    }

    @Test
    void aNanLossIsLossNonFiniteAtItsLoggedStep() throws IOException {
        LogReplay.Result r = replay("nan.csv", csv("step,loss", 40, i -> i * 5 + "," + (i < 30 ? f(2.3 - 0.01 * i) : "nan")), null);
        Finding f = only(r, "LOSS_NONFINITE");
        assertEquals(150L, f.step());
        assertEquals(150L, r.stoppedAt());
        assertTrue(f.message().contains("at step 150"), f.message());
    }

    @Test
    void aGradientThatRanUpThenOverflowedSaysHowFarItGrewFirst() throws IOException {
        // norms 312, 4.3e7, 1.8e17, inf, then NaN: the evidence said a growth of 1.0, the early window taken to hold the overflow itself
        LogReplay.Result r = replay("nan.csv", "step,loss,grad_norm\n0,28.68,312.2\n1,5.18e9,4.29e7\n2,1.46e23,1.795e17\n3,3.42e33,inf\n4,nan,nan\n", 3);
        Finding f = r.findings().stream().filter(x -> x.code().equals("LOSS_NONFINITE")).findFirst().orElseThrow(() -> new AssertionError(r.findings().toString()));
        assertEquals(1.795e17 / 312.2, ((Number) f.evidence().get("gradient_norm_growth")).doubleValue(), 1e-3 * 1.795e17 / 312.2);
        assertTrue(f.message().contains("after the gradient norm became non-finite (it had grown 5.75e+14x)"), f.message());
    }

    @Test
    void aNanAtTheFirstLoggedStepIsTheRunsFirstStepOnlyWhereTheLogStartsThere() throws IOException {
        // Hugging Face logs every 10 steps and a Keras row is an epoch's mean: nothing rules out a rate
        // that diverged in the steps the log did not keep
        for (String log : List.of("step,loss\n10,nan\n20,nan\n", "epoch,loss,val_loss\n0,nan,nan\n1,nan,nan\n")) {
            Finding f = only(replay("first.csv", log, 10), "LOSS_NONFINITE");
            assertTrue(f.message().contains(", the first logged step"), f.message());
            assertTrue(f.cause().contains("learning rate"), f.cause());
        }
        // a log of every step from step 0 saw the first step itself
        Finding f = only(replay("zero.csv", "step,loss\n0,nan\n1,nan\n2,nan\n", 10), "LOSS_NONFINITE");
        assertTrue(f.message().contains("at the very first step"), f.message());
    }

    @Test
    void aLossBeyondFloatRangeIsStillFinite() throws IOException {
        // a foreign log is not float32: 1e45 is a number there, and only the "nan" after it is non-finite
        LogReplay.Result r = replay("huge.csv", csv("step,loss", 40, i -> i + "," + (i < 30 ? f(2.3) : i < 39 ? "1e45" : "nan")), null);
        assertEquals(List.of("LEARNING_RATE_TOO_HIGH", "LOSS_NONFINITE"), codes(r).stream().sorted().toList(), "the 1e45 is a diverged loss, then the nan");
        Finding f = r.findings().stream().filter(x -> x.code().equals("LOSS_NONFINITE")).findFirst().orElseThrow();
        assertEquals(39L, f.step(), "the first non-finite loss is the nan, not the 1e45 before it");
        assertEquals(1e45, (double) ((List<?>) f.evidence().get("previous_losses")).get(7), 1e30);
    }

    @Test
    void growingGradientNormsAreExplodingGradients() throws IOException {
        LogReplay.Result r = replay("explode.csv", csv("step,loss,grad_norm", 30, i -> i + "," + f(2.3 + 0.05 * i) + "," + f(Math.pow(1.5, i))), null);
        Finding f = only(r, "EXPLODING_GRADIENTS");
        assertTrue((double) f.evidence().get("gradient_norm_growth") > 100, f.evidence().toString());
    }

    @Test
    void tinyFirstLayerGradientsAreVanishingGradientsNamingTheLayer() throws IOException {
        LogReplay.Result r = replay("vanish.jsonl", csv("", 20, i -> String.format(Locale.ROOT,
                "{\"step\": %d, \"loss\": %s, \"grad_norm/fc1\": 2e-7, \"grad_norm/fc2\": 3e-6, \"grad_norm/fc3\": 1e-3, \"grad_norm/fc4\": 0.4}",
                i, f(2.30 - 0.0005 * i))).substring(1), null);
        Finding f = only(r, "VANISHING_GRADIENTS");
        assertEquals("fc1", f.layer());
        assertEquals(List.of("fc1", "fc2"), f.evidence().get("layers_below_ratio"));
        // a log names its layers and nothing more: they read "fc1 (as logged)"
        assertEquals(List.of("fc1", "fc2", "fc3", "fc4"), List.copyOf(((java.util.Map<?, ?>) f.evidence().get("gradient_norm_by_layer")).keySet()), f.evidence().toString());
    }

    @Test
    void epochsOfAFewSampledBatchesAreJudgedWithinTheirNoise() throws IOException {
        // Lightning's CSVLogger at its default: one batch's train_loss every 50 steps, two an epoch, no epoch
        // mean; a healthy run read "climbed back up between epochs: from 0.6961 at epoch 9 to 0.9268 at epoch 11"
        double[] means = {1.06, 0.86, 0.86, 0.78, 0.74, 0.87, 0.78, 0.77, 0.70, 0.80, 0.93, 0.94};
        LogReplay.Result r = replay("metrics.csv", twoBatchesAnEpoch(means, 0.12), null);
        org.junit.jupiter.api.Assertions.assertFalse(codes(r).contains("LEARNING_RATE_TOO_HIGH"), r.findings().toString());
        // the same epoch means from batches a tenth as noisy: the climb stands out of them, and is the rate's
        LogReplay.Result d = replay("quiet.csv", twoBatchesAnEpoch(means, 0.012), null);
        assertTrue(codes(d).contains("LEARNING_RATE_TOO_HIGH"), d.findings().toString());
    }

    /** A Lightning-style log: two batches' train_loss an epoch, {@code noise} either side of the epoch's mean, and a falling val_loss. */
    private static String twoBatchesAnEpoch(double[] means, double noise) {
        StringBuilder sb = new StringBuilder("epoch,step,train_loss,val_loss\n");
        for (int e = 0; e < means.length; e++) {
            sb.append(String.format(Locale.ROOT, "%d,%d,%.4f,%n", e, 100 * e + 49, means[e] + noise));
            sb.append(String.format(Locale.ROOT, "%d,%d,%.4f,%n", e, 100 * e + 99, means[e] - noise));
            sb.append(String.format(Locale.ROOT, "%d,%d,,%.4f%n", e, 100 * e + 99, 0.9 - 0.01 * e));
        }
        return sb.toString();
    }

    @Test
    void overfittingIsReadWhereTheTrainingLossIsWrittenLessOftenThanEpochsEnd() throws IOException {
        // Lightning every 50 steps over epochs of 7: no training loss at the validation minimum (epoch 4),
        // the validation loss 0.707 -> 0.93 by epoch 60 while the training loss went 0.015 -> 1e-4: "healthy"
        StringBuilder sb = new StringBuilder("epoch,step,train_loss,val_loss\n");
        for (int e = 0; e < 60; e++) {
            int end = 7 * e + 6;
            if ((end + 1) / 50 > (7 * e) / 50) sb.append(String.format(Locale.ROOT, "%d,%d,%.6f,%n", e, ((end + 1) / 50) * 50 - 1, 0.015 * Math.pow(0.9, e)));
            double val = e < 4 ? 1.36 - 0.16 * e : 0.707 + 0.0038 * (e - 4);
            sb.append(String.format(Locale.ROOT, "%d,%d,,%.4f%n", e, end, val));
        }
        LogReplay.Result r = replay("metrics.csv", sb.toString(), null);
        assertTrue(codes(r).contains("OVERFITTING"), r.findings().toString());
    }

    @Test
    void labelsMemorisedAreReadInALogValidatedEveryOtherEpoch() throws IOException {
        // Keras at validation_freq=2, shuffled labels: validation 7.6-10% on every validated epoch while the
        // training side reached 82%; the last epochs' mean mixed the two kinds of accuracy and read above chance
        StringBuilder sb = new StringBuilder("epoch,accuracy,loss,val_accuracy,val_loss\n");
        for (int e = 0; e < 20; e++) {
            double acc = Math.min(0.825, 0.10 + 0.04 * e), loss = 2.35 - 0.06 * e;
            sb.append(String.format(Locale.ROOT, "%d,%.4f,%.4f,%s%n", e, acc, loss, e % 2 == 1 ? String.format(Locale.ROOT, "%.4f,%.4f", e % 4 == 1 ? 0.076 : 0.1, 2.31 + 0.023 * e) : "NA,NA"));
        }
        LogReplay.Result r = replay("valfreq2.csv", sb.toString(), 10);
        assertTrue(r.findings().stream().anyMatch(f -> f.code().equals("ACCURACY_AT_CHANCE") && f.isError()), r.findings().toString());
    }

    @Test
    void aValidationLossWrittenNanIsTheLossGoneNonFinite() throws IOException {
        // val_loss 'nan' for the last 5 of 30 epochs read "30 epochs, 25 with validation" and "healthy"
        StringBuilder sb = new StringBuilder("epoch,loss,val_loss\n");
        for (int e = 0; e < 30; e++) sb.append(String.format(Locale.ROOT, "%d,%.4f,%s%n", e, 1.0 / (e + 1), e < 25 ? String.format(Locale.ROOT, "%.4f", 1.1 / (e + 1)) : "nan"));
        Finding f = only(replay("valnan.csv", sb.toString(), null), "LOSS_NONFINITE");
        assertTrue(f.isError() && f.message().startsWith("the validation loss became NaN at epoch 26 while the training loss was 0.0385"), f.message());
        // an empty cell or NA is an epoch not validated, not a NaN
        String na = sb.toString().replace(",nan", ",NA");
        org.junit.jupiter.api.Assertions.assertFalse(codes(replay("valna.csv", na, null)).contains("LOSS_NONFINITE"));
        // ...and so is a JSON null, as Vitals' own metrics.jsonl writes an epoch without validation (XOR, the
        // casebook's documents and both Fashion-MNIST examples read "the validation loss became NaN")
        StringBuilder js = new StringBuilder();
        for (int e = 0; e < 30; e++) js.append(String.format(Locale.ROOT, "{\"step\": %d, \"epoch\": %d, \"train_loss\": %.4f, \"val_loss\": null}%n", e, e + 1, 1.0 / (e + 1)));
        org.junit.jupiter.api.Assertions.assertFalse(codes(replay("valnull.jsonl", js.toString(), null)).contains("LOSS_NONFINITE"));
    }

    @Test
    void aFirstEpochThatBlewUpIsTheCauseOfTheGuessingAfter() throws IOException {
        // a Keras epoch log: 1.38e29 in the first epoch, then ln 3 to the end at 32%; only a generic cause ("a bug ...")
        StringBuilder sb = new StringBuilder("epoch,accuracy,loss,val_accuracy,val_loss\n0,0.344,1.3762e+29,0.338,1.154\n");
        for (int e = 1; e < 10; e++) sb.append(String.format(Locale.ROOT, "%d,%.3f,%.4f,%.3f,%.4f%n", e, 0.32 + 0.01 * (e % 2), 1.16 - 0.001 * e, 0.316 + 0.01 * (e % 3), 1.13 + 0.002 * e));
        Finding f = only(replay("diverge.csv", sb.toString(), 3), "ACCURACY_AT_CHANCE");
        assertTrue(f.cause().startsWith("the run blew up in its first epoch (mean training loss 1.38e+29"), f.cause());
        assertTrue(f.evidence().containsKey(dev.vitals.doctor.rules.HeldDown.BLEW_UP_KEY), "fix lowers the rate first");
        // a first epoch merely higher than the rest (2.9 against 1.16) is an ordinary start
        String ordinary = sb.toString().replace("1.3762e+29", "2.9");
        Finding g = only(replay("ordinary.csv", ordinary, 3), "ACCURACY_AT_CHANCE");
        org.junit.jupiter.api.Assertions.assertFalse(g.cause().contains("blew up"), g.cause());
    }

    @Test
    void aSortedLightningHeaderIsPutBackInForwardOrder() throws IOException {
        // Lightning's CSVLogger sorts its header: head first, layer10 before layer2; the norms fall with depth from the head
        String[] names = {"head", "layer1", "layer10", "layer11", "layer12", "layer2", "layer3", "layer4", "layer5", "layer6", "layer7", "layer8", "layer9"};
        java.util.function.ToIntFunction<String> depth = n -> n.equals("head") ? 13 : Integer.parseInt(n.substring(5));
        StringBuilder header = new StringBuilder("epoch");
        for (String n : names) header.append(",grad_2.0_norm/").append(n).append(".weight");
        header.append(",step,train_loss_step");
        LogReplay.Result r = replay("metrics.csv", csv(header.toString(), 20, i -> {
            StringBuilder row = new StringBuilder("0");
            for (String n : names) row.append(',').append(f(0.4 * Math.pow(0.25, 13 - depth.applyAsInt(n))));
            return row.append(',').append(i).append(',').append(f(2.30 - 0.0005 * i)).toString();
        }), null);
        assertEquals("layer1.weight", r.log().layerColumns().get(0).replace("grad_2.0_norm/", ""));
        assertEquals("head.weight", r.log().layerColumns().getLast().replace("grad_2.0_norm/", ""));
        assertEquals("grad_2.0_norm/layer10.weight", r.log().layerColumns().get(9));
        Finding f = only(r, "VANISHING_GRADIENTS");
        assertEquals("layer1", f.layer());
    }

    @Test
    void aHeaderInTheWritersOwnOrderIsKept() throws IOException {
        LogReplay.Result r = replay("own.csv", csv("step,loss,grad_norm/fc2,grad_norm/fc1", 3, i -> i + ",2.3,0.1,0.2"), null);
        assertEquals(List.of("grad_norm/fc2", "grad_norm/fc1"), r.log().layerColumns());
    }

    @Test
    void withoutPerLayerNormsVanishingGradientsStaysSilent() throws IOException {
        LogReplay.Result r = replay("flat.csv", csv("step,loss,grad_norm", 20, i -> i + "," + f(2.30 - 0.0005 * i) + ",1e-7"), null);
        assertEquals(List.of(), r.findings());
    }

    @Test
    void aFindingNamesAStepTheLogHas() throws IOException {
        // logged every 10 steps: a finding once named step 591 of a log that holds 580 and 590
        LogReplay.Result r = replay("sparse.csv", csv("step,loss,accuracy", 150, i -> (i * 10) + "," + f(2.302 + 0.002 * Math.sin(i)) + ",0.1"), 10);
        Finding f = only(r, "ACCURACY_AT_CHANCE");
        assertEquals(0, f.step() % 10, "step " + f.step() + " is not in the log");
    }

    @Test
    void vitalsOwnEpochRecordsGiveTheirSeconds() throws IOException {
        // Vitals' metrics.jsonl: 'seconds' was listed as ignored and every epoch's seconds came out null
        StringBuilder log = new StringBuilder("{\"classes\":10}\n");
        for (int e = 1; e <= 3; e++) {
            for (int i = 0; i < 10; i++) log.append("{\"step\":").append((e - 1) * 10 + i).append(",\"epoch\":").append(e).append(",\"loss\":").append(2.0 / e).append("}\n");
            log.append("{\"step\":").append(e * 10).append(",\"epoch\":").append(e).append(",\"train_loss\":").append(2.0 / e)
                    .append(",\"val_loss\":null,\"seconds\":").append(0.5 * e).append("}\n");
        }
        LogReplay.Result r = replay("metrics.jsonl", log.toString(), null);
        assertTrue(!r.log().ignored().contains("seconds"), r.log().ignored().toString());
        assertEquals(3, r.log().epochs().size());
        assertEquals(1.5, r.log().epochs().get(2).seconds(), 1e-12);
    }

    @Test
    void aLogThatDeclaresItsLossIsNotJudgedByCrossEntropysPrior() throws IOException {
        // casebook 000's own metrics.jsonl: mse against -1/+1 targets, its loss 1.26 below ln 10 and its
        // validation accuracy 7.3% for 20 epochs, read as a run that had learned ("healthy")
        for (String loss : new String[] {"mse", null}) {
            StringBuilder log = new StringBuilder(loss == null ? "{\"classes\":10}\n" : "{\"classes\":10,\"loss_function\":\"" + loss + "\"}\n");
            for (int e = 1; e <= 20; e++) {
                for (int i = 0; i < 4; i++) log.append("{\"step\":").append((e - 1) * 36 + 9 * i).append(",\"epoch\":").append(e).append(",\"loss\":").append(1.31 - 0.002 * e).append(",\"accuracy\":0.09}\n");
                log.append("{\"step\":").append(e * 36).append(",\"epoch\":").append(e).append(",\"train_loss\":").append(1.31 - 0.002 * e)
                        .append(",\"val_loss\":").append(1.30 - 0.002 * e).append(",\"train_accuracy\":0.104,\"val_accuracy\":0.073}\n");
            }
            LogReplay.Result r = replay("metrics.jsonl", log.toString(), null);
            boolean atChance = r.findings().stream().anyMatch(f -> f.code().equals("ACCURACY_AT_CHANCE"));
            assertEquals(loss != null, atChance, (loss == null ? "undeclared, the loss is taken for cross-entropy's, below ln 10: learning" : "mse declared") + ": " + r.findings());
            assertTrue(r.log().ignored().isEmpty(), r.log().ignored().toString());
        }
    }

    @Test
    void aLogThatGivesItsClassSharesIsJudgedAgainstGuessingTheCommonestClass() throws IOException {
        // Vitals' metrics.jsonl of a 15-layer sigmoid network on a 63/37 binary task: 62.6% for 20
        // epochs is at chance, though above the 50% of two balanced classes
        for (String shares : new String[] {",\"class_shares\":[0.372603,0.627397]", ""}) {
            StringBuilder log = new StringBuilder("{\"classes\":2,\"loss_function\":\"binary_cross_entropy\"" + shares + "}\n");
            for (int e = 1; e <= 20; e++) {
                for (int i = 0; i < 4; i++) log.append("{\"step\":").append((e - 1) * 12 + 3 * i).append(",\"epoch\":").append(e).append(",\"loss\":").append(0.662 - 0.0001 * e).append(",\"accuracy\":0.63}\n");
                log.append("{\"step\":").append(e * 12 - 1).append(",\"epoch\":").append(e).append(",\"train_loss\":").append(0.662 - 0.0001 * e)
                        .append(",\"val_loss\":").append(0.661 - 0.0001 * e).append(",\"train_accuracy\":0.627,\"val_accuracy\":0.626}\n");
            }
            LogReplay.Result r = replay("metrics.jsonl", log.toString(), null);
            boolean atChance = r.findings().stream().anyMatch(f -> f.code().equals("ACCURACY_AT_CHANCE") && f.severity() == Severity.ERROR);
            assertEquals(!shares.isEmpty(), atChance, (shares.isEmpty() ? "balanced classes assumed: 62.6% is above 50%" : "the log's shares: chance is 62.7%") + ": " + r.findings());
            if (!shares.isEmpty()) assertEquals(0.6274, (double) only(r, "ACCURACY_AT_CHANCE").evidence().get("chance"), 1e-4);
            assertTrue(r.log().ignored().isEmpty(), r.log().ignored().toString());
        }
    }

    @Test
    void vitalsHeaderGivesThePlanTheReplayJudgesBy() throws IOException {
        // a binary cross-entropy's one output (its prior loss needs it), the split sizes that set chance
        // margins (287 validation examples: 4.5 points at 10%, where a log without them gets the 2-point floor)
        String head = "{\"classes\":2,\"loss_function\":\"binary_cross_entropy\",\"class_shares\":[0.4,0.6],\"outputs\":1,"
                + "\"train_examples\":365,\"validation_examples\":91,\"batch_size\":32,\"early_stop\":3,\"optimizer\":\"sgd\",\"momentum\":0.9}\n";
        String steps = "{\"step\":0,\"epoch\":1,\"loss\":0.69}\n{\"step\":1,\"epoch\":1,\"loss\":0.68}\n";
        LogReplay.Result r = replay("metrics.jsonl", head + steps, null);
        var info = r.trace().info();
        assertEquals(1, info.outputs());
        assertEquals(365, info.trainSize());
        assertEquals(91, info.validationSize());
        assertEquals(32, info.batch());
        assertEquals(3, info.earlyStop());
        assertEquals("sgd", info.optimizer().name());
        assertEquals(0.9, info.optimizer().momentum(), 1e-12);
        assertTrue(r.trace().isReplay() && !dev.vitals.doctor.trace.Curves.live(r.trace()), "a replay, however much its log says");
        assertEquals(-(0.4 * Math.log(0.4) + 0.6 * Math.log(0.6)), dev.vitals.doctor.trace.Curves.priorLoss(info), 1e-12);
        assertTrue(r.log().ignored().isEmpty(), r.log().ignored().toString());
        // without them: as many outputs as classes, sizes unknown (the margins' floor)
        LogReplay.Result bare = replay("bare.jsonl", "{\"classes\":2}\n" + steps, null);
        assertEquals(2, bare.trace().info().outputs());
        assertEquals(LogReplay.UNKNOWN_SIZE, bare.trace().info().validationSize());
        // a header that says nonsense is the log's error
        String m = assertThrows(InputException.class, () -> replay("bad.jsonl", "{\"classes\":2,\"validation_examples\":-4}\n" + steps, null)).getMessage();
        assertTrue(m.contains("line 1: 'validation_examples' holds -4.0, expected a whole number from 0"), m);
        m = assertThrows(InputException.class, () -> replay("bad2.jsonl", "{\"classes\":2,\"optimizer\":\"rmsprop\"}\n" + steps, null)).getMessage();
        assertTrue(m.contains("line 1: 'optimizer' holds rmsprop, expected sgd, adam or adamw"), m);
    }

    @Test
    void loggedUpdateRatiosLetTheRateTooLowBeSeen() throws IOException {
        // Vitals' own log of sgd at 1e-5: each step moves the weights by 1e-6 of their size and the loss
        // hardly falls; the same log at 1e-3 of their size is a healthy pace
        for (double ratio : new double[] {1e-6, 1e-3, 0}) {
            StringBuilder log = new StringBuilder("{\"classes\":10}\n");
            for (int i = 0; i < 300; i++) {
                log.append("{\"step\":").append(i).append(",\"epoch\":").append(i / 100 + 1).append(",\"loss\":").append(f(2.30 - 0.0002 * i));
                if (i % 10 == 0) {
                    log.append(",\"lr\":1e-05,\"grad_norm\":1.0,\"accuracy\":0.1");
                    for (String p : new String[] {"layers.0.weight", "layers.2.weight"}) {
                        log.append(",\"grad_norm/").append(p).append("\":0.5,\"update_ratio/").append(p).append("\":").append(ratio);
                    }
                }
                log.append("}\n");
                if (i % 100 == 99) log.append("{\"step\":").append(i + 1).append(",\"epoch\":").append(i / 100 + 1).append(",\"train_loss\":").append(f(2.30 - 0.0002 * i)).append(",\"train_accuracy\":0.1}\n");
            }
            LogReplay.Result r = replay("metrics.jsonl", log.toString(), null);
            assertEquals(ratio, r.log().rows().get(0).layerUpdateRatios()[0], ratio * 1e-9 + 1e-30);
            boolean low = r.findings().stream().anyMatch(f -> f.code().equals("LEARNING_RATE_TOO_LOW") && f.severity() == Severity.ERROR);
            assertEquals(ratio > 0 && ratio < 1e-4, low, ratio + ": " + r.findings());
            // gradients flow and not one update lands: the weights are frozen (stale updates, a zeroed step)
            assertEquals(ratio == 0, r.findings().stream().anyMatch(f -> f.code().equals("PARAMETERS_FROZEN")), ratio + ": " + r.findings());
            assertTrue(r.log().ignored().isEmpty(), r.log().ignored().toString());
        }
        // a ratio without the gradient norm of its layer has no layer to belong to: listed as ignored
        LogReplay.Result alone = replay("alone.jsonl", "{\"step\":0,\"loss\":2.3,\"update_ratio/fc1.weight\":0.001}\n{\"step\":1,\"loss\":2.2}\n", null);
        assertEquals(List.of("update_ratio/fc1.weight"), alone.log().ignored());
    }

    @Test
    void classSharesThatSayNonsenseAreTheLogsError() throws IOException {
        for (String bad : new String[] {"[0.5,0.6]", "[1.0]", "\"half\"", "[0.5,\"x\"]", "[-0.5,1.5]"}) {
            String log = "{\"classes\":2,\"class_shares\":" + bad + "}\n{\"step\":0,\"loss\":0.69,\"accuracy\":0.5}\n{\"step\":1,\"loss\":0.68,\"accuracy\":0.5}\n";
            String m = assertThrows(InputException.class, () -> replay("metrics.jsonl", log, null)).getMessage();
            assertTrue(m.contains("line 1: 'class_shares' holds") && m.contains("expected a list of fractions (one per class) summing to 1"), m);
        }
        // another number of classes than --classes says: the shares are set aside, not an error
        String three = "{\"classes\":2,\"class_shares\":[0.9,0.1]}\n{\"step\":0,\"loss\":1.1,\"accuracy\":0.3}\n{\"step\":1,\"loss\":1.0,\"accuracy\":0.4}\n";
        assertEquals(3, replay("metrics.jsonl", three, 3).classes().count());
    }

    @Test
    void aBouncingLossIsLearningRateTooHigh() throws IOException {
        LogReplay.Result r = replay("bounce.csv", csv("step,loss,grad_norm", 200, i -> i + "," + (i % 5 == 4 ? "3.0" : f(1.0 + 0.05 * Math.sin(i))) + ","
                + (i % 5 == 4 ? "8.0" : "1.0")), null);
        Finding f = only(r, "LEARNING_RATE_TOO_HIGH");
        assertTrue((int) f.evidence().get("spikes") >= 3);
    }

    @Test
    void aFlatHighLossOverEpochsIsALossPlateau() throws IOException {
        LogReplay.Result r = replay("plateau.csv", csv("step,epoch,loss", 180, i -> i + "," + (i / 30 + 1) + "," + f(i < 30 ? 2.3 - 0.01 * i : 2.0 + 0.01 * Math.sin(i))), null);
        Finding f = only(r, "LOSS_PLATEAU");
        assertEquals(119L, f.step(), "judged from the third epoch and 100 steps on: at the end of the fourth, its last logged step 119");
    }

    @Test
    void validationRisingWhileTrainingFallsIsOverfittingFromAKerasLog() throws IOException {
        LogReplay.Result r = replay("training.log", csv("epoch,accuracy,loss,val_accuracy,val_loss", 12, e -> {
            double train = 1.0 * Math.pow(0.75, e), val = e <= 4 ? 1.0 - 0.12 * e : 0.52 + 0.06 * (e - 4);
            return e + "," + f(0.6 + 0.03 * e) + "," + f(train) + "," + f(0.7) + "," + f(val);
        }), null);
        Finding f = only(r, "OVERFITTING");
        assertEquals(5, f.evidence().get("best_epoch"));
    }

    @Test
    void levelModerateAccuracyWithShrunkGradientsIsUnderfittingWithClassesGiven() throws IOException {
        String log = csv("step,epoch,loss,accuracy,grad_norm,val_loss,val_accuracy", 200, i -> {
            boolean end = i % 20 == 19;
            double loss = i < 20 ? 2.3 - 0.05 * i : 1.25 + 0.005 * Math.sin(i);
            return i + "," + (i / 20 + 1) + "," + f(loss) + ",0.55," + (i < 5 ? "1.0" : "0.2") + "," + (end ? "1.27,0.53" : ",");
        });
        LogReplay.Result r = replay("under.csv", log, 10);
        Finding f = only(r, "UNDERFITTING");
        assertEquals(10, f.evidence().get("classes"));
        assertEquals("--classes 10", f.evidence().get("classes_from"));
    }

    @Test
    void accuracyAtChanceNeedsAChanceLevel() throws IOException {
        String log = csv("step,loss,accuracy", 150, i -> i + "," + f(2.302 + 0.002 * Math.sin(i)) + "," + f(0.1 + 0.02 * Math.sin(i * 0.7)));
        Finding f = only(replay("chance.csv", log, null), "ACCURACY_AT_CHANCE");
        assertTrue(f.message().startsWith("accuracy is at chance by step 99 (100 logged steps)"), "steps 0 to 99 are 100: " + f.message());
        assertEquals(10, f.evidence().get("classes"));
        assertTrue(f.evidence().get("classes_from").toString().contains("ln 10"), f.evidence().toString());
        // a first loss far from any ln C gives no chance level: the rule stays silent rather than guess
        String shifted = csv("step,loss,accuracy", 150, i -> i + "," + f(3.2 + 0.002 * Math.sin(i)) + "," + f(0.1));
        LogReplay.Result r = replay("unknown.csv", shifted, null);
        assertEquals(0, r.classes().count());
        assertTrue(!codes(r).contains("ACCURACY_AT_CHANCE"), r.findings().toString());
    }

    @Test
    void accuracyLoggedInPercentIsReadAsAFraction() throws IOException {
        // 10.0 at chance on ten classes: taken as a fraction it was ten times perfect, and the run "healthy"
        String log = csv("step,loss,accuracy", 150, i -> i + "," + f(2.302 + 0.002 * Math.sin(i)) + "," + f(10 + 2 * Math.sin(i * 0.7)));
        LogReplay.Result r = replay("percent.csv", log, 10);
        only(r, "ACCURACY_AT_CHANCE");
        assertEquals(List.of("accuracy"), r.log().percentColumns());
        assertEquals(0.1, r.log().rows().get(0).accuracy(), 1e-9);
        // a fraction stays a fraction
        String fraction = csv("step,loss,accuracy", 150, i -> i + "," + f(2.302 + 0.002 * Math.sin(i)) + "," + f(0.1 + 0.02 * Math.sin(i * 0.7)));
        assertTrue(replay("fraction.csv", fraction, 10).log().percentColumns().isEmpty());
        // below 0 or above 100 is no accuracy: named with its line
        for (String bad : List.of("-0.2", "150")) {
            String log2 = csv("step,loss,accuracy", 20, i -> i + ",2.3," + (i == 7 ? bad : "0.5"));
            dev.vitals.core.InputException e = org.junit.jupiter.api.Assertions.assertThrows(dev.vitals.core.InputException.class,
                    () -> replay("bad.csv", log2, 10));
            assertTrue(e.getMessage().contains("line 9") && e.getMessage().contains("accuracy column 'accuracy'")
                    && e.getMessage().contains("expected a fraction from 0 to 1"), e.getMessage());
        }
    }

    @Test
    void rulesThatNeedUpdateRatiosActivationsOrModesNeverFireOnALog() throws IOException {
        // tiny steps with a slowly falling loss: in a Vitals run, LEARNING_RATE_TOO_LOW would need the update/weight ratio
        String slow = csv("step,epoch,loss,accuracy,grad_norm,lr", 400, i -> i + "," + (i / 40 + 1) + "," + f(2.3 - 0.0004 * i) + "," + f(0.3 + 0.0002 * i)
                + ",1.0,1e-6");
        List<String> c = codes(replay("slow.csv", slow, 10));
        for (String silent : List.of("LEARNING_RATE_TOO_LOW", "PARAMETERS_FROZEN", "GRADIENT_ACCUMULATION", "EVAL_MODE_TRAINING", "DEAD_RELU",
                "SATURATED_UNITS", "UPDATE_RULE_MISMATCH", "DATA_UNSHUFFLED")) {
            assertTrue(!c.contains(silent), silent + " in " + c);
        }
    }

    @Test
    void anFp16RunWhoseLossScalerSkippedItsFirstStepIsHealthy() throws IOException {
        // Hugging Face logs grad_norm inf for a step its GradScaler skipped; training then goes on
        StringBuilder sb = new StringBuilder("{\"log_history\": [\n");
        for (int i = 1; i <= 20; i++) {
            double loss = 2.3 * Math.pow(0.9, i - 1);
            String norm = i == 1 ? "Infinity" : f(1.5 - 0.05 * i);
            sb.append(String.format(Locale.ROOT, "{\"epoch\": %.1f, \"grad_norm\": %s, \"learning_rate\": 5e-05, \"loss\": %s, \"step\": %d},%n", i / 10.0, norm, f(loss), i * 10));
            if (i % 10 == 0) sb.append(String.format(Locale.ROOT, "{\"epoch\": %.1f, \"eval_loss\": %s, \"step\": %d},%n", i / 10.0, i == 10 ? "1.41" : "1.0", i * 10));
        }
        sb.append("{\"epoch\": 2.0, \"step\": 200, \"train_loss\": 1.0, \"train_runtime\": 12.5}]}\n");
        LogReplay.Result r = replay("trainer_state.json", sb.toString(), null);
        assertEquals(List.of(), codes(r), () -> "findings: " + r.findings());
    }

    @Test
    void aFlatLossOverShortEpochsIsAPlateauAndAMissingAccuracyIsNotQuoted() throws IOException {
        // 24 logged steps an epoch (a small data set, or SGD far too slow): two epochs hold 48 steps,
        // fewer than the rule's window needs, so it looks over more epochs
        SplittableRandom rnd = new SplittableRandom(0);
        String log = csv("step,epoch,loss,grad_norm", 360, s -> s + "," + (s / 24 + 1) + "," + f(2.30 - 0.0001 * s + rnd.nextDouble(-0.02, 0.02))
                + "," + f(1.0 + rnd.nextDouble(-0.05, 0.05)));
        Finding f = only(replay("flat.csv", log, null), "LOSS_PLATEAU");
        assertTrue(!f.message().contains("NaN") && !f.evidence().containsKey("accuracy"), f.toString());
    }

    @Test
    void aLossThatDivergedWithoutGradientNormsIsAnError() throws IOException {
        // SGD at a rate far too high, logged by Keras (one row an epoch, no gradient norms, no learning rate)
        LogReplay.Result r = replay("history.json", "{\"loss\": [2.5, 1.9, 2.4, 30.0, 800.0, 5.0e4, 2.0e7, 1.0e12, 1.0e24]}", null);
        Finding f = only(r, "LEARNING_RATE_TOO_HIGH");
        assertEquals(Finding.Severity.ERROR, f.severity(), f.toString());
        assertTrue(f.message().contains("diverged"), f.message());
        assertTrue(!f.evidence().containsKey("lr"), f.toString());
        assertTrue(f.message().startsWith("the training loss climbed back up between epochs: from 1.9 at epoch 2"), f.message());
        // a loss that never came down first rose, it did not climb back
        Finding rose = only(replay("rose.json", "{\"loss\": [2.3, 40.0, 900.0, 20000.0, 500000.0]}", null), "LEARNING_RATE_TOO_HIGH");
        assertTrue(rose.message().startsWith("the training loss rose between epochs: from 2.3 at epoch 1"), rose.message());
        // a loss that climbed back up a little and stays there is advice, not an error
        Finding mild = only(replay("mild.json", "{\"loss\": [2.5, 1.5, 1.2, 1.6, 1.7, 1.65, 1.7]}", null), "LEARNING_RATE_TOO_HIGH");
        assertEquals(Finding.Severity.WARNING, mild.severity());
    }

    @Test
    void overfittingIsFoundInAHistoryValidatedEverySecondEpoch() throws IOException {
        StringBuilder loss = new StringBuilder(), val = new StringBuilder();
        double[] v = {1.5, 1.0, 0.7, 0.55, 0.5, 0.52, 0.58, 0.66, 0.75, 0.85, 0.95, 1.05, 1.15, 1.25, 1.35, 1.45, 1.55, 1.65, 1.75, 1.85};
        for (int i = 0; i < 20; i++) {
            loss.append(i == 0 ? "" : ", ").append(f(2.0 * Math.pow(0.7, i)));
            if (i % 2 == 1) val.append(val.isEmpty() ? "" : ", ").append(v[i]);
        }
        LogReplay.Result r = replay("history.json", "{\"loss\": [" + loss + "], \"val_loss\": [" + val + "]}", null);
        Finding f = only(r, "OVERFITTING");
        assertTrue(f.message().contains("rose from 0.52 at epoch 6"), f.message());
    }

    @Test
    void aNanLossAfterTheLossRanUpInALogWithoutGradientNormsNamesTheDivergence() throws IOException {
        LogReplay.Result r = replay("diverge.json", "{\"loss\": [2.3, 1.9, 40.0, 9000000000.0, NaN]}", null);
        Finding f = r.findings().stream().filter(x -> x.code().equals("LOSS_NONFINITE")).findFirst().orElseThrow();
        assertTrue(f.message().contains("after the loss rose") && !f.message().contains("without a gradient run-up"), f.message());
        assertTrue(f.cause().contains("learning rate is too high"), f.cause());
        assertTrue(!f.evidence().containsKey("gradient_norm_growth") && !f.evidence().containsKey("non_finite_activations_before"), f.toString());
    }

    @Test
    void aFastaiHistoryAtChanceIsJudgedOnItsAccuracyBesideAValidationLoss() throws IOException {
        // fastai writes epoch,train_loss,valid_loss,accuracy,time: a validation loss and one accuracy
        String log = csv("epoch,train_loss,valid_loss,accuracy,time", 10, e -> e + "," + f(2.305 - 0.0005 * e) + "," + f(2.301 + 0.0003 * e) + ","
                + f(0.1 + 0.004 * ((e % 3) - 1)) + ",00:30");
        Finding f = only(replay("history.csv", log, 10), "ACCURACY_AT_CHANCE");
        // fastai's metrics are the validation set's: "training accuracy is at chance" named the wrong side
        assertTrue(f.message().startsWith("validation accuracy is at chance"), f.message());
        assertEquals("accuracy", RunLog.of(LogReader.read(dir.resolve("history.csv"))).columns().get(Column.Kind.VAL_ACCURACY));
    }

    @Test
    void aSmoothlyDivergingLossIsAnErrorWhateverTheValidationLossDoes() throws IOException {
        // a W&B history: the training loss falls, then climbs 0.5 e^((s-100)/15); validation logged every 30 steps keeps falling
        String log = csv("_step,train/loss,val/loss", 300, s -> s + "," + f(s < 100 ? 2.3 * Math.exp(-s / 80.0) + 0.15 : 0.5 * Math.exp((s - 100) / 15.0))
                + "," + (s % 30 == 29 ? f(2.0 - s / 200.0) : ""));
        Finding f = only(replay("wandb.csv", log, null), "LEARNING_RATE_TOO_HIGH");
        assertEquals(Finding.Severity.ERROR, f.severity());
        assertTrue(f.message().startsWith("the loss diverged: "), f.message());
        // and a log that ends where the last ten steps first pass 100 times the start is an error already
        String shortLog = csv("step,loss", 200, s -> s + "," + f(s < 100 ? 2.3 * Math.exp(-s / 80.0) + 0.15 : 0.5 * Math.exp((s - 100) / 15.0)));
        assertEquals(Finding.Severity.ERROR, only(replay("short.csv", shortLog, null), "LEARNING_RATE_TOO_HIGH").severity());
    }

    @Test
    void aRowWithoutItsStepIsRefused() {
        // a tracker's summary row (",0.3,0.4") was given a step of its own
        String m = org.junit.jupiter.api.Assertions.assertThrows(dev.vitals.core.InputException.class,
                () -> replay("summary.csv", "step,loss,val_loss\n0,2.3,\n100,1.5,1.6\n,0.3,0.4\n", null)).getMessage();
        assertTrue(m.contains("summary.csv line 4: step column 'step' is empty"), m);
    }

    @Test
    void aLogsOverfittingStaysAWarningWhateverItsAccuracyDoes() throws IOException {
        // a log does not say how many validation examples it had: no standard error, so a validation accuracy
        // up 0.8 points (90.7% -> 91.4%) as the loss rose does not make its OVERFITTING an info
        StringBuilder sb = new StringBuilder("epoch,accuracy,loss,val_accuracy,val_loss\n");
        double[] val = {1.6, 0.98, 0.55, 0.40, 0.37, 0.42, 0.43, 0.45, 0.46};
        for (int e = 0; e < val.length; e++) {
            sb.append(String.format(Locale.ROOT, "%d,%.4f,%.6f,%.4f,%.4f%n", e, Math.min(1.0, 0.5 + 0.1 * e), 2.0 * Math.pow(0.3, e), e < 4 ? 0.5 + 0.1 * e : e == 4 ? 0.907 : 0.914, val[e]));
        }
        LogReplay.Result r = replay("keras.csv", sb.toString(), null);
        Finding f = only(r, "OVERFITTING");
        assertEquals(Finding.Severity.WARNING, f.severity(), f.message());
    }

    @Test
    void anEpochLogWhoseLastEpochSwingsPastTheMarginIsStillAtChanceWhileItsValidationLossSitsAtThePrior() throws IOException {
        // shuffled labels in a Keras CSVLogger file: the training side memorises (9% -> 19%), validation swings
        // 5% to 15% and ends on 12.2% against 10% and a 2-point margin, its loss above ln 10: it was told to grow the model
        double[] va = {0.053, 0.038, 0.045, 0.147, 0.105, 0.071, 0.101, 0.088, 0.092, 0.122};
        double[] vl = {2.329, 2.327, 2.376, 2.262, 2.349, 2.385, 2.366, 2.377, 2.373, 2.350};
        StringBuilder sb = new StringBuilder("epoch,accuracy,loss,val_accuracy,val_loss\n");
        for (int e = 0; e < va.length; e++) {
            sb.append(String.format(Locale.ROOT, "%d,%.4f,%.4f,%.4f,%.4f%n", e, 0.094 + 0.01 * e, 2.315 - 0.014 * e, va[e], vl[e]));
        }
        Finding f = only(replay("keras.csv", sb.toString(), 10), "ACCURACY_AT_CHANCE");
        assertTrue(f.isError(), f.toString());
        assertTrue(f.message().contains("over the last 3 epochs (12.2% at the last)"), f.message());
        assertTrue(f.cause().contains("labels that do not belong to their inputs"), f.cause());
        // the same accuracies with a validation loss falling well below the prior's: a run on its way up from chance
        StringBuilder up = new StringBuilder("epoch,accuracy,loss,val_accuracy,val_loss\n");
        for (int e = 0; e < va.length; e++) {
            up.append(String.format(Locale.ROOT, "%d,%.4f,%.4f,%.4f,%.4f%n", e, 0.094 + 0.01 * e, 2.315 - 0.05 * e, va[e], 2.3 - 0.06 * e));
        }
        LogReplay.Result r = replay("up.csv", up.toString(), 10);
        assertTrue(!codes(r).contains("ACCURACY_AT_CHANCE"), r.findings().toString());
    }

    @Test
    void aLossOnlyLogPinnedAtThePriorIsAtChanceAsAWarning() throws IOException {
        // a deep sigmoid network: training and validation loss at 2.302-2.309 against ln 10 for all 6 epochs, no accuracy logged
        String pinned = csv("epoch,loss,val_loss", 6, e -> e + "," + f(2.306 + 0.003 * Math.sin(e)) + "," + f(2.304 + 0.002 * Math.cos(e)));
        Finding f = only(replay("pinned.csv", pinned, 10), "ACCURACY_AT_CHANCE");
        assertEquals(Finding.Severity.WARNING, f.severity());
        assertTrue(f.message().startsWith("the loss stayed at the 2.303 of predicting the class shares over all 6 epochs"), f.message());
        // shuffled labels: the training loss falls by memorising while the validation loss stays at the prior or above
        String memorised = csv("epoch,loss,val_loss", 10, e -> e + "," + f(2.315 - 0.014 * e) + "," + f(2.33 + 0.02 * Math.sin(e)));
        Finding m = only(replay("memorised.csv", memorised, 10), "ACCURACY_AT_CHANCE");
        assertTrue(m.cause().contains("labels that do not belong to their inputs"), m.cause());
        // a loss-only log that learns, and one pinned at the prior without a class count, are not judged against it
        String learning = csv("epoch,loss,val_loss", 6, e -> e + "," + f(2.3 * Math.exp(-e / 3.0)) + "," + f(2.35 * Math.exp(-e / 3.0)));
        assertEquals(List.of(), replay("learning.csv", learning, 10).findings());
        assertTrue(!codes(replay("unknown.csv", pinned, null)).contains("ACCURACY_AT_CHANCE"));
    }

    @Test
    void aPlateauTheRunLeftIsWithdrawnAtTheEnd() throws IOException {
        // a binary run at ln 2 for 9 epochs of 25 steps, gradients still large, then learning: 0.69 -> 0.45
        IntFunction<String> row = i -> {
            int e = i / 25;
            double loss = e < 9 ? 0.694 + 0.004 * Math.sin(i * 1.3) : 0.694 - 0.08 * (e - 8) + 0.004 * Math.sin(i * 1.3);
            double acc = e < 9 ? 0.5 + 0.02 * Math.sin(i * 0.7) : 0.5 + 0.08 * (e - 8);
            return i + "," + (e + 1) + "," + f(loss) + "," + f(acc) + "," + f(0.3 + 0.1 * Math.sin(i));
        };
        LogReplay.Result stalled = replay("stalled.csv", csv("step,epoch,loss,accuracy,grad_norm", 9 * 25, row), 2);
        assertTrue(codes(stalled).contains("LOSS_PLATEAU"), stalled.findings().toString());
        LogReplay.Result left = replay("left.csv", csv("step,epoch,loss,accuracy,grad_norm", 12 * 25, row), 2);
        assertTrue(!codes(left).contains("LOSS_PLATEAU") && !codes(left).contains("UNDERFITTING") || codes(left).contains("UNDERFITTING")
                && left.findings().stream().filter(x -> x.code().equals("UNDERFITTING")).allMatch(x -> x.evidence().containsKey("stopped_still_learning")), left.findings().toString());
    }

    @Test
    void aRiseOfThousandthsNearAFittedModelIsNoOverfittingWithoutAClassCountEither() throws IOException {
        // wine at 100% validation accuracy: 0.0026 -> 0.0032 after a start at 0.84; with --classes 3 it is below a hundredth
        // of ln 3, and without a count it must be below a hundredth of the run's first loss
        double[] val = {0.3995, 0.04, 0.006962, 0.002557, 0.01732, 0.04325, 0.005822, 0.003409, 0.00316};
        double[] train = {0.8369, 0.1717, 0.05431, 0.02867, 0.0257, 0.01834, 0.01374, 0.003095, 0.001336};
        StringBuilder sb = new StringBuilder("epoch,accuracy,loss,val_accuracy,val_loss\n");
        for (int e = 0; e < val.length; e++) sb.append(String.format(Locale.ROOT, "%d,%.4f,%.6g,1.0,%.6g%n", e, e == 0 ? 0.7 : 1.0, train[e], val[e]));
        for (Integer classes : java.util.Arrays.asList(null, 3)) {
            LogReplay.Result r = replay("wine.csv", sb.toString(), classes);
            assertTrue(!codes(r).contains("OVERFITTING"), r.findings().toString());
        }
    }

    @Test
    void aFirstEpochAboveThePriorAndALaterClimbIsTheRatesNotAModelTooSmall() throws IOException {
        // adam at 0.05: the first epoch's mean 2.69 above ln 10, the loss levels at 0.70 and climbs back to 0.79 (73%):
        // it read "the model is too small"
        double[] loss = {2.691, 1.056, 0.995, 0.784, 0.733, 0.6996, 0.794, 0.756};
        double[] acc = {0.559, 0.658, 0.662, 0.704, 0.717, 0.730, 0.713, 0.715};
        double[] val = {1.137, 0.910, 0.893, 0.906, 0.767, 0.814, 0.887, 0.831};
        double[] valAcc = {0.596, 0.691, 0.683, 0.687, 0.694, 0.728, 0.708, 0.675};
        IntFunction<String> keras = first -> {
            StringBuilder sb = new StringBuilder("epoch,accuracy,loss,val_accuracy,val_loss\n");
            for (int e = 0; e < loss.length; e++) {
                sb.append(String.format(Locale.ROOT, "%d,%.4f,%.4f,%.4f,%.4f%n", e, acc[e], e == 0 ? first / 1000.0 : loss[e], valAcc[e], val[e]));
            }
            return sb.toString();
        };
        LogReplay.Result r = replay("bounce.csv", keras.apply(2691), 10);
        Finding f = only(r, "LEARNING_RATE_TOO_HIGH");
        assertTrue(f.message().startsWith("the first epoch's mean training loss 2.691 was above the 2.303"), f.message());
        // the same curve from a first epoch below the prior: a climb of 13% is no rate's evidence on its own
        LogReplay.Result calm = replay("calm.csv", keras.apply(1500), 10);
        assertTrue(!codes(calm).contains("LEARNING_RATE_TOO_HIGH"), calm.findings().toString());
        // logged every step (8 epochs of 20, no validation): judged by its epochs at the end, and not "too small" either
        // (its first steps at the untrained 2.30, the rest of the first epoch above: a mean of 2.69)
        String steps = csv("step,epoch,loss,accuracy", 160, i -> i + "," + (i / 20 + 1) + ","
                + f(i < 3 ? 2.30 : i < 20 ? 2.76 : loss[i / 20] * (1 + 0.02 * Math.sin(i * 1.3))) + "," + f(acc[i / 20]));
        LogReplay.Result everyStep = replay("steps.csv", steps, 10);
        assertTrue(codes(everyStep).contains("LEARNING_RATE_TOO_HIGH") && !codes(everyStep).contains("UNDERFITTING"), everyStep.findings().toString());
        // a first epoch above the prior but below where the untrained model began is no overshoot: a small model
        // on spirals began at 0.750, its first epoch 0.741 (ln 2: 0.693), and bounced a tenth over 100 noisy epochs
        String unmoved = csv("step,epoch,loss,accuracy", 160, i -> i + "," + (i / 20 + 1) + ","
                + f(i < 3 ? 2.90 : i < 20 ? 2.65 : loss[i / 20] * (1 + 0.02 * Math.sin(i * 1.3))) + "," + f(acc[i / 20]));
        assertTrue(!codes(replay("unmoved.csv", unmoved, 10)).contains("LEARNING_RATE_TOO_HIGH"));
        // and a climb from 0.0097 to 0.0195 near a fit is no overshoot, however many times its lowest (a warm-up run on wine)
        double[] fitted = {1.115, 0.905, 0.571, 0.286, 0.194, 0.099, 0.077, 0.066, 0.051, 0.043, 0.037, 0.022, 0.0097, 0.0195};
        String nearFit = csv("epoch,loss", fitted.length, e -> e + "," + f(fitted[e]));
        assertTrue(!codes(replay("fit.csv", nearFit, 2)).contains("LEARNING_RATE_TOO_HIGH"));
    }

    @Test
    void aGradientNormRisingInEveryTenthWhileTheLossFellNamesGradientsNotCleared() throws IOException {
        // a forgotten zero_grad under sgd: the norm climbs 1 -> 55 over the run while the loss falls to 0.45, then the loss climbs
        IntFunction<String> log = steady -> csv("step,epoch,loss,accuracy,grad_norm", 600, i -> {
            double l = i < 150 ? 2.3 * Math.exp(-i / 30.0) + 0.4 : 0.4 + 1.9 * (i - 150) / 450.0;
            double g = steady == 1 ? 1 + 0.09 * i : 1 + 0.3 * Math.sin(i * 0.37);
            return i + "," + (i / 100 + 1) + "," + f(l * (1 + 0.03 * Math.sin(i * 1.7))) + ",0.2," + f(g);
        });
        Finding f = replay("accumulating.csv", log.apply(1), 10).findings().stream().filter(x -> x.code().equals("LEARNING_RATE_TOO_HIGH")).findFirst().orElseThrow();
        assertTrue(f.cause().startsWith("gradients that are not cleared between steps"), f.cause());
        // the same climb with a gradient norm that does not grow is the rate's alone
        Finding g = replay("rate.csv", log.apply(0), 10).findings().stream().filter(x -> x.code().equals("LEARNING_RATE_TOO_HIGH")).findFirst().orElseThrow();
        assertTrue(g.cause().startsWith("the learning rate is too high"), g.cause());
    }
}
