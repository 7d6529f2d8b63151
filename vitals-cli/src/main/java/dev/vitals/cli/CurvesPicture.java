package dev.vitals.cli;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code curves.png}: four XChart panels in one picture, the evidence to look at when a run fails
 * to learn. Loss (each observed step, and per epoch training and validation), accuracy per epoch
 * against chance, and per layer with parameters the gradient norm and the update/weight ratio
 * (against the usual healthy 1e-3), both on log axes. Every panel's x axis is the global step from
 * 0 to the run's last (an epoch at the steps done by its end, as metrics.jsonl numbers it). Values a
 * log axis cannot show (zero, negative) are left out and the panel says so; a panel without data
 * says why.
 */
final class CurvesPicture {
    static final int WIDTH = 1200, HEIGHT = 900;
    /** The healthy size of an update relative to its weights (the usual rule of thumb). */
    static final double HEALTHY_UPDATE_RATIO = 1e-3;
    /** More decades than this on one log axis (a divergence) are drawn as exponents on a linear axis: XChart labels every decade. */
    private static final double MAX_DECADES = 12;
    private static final int NOTE_HEIGHT = 18;
    /** Buckets of a series' steps drawn as their lowest and highest point (a panel's plot is about 450 pixels wide). */
    static final int BUCKETS = 200;
    /** Points of a series, at most, that are each marked (epochs): more make a solid band. */
    private static final int MAX_MARKED = 100;
    /** Layers named in a legend, at most (and drawn in XChart's distinct colours up to this many). */
    static final int MAX_NAMED_LAYERS = 12;
    private static final Color STEP_LOSS = new Color(0x9DB9D6), TRAIN = new Color(0x1F5FAD), VALIDATION = new Color(0xE0731B),
            REFERENCE = new Color(0x606060), ALARM = new Color(0xC62828);

    private CurvesPicture() {}

    /** One panel: a chart, or a message where there is nothing to draw; a note under it (or null), in red where it is a warning. */
    private record Panel(XYChart chart, String title, String empty, String note, boolean warning) {
        Panel(XYChart chart, String title, String empty, String note) { this(chart, title, empty, note, true); }
    }

