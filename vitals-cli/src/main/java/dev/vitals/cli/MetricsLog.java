package dev.vitals.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vitals.core.report.Report;
import dev.vitals.core.train.EpochResult;
import dev.vitals.core.train.StepEvent;
import dev.vitals.core.train.TrainingListener;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The run's metrics as JSON lines: one line per observed step ({@code step}, {@code loss},
 * {@code grad_norm}, {@code lr}, {@code accuracy}, and {@code grad_norm/LAYER} per layer with parameters) and one per epoch ({@code epoch}, losses, accuracies, seconds).
 * The same format {@code vitals diagnose} reads; its first line, {@code {"classes": N, "loss_function": L}}
 * for a classifier, tells diagnose the chance level instead of letting it guess from the first loss
 * (digits' first loss, 2.40, is nearer ln 11 than ln 10), which loss the losses are, and the training
 * split's {@code class_shares} (guessing the commonest class of a 63/37 split is right 63% of the time).
 */
final class MetricsLog implements TrainingListener, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final BufferedWriter w;
    private LayerNorms layers;

    MetricsLog(Path path) throws IOException {
        this.w = Files.newBufferedWriter(path);
    }

    @Override
    public void onRunBegin(dev.vitals.core.train.RunInfo run) {
        // the loss too: the class prior's loss (ln C) that diagnose compares a loss with is cross-entropy's,
        // and an mse run at chance (1.26 against ln 10) read as one that had learned
        layers = new LayerNorms(run);
        if (run.classes() > 1) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("classes", run.classes());
            m.put(dev.vitals.doctor.logs.RunLog.LOSS_FUNCTION, run.loss());
            // the training split's shares: guessing the commonest class is the chance level the live run judged by
            double[] shares = run.classShares();
            if (shares != null && shares.length == run.classes()) {
                double[] rounded = new double[shares.length];
                for (int i = 0; i < shares.length; i++) rounded[i] = Math.round(shares[i] * 1e6) / 1e6;
                m.put(dev.vitals.doctor.logs.RunLog.CLASS_SHARES, rounded);
            }
            line(m);
        }
    }

    @Override
    public void onStep(StepEvent s) {
        // the step whose loss went non-finite ends the run unobserved; the log needs it to show why
        if (!s.observed && Double.isFinite(s.loss)) return;
        Map<String, Object> m = new LinkedHashMap<>();
        if (!s.observed) {
            m.put("step", s.globalStep);
            m.put("epoch", s.epoch + 1);
            m.put("loss", Report.num(s.loss));
            line(m);
            return;
        }
        m.put("step", s.globalStep);
        m.put("epoch", s.epoch + 1);
        m.put("loss", Report.num(s.loss));
        m.put("grad_norm", Report.num(s.gradNorm));
        m.put("lr", Report.rate(s.lr));
        m.put("accuracy", Report.num((double) s.correct / s.batchSize));
        // per layer, as a PyTorch user logs them: what diagnose needs to see gradients vanish layer by layer
        layers.measure(s.params);
        for (int i = 0; i < layers.names.length; i++) if (layers.names[i] != null) m.put("grad_norm/" + layers.names[i], Report.num(layers.grad(i)));
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
