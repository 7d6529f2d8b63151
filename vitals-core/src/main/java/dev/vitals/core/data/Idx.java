package dev.vitals.core.data;

import dev.vitals.core.InputException;
import dev.vitals.core.tensor.Shape;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads LeCun's IDX files (the MNIST format), plain or gzipped: a big-endian header of magic
 * number {@code 0x0000TTDD} (TT the element type, DD the number of dimensions) and one 32-bit size
 * per dimension, then the elements. Only unsigned bytes (type 0x08) are supported: images
 * [n, rows, cols] (one channel) or [n, channels, rows, cols] (channels first, as the model's
 * [C, H, W] examples), and labels [n]. Anything else fails with an {@link InputException} naming
 * the file, what was found and what was expected.
 */
public final class Idx {
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Images of several channels, [n, channels, rows, cols]. */
    public static final int CHANNEL_IMAGES_MAGIC = 0x00000804;
    public static final int LABELS_MAGIC = 0x00000801;
    private static final int UBYTE = 0x08;

    private Idx() {}

    /** {@code count} images of {@code channels x rows x cols} unsigned bytes, row-major, one after another. */
    public record Images(int count, int channels, int rows, int cols, byte[] pixels) {
        public Images(int count, int rows, int cols, byte[] pixels) { this(count, 1, rows, cols, pixels); }

        /** Pixel values 0..255 as floats, [count, channels, rows, cols] flattened. */
        public float[] toFloats() {
            float[] out = new float[pixels.length];
            for (int i = 0; i < out.length; i++) out[i] = pixels[i] & 0xFF;
            return out;
        }
    }

    public static Images readImages(Path file) {
        byte[] b = load(file, IMAGES_MAGIC, CHANNEL_IMAGES_MAGIC, "uint8 images [n, rows, cols] or [n, channels, rows, cols]");
        int rank = readInt(b, 0) & 0xFF;
        int[] dims = dims(file, b, rank);
        int n = dims[0], channels = rank == 4 ? dims[1] : 1, rows = dims[rank - 2], cols = dims[rank - 1];
        if (n == 0) throw fail(file, "holds no images (count 0 in the header); expected at least one");
        if (channels == 0) throw fail(file, "images of 0 channels; expected at least one");
        if (rows == 0 || cols == 0) throw fail(file, "images of " + rows + "x" + cols + " pixels; expected at least 1x1");
        // numpy's images are often [n, rows, cols, channels]: read channels first, 32x32x3 would be 32
        // channels of 32x3 pixels, and a model would train on noise without a word
        if (rank == 4 && channels > 4 && cols <= 4) {
            throw fail(file, "images of " + n + "x" + channels + "x" + rows + "x" + cols + " look like channels last [n, rows, cols, channels]; "
                    + "expected channels first, [n, channels, rows, cols] (numpy: x.transpose(0, 3, 1, 2))");
        }
        int header = 4 + 4 * rank;
        byte[] pixels = new byte[b.length - header];
        System.arraycopy(b, header, pixels, 0, pixels.length);
        return new Images(n, channels, rows, cols, pixels);
    }

    /** Label bytes as unsigned values 0..255. */
    public static int[] readLabels(Path file) {
        byte[] b = load(file, LABELS_MAGIC, "uint8 labels [n]");
        int n = dims(file, b, 1)[0];
        if (n == 0) throw fail(file, "holds no labels (count 0 in the header); expected at least one");
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = b[8 + i] & 0xFF;
        return labels;
    }