    static BufferedImage draw(Curves c) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            Panel[] panels = {loss(c), accuracy(c), gradients(c), ratios(c)};
            int w = WIDTH / 2, h = HEIGHT / 2;
            for (int i = 0; i < panels.length; i++) {
                Graphics2D pg = (Graphics2D) g.create((i % 2) * w, (i / 2) * h, w, h);
                try {
                    paint(panels[i], pg, w, h);
                } finally {
                    pg.dispose();
                }
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    private static void paint(Panel p, Graphics2D g, int w, int h) {
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        int chartHeight = p.note == null ? h : h - NOTE_HEIGHT;
        if (p.chart != null) {
            p.chart.paint(g, w, chartHeight);
        } else {
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            centred(g, p.title, w, 24);
            g.setColor(REFERENCE);
            g.drawRect(10, 40, w - 21, chartHeight - 51);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            centred(g, p.empty, w, chartHeight / 2);
        }
        if (p.note != null) {
            g.setColor(p.warning ? ALARM : REFERENCE);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.drawString(fit(g.getFontMetrics(), p.note, w - 20), 10, h - 5);
        }
    }

    private static void centred(Graphics2D g, String text, int w, int baseline) {
        FontMetrics m = g.getFontMetrics();
        String t = fit(m, text, w - 20);
        g.drawString(t, Math.max(10, (w - m.stringWidth(t)) / 2), baseline);
    }

    /** {@code text}, shortened with "..." to fit {@code width} pixels. */
    private static String fit(FontMetrics m, String text, int width) {
        if (m.stringWidth(text) <= width) return text;
        String t = text;
        while (t.length() > 1 && m.stringWidth(t + "...") > width) t = t.substring(0, t.length() - 1);
        return t + "...";
    }

    // ---- the four panels ------------------------------------------------------------------------

    /**
     * XChart puts an axis's ticks at the data's own x values where those are equally spaced (every
     * epoch's end: 7, 35, 63...; every step: 0, 14, 28... written over each other); a hidden point at
     * step 0.5, off every sequence of whole steps, gives round numbers.
     */
    private static void roundSteps(XYChart chart) {
        double[] y = chart.getSeriesMap().values().iterator().next().getYData();
        XYSeries hidden = chart.addSeries(" ", new double[] {0.5}, new double[] {y[0]});
        hidden.setMarker(SeriesMarkers.NONE).setShowInLegend(false);
        hidden.setLineStyle(SeriesLines.NONE);
    }

    private static Panel loss(Curves c) {
        String title = c.name + ": loss";
        String stopped = c.nonFiniteStep < 0 ? null : "the loss became " + nonFinite(c.nonFiniteLoss) + " at step " + c.nonFiniteStep;
        List<Curve> curves = new ArrayList<>();
        curves.add(new Curve("loss at each step", c.stepLoss.xs(), c.stepLoss.ys(), STEP_LOSS, false));
        curves.add(new Curve("training loss, epoch mean", c.trainLoss.xs(), c.trainLoss.ys(), TRAIN, true));
        curves.add(new Curve("validation loss, epoch end", c.valLoss.xs(), c.valLoss.ys(), VALIDATION, true));
        curves.removeIf(Curve::isEmpty);
        if (curves.isEmpty()) return new Panel(null, title, stopped != null ? "no finite loss: " + stopped : "no loss measured: the run stopped before its first step", null);
        double[] range = range(curves, Double.NaN);
        // a loss that spans orders of magnitude (a divergence, a fall from 2.3 to 0.001) is read on a log axis
        Scale scale = range[0] > 0 && range[1] / range[0] > 1000 ? Scale.of(range[0], range[1]) : Scale.LINEAR;
        XYChart chart = chart(c, title + scale.titleSuffix(), scale.axisTitle("loss (" + c.lossName + ")"), scale);
        for (Curve k : curves) k.addTo(chart, scale);
        roundSteps(chart);
        if (c.nonFiniteStep >= 0) {
            XYSeries s = chart.addSeries("loss " + nonFinite(c.nonFiniteLoss) + " at step " + c.nonFiniteStep,
                    new double[] {c.nonFiniteStep}, new double[] {scale.map(range[1])});
            s.setMarker(SeriesMarkers.CROSS).setMarkerColor(ALARM);
            s.setLineStyle(SeriesLines.NONE);
        }
        scale.span(chart, range[0], range[1]);
        return new Panel(chart, title, null, stopped == null ? null : stopped + " and the run stopped there (not drawn: marked x)");
    }

    private static Panel accuracy(Curves c) {
        String title = c.name + ": accuracy per epoch";
        List<Curve> curves = new ArrayList<>();
        curves.add(new Curve("training", c.trainAccuracy.xs(), c.trainAccuracy.ys(), TRAIN, true));
        curves.add(new Curve("validation", c.valAccuracy.xs(), c.valAccuracy.ys(), VALIDATION, true));
        curves.removeIf(Curve::isEmpty);
        if (curves.isEmpty()) {
            return new Panel(null, title, c.nonFiniteStep >= 0 ? "no epoch finished: the loss became " + nonFinite(c.nonFiniteLoss) + " at step " + c.nonFiniteStep
                    : "no epoch finished", null);
        }
        XYChart chart = chart(c, title, "accuracy", Scale.LINEAR);
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setYAxisDecimalPattern("0%");
        for (Curve k : curves) k.addTo(chart, Scale.LINEAR);
        roundSteps(chart);
        if (c.classifier) {
            double chance = 1.0 / c.classes;
            reference(chart, c, String.format(Locale.ROOT, "chance 1/%d = %s", c.classes, percent(chance)), chance, Scale.LINEAR, SeriesLines.DASH_DASH);
            // imbalanced classes: always answering the most frequent one scores above 1/classes
            if (c.majorityShare > chance + 0.01) {
                reference(chart, c, "majority class " + percent(c.majorityShare), c.majorityShare, Scale.LINEAR, SeriesLines.DOT_DOT);
            }
        }
        return new Panel(chart, title, null, c.valAccuracy.size() == 0 ? "no validation split: training accuracy only" : null, false);
    }

    private static Panel gradients(Curves c) {
        return perLayer(c, c.name + ": gradient norm per layer", "gradient norm (parameters)", c.gradNorm, Double.NaN);
    }

    private static Panel ratios(Curves c) {
        return perLayer(c, c.name + ": update/weight ratio per layer", "update norm / weight norm", c.updateRatio, HEALTHY_UPDATE_RATIO);
    }

    private static Panel perLayer(Curves c, String title, String yTitle, Curves.Series[] series, double reference) {
        if (series.length == 0) {
            return new Panel(null, title, c.nonFiniteStep >= 0 && c.stepLoss.size() == 0
                    ? "no observed step finished: the loss became " + nonFinite(c.nonFiniteLoss) + " at step " + c.nonFiniteStep
                    : "no observed step of a layer with parameters", null);
        }
        List<String> notDrawn = new ArrayList<>();
        List<Curve> curves = new ArrayList<>();
        // many layers: coloured by depth, blue to red, and a dozen of them named (a legend of 50 does not fit)
        int n = series.length, every = n <= MAX_NAMED_LAYERS ? 1 : (n + MAX_NAMED_LAYERS - 2) / (MAX_NAMED_LAYERS - 1);
        for (int k = 0; k < n; k++) {
            Color depth = n <= MAX_NAMED_LAYERS ? null : Color.getHSBColor(0.66f * (1 - (float) k / (n - 1)), 0.85f, 0.85f);
            Curve curve = new Curve(c.layerNames[k], series[k].xs(), series[k].ys(), depth, false, k % every == 0 || k == n - 1).positive();
            if (curve.isEmpty()) notDrawn.add(c.layerNames[k]);
            else curves.add(curve);
        }
        String note = notDrawn.isEmpty() ? null : "not drawn (never above 0, which a log axis cannot show): " + String.join(", ", notDrawn);
        boolean warning = note != null;
        if (n > MAX_NAMED_LAYERS && note == null) note = n + " layers, coloured by depth from blue (first) to red (last); every " + ordinal(every) + " named";
        if (curves.isEmpty()) return new Panel(null, title, "no value above 0 to draw on a log axis", note);
        double[] range = range(curves, reference);
        Scale scale = Scale.of(range[0], range[1]);
        XYChart chart = chart(c, title + scale.titleSuffix(), scale.axisTitle(yTitle), scale);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE).setLegendLayout(Styler.LegendLayout.Vertical);
        for (Curve k : curves) k.addTo(chart, scale);
        if (!Double.isNaN(reference)) reference(chart, c, "healthy ~1e-3", reference, scale, SeriesLines.DASH_DASH);
        scale.span(chart, range[0], range[1]);
        return new Panel(chart, title, null, note, warning);
    }

