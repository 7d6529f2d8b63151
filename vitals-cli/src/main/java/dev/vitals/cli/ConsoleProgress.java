package dev.vitals.cli;

import dev.vitals.core.train.EpochResult;
import dev.vitals.core.train.RunInfo;
import dev.vitals.core.train.StepEvent;
import dev.vitals.core.train.TrainingListener;

import java.io.PrintWriter;

/**
 * A progress bar per epoch on the terminal (samples/s, running loss, ETA), redrawn at most ten
 * times a second and only when stderr is a terminal; then one line per epoch on stdout.
 */
final class ConsoleProgress implements TrainingListener {
    private final PrintWriter out, err;
    private final boolean live;
    private RunInfo run;
    private long epochStart, lastDraw;
    private int samples;
    private double lossSum;
    private int barWidth;

    ConsoleProgress(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
        java.io.Console c = System.console();
        this.live = c != null && c.isTerminal() && System.getenv("VITALS_NO_PROGRESS") == null;
    }

    @Override
    public void onRunBegin(RunInfo run) {
        this.run = run;
    }

    @Override
    public void onEpochBegin(int epoch) {
        epochStart = System.nanoTime();
        samples = 0;
        lossSum = 0;
        lastDraw = 0;
    }

    @Override
    public void onStep(StepEvent s) {
        samples += s.batchSize;
        lossSum += s.loss * s.batchSize;
        if (!live) return;
        long now = System.nanoTime();
        if (now - lastDraw < 100_000_000L && s.step + 1 < run.stepsPerEpoch()) return;
        lastDraw = now;
        double secs = (now - epochStart) / 1e9, rate = samples / Math.max(secs, 1e-9);
        double frac = (double) samples / run.trainSize();
        int width = 24, fill = (int) (frac * width);
        String bar = "=".repeat(Math.min(fill, width)) + (fill < width ? ">" + " ".repeat(width - fill - 1) : "");
        String line = String.format("epoch %d/%d [%s] %3.0f%% %s samples/s loss %.4f ETA %s",
                s.epoch + 1, run.epochs(), bar, 100 * frac, human(rate), lossSum / samples, eta((run.trainSize() - samples) / Math.max(rate, 1e-9)));
        barWidth = Math.max(barWidth, line.length());
        err.print("\r" + line);
        err.flush();
    }

    /** Prints a line between progress updates (a finding that just appeared), clearing the bar first. */
    void notice(String line) {
        if (live && barWidth > 0) {
            err.print("\r" + " ".repeat(barWidth) + "\r");
            err.flush();
        }
        out.println(line);
        out.flush();
        lastDraw = 0;
    }

    @Override
    public void onEpochEnd(EpochResult e) {
        if (live && barWidth > 0) {
            err.print("\r" + " ".repeat(barWidth) + "\r");
            err.flush();
        }
        StringBuilder sb = new StringBuilder();
        int w = Integer.toString(run.epochs()).length();
        sb.append(String.format("epoch %" + w + "d/%d  train loss %s acc %6.2f%%", e.epoch() + 1, run.epochs(), loss(e.trainLoss()), 100 * e.trainAccuracy()));
        if (e.hasValidation()) sb.append(String.format("  val loss %s acc %6.2f%%", loss(e.valLoss()), 100 * e.valAccuracy()));
        double rate = samples / Math.max(e.seconds(), 1e-9);
        sb.append(String.format("  %.2fs (%s samples/s)", e.seconds(), human(rate)));
        out.println(sb);
        out.flush();
    }

    /** Four decimals, or four significant digits with an exponent where that would print 33 digits (a diverged loss). */
    static String loss(double v) {
        return Double.isFinite(v) && Math.abs(v) >= 1e5 ? String.format("%.4g", v) : String.format("%.4f", v);
    }

    private static String human(double rate) {
        return rate >= 1e6 ? String.format("%.1fM", rate / 1e6) : rate >= 1e3 ? String.format("%.1fk", rate / 1e3) : String.format("%.0f", rate);
    }

    private static String eta(double s) {
        if (!Double.isFinite(s)) return "?";
        return s >= 60 ? String.format("%dm%02ds", (long) s / 60, (long) s % 60) : String.format("%.0fs", s);
    }
}