    /**
     * Images with their labels as a data set of [1, rows, cols] examples; the counts must agree.
     * With {@code classes > 0} every label must be below it; otherwise the labels imply the classes.
     */
    public static Dataset read(Path imagesFile, Path labelsFile, int classes, List<String> classNames) {
        Images im = readImages(imagesFile);
        int[] labels = readLabels(labelsFile);
        if (labels.length != im.count()) {
            throw new InputException(imagesFile + " holds " + im.count() + " images but " + labelsFile + " holds "
                    + labels.length + " labels; expected one label per image");
        }
        float[] lv = new float[labels.length];
        int max = 0;
        for (int i = 0; i < lv.length; i++) {
            max = Math.max(max, labels[i]);
            if (classes > 0 && labels[i] >= classes) {
                throw new InputException(labelsFile + ": label " + labels[i] + " at index " + i + "; expected a class 0.." + (classes - 1));
            }
            lv[i] = labels[i];
        }
        return new Dataset(Shape.of(im.channels(), im.rows(), im.cols()), im.toFloats(), lv, classes > 0 ? classes : max + 1, classNames);
    }

    /** The file's bytes, decompressed if gzipped, with a header that announces {@code magic}. */
    private static byte[] load(Path file, int magic, String what) { return load(file, magic, magic, what); }