    // ---- drawing helpers ------------------------------------------------------------------------

    /** A series to draw: its points, colour (null: the chart's next), and whether each point is marked (per epoch). */
    private record Curve(String name, double[] x, double[] y, Color color, boolean markers, boolean named) {
        Curve(String name, double[] x, double[] y, Color color, boolean markers) { this(name, x, y, color, markers, true); }

        boolean isEmpty() { return x.length == 0; }

        /** The points above 0 (all a log axis can show). */
        Curve positive() {
            int n = 0;
            double[] px = x.clone(), py = y.clone();
            for (int i = 0; i < py.length; i++) {
                if (py[i] > 0) {
                    px[n] = px[i];
                    py[n] = py[i];
                    n++;
                }
            }
            return new Curve(name, Arrays.copyOf(px, n), Arrays.copyOf(py, n), color, markers, named);
        }

        void addTo(XYChart chart, Scale scale) {
            double[][] d = envelope(x, y, BUCKETS);
            XYSeries s = chart.addSeries(name, d[0], scale.map(d[1]));
            if (color != null) {
                s.setLineColor(color);
                s.setMarkerColor(color);
            }
            // a point or two with no marker would not show at all
            s.setMarker(markers && x.length <= MAX_MARKED || x.length < 3 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
            s.setLineStyle(SeriesLines.SOLID);  // XChart dashes a series once its colours come round again
            s.setLineWidth((markers || color == null) && x.length <= MAX_MARKED ? 1.5f : 1f);
            s.setShowInLegend(named);
        }
    }

