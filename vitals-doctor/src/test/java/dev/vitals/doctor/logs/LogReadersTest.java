package dev.vitals.doctor.logs;

import dev.vitals.core.InputException;
import dev.vitals.doctor.logs.Column.Kind;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogReadersTest {
    @TempDir
    Path dir;

    private RunLog read(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return RunLog.of(LogReader.read(p));
    }

    private String error(String name, String content) {
        Path p = dir.resolve(name);
        try {
            Files.writeString(p, content);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return assertThrows(InputException.class, () -> RunLog.of(LogReader.read(p))).getMessage();
    }

    @Test
    void columnNamesAreMatchedByMeaning() {
        assertEquals(Kind.LOSS, Column.classify("train/loss").kind());
        assertEquals(Kind.LOSS, Column.classify("Loss/train").kind());
        assertEquals(Kind.LOSS, Column.classify("train_loss_step").kind());
        assertEquals(Kind.EPOCH_LOSS, Column.classify("epoch_loss").kind());
        assertEquals(Kind.VAL_LOSS, Column.classify("validation/loss").kind());
        assertEquals(Kind.VAL_LOSS, Column.classify("Loss/val").kind());
        assertEquals(Kind.VAL_ACCURACY, Column.classify("val_sparse_categorical_accuracy").kind());
        assertEquals(Kind.ACCURACY, Column.classify("acc").kind());
        assertEquals(Kind.STEP, Column.classify("global_step").kind());
        assertEquals(Kind.STEP, Column.classify("iteration").kind());
        assertEquals(Kind.GRAD_NORM, Column.classify("grad_2.0_norm_total").kind());
        assertEquals(Kind.LR, Column.classify("lr-Adam").kind());
        Column layer = Column.classify("grad_norm/fc1.weight");
        assertEquals(Kind.LAYER_GRAD_NORM, layer.kind());
        assertEquals("fc1.weight", layer.layer());
        assertEquals("conv2", Column.classify("grad_norm.conv2").layer());
        assertEquals(null, Column.classify("test_loss"));
        assertEquals(null, Column.classify("loss_cls"));
        // a per-layer norm joined by underscores was ignored, and an 11-layer sigmoid net whose first layer got
        // 4e-10 read "healthy": the rest must name a layer (a digit, a weight or a bias), not the whole model
        for (String[] c : new String[][] {{"grad_norm_layer0", "layer0"}, {"grad_norm_layer_0", "layer_0"}, {"layer0_grad_norm", "layer0"},
                {"gradient_norm_fc1_weight", "fc1_weight"}, {"grad_norm_head_bias", "head_bias"}}) {
            Column col = Column.classify(c[0]);
            assertEquals(Kind.LAYER_GRAD_NORM, col == null ? null : col.kind(), c[0]);
            assertEquals(c[1], col.layer(), c[0]);
        }
        assertEquals(Kind.GRAD_NORM, Column.classify("grad_norm_total").kind());
        assertEquals(Kind.GRAD_NORM, Column.classify("train_grad_norm").kind());
        for (String other : List.of("grad_norm_clipped", "grad_norm_max", "grad_norm_encoder", "grad_norm_1")) assertEquals(null, Column.classify(other), other);
    }

    @Nested
    class Csv {
        @Test
        void readsAliasesNanStringsAndEmptyCells() throws IOException {
            RunLog log = read("m.csv", """
                    iteration,train_loss,acc,grad_norm,lr,val_loss,phase
                    0,2.30,0.10,1.5,0.01,,train
                    10,NaN,0.12,inf,0.01,,train
                    20,-Infinity,0.15,,0.01,2.1,val
                    """);
            assertEquals(3, log.rows().size());
            assertEquals(10, log.rows().get(1).step());
            assertTrue(Double.isNaN(log.rows().get(1).loss()));
            assertEquals(Double.POSITIVE_INFINITY, log.rows().get(1).gradNorm());
            assertEquals(Double.NEGATIVE_INFINITY, log.rows().get(2).loss());
            assertTrue(!log.rows().get(2).observed(), "an empty grad_norm cell is no observation");
            assertEquals("train_loss", log.columns().get(Kind.LOSS));
            assertEquals(List.of("phase"), log.ignored());
            assertEquals(1, log.epochs().size(), "the row with a validation loss closes an epoch");
            assertEquals(2.1, log.epochs().get(0).valLoss());
        }

        @Test
        void perLayerGradientColumnsAndTabs() throws IOException {
            RunLog log = read("m.tsv", "step\tloss\tgrad_norm/fc1\tgrad_norm/fc2\n0\t1.0\t0.3\t0.4\n1\t0.9\t0.3\t0.4\n");
            assertEquals(List.of("grad_norm/fc1", "grad_norm/fc2"), log.layerColumns());
            assertEquals(0.5, log.rows().get(0).gradNorm(), 1e-12, "the global norm is made up from every layer's");
        }

        @Test
        void kerasEpochLogsAreOneStepPerEpoch() throws IOException {
            RunLog log = read("training.log", "epoch,accuracy,loss,val_accuracy,val_loss\n0,0.5,1.0,0.5,1.1\n1,0.6,0.8,0.55,0.9\n2,0.7,0.6,0.6,0.8\n");
            assertEquals(3, log.rows().size());
            assertEquals(3, log.epochs().size());
            assertEquals(0.8, log.epochs().get(1).trainLoss());
            assertEquals(0.55, log.epochs().get(1).valAccuracy());
        }

        @Test
        void anEpochLoggedOnlyOnItsLastStepClosesIt() throws IOException {
            // MLflow's usual log_metric("epoch", e, step=last_step): carried forward, epoch 1 took in
            // the next epoch's steps (the mean of steps 0-4 of 3-step epochs) and the last was one step
            StringBuilder csv = new StringBuilder("step,epoch,loss,val_loss\n");
            for (int e = 0; e < 3; e++) {
                for (int k = 0; k < 3; k++) {
                    int step = 3 * e + k;
                    csv.append(step).append(',').append(k == 2 ? String.valueOf(e) : "").append(',').append(2.0 - 0.1 * e).append(',')
                            .append(k == 2 ? String.valueOf(2.1 - 0.1 * e) : "").append('\n');
                }
            }
            RunLog log = read("closing.csv", csv.toString());
            assertEquals(3, log.epochs().size());
            for (int e = 0; e < 3; e++) {
                assertEquals(2.0 - 0.1 * e, log.epochs().get(e).trainLoss(), 1e-9, "epoch " + (e + 1));
                assertEquals(3L * (e + 1), log.epochs().get(e).steps());
            }
            // marked on each epoch's first step instead: the value opens its epoch, as before
            RunLog opening = read("opening.csv", "step,epoch,loss\n0,0,2.0\n1,,2.0\n2,1,1.9\n3,,1.9\n");
            assertEquals(2, opening.epochs().size());
            assertEquals(1.9, opening.epochs().get(1).trainLoss(), 1e-9);
        }

        @Test
        void keras3WritesNaForEpochsWithoutValidation() throws IOException {
            // CSVLogger under Keras 3 with validation_freq=2: NA where nothing was logged, and a
            // val_learning_rate column that is never logged (was refused: "holds 'NA', expected a number")
            RunLog log = read("keras3.csv", "epoch,accuracy,learning_rate,loss,val_accuracy,val_learning_rate,val_loss\n"
                    + "0,0.32,0.001,2.19,NA,NA,NA\n1,0.67,0.001,1.53,0.74,NA,1.10\n2,0.75,0.001,1.20,NA,NA,NA\n3,0.80,0.001,1.00,0.81,NA,0.95\n");
            assertEquals(4, log.epochs().size());
            assertFalse(log.epochs().get(0).hasValidation());
            assertEquals(1.10, log.epochs().get(1).valLoss(), 1e-12);
            // NaN is a value, a diverged loss, not a missing one
            assertTrue(Double.isNaN(read("nan.csv", "step,loss\n0,1.0\n1,NaN\n").rows().get(1).loss()));
        }

        @Test
        void textInANumberColumnNamesFileLineAndColumn() {
            String m = error("bad.csv", "step,loss\n0,1.0\n1,oops\n");
            assertTrue(m.contains("bad.csv line 3") && m.contains("'loss'") && m.contains("oops"), m);
        }

        @Test
        void bytesThatAreNotUtf8AreNamedByTheirLine() throws IOException {
            // a Latin-1 cell on line 4 was refused naming the file alone
            Path p = dir.resolve("latin.csv");
            Files.write(p, "step,loss\n0,2.3\n1,2.2\n2,caf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            String m = assertThrows(InputException.class, () -> LogReader.read(p)).getMessage();
            assertTrue(m.startsWith(p + " line 4 (byte 27): not a text metrics log (not UTF-8)"), m);
            // past the first 64 KiB read, with a character split across the reads before it
            StringBuilder big = new StringBuilder("step,loss\n");
            for (int i = 0; big.length() < 200_000; i++) big.append(i).append(",1.5 \u00e9\u00e9\u00e9\n");
            byte[] good = big.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            long lines = big.chars().filter(c -> c == '\n').count();
            byte[] bad = java.util.Arrays.copyOf(good, good.length + 3);
            bad[good.length] = '9';
            bad[good.length + 1] = ',';
            bad[good.length + 2] = (byte) 0xff;
            Path q = dir.resolve("big.csv");
            Files.write(q, bad);
            String n = assertThrows(InputException.class, () -> LogReader.read(q)).getMessage();
            assertTrue(n.startsWith(q + " line " + (lines + 1) + " (byte " + (good.length + 2) + "): not a text metrics log"), n);
        }

        @Test
        void missingLossColumnAndEmptyLogsAreClearErrors() {
            assertTrue(error("noloss.csv", "step,accuracy\n0,0.5\n").contains("no training-loss column"));
            assertTrue(error("empty.csv", "").contains("empty log"));
            assertTrue(error("header.csv", "step,loss\n").contains("empty log"));
            assertTrue(error("wide.csv", "step,loss\n0,1,2\n").contains("line 2"));
        }

        @Test
        void aLastRowCutOffMidWriteIsRefusedWhileAShortRowIsReadAsPandasReadsIt() throws IOException {
            // a crashed run's log: the last row ends without its line end, short of cells, its number cut
            String m = error("cut.csv", "step,loss,accuracy,grad_norm\n0,2.30,0.10,1.0\n1,2.25,0.12,1.1\n2,2.2");
            assertTrue(m.contains("cut.csv line 4") && m.contains("2 values, but the header names 4 columns") && m.contains("cut off"), m);
            // a short row with its line end: the missing cells are not logged
            RunLog shortRow = read("short.csv", "step,loss,accuracy,grad_norm\n0,2.30,0.10,1.0\n1,2.25\n2,2.2,0.2,0.9");
            assertEquals(3, shortRow.rows().size());
            assertTrue(Double.isNaN(shortRow.rows().get(1).accuracy()));
            assertEquals(0.9, shortRow.rows().get(2).gradNorm());
        }
    }

    @Test
    void stepsThatGoBackAreRefusedUnlessTheEpochsGoOn() throws IOException {
        // a resumed run appended to its log: step and epoch go back together
        String m = error("resumed.csv", "epoch,step,loss\n0,0,2.3\n0,10,2.0\n1,20,1.8\n1,10,1.9\n");
        assertTrue(m.contains("resumed.csv line 5: step 10 after step 20") && m.contains("increasing order"), m);
        assertTrue(error("dup.csv", "step,loss\n0,2.3\n0,2.2\n").contains("step 0 after step 0"));
        // 2^53 + 1 would round to 2^53 as a double: it is refused as written, in CSV and JSON
        String big = error("big.csv", "step,loss\n0,2.3\n9007199254740993,2.2\n");
        assertTrue(big.contains("big.csv line 3") && big.contains("not 9007199254740993") && big.contains("to 2^53"), big);
        big = error("big.jsonl", "{\"step\": 0, \"loss\": 2.3}\n{\"step\": 9007199254740993, \"loss\": 2.2}\n");
        assertTrue(big.contains("not 9007199254740993"), big);
        assertEquals(0x1p53, read("edge.csv", "step,loss\n0,2.3\n9007199254740992,2.2\n").rows().get(1).step(), "2^53 itself is a step");
        // a second phase (unfreezing) whose trainer counts from 0 again while the epochs go on continues the timeline
        RunLog log = read("phases.csv", "epoch,step,loss\n0,10,2.3\n1,20,1.8\n2,10,1.5\n3,20,1.2\n");
        assertEquals(List.of(10L, 20L, 21L, 31L), log.rows().stream().map(RunLog.Row::step).toList());
    }

    @Nested
    class JsonLines {
        @Test
        void readsNumbersStringsNullAndBareNan() throws IOException {
            RunLog log = read("m.jsonl", """
                    {"step": 0, "loss": 2.3, "grad_norm": {"fc1": 0.1, "fc2": 0.2}}
                    {"step": 1, "loss": "NaN"}
                    {"step": 2, "loss": NaN}
                    {"step": 3, "loss": null}
                    {"step": 4, "loss": "Infinity", "val_loss": "-Infinity"}
                    """);
            assertEquals(5, log.rows().size());
            assertEquals(List.of("grad_norm/fc1", "grad_norm/fc2"), log.layerColumns());
            for (int i = 1; i < 4; i++) assertTrue(Double.isNaN(log.rows().get(i).loss()));
            assertEquals(Double.POSITIVE_INFINITY, log.rows().get(4).loss());
            assertEquals(Double.NEGATIVE_INFINITY, log.epochs().get(0).valLoss());
            assertEquals("jsonl", log.table().format());
        }

        @Test
        void vitalsOwnMetricsLogSeparatesStepAndEpochLines() throws IOException {
            RunLog log = read("metrics.jsonl", """
                    {"step":0,"epoch":1,"loss":1.1,"grad_norm":2.0,"lr":0.01,"accuracy":0.3}
                    {"step":1,"epoch":1,"loss":1.0,"grad_norm":1.9,"lr":0.01,"accuracy":0.4}
                    {"step":2,"epoch":1,"train_loss":1.05,"val_loss":1.0,"train_accuracy":0.35,"val_accuracy":0.4,"seconds":0.1,"lr":0.01}
                    {"step":2,"epoch":2,"loss":0.9,"grad_norm":1.5,"lr":0.01,"accuracy":0.6}
                    {"step":3,"epoch":2,"loss":0.8,"grad_norm":1.4,"lr":0.01,"accuracy":0.7}
                    {"step":4,"epoch":2,"train_loss":0.85,"val_loss":0.9,"train_accuracy":0.65,"val_accuracy":0.6,"seconds":0.1,"lr":0.01}
                    """);
            assertEquals(4, log.rows().size());
            assertEquals("loss", log.columns().get(Kind.LOSS));
            assertEquals("train_loss", log.columns().get(Kind.EPOCH_LOSS));
            assertEquals("train_accuracy", log.columns().get(Kind.EPOCH_ACCURACY));
            assertEquals(2, log.epochs().size());
            assertEquals(1.05, log.epochs().get(0).trainLoss());
            assertEquals(0.9, log.epochs().get(1).valLoss());
            assertEquals(2, log.epochs().get(0).steps());
            assertEquals(List.of(), log.ignored(), "the epoch records' seconds are read");
            assertEquals(0.1, log.epochs().get(1).seconds());
        }

        @Test
        void readsHuggingFaceTrainerStateWithoutItsRunSummary() throws IOException {
            // as Trainer writes it: json.dumps(indent=2, sort_keys=True); the last entry sums up the run
            RunLog log = read("trainer_state.json", """
                    {
                      "best_metric": null,
                      "epoch": 2.0,
                      "global_step": 40,
                      "log_history": [
                        {
                          "epoch": 0.5,
                          "grad_norm": 1.5,
                          "learning_rate": 0.001,
                          "loss": 2.1,
                          "step": 10
                        },
                        {
                          "epoch": 1.0,
                          "eval_accuracy": 0.6,
                          "eval_loss": 1.2,
                          "step": 20
                        },
                        {
                          "epoch": 1.5,
                          "loss": 1.0,
                          "step": 30
                        },
                        {
                          "epoch": 2.0,
                          "eval_accuracy": 0.7,
                          "eval_loss": 0.9,
                          "step": 40
                        },
                        {
                          "epoch": 2.0,
                          "step": 40,
                          "total_flos": 1234.0,
                          "train_loss": 1.55,
                          "train_runtime": 12.5
                        }
                      ],
                      "max_steps": 40
                    }
                    """);
            assertEquals(2, log.rows().size(), "the two logged training steps");
            assertEquals("trainer_state", log.table().format());
            assertEquals(2, log.epochs().size());
            assertEquals(0.9, log.epochs().get(1).valLoss());
            assertTrue(Double.isNaN(log.epochs().get(1).trainLoss()) || log.epochs().get(1).trainLoss() == 1.0,
                    "the run's mean 1.55 is not the last epoch's training loss: " + log.epochs().get(1).trainLoss());
        }

        @Test
        void readsAListOfRecordsAndAKerasHistory() throws IOException {
            RunLog list = read("history.json", "[{\"step\": 0, \"loss\": 2.3},\n {\"step\": 1, \"loss\": 2.2}]\n");
            assertEquals(2, list.rows().size());
            assertEquals(2.2, list.rows().get(1).loss());
            assertEquals("json", list.table().format(), "one document holding the records, not JSON lines");
            RunLog keras = read("keras.json", "{\"loss\": [1.5, 0.9, 0.7], \"accuracy\": [0.5, 0.7, 0.8], \"val_loss\": [1.2, 1.0, 1.1]}");
            assertEquals(3, keras.epochs().size());
            assertEquals(1.1, keras.epochs().get(2).valLoss());
            assertEquals(0.7, keras.epochs().get(1).trainAccuracy());
            assertEquals("keras_history", keras.table().format());
            // validation_freq=2: one validation value every second epoch
            RunLog every2 = read("freq.json", "{\"loss\": [1.5, 0.9, 0.7, 0.6], \"val_loss\": [1.0, 0.8]}");
            assertEquals(0.8, every2.epochs().getLast().valLoss());
            String m = error("unequal.json", "{\"loss\": [2.3, 2.0, 1.8], \"val_loss\": [2.4, 2.1]}");
            assertTrue(m.contains("'val_loss' has 2 values but 'loss' has 3"), m);
            // 15 epochs at validation_freq=2: Keras validates after epochs 2, 4, ..., 14, seven values
            RunLog odd = read("freq15.json", "{\"loss\": [2.0, 1.9, 1.8, 1.7, 1.6, 1.5, 1.4, 1.3, 1.2, 1.1, 1.0, 0.9, 0.8, 0.7, 0.6], "
                    + "\"val_loss\": [1.5, 1.4, 1.3, 1.2, 1.1, 1.0, 0.9]}");
            assertEquals(15, odd.epochs().size());
            assertEquals(1.5, odd.epochs().get(1).valLoss());
            assertEquals(0.9, odd.epochs().get(13).valLoss());
            assertTrue(Double.isNaN(odd.epochs().get(14).valLoss()));
            // three values for 15 epochs fit every 4th (4, 8, 12) and every 5th (5, 10, 15): refused rather than guessed
            m = error("ambiguous.json", "{\"loss\": [2.0, 1.9, 1.8, 1.7, 1.6, 1.5, 1.4, 1.3, 1.2, 1.1, 1.0, 0.9, 0.8, 0.7, 0.6], \"val_loss\": [1.2, 1.0, 0.9]}");
            assertTrue(m.contains("every 4 to 5 epochs") && m.contains("does not say which"), m);
        }

        @Test
        void aRecordCutShortIsNamedByItsFirstLineWithoutParserInternals() {
            String m = error("state.json", "{\n  \"log_history\": [\n    {\"loss\": 1.0, \"step\": 1}\n");
            assertTrue(m.contains("state.json line 1") && m.contains("not valid JSON") && m.contains("cut short at the file's end, line 3"), m);
            assertTrue(!m.contains("Source") && !m.contains("REDACTED") && !m.contains("StreamReadFeature"), m);
            // a JSON line left open (its '}' lost) was named by the next line, where the parser noticed
            String open = error("open.jsonl", "{\"step\": 0, \"loss\": 1.1}\n{\"step\": 1, \"loss\": 1.0\n{\"step\": 2, \"loss\": 0.9}\n");
            assertTrue(open.contains("open.jsonl line 2: not valid JSON") && open.contains("does not end on its line, and runs on into line 3"), open);
            // one document laid out over lines is named where the parser stopped
            String doc = error("doc.json", "[\n {\"step\": 0, \"loss\": 1.1},\n {\"step\": 1, \"loss\": 1.0\n {\"step\": 2}\n]\n");
            assertTrue(doc.contains("doc.json line 4: not valid JSON") && !doc.contains("runs on"), doc);
        }

        @Test
        void malformedLinesAndTextAreErrorsWithTheLine() {
            String m = error("bad.jsonl", "{\"step\":0,\"loss\":1}\n{\"step\":1,\"loss\":\n");
            assertTrue(m.contains("bad.jsonl line 2") && m.contains("not valid JSON"), m);
            m = error("twice.jsonl", "{\"step\":0,\"loss\":1}\n{\"step\":1,\"loss\":2.3,\"loss\":2.4}\n");
            assertTrue(m.contains("twice.jsonl line 2") && m.contains("loss"), m);
            m = error("arr.jsonl", "{\"step\":0,\"loss\":1}\n[1,2]\n");
            assertTrue(m.contains("line 2") && m.contains("one JSON object per line"), m);
            m = error("text.jsonl", "{\"step\":0,\"loss\":1}\n\n{\"step\":1,\"loss\":\"high\"}\n");
            assertTrue(m.contains("line 3") && m.contains("'high'"), m);
        }
    }

    @Nested
    class TensorBoard {
        @Test
        void readsSimpleValuesAndTensorScalars() throws IOException {
            EventFiles w = new EventFiles();
            for (int s = 0; s < 5; s++) {
                w.scalar(s, "train/loss", 2.0f - 0.1f * s);
                w.tensorFloat(s, "train/accuracy", 0.1f * s);
                w.tensorDouble(s, "grad_norm", 1.0 + s);
            }
            w.scalar(4, "validation/loss", 1.9f);
            Path f = w.write(dir.resolve("events.out.tfevents.1700000000.host"));
            RunLog log = RunLog.of(LogReader.read(f));
            assertEquals("tensorboard", log.table().format());
            assertEquals(5, log.rows().size());
            assertEquals(1.6f, (float) log.rows().get(4).loss());
            assertEquals(0.3f, (float) log.rows().get(3).accuracy());
            assertEquals(5.0, log.rows().get(4).gradNorm());
            assertEquals(1, log.epochs().size());
            assertEquals(1.9f, (float) log.epochs().get(0).valLoss());
        }

        @Test
        void aKerasFolderPrefixesTheValidationRun() throws IOException {
            Files.createDirectories(dir.resolve("logs/train"));
            Files.createDirectories(dir.resolve("logs/validation"));
            EventFiles train = new EventFiles(), val = new EventFiles();
            for (int e = 0; e < 3; e++) {
                train.tensorFloat(e, "epoch_loss", 1.0f - 0.2f * e);
                val.tensorFloat(e, "epoch_loss", 1.1f - 0.1f * e);
            }
            train.write(dir.resolve("logs/train/events.out.tfevents.1.a.v2"));
            val.write(dir.resolve("logs/validation/events.out.tfevents.1.b.v2"));
            RunLog log = RunLog.of(LogReader.read(dir.resolve("logs")));
            assertEquals("epoch_loss", log.columns().get(Kind.LOSS));
            assertEquals("validation/epoch_loss", log.columns().get(Kind.VAL_LOSS));
            assertEquals(3, log.epochs().size());
            assertEquals(0.9, log.epochs().get(2).valLoss(), 1e-6);
        }

        @Test
        void corruptRecordsAreClearErrors() throws IOException {
            byte[] b = new EventFiles().scalar(0, "loss", 1f).scalar(1, "loss", 0.9f).content();
            byte[] flipped = b.clone();
            flipped[flipped.length - 10] ^= 0x40;
            Files.write(dir.resolve("events.out.tfevents.flip"), flipped);
            String m = assertThrows(InputException.class, () -> LogReader.read(dir.resolve("events.out.tfevents.flip"))).getMessage();
            assertTrue(m.contains("corrupt TensorBoard record") && m.contains("checksum of the record data"), m);
            Files.write(dir.resolve("events.out.tfevents.cut"), java.util.Arrays.copyOf(b, b.length - 3));
            m = assertThrows(InputException.class, () -> LogReader.read(dir.resolve("events.out.tfevents.cut"))).getMessage();
            assertTrue(m.contains("truncated record"), m);
            byte[] len = b.clone();
            len[2] ^= 1;
            Files.write(dir.resolve("events.out.tfevents.len"), len);
            m = assertThrows(InputException.class, () -> LogReader.read(dir.resolve("events.out.tfevents.len"))).getMessage();
            assertTrue(m.contains("checksum of the record length") && m.contains("byte 0"), m);
        }

        @Test
        void aFolderWithoutEventFilesIsAnError() throws IOException {
            Files.createDirectories(dir.resolve("nothing"));
            String m = assertThrows(InputException.class, () -> LogReader.read(dir.resolve("nothing"))).getMessage();
            assertTrue(m.contains("no TensorBoard event files") && m.contains("no CSV or JSON metrics log"), m);
        }

        @Test
        void aFolderHoldingOneMetricsLogIsReadByIt() throws IOException {
            // Lightning's CSVLogger folder: version_0/ holds metrics.csv beside hparams.yaml, and "no TensorBoard
            // event files in this folder" left the user to find it
            Path v = Files.createDirectories(dir.resolve("lightning_logs/version_0"));
            Files.writeString(v.resolve("hparams.yaml"), "lr: 0.001\n");
            Files.writeString(v.resolve("metrics.csv"), "epoch,step,train_loss,val_loss\n0,49,1.2,\n0,49,,1.1\n");
            assertEquals(1, RunLog.of(LogReader.read(v)).rows().size());
            // two candidate logs and neither of a known name: named, not guessed
            Path two = Files.createDirectories(dir.resolve("two"));
            Files.writeString(two.resolve("a.csv"), "step,loss\n0,1\n");
            Files.writeString(two.resolve("b.jsonl"), "{\"step\": 0, \"loss\": 1}\n");
            String m = assertThrows(InputException.class, () -> LogReader.read(two)).getMessage();
            assertTrue(m.contains("2 files that may be a metrics log (a.csv, b.jsonl): give the one to read"), m);
        }
    }

    @Nested
    class OneMetricPerRow {
        @Test
        void mlflowsMetricHistoryIsWidenedToOneRecordPerStep() throws IOException {
            // MLflow's get_metric_history as a table: key, value, timestamp, step; the rate logged twice at a step with the same value
            RunLog log = read("history.csv", """
                    key,value,timestamp,step
                    loss,2.30,1700000000000,0
                    accuracy,0.10,1700000000000,0
                    lr,0.001,1700000000000,0
                    loss,1.90,1700000000100,10
                    accuracy,0.35,1700000000100,10
                    lr,0.001,1700000000100,10
                    lr,0.0010,1700000000101,10
                    val_loss,1.95,1700000000101,10
                    """);
            assertEquals("csv, one metric per row", log.table().format());
            assertEquals(2, log.rows().size());
            assertEquals(10, log.rows().get(1).step());
            assertEquals(1.90, log.rows().get(1).loss(), 1e-12);
            assertEquals(0.35, log.rows().get(1).accuracy(), 1e-12);
            assertEquals(1, log.epochs().size(), "the validation loss closes an epoch");
            assertEquals(1.95, log.epochs().get(0).valLoss(), 1e-12);
        }

        @Test
        void tensorBoardsDataframeExportReadsItsValidationRun() throws IOException {
            // tensorboard.data.experimental's run,tag,step,value: Keras writes the runs train and validation
            RunLog log = read("tb.csv", """
                    run,tag,step,value
                    mnist/train,epoch_loss,0,1.2
                    mnist/validation,epoch_loss,0,1.3
                    mnist/train,epoch_loss,1,0.8
                    mnist/validation,epoch_loss,1,0.9
                    """);
            assertEquals(2, log.rows().size());
            assertEquals(0.9, log.epochs().get(1).valLoss(), 1e-12);
            assertTrue(log.table().names().contains("validation/epoch_loss"), log.table().names().toString());
        }

        @Test
        void withoutAStepEachMetricCountsItsOwnRows() throws IOException {
            RunLog log = read("nostep.csv", "metric,value\nloss,2.0\nloss,1.5\nval_loss,1.6\nloss,1.2\n");
            assertEquals(3, log.rows().size());
            assertEquals(1.2, log.rows().get(2).loss(), 1e-12);
        }

        @Test
        void ambiguousOrBrokenRowsAreRefusedWithTheirLines() {
            String twice = error("twice.csv", "key,value,step\nloss,2.0,0\nloss,1.5,1\nloss,1.4,1\n");
            assertTrue(twice.contains("twice.csv line 4: 'loss' at step 1 again, with another value (first at line 3)"), twice);
            String runs = error("runs.csv", "run,tag,step,value\nlr_0.1/train,loss,0,2.0\nlr_0.01/train,loss,0,2.1\n");
            assertTrue(runs.contains("rows of 2 runs (lr_0.1/train, lr_0.01/train)"), runs);
            String text = error("text.csv", "key,value,step\nloss,2.0,0\nloss,oops,1\n");
            assertTrue(text.contains("text.csv line 3: column 'value' holds 'oops' for 'loss', expected a number"), text);
            String step = error("step.csv", "key,value,step\nloss,2.0,zero\n");
            assertTrue(step.contains("step.csv line 2: column 'step' holds 'zero', expected a whole number"), step);
        }

        @Test
        void anMlflowRunFolderIsReadFromItsMetricFiles() throws IOException {
            // mlruns/<experiment>/<run>/: meta.yaml, and metrics/<name> with lines "timestamp value step"
            Path run = dir.resolve("mlruns/0/3f2a");
            Files.createDirectories(run.resolve("metrics/val"));
            Files.writeString(run.resolve("meta.yaml"), "run_id: 3f2a\n");
            Files.writeString(run.resolve("metrics/loss"), "1700000000000 2.3 0\n1700000000100 1.7 10\n1700000000200 1.1 20\n");
            Files.writeString(run.resolve("metrics/val/loss"), "1700000000250 1.2 20\n");
            for (Path p : List.of(run, run.resolve("metrics"))) {
                RunLog log = RunLog.of(LogReader.read(p));
                assertEquals("mlflow", log.table().format());
                assertEquals(3, log.rows().size());
                assertEquals(1.1, log.rows().get(2).loss(), 1e-12);
                assertEquals(1.2, log.epochs().get(0).valLoss(), 1e-12);
            }
            Files.writeString(run.resolve("metrics/acc"), "1700000000000 0.1\n1700000000000 oops 3 4\n");
            String m = assertThrows(InputException.class, () -> RunLog.of(LogReader.read(run))).getMessage();
            assertTrue(m.contains("metrics/acc line 2: '1700000000000 oops 3 4', expected 'timestamp value step'"), m);
            // a TensorBoard folder that happens to be called metrics is no MLflow run
            Files.createDirectories(dir.resolve("tb/metrics"));
            String tb = assertThrows(InputException.class, () -> LogReader.read(dir.resolve("tb/metrics"))).getMessage();
            assertTrue(tb.contains("no TensorBoard event files"), tb);
            assertFalse(tb.contains("Vitals run"), tb);
            // a Vitals run folder is read by its metrics.jsonl, not by the TensorBoard file beside it
            Files.createDirectories(dir.resolve("vrun"));
            Files.writeString(dir.resolve("vrun/metrics.jsonl"), "{\"classes\": 3}\n{\"step\": 0, \"loss\": 1.1}\n{\"step\": 1, \"loss\": 1.0}\n");
            new EventFiles().scalar(0, "train/loss", 5f).write(dir.resolve("vrun/events.out.tfevents.1.vitals"));
            LogTable v = LogReader.read(dir.resolve("vrun"));
            assertEquals(dir.resolve("vrun/metrics.jsonl"), v.source());
            assertEquals(1.0, RunLog.of(v).rows().get(1).loss(), 1e-12);
        }

        @Test
        void aWandbChartExportOfOneRunIsReadByItsMetricNames() throws IOException {
            RunLog log = read("panel.csv", """
                    "Step","fluent-sun-3 - train/loss","fluent-sun-3 - train/loss__MIN","fluent-sun-3 - train/loss__MAX","fluent-sun-3 - val/loss"
                    "0","2.3","2.3","2.3",""
                    "50","1.2","1.1","1.3","1.25"
                    """);
            assertEquals("csv, chart of run fluent-sun-3", log.table().format());
            assertEquals(List.of("Step", "train/loss", "val/loss"), log.table().names());
            assertEquals(1.2, log.rows().get(1).loss(), 1e-12);
            assertEquals(1.25, log.epochs().get(0).valLoss(), 1e-12);
            String two = error("two.csv", "Step,run-a - loss,run-b - loss\n0,2.3,2.2\n");
            assertTrue(two.contains("a chart exported with 2 runs (run-a, run-b)"), two);
        }

        @Test
        void aWideLogWithANameColumnIsLeftAsItIs() throws IOException {
            RunLog log = read("wide.csv", "name,step,loss\nrun1,0,2.0\nrun1,1,1.5\n");
            assertEquals("csv", log.table().format());
            assertEquals(2, log.rows().size());
            assertTrue(log.ignored().contains("name"), log.ignored().toString());
        }
    }

    @Nested
    class WhatALogMustNotSaySilently {
        @Test
        void textInTheStepColumnOfARowWithoutALossIsAnError() {
            // "3;0.5": a row written with another separator, once passed over in silence
            String m = error("semi.csv", "step,loss\n1,2\n2,1\n3;0.5\n");
            assertTrue(m.contains("semi.csv line 4: column 'step' holds '3;0.5', expected a number"), m);
        }

        @Test
        void aNegativeLossIsRefused() {
            String m = error("neg.csv", "step,loss\n1,-2\n2,-1\n");
            assertTrue(m.contains("neg.csv line 2: loss column 'loss' holds -2.0; expected a loss of at least 0"), m);
        }

        @Test
        void aClassesRecordThatSaysNonsenseIsRefusedAsTheOptionWouldBe() throws IOException {
            for (String bad : List.of("\"ten\"", "0", "2.5", "2000000000")) {
                Path p = dir.resolve("classes.jsonl");
                Files.writeString(p, "{\"classes\": " + bad + "}\n{\"step\": 0, \"loss\": 2.3}\n{\"step\": 1, \"loss\": 2.2}\n");
                RunLog log = RunLog.of(LogReader.read(p));
                String m = assertThrows(InputException.class, () -> Classes.infer(log)).getMessage();
                assertTrue(m.contains("line 1: 'classes' holds") && m.contains("expected a whole number of classes from 2 to 1000000"), m);
                if (bad.equals("0")) assertTrue(m.contains("holds 0,"), "a whole number as written, not 0.0: " + m);
            }
        }

        @Test
        void aKerasHistoryNamesTheEpochOfAValueThatIsNoNumber() {
            String m = error("k.json", "{\"loss\": [1, \"x\", 0.5]}\n");
            assertTrue(m.contains("k.json epoch 1: column 'loss' holds 'x', expected a number"), m);
        }
    }
}
