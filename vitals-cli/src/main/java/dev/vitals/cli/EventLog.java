package dev.vitals.cli;

import dev.vitals.core.train.EpochResult;
import dev.vitals.core.train.RunInfo;
import dev.vitals.core.train.RunResult;
import dev.vitals.core.train.StepEvent;
import dev.vitals.core.train.TrainingListener;
import dev.vitals.doctor.logs.EventFileWriter;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The run's vital signs as a TensorBoard event file ({@code tensorboard --logdir runs}): each step's
 * loss, and at each observed step the batch accuracy, gradient norm and learning rate under
 * {@code train/}, and the gradient norm and update/weight ratio of each weight layer's parameters
 * ({@code grad_norm/PARAM}, {@code update_ratio/PARAM}); at the last step of each epoch the epoch's losses, accuracies and
 * seconds under {@code epoch/}; the test metrics at the end under {@code test/}. The same scalars
 * as metrics.jsonl, and {@code vitals diagnose} reads the file back.
 */
final class EventLog implements TrainingListener, AutoCloseable {
    private final EventFileWriter w;
    private LayerNorms layers;
    private long lastStep;

    EventLog(Path folder) throws IOException {
        long now = System.currentTimeMillis();
        this.w = new EventFileWriter(new BufferedOutputStream(Files.newOutputStream(folder.resolve(EventFileWriter.fileName(now / 1000)))), now / 1e3);
    }

    @Override
    public void onRunBegin(RunInfo run) { layers = new LayerNorms(run); }

    @Override
    public void onStep(StepEvent s) {
        lastStep = s.globalStep;
        w.begin(s.globalStep, System.currentTimeMillis() / 1e3);
        w.add("train/loss", s.loss);
        if (s.observed) {
            w.add("train/accuracy", (double) s.correct / s.batchSize);
            w.add("train/grad_norm", s.gradNorm);
            w.add("train/lr", s.lr);
            for (int i = 0; i < s.params.length; i++) if (layers.gradTags[i] != null) w.add(layers.gradTags[i], s.params[i].gradNorm);
            for (int i = 0; i < s.params.length; i++) {
                double r = LayerNorms.updateRatio(s.params[i]);
                if (layers.updateTags[i] != null && !Double.isNaN(r)) w.add(layers.updateTags[i], r);
            }
        }
        end();
    }

    @Override
    public void onEpochEnd(EpochResult e) {
        // at the epoch's last step, the way TensorBoard users log epoch metrics against the step axis
        w.begin(e.steps() - 1, System.currentTimeMillis() / 1e3);
        w.add("epoch/train_loss", e.trainLoss());
        w.add("epoch/train_accuracy", e.trainAccuracy());
        if (e.hasValidation()) {
            w.add("epoch/val_loss", e.valLoss());
            w.add("epoch/val_accuracy", e.valAccuracy());
        }
        w.add("epoch/seconds", e.seconds());
        end();
        try {
            w.flush();
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    @Override
    public void onRunEnd(RunResult r) {
        if (!r.hasTest()) return;
        w.begin(lastStep, System.currentTimeMillis() / 1e3);
        w.add("test/loss", r.testLoss());
        w.add("test/accuracy", r.testAccuracy());
        end();
    }

    private void end() {
        try {
            w.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        w.close();
    }
}