    /**
     * At most two points per bucket of the x range, the lowest and the highest of those in it (in
     * their order), and the first and last point: what a plot a few hundred pixels wide shows of a
     * series anyway, spikes included, at a fraction of the drawing time (XChart's anti-aliased lines
     * through 4000 noisy points take over a second a panel).
     */
    static double[][] envelope(double[] x, double[] y, int buckets) {
        int n = x.length;
        if (n <= 2 * buckets + 2) return new double[][] {x, y};
        double x0 = x[0], width = (x[n - 1] - x0) / buckets;
        double[] ox = new double[2 * buckets + 2], oy = new double[2 * buckets + 2];
        int m = 0;
        ox[m] = x[0];
        oy[m++] = y[0];
        int i = 1;
        while (i < n - 1) {
            long b = width > 0 ? (long) ((x[i] - x0) / width) : 0;
            int lo = i, hi = i;
            for (i++; i < n - 1 && (width > 0 ? (long) ((x[i] - x0) / width) : 0) == b; i++) {
                if (y[i] < y[lo]) lo = i;
                if (y[i] > y[hi]) hi = i;
            }
            int first = Math.min(lo, hi), second = Math.max(lo, hi);
            ox[m] = x[first];
            oy[m++] = y[first];
            if (second != first) {
                ox[m] = x[second];
                oy[m++] = y[second];
            }
        }
        ox[m] = x[n - 1];
        oy[m++] = y[n - 1];
        return new double[][] {Arrays.copyOf(ox, m), Arrays.copyOf(oy, m)};
    }

