package dev.vitals.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vitals.core.report.Report;
import dev.vitals.core.train.EpochResult;
import dev.vitals.core.train.StepEvent;
import dev.vitals.core.train.TrainingListener;
import dev.vitals.doctor.logs.RunLog;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The run's metrics as JSON lines: one line per step ({@code step}, {@code epoch}, {@code loss}; on
 * observed steps also {@code grad_norm}, {@code lr}, {@code accuracy}, and {@code grad_norm/PARAM} and
 * {@code update_ratio/PARAM} for each weight layer's parameters) and one per epoch ({@code epoch}, losses, accuracies, seconds).
 * The same format {@code vitals diagnose} reads; its first line, {@code {"classes": N, "loss_function": L}}
 * for a classifier, tells diagnose the chance level instead of letting it guess from the first loss
 * (digits' first loss, 2.40, is nearer ln 11 than ln 10), which loss the losses are, the training
 * split's {@code class_shares} (guessing the commonest class of a 63/37 split is right 63% of the time),
 * and the plan's outputs, split sizes, batch and early stopping, so that the replay judges as the run did.
 */
final class MetricsLog implements TrainingListener, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final BufferedWriter w;
    private LayerNorms layers;
    private final StringBuilder plain = new StringBuilder(96);
    private char[] chars = new char[96];

    MetricsLog(Path path) throws IOException {
        this.w = Files.newBufferedWriter(path);
    }

    @Override
    public void onRunBegin(dev.vitals.core.train.RunInfo run) {
        layers = new LayerNorms(run);
        // the loss too: the class prior's loss (ln C) that diagnose compares a loss with is cross-entropy's,
        // and an mse run at chance (1.26 against ln 10) read as one that had learned
        if (run.classes() > 1) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("classes", run.classes());
            m.put(RunLog.LOSS_FUNCTION, run.loss());
            // the training split's shares: guessing the commonest class is the chance level the live run judged by
            double[] shares = run.classShares();
            if (shares != null && shares.length == run.classes()) {
                double[] rounded = new double[shares.length];
                for (int i = 0; i < shares.length; i++) rounded[i] = Math.round(shares[i] * 1e6) / 1e6;
                m.put(RunLog.CLASS_SHARES, rounded);
            }
            // the plan's sizes: chance margins from the validation split's size (287 examples: 4.5 points,
            // where a log without it gets the 2-point floor), and a binary cross-entropy's single output
            m.put(RunLog.OUTPUTS, run.outputs());
            m.put(RunLog.TRAIN_EXAMPLES, run.trainSize());
            m.put(RunLog.VALIDATION_EXAMPLES, run.validationSize());
            m.put(RunLog.BATCH, run.batch());
            m.put(RunLog.EARLY_STOP, run.earlyStop());
            // and the optimizer, whose rate the rules judge against its range (sgd's with its momentum)
            m.put(RunLog.OPTIMIZER, run.optimizer().name());
            // (held as a float32, as the rate: 0.9, not 0.8999999761581421)
            if (run.optimizer().name().equals("sgd")) m.put(RunLog.MOMENTUM, Report.rate((float) run.optimizer().momentum()));
            line(m);
        }
    }

    @Override
    public void onStep(StepEvent s) {
        // every step's loss, as the live rules see it (their windows count steps; a log of the observed
        // steps alone, 1 in 10, gave LOSS_PLATEAU too few to judge); the rest on observed steps
        if (!s.observed) {
            plain.setLength(0);
            plain.append("{\"step\":").append(s.globalStep).append(",\"epoch\":").append(s.epoch + 1).append(",\"loss\":");
            if (Double.isFinite(s.loss)) plain.append(s.loss);
            else plain.append("null");
            plain.append('}');
            // copied out through a kept array: Writer.append(CharSequence) makes a String of it every step
            if (chars.length < plain.length()) chars = new char[2 * plain.length()];
            plain.getChars(0, plain.length(), chars, 0);
            try {
                w.write(chars, 0, plain.length());
                w.newLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", s.globalStep);
        m.put("epoch", s.epoch + 1);
        m.put("loss", Report.num(s.loss));
        m.put("grad_norm", Report.num(s.gradNorm));
        m.put("lr", Report.rate(s.lr));
        m.put("accuracy", Report.num((double) s.correct / s.batchSize));
        // each weight layer's parameters, as a PyTorch user logs them: what diagnose needs to see gradients vanish layer by layer
        for (int i = 0; i < s.params.length; i++) if (layers.gradTags[i] != null) m.put(layers.gradTags[i], Report.num(s.params[i].gradNorm));
        // and how far the step moved them: what a rate too low (1e-5 of the weights a step) or weights that never move show
        for (int i = 0; i < s.params.length; i++) if (layers.updateTags[i] != null) m.put(layers.updateTags[i], Report.num(LayerNorms.updateRatio(s.params[i])));
        line(m);
    }

    @Override
    public void onEpochEnd(EpochResult e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", e.steps());
        m.putAll(Report.epoch(e));
        line(m);
    }

    private void line(Map<String, Object> m) {
        try {
            w.write(JSON.writeValueAsString(m));
            w.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        w.close();
    }
}
