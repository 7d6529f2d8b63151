package dev.vitals.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code curves.png}: the run's vital signs drawn into its folder, and a drawing that fails never failing the run. */
class CurvesTest {
    /** A spec of a small MLP with the given data and optimizer (YAML flow maps). */
    static String iris(String name, String data, String optimizer, int epochs) {
        return "name: " + name + "\nseed: 1\ndata: " + data + "\nmodel: {layers: [{dense: 16}, relu, {dense: 3}]}\n"
                + "optimizer: " + optimizer + "\ntrain: {epochs: " + epochs + ", batch: 16}\n";
    }

    /** The picture at {@code png}: its size, and how many colours it has (a blank or failed drawing has one or two). */
    static BufferedImage picture(Path png) throws IOException {
        assertTrue(Files.isRegularFile(png), png + " was written");
        BufferedImage img = ImageIO.read(png.toFile());
        assertTrue(img != null, "ImageIO reads " + png + " as an image");
        assertEquals(CurvesPicture.WIDTH, img.getWidth());
        assertEquals(CurvesPicture.HEIGHT, img.getHeight());
        return img;
    }

    static int colours(BufferedImage img) {
        Set<Integer> c = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) c.add(img.getRGB(x, y));
        }
        return c.size();
    }

    /** Colours in one quarter of the picture (0: loss, 1: accuracy, 2: gradients, 3: ratios). */
    static int colours(BufferedImage img, int panel) {
        int w = img.getWidth() / 2, h = img.getHeight() / 2;
        return colours(img.getSubimage((panel % 2) * w, (panel / 2) * h, w, h));
    }

    static Set<String> files(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
        }
    }

    /** The files of a run folder, its TensorBoard file named {@code events.out.tfevents}. */
    static Set<String> artifacts(Path dir) throws IOException {
        Set<String> s = new TreeSet<>();
        for (String f : files(dir)) s.add(f.replaceFirst("^(events\\.out\\.tfevents)\\..*", "$1"));
        return s;
    }

    @Test
    void aTrainRunDrawsItsCurvesIntoItsFolder(@TempDir Path dir) throws IOException {
        Path spec = TrainArtifactsTest.copyExample(dir), out = dir.resolve("run");
        Cli.Result r = Cli.run("train", spec.toString(), "--epochs", "5", "--out", out.toString());
        assertEquals(Main.OK, r.code(), r.all());
        assertEquals("", r.err(), "nothing on stderr: the drawing worked");
        BufferedImage img = picture(out.resolve("curves.png"));
        // four drawn panels: lines, markers, text and anti-aliasing give many colours in each, not a blank page
        for (int p = 0; p < 4; p++) assertTrue(colours(img, p) > 20, "panel " + p + " has " + colours(img, p) + " colours");
        assertFalse(files(out).stream().anyMatch(f -> f.endsWith(".tmp")), "no temporary file left: " + files(out));
    }

    @Test
    void aRunStoppedByANanLossAtStep1StillDrawsAPicture(@TempDir Path dir) throws IOException {
        // sgd at 1e30: step 0 is finite, step 1 NaN; no epoch ends, so no accuracy, and one observed step of gradients
        Path spec = Files.writeString(dir.resolve("nan.yaml"), iris("nan-at-1", "{source: iris, validation: 0}", "{name: sgd, lr: 1.0e30}", 3));
        Path out = dir.resolve("run");
        Cli.Result r = Cli.run("train", spec.toString(), "--out", out.toString(), "--json", dir.resolve("r.json").toString());
        assertEquals(Main.UNHEALTHY, r.code(), r.all());
        JsonNode metrics = TrainArtifactsTest.JSON.readTree(dir.resolve("r.json").toFile()).get("metrics");
        assertTrue(metrics.get("stopped").asText().startsWith("the loss became NaN at step 1 (epoch 1);"), "the run this test means: " + metrics);
        assertEquals("", r.err(), r.err());
        BufferedImage img = picture(out.resolve("curves.png"));
        assertTrue(colours(img) > 20, colours(img) + " colours");
        // the empty accuracy panel says why, in text; the loss panel has its one point and the NaN marked
        assertTrue(colours(img, 1) > 2 && colours(img, 0) > 20, colours(img, 1) + " and " + colours(img, 0));
    }

    @Test
    void aRunWithoutValidationDrawsTrainingCurvesOnly(@TempDir Path dir) throws IOException {
        Path spec = Files.writeString(dir.resolve("noval.yaml"), iris("no-validation", "{source: iris, validation: 0}", "{name: adam, lr: 0.01}", 4));
        Path out = dir.resolve("run");
        Cli.Result r = Cli.run("train", spec.toString(), "--out", out.toString());
        assertTrue(r.code() == Main.OK || r.code() == Main.UNHEALTHY, r.all());
        assertEquals("", r.err(), r.err());
        BufferedImage img = picture(out.resolve("curves.png"));
        for (int p = 0; p < 4; p++) assertTrue(colours(img, p) > 20, "panel " + p + " has " + colours(img, p) + " colours");
    }

    @Test
    void aDrawingThatFailsIsOneWarningLineAndTheRunIsUnchanged(@TempDir Path dir) throws IOException {
        Path spec = TrainArtifactsTest.copyExample(dir);
        Cli.Result healthy = Cli.run("train", spec.toString(), "--epochs", "3", "--out", dir.resolve("a").toString());
        assertEquals(Main.OK, healthy.code(), healthy.all());
        // what a machine without fonts throws from deep inside Java2D
        Curves.beforeDrawing = () -> {
            throw new InternalError("Fontconfig head is null, check your fonts or fonts configuration");
        };
        Cli.Result r;
        try {
            r = Cli.run("train", spec.toString(), "--epochs", "3", "--out", dir.resolve("b").toString());
        } finally {
            Curves.beforeDrawing = null;
        }
        assertEquals(healthy.code(), r.code(), r.all());
        assertEquals("warning: curves.png not written: InternalError: Fontconfig head is null, check your fonts or fonts configuration" + System.lineSeparator(), r.err());
        assertEquals(healthy.out().replace(dir.resolve("a").toString(), dir.resolve("b").toString()).replaceAll("\\d+\\.\\d+s \\([^)]*\\)", "T"),
                r.out().replaceAll("\\d+\\.\\d+s \\([^)]*\\)", "T"), "the console's account is the same run's");
        // every other artifact (the TensorBoard file's name has the time in it), and no temporary file
        Set<String> others = artifacts(dir.resolve("a"));
        assertTrue(others.remove("curves.png"), "the run without the failure drew: " + others);
        assertEquals(others, artifacts(dir.resolve("b")));
        assertEquals(TrainArtifactsTest.withoutSeconds(TrainArtifactsTest.JSON.readTree(dir.resolve("a/report.json").toFile())),
                TrainArtifactsTest.withoutSeconds(TrainArtifactsTest.JSON.readTree(dir.resolve("b/report.json").toFile())));
    }

    @Test
    void whateverTheDrawingThrowsIsOneLine(@TempDir Path dir) {
        List<Throwable> failures = List.of(new UnsatisfiedLinkError("no awt in java.library.path"), new java.awt.HeadlessException(),
                new IllegalStateException("two\nlines"), new OutOfMemoryError(), new NullPointerException());
        List<String> expected = List.of("UnsatisfiedLinkError: no awt in java.library.path", "HeadlessException", "IllegalStateException: two; lines",
                "OutOfMemoryError", "NullPointerException");
        for (int i = 0; i < failures.size(); i++) {
            Throwable t = failures.get(i);
            Curves.beforeDrawing = () -> {
                if (t instanceof Error e) throw e;
                throw (RuntimeException) t;
            };
            StringWriter err = new StringWriter();
            try {
                new Curves().write(dir.resolve("curves.png"), new PrintWriter(err, true));
            } finally {
                Curves.beforeDrawing = null;
            }
            assertEquals("warning: curves.png not written: " + expected.get(i) + System.lineSeparator(), err.toString());
            assertFalse(Files.exists(dir.resolve("curves.png")));
        }
    }

    @Test
    void aRunThatNeverBeganStillGivesAPictureThatSaysSo(@TempDir Path dir) throws IOException {
        // no run information, no step, no epoch: four panels that say there is nothing to draw
        StringWriter err = new StringWriter();
        new Curves().write(dir.resolve("curves.png"), new PrintWriter(err, true));
        assertEquals("", err.toString());
        BufferedImage img = picture(dir.resolve("curves.png"));
        for (int p = 0; p < 4; p++) assertTrue(colours(img, p) > 2, "panel " + p + " holds its message: " + colours(img, p) + " colours");
        assertEquals(Set.of("curves.png"), files(dir), "no temporary file left");
    }

    @Test
    void aSeriesKeepsItsFirstAndLatestPointAndNoMoreThanItsCap() {
        Curves.Series s = new Curves.Series(8);
        for (int i = 0; i < 1000; i++) {
            s.add(i, 10.0 * i);
            assertTrue(s.size() <= 8, "at most the cap: " + s.size() + " after " + (i + 1));
            double[] x = s.xs(), y = s.ys();
            assertEquals(0, x[0], "the first point stays");
            assertEquals(i, x[x.length - 1], "the latest point is there");
            assertEquals(10.0 * i, y[y.length - 1]);
            for (int k = 1; k < x.length; k++) {
                assertTrue(x[k] > x[k - 1], "in order: " + java.util.Arrays.toString(x));
                assertEquals(10 * x[k], y[k], "each y with its own x");
            }
        }
        // thinned by halving: the points before the latest are evenly spaced, a power of two apart
        double[] x = s.xs();
        double stride = x[1] - x[0];
        assertEquals(256, stride, java.util.Arrays.toString(x));
        for (int k = 1; k < x.length - 1; k++) assertEquals(stride, x[k] - x[k - 1], java.util.Arrays.toString(x));
        assertTrue(s.size() >= 8 / 2, "still half full at least: " + s.size());
    }

    @Test
    void aSeriesOfAMillionStepsStaysAtTheCap() {
        Curves.Series s = new Curves.Series(Curves.CAP);
        for (int i = 0; i < 1_000_000; i++) s.addFinite(i, i % 7 == 0 ? Double.NaN : 1.0);
        assertTrue(s.size() <= Curves.CAP && s.size() >= Curves.CAP / 2, s.size() + " points");
        double[] x = s.xs();
        assertEquals(1, x[0], "the first finite point (step 0's value was NaN)");
        assertEquals(999_998, x[x.length - 1], "the latest finite point (step 999,999's was NaN)");
        for (double y : s.ys()) assertEquals(1.0, y, "no NaN kept");
    }
}