    /** The smallest and largest y of the curves and the reference (NaN: none). */
    private static double[] range(List<Curve> curves, double reference) {
        double min = Double.isNaN(reference) ? Double.POSITIVE_INFINITY : reference, max = Double.isNaN(reference) ? Double.NEGATIVE_INFINITY : reference;
        for (Curve k : curves) {
            for (double v : k.y) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        return new double[] {min, max};
    }

    /**
     * How a y axis shows its values: as they are, on XChart's log axis (labels at each decade where
     * there are two or more, else at 2, 3, 5... too), or, past {@link #MAX_DECADES}, their exponents
     * on a linear axis labelled as powers of ten (XChart labels every decade, and 30 of them overlap).
     */
    private enum Scale {
        LINEAR, LOG, LOG_DECADES, EXPONENTS;

        static Scale of(double min, double max) {
            double decades = Math.log10(max / min);
            return decades > MAX_DECADES ? EXPONENTS : decades >= 2 ? LOG_DECADES : LOG;
        }

        double map(double v) { return this == EXPONENTS ? Math.log10(v) : v; }

        double[] map(double[] y) {
            if (this != EXPONENTS) return y;
            double[] m = new double[y.length];
            for (int i = 0; i < y.length; i++) m[i] = Math.log10(y[i]);
            return m;
        }

        String titleSuffix() { return this == LINEAR ? "" : " (log scale)"; }

        String axisTitle(String t) { return this == EXPONENTS ? t + ", power of 10" : t; }

        void configure(XYChart chart) {
            var st = chart.getStyler();
            if (this == LOG || this == LOG_DECADES) st.setYAxisLogarithmic(true).setYAxisLogarithmicDecadeOnly(this == LOG_DECADES);
            if (this == EXPONENTS) chart.setCustomYAxisTickLabelsFormatter(Scale::power);
        }

        /**
         * Gives the axis a span where all its values are one (a single point): XChart then draws one
         * tick with every digit of it.
         */
        void span(XYChart chart, double min, double max) {
            if (max > min) {
                // XChart's own labels of a narrow range can carry every digit (1.049456709087679)
                if (this == LINEAR) chart.getStyler().setYAxisDecimalPattern(decimals(max - min));
                return;
            }
            var st = chart.getStyler();
            if (this == LINEAR) {
                double d = Math.max(Math.abs(min) * 0.1, 1e-3);
                st.setYAxisMin(min - d).setYAxisMax(max + d);
                st.setYAxisDecimalPattern(decimals(2 * d));
            } else if (this == EXPONENTS) {
                st.setYAxisMin(Math.log10(min) - 1).setYAxisMax(Math.log10(max) + 1);
            } else {
                st.setYAxisMin(min / 2).setYAxisMax(max * 2);
            }
        }

        /** A pattern with the decimals that tell apart XChart's ticks over {@code range} (5 to 10 of them): 0.0 for a range of 0.5 to 5. */
        private static String decimals(double range) {
            int d = Math.clamp(-(long) Math.floor(Math.log10(range / 5)), 0, 8);
            return d == 0 ? "#,##0" : "0." + "0".repeat(d);
        }

        /** A power of ten given its exponent: 0.001 to 1000 written out, 1e-5 and 1e12 beyond, 1e2.5 between whole exponents. */
        private static String power(double exponent) {
            if (Math.abs(exponent - Math.rint(exponent)) > 1e-9) return String.format(Locale.ROOT, "1e%.1f", exponent);
            long k = Math.round(exponent);
            return Math.abs(k) <= 3 ? java.math.BigDecimal.ONE.scaleByPowerOfTen((int) k).toPlainString() : "1e" + k;
        }
    }

    /** A chart with the panels' common style: white, legend below the plot, no tooltips, x from step 0 to the run's last. */
    private static XYChart chart(Curves c, String title, String yTitle, Scale scale) {
        XYChart chart = new XYChartBuilder().width(WIDTH / 2).height(HEIGHT / 2).title(title).xAxisTitle("step").yAxisTitle(yTitle).build();
        var st = chart.getStyler();
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotGridLinesColor(new Color(0xE4E4E4));
        st.setLegendPosition(Styler.LegendPosition.OutsideS);
        st.setLegendLayout(Styler.LegendLayout.Horizontal);
        st.setLegendBorderColor(Color.WHITE);
        st.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        st.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        st.setChartTitleBoxVisible(false);
        st.setToolTipsEnabled(false);
        st.setMarkerSize(6);
        st.setAntiAlias(true);
        st.setLocale(Locale.ROOT);
        st.setXAxisDecimalPattern("#,##0");
        scale.configure(chart);
        // every panel over the same steps, from the first: a panel's events line up with the others'
        double last = lastStep(c);
        if (last > 0) st.setXAxisMin(0.0).setXAxisMax(last);
        return chart;
    }

    /** A horizontal reference line from step 0 to the run's last, dashed or dotted, without markers. */
    private static void reference(XYChart chart, Curves c, String name, double y, Scale scale, BasicStroke style) {
        double last = lastStep(c);
        XYSeries s = chart.addSeries(name, new double[] {0, last > 0 ? last : 1}, new double[] {scale.map(y), scale.map(y)});
        s.setMarker(SeriesMarkers.NONE);
        s.setLineStyle(style);
        s.setLineColor(REFERENCE);
        s.setLineWidth(1.2f);
    }

    /** The run's last step: of the latest point of any series, or where the loss stopped being finite. */
    static double lastStep(Curves c) {
        double last = Math.max(0, c.nonFiniteStep);
        List<Curves.Series> all = new ArrayList<>(List.of(c.stepLoss, c.trainLoss, c.valLoss, c.trainAccuracy, c.valAccuracy));
        all.addAll(List.of(c.gradNorm));
        for (Curves.Series s : all) {
            if (s.size() > 0) last = Math.max(last, s.xs()[s.size() - 1]);
        }
        return last;
    }

    private static String ordinal(int k) { return k == 1 ? "one" : k == 2 ? "second" : k == 3 ? "third" : k + "th"; }

    private static String nonFinite(double v) { return Double.isNaN(v) ? "NaN" : v > 0 ? "+infinity" : "-infinity"; }

    private static String percent(double share) { return String.format(Locale.ROOT, "%.1f%%", 100 * share); }
}
