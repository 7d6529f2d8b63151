package dev.vitals.core.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files for tests, in the byte layout of LeCun's format. */
final class IdxFiles {
    private IdxFiles() {}

    static byte[] images(int n, int rows, int cols, byte[] pixels) {
        ByteBuffer b = ByteBuffer.allocate(16 + pixels.length);   // big-endian, as IDX is
        b.putInt(Idx.IMAGES_MAGIC).putInt(n).putInt(rows).putInt(cols).put(pixels);
        return b.array();
    }

    /** Images of several channels: magic 0x0804, [n, channels, rows, cols]. */
    static byte[] channelImages(int n, int channels, int rows, int cols, byte[] pixels) {
        ByteBuffer b = ByteBuffer.allocate(20 + pixels.length);
        b.putInt(Idx.CHANNEL_IMAGES_MAGIC).putInt(n).putInt(channels).putInt(rows).putInt(cols).put(pixels);
        return b.array();
    }

    static byte[] labels(int... labels) {
        ByteBuffer b = ByteBuffer.allocate(8 + labels.length);
        b.putInt(Idx.LABELS_MAGIC).putInt(labels.length);
        for (int l : labels) b.put((byte) l);
        return b.array();
    }

    /** Pixels 0, 1, 2, ... (mod 256) for {@code n} images of {@code rows x cols}. */
    static byte[] ramp(int n, int rows, int cols) {
        byte[] p = new byte[n * rows * cols];
        for (int i = 0; i < p.length; i++) p[i] = (byte) i;
        return p;
    }

    static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(data);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(Path file, byte[] data) {
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A folder with train (and, if {@code testN > 0}, t10k) files of {@code rows x cols} images, gzipped or not. */
    static Path dataset(Path dir, int trainN, int testN, int rows, int cols, int classes, boolean gzip) {
        String ext = gzip ? ".gz" : "";
        write(dir.resolve("train-images-idx3-ubyte" + ext), maybeGzip(images(trainN, rows, cols, ramp(trainN, rows, cols)), gzip));
        write(dir.resolve("train-labels-idx1-ubyte" + ext), maybeGzip(labels(cycle(trainN, classes)), gzip));
        if (testN > 0) {
            write(dir.resolve("t10k-images-idx3-ubyte" + ext), maybeGzip(images(testN, rows, cols, ramp(testN, rows, cols)), gzip));
            write(dir.resolve("t10k-labels-idx1-ubyte" + ext), maybeGzip(labels(cycle(testN, classes)), gzip));
        }
        return dir;
    }

    static int[] cycle(int n, int classes) {
        int[] l = new int[n];
        for (int i = 0; i < n; i++) l[i] = i % classes;
        return l;
    }

    private static byte[] maybeGzip(byte[] data, boolean gzip) { return gzip ? gzip(data) : data; }
}
