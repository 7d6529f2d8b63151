package dev.vitals.cli;

import dev.vitals.core.io.AtomicText;
import dev.vitals.core.train.EpochResult;
import dev.vitals.core.train.LayerInfo;
import dev.vitals.core.train.RunInfo;
import dev.vitals.core.train.StepEvent;
import dev.vitals.core.train.TrainingListener;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The run's vital signs, kept as it trains and drawn into {@code curves.png} at its end
 * ({@link CurvesPicture}): the loss at each step and per epoch, the accuracy per epoch,
 * and per layer with parameters the gradient norm and the update/weight ratio at observed steps.
 * Each series is capped at {@link #CAP} points (thinned by halving, its first and last point kept),
 * so a run of any length keeps a bounded picture; a step that is not observed costs a point of the
 * loss series and allocates nothing.
 */
final class Curves implements TrainingListener {
    /** Most points of one series. */
    static final int CAP = 4000;

    /**
     * Runs just before drawing (null: nothing): a test throws from it to stand for a machine that
     * cannot draw (no fonts, no native graphics library).
     */
    static volatile Runnable beforeDrawing;

    String name = "run", lossName = "loss";
    /** Whether the accuracy has a chance level: a classifier of more than one class. */
    boolean classifier;
    int classes;
    double majorityShare;
    final Series stepLoss = new Series(CAP);
    final Series trainLoss = new Series(CAP), valLoss = new Series(CAP), trainAccuracy = new Series(CAP), valAccuracy = new Series(CAP);
    /** Names of the layers with parameters, in the model's order, and their series. */
    String[] layerNames = new String[0];
    Series[] gradNorm = new Series[0], updateRatio = new Series[0];
    /** The step whose loss was not finite (the run stopped there), or -1. */
    long nonFiniteStep = -1;
    double nonFiniteLoss;

    /** Per-layer norms of an observed step (shared with the logs); per layer of the model, its slot in the series, or -1. */
    private LayerNorms norms;
    private int[] slotOf = new int[0];

    @Override
    public void onRunBegin(RunInfo run) {
        name = run.name();
        lossName = run.loss();
        classes = run.classes();
        classifier = !run.regressesLabels() && run.classes() > 1;
        majorityShare = run.classShares() == null ? 0 : run.majorityShare();
        norms = new LayerNorms(run);
        // one slot per layer with parameters, in the model's order
        List<LayerInfo> layers = run.layers();
        slotOf = new int[layers.size()];
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            slotOf[i] = norms.names[i] == null ? -1 : names.size();
            if (norms.names[i] != null) names.add(layerName(layers.get(i)));
        }
        layerNames = names.toArray(String[]::new);
        gradNorm = new Series[layerNames.length];
        updateRatio = new Series[layerNames.length];
        for (int k = 0; k < layerNames.length; k++) {
            gradNorm[k] = new Series(CAP);
            updateRatio[k] = new Series(CAP);
        }
    }

    @Override
    public void onStep(StepEvent s) {
        // every step's loss (as metrics.jsonl logs it): a spike between observed steps is what shows a rate too high
        stepLoss.addFinite(s.globalStep, s.loss);
        if (!s.observed) {
            // the step whose loss went non-finite ends the run unobserved: the picture says where
            if (nonFiniteStep < 0 && !Double.isFinite(s.loss)) {
                nonFiniteStep = s.globalStep;
                nonFiniteLoss = s.loss;
            }
            return;
        }
        double x = s.globalStep;
        // a layer's norm over all its parameters: the square root of the sum of their squared norms
        norms.measure(s.params);
        for (int i = 0; i < slotOf.length; i++) {
            int k = slotOf[i];
            if (k < 0) continue;
            gradNorm[k].addFinite(x, norms.grad(i));
            updateRatio[k].addFinite(x, norms.updateRatio(i));
        }
    }

    @Override
    public void onEpochEnd(EpochResult e) {
        // at the steps done by the epoch's end, as metrics.jsonl numbers an epoch's record
        double x = e.steps();
        trainLoss.addFinite(x, e.trainLoss());
        valLoss.addFinite(x, e.valLoss());
        trainAccuracy.addFinite(x, e.trainAccuracy());
        valAccuracy.addFinite(x, e.valAccuracy());
    }

    /** A layer as findings name it: {@code layers.0 (dense 128)}. */
    static String layerName(LayerInfo l) {
        return l.description().isEmpty() ? l.path() : l.path() + " (" + l.description() + ")";
    }

    /**
     * Draws the picture into {@code file} (through a temporary file and a rename). Never fails the
     * run: whatever goes wrong (no fonts, no native graphics library, a full disk) is one line on
     * {@code err}, {@code warning: curves.png not written: REASON}, and no file. A run stopped by
     * Ctrl-C or a kill is not drawn: its other artifacts are written, and the JVM, shutting down,
     * should exit now rather than after the half second or more a first drawing takes.
     */
    void write(Path file, PrintWriter err) {
        Path tmp = null;
        try {
            if (shuttingDown()) {
                err.println("warning: " + file.getFileName() + " not written: the run was interrupted, and drawing would delay its exit");
                return;
            }
            Runnable hook = beforeDrawing;
            if (hook != null) hook.run();
            java.awt.image.BufferedImage image = CurvesPicture.draw(this);
            tmp = AtomicText.tempFor(file);
            // to a File, not a stream: ImageIO caches a stream's output in a temporary file elsewhere
            if (!javax.imageio.ImageIO.write(image, "png", tmp.toFile())) throw new java.io.IOException("no PNG writer in this Java");
            AtomicText.moveIntoPlace(tmp, file);
            tmp = null;
        } catch (Throwable t) {
            err.println("warning: " + file.getFileName() + " not written: " + reason(t));
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (Throwable ignored) {
                    // the warning above says the picture is missing; a stray temporary file is all that is left
                }
            }
        }
    }

    /** Whether the JVM is shutting down (a signal's hook is running): it then takes no new hook. */
    static boolean shuttingDown() {
        Thread probe = new Thread(() -> {});
        try {
            Runtime.getRuntime().addShutdownHook(probe);
        } catch (IllegalStateException e) {
            return true;
        }
        Runtime.getRuntime().removeShutdownHook(probe);
        return false;
    }

    /** A throwable in one line: its kind and message (fontconfig's errors, InternalError, UnsatisfiedLinkError...). */
    static String reason(Throwable t) {
        String m = t.getMessage();
        String kind = t.getClass().getSimpleName();
        return m == null || m.isBlank() ? kind : kind + ": " + Main.oneLine(m);
    }

    /**
     * The points of one curve, at most {@code cap} of them: while it is full, every second point is
     * dropped and from then on only every second point offered is kept (so the points stay evenly
     * spread over the run); the first point offered and the latest are always there.
     */
    static final class Series {
        private final int cap;
        private double[] x = new double[16], y = new double[16];
        /** Points kept (at most cap - 1: the latest point offered, when not kept, takes the last place). */
        private int n;
        private long offered;
        /** Points are kept whose number (counted from 0, as offered) is a multiple of this. */
        private long stride = 1;
        private boolean hasLatest;
        private double latestX, latestY;

        Series(int cap) {
            if (cap < 3) throw new IllegalArgumentException("cap " + cap + ": expected at least 3");
            this.cap = cap;
        }

        /** Adds the point where {@code py} is finite (NaN, a missing validation value, and infinities are left out). */
        void addFinite(double px, double py) {
            if (Double.isFinite(py)) add(px, py);
        }

        void add(double px, double py) {
            long i = offered++;
            if (i % stride == 0 && n == cap - 1) {
                int m = 0;
                for (int k = 0; k < n; k += 2, m++) {
                    x[m] = x[k];
                    y[m] = y[k];
                }
                n = m;
                stride *= 2;
            }
            if (i % stride != 0) {
                hasLatest = true;
                latestX = px;
                latestY = py;
                return;
            }
            if (n == x.length) {
                int grown = Math.min(cap, 2 * x.length);
                x = Arrays.copyOf(x, grown);
                y = Arrays.copyOf(y, grown);
            }
            x[n] = px;
            y[n] = py;
            n++;
            hasLatest = false;
        }

        int size() { return n + (hasLatest ? 1 : 0); }

        double[] xs() { return points(x, latestX); }

        double[] ys() { return points(y, latestY); }

        private double[] points(double[] kept, double latest) {
            double[] p = Arrays.copyOf(kept, size());
            if (hasLatest) p[n] = latest;
            return p;
        }
    }
}