    /** The same, for a header that announces either of two magic numbers. */
    private static byte[] load(Path file, int magic, int alsoMagic, String what) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw fail(file, "no such file");
        } catch (AccessDeniedException e) {
            throw fail(file, "permission denied");
        } catch (IOException e) {
            if (Files.isDirectory(file)) throw fail(file, "is a folder, expected an IDX file");
            throw fail(file, "cannot be read (" + e.getMessage() + ")");
        }
        if (raw.length == 0) throw fail(file, "is empty; expected an IDX file of " + what + " (magic " + magics(magic, alsoMagic) + ")");
        boolean gzip = raw.length >= 2 && (raw[0] & 0xFF) == 0x1F && (raw[1] & 0xFF) == 0x8B;
        // gzip is told by its first bytes, not the name: a download that a browser decompressed keeps
        // its .gz and loads as it is; a .gz that is neither gzip nor IDX says what it starts with
        if (!gzip && file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz") && !(raw.length >= 4 && (readInt(raw, 0) == magic || readInt(raw, 0) == alsoMagic))) {
            throw fail(file, "is named .gz but is not gzip data (starts with " + bytes(raw, 4) + ", gzip starts with 1f 8b)");
        }
        byte[] b = gzip ? gunzip(file, raw) : raw;
        if (gzip && b.length >= 2 && (b[0] & 0xFF) == 0x1F && (b[1] & 0xFF) == 0x8B) {
            throw fail(file, "is compressed twice: once decompressed it is gzip data again (1f 8b), expected IDX data (magic " + magics(magic, alsoMagic) + "); gunzip it once and rename it");
        }
        if (b.length == 0) throw fail(file, "is empty once decompressed; expected an IDX file of " + what + " (magic " + magics(magic, alsoMagic) + ")");
        if (b.length < 4) throw fail(file, "truncated: " + b.length + " bytes, expected at least the 4-byte magic number " + magics(magic, alsoMagic));
        int found = readInt(b, 0);
        if (found != magic && found != alsoMagic) {
            String why;
            int sameRank = UBYTE << 8 | (found & 0xFF);
            if ((found >>> 16) != 0) why = "is not an IDX file: found magic " + hex(found) + ", expected " + magics(magic, alsoMagic) + " (" + what + ")";
            else if (((found >>> 8) & 0xFF) != UBYTE) why = "unsupported data type " + typeName((found >>> 8) & 0xFF) + " (magic " + hex(found)
                    + "); expected 0x08 unsigned bytes, magic " + (sameRank == magic || sameRank == alsoMagic ? hex(sameRank) : magics(magic, alsoMagic)) + " (" + what + ")";
            else why = "wrong magic number " + hex(found) + " (" + (found & 0xFF) + ((found & 0xFF) == 1 ? " dimension" : " dimensions") + "); expected " + magics(magic, alsoMagic) + " (" + what + ")";
            throw fail(file, why);
        }
        return b;
    }

    private static byte[] gunzip(Path file, byte[] raw) {
        // gzip's trailer holds the decompressed size (modulo 2^32): when it is plausible (deflate
        // compresses at most about 1032:1), inflate straight into an array of that size
        long size = raw.length >= 18 ? Integer.toUnsignedLong(readIntLittleEndian(raw, raw.length - 4)) : -1;
        boolean plausible = size >= 0 && size <= Integer.MAX_VALUE - 64 && size <= raw.length * 1032L;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw), 1 << 16)) {
            if (!plausible) return in.readAllBytes();
            byte[] out = new byte[(int) size];
            int n = 0, r;
            while (n < out.length && (r = in.read(out, n, out.length - n)) > 0) n += r;
            byte[] rest = in.readAllBytes();   // empty unless the trailer understated the size (concatenated members)
            if (rest.length == 0) return n == out.length ? out : Arrays.copyOf(out, n);
            byte[] all = Arrays.copyOf(out, n + rest.length);
            System.arraycopy(rest, 0, all, n, rest.length);
            return all;
        } catch (EOFException e) {
            throw fail(file, "truncated gzip data (the compressed stream ends early); the download or copy is incomplete");
        } catch (ZipException e) {
            throw fail(file, "corrupt gzip data (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw fail(file, "cannot be decompressed (" + e.getMessage() + ")");
        }
    }

    /** The dimension sizes; the header must be complete, and the data exactly as long as they say. */
    private static int[] dims(Path file, byte[] b, int rank) {
        int headerBytes = 4 + 4 * rank;
        if (b.length < headerBytes) {
            throw fail(file, "truncated header: expected " + headerBytes + " bytes (magic and " + (headerBytes / 4 - 1)
                    + " dimension sizes), " + b.length + " present");
        }
        long expected = headerBytes;
        long elements = 1;
        StringBuilder dimText = new StringBuilder();
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            int d = dims[i] = readInt(b, 4 + 4 * i);
            if (d < 0) throw fail(file, "dimension " + i + " has size " + Integer.toUnsignedString(d) + "; expected at most " + Integer.MAX_VALUE);
            elements *= d;
            if (elements > Integer.MAX_VALUE - 64) throw fail(file, "announces more than 2^31 values; too large to load");
            dimText.append(i == 0 ? "" : "x").append(d);
        }
        expected += elements;
        if (b.length < expected) {
            throw fail(file, "truncated: the header announces " + dimText + " values, " + expected + " bytes with the header, but "
                    + b.length + " bytes are present");
        }
        if (b.length > expected) {
            throw fail(file, b.length - expected + " bytes beyond the data: the header announces " + dimText + " values, "
                    + expected + " bytes with the header; the file is corrupt or not what its header says");
        }
        return dims;
    }

    private static int readIntLittleEndian(byte[] b, int off) {
        return (b[off + 3] & 0xFF) << 24 | (b[off + 2] & 0xFF) << 16 | (b[off + 1] & 0xFF) << 8 | (b[off] & 0xFF);
    }

    static int readInt(byte[] b, int off) {
        return (b[off] & 0xFF) << 24 | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF);
    }

    private static String typeName(int t) {
        return switch (t) {
            case 0x08 -> "0x08 (unsigned byte)";
            case 0x09 -> "0x09 (signed byte)";
            case 0x0B -> "0x0B (short)";
            case 0x0C -> "0x0C (int)";
            case 0x0D -> "0x0D (float)";
            case 0x0E -> "0x0E (double)";
            default -> String.format("0x%02X (not an IDX type)", t);
        };
    }

    private static String hex(int v) { return String.format("0x%08X", v); }

    private static String magics(int a, int b) { return a == b ? hex(a) : hex(a) + " or " + hex(b); }

    private static String bytes(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(n, b.length); i++) sb.append(i == 0 ? "" : " ").append(String.format("%02x", b[i] & 0xFF));
        return sb.toString();
    }

    private static InputException fail(Path file, String what) {
        return new InputException(file + ": " + what);
    }
}
