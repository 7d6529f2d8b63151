package dev.vitals.core.data;

import dev.vitals.core.InputException;
import dev.vitals.core.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static dev.vitals.core.data.IdxFiles.channelImages;
import static dev.vitals.core.data.IdxFiles.gzip;
import static dev.vitals.core.data.IdxFiles.images;
import static dev.vitals.core.data.IdxFiles.labels;
import static dev.vitals.core.data.IdxFiles.ramp;
import static dev.vitals.core.data.IdxFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxTest {
    @TempDir Path dir;

    @Test void imagesRoundTripPlainAndGzipped() {
        byte[] pixels = ramp(3, 4, 5);
        pixels[7] = (byte) 255;   // unsigned: must read back as 255, not -1
        byte[] file = images(3, 4, 5, pixels);
        for (Path p : List.of(write(dir.resolve("plain-idx3-ubyte"), file), write(dir.resolve("zipped-idx3-ubyte.gz"), gzip(file)),
                // gzip is recognised by its first bytes, not by the name
                write(dir.resolve("zipped-without-suffix"), gzip(file)))) {
            Idx.Images im = Idx.readImages(p);
            assertEquals(3, im.count(), p.toString());
            assertEquals(4, im.rows());
            assertEquals(5, im.cols());
            assertArrayEquals(pixels, im.pixels());
            float[] f = im.toFloats();
            assertEquals(60, f.length);
            assertEquals(255f, f[7]);
            assertEquals(59f, f[59]);
            assertEquals(0f, f[0]);
        }
    }

    @Test void labelsRoundTrip() {
        int[] expected = {0, 9, 3, 255, 1};
        assertArrayEquals(expected, Idx.readLabels(write(dir.resolve("l-idx1-ubyte"), labels(expected))));
        assertArrayEquals(expected, Idx.readLabels(write(dir.resolve("l-idx1-ubyte.gz"), gzip(labels(expected)))));
    }

    @Test void readsImagesWithLabelsAsChannelFirstExamples() {
        Path im = write(dir.resolve("i.gz"), gzip(images(4, 2, 3, ramp(4, 2, 3))));
        Path lb = write(dir.resolve("l"), labels(2, 0, 1, 2));
        Dataset d = Idx.read(im, lb, 0, List.of());
        assertEquals(Shape.of(1, 2, 3), d.exampleShape());
        assertEquals(4, d.size());
        assertEquals(3, d.classes(), "classes implied by the largest label");
        assertArrayEquals(new int[] {2, 0, 1, 2}, d.labels());
        assertArrayEquals(new float[] {6, 7, 8, 9, 10, 11}, Arrays.copyOfRange(d.x(), 6, 12));
        assertEquals(10, Idx.read(im, lb, 10, List.of()).classes());
    }

    @Test void emptyFile() {
        Path p = write(dir.resolve("train-images-idx3-ubyte"), new byte[0]);
        assertMessage(() -> Idx.readImages(p), p + ": is empty; expected an IDX file of uint8 images [n, rows, cols] or [n, channels, rows, cols] (magic 0x00000803 or 0x00000804)");
    }

    @Test void emptyGzip() {
        Path p = write(dir.resolve("train-labels-idx1-ubyte.gz"), gzip(new byte[0]));
        assertMessage(() -> Idx.readLabels(p), p + ": is empty once decompressed; expected an IDX file of uint8 labels [n] (magic 0x00000801)");
    }

    @Test void labelsFileGivenForImages() {
        Path p = write(dir.resolve("train-labels-idx1-ubyte"), labels(1, 2, 3));
        assertMessage(() -> Idx.readImages(p), p + ": wrong magic number 0x00000801 (1 dimension); expected 0x00000803 or 0x00000804 (uint8 images [n, rows, cols] or [n, channels, rows, cols])");
    }

    @Test void imagesWithChannelsAreReadChannelsFirst() {
        // [n, channels, rows, cols], as the model's [C, H, W]: 2 images of 3 channels of 2x4 pixels
        Path p = write(dir.resolve("train-images-idx4-ubyte"), channelImages(2, 3, 2, 4, ramp(2, 3 * 2, 4)));
        Idx.Images im = Idx.readImages(p);
        assertEquals(List.of(2, 3, 2, 4), List.of(im.count(), im.channels(), im.rows(), im.cols()));
        Path lb = write(dir.resolve("train-labels-idx1-ubyte"), labels(1, 0));
        Dataset d = Idx.read(p, lb, 0, List.of());
        assertEquals(dev.vitals.core.tensor.Shape.of(3, 2, 4), d.exampleShape());
        assertArrayEquals(new float[] {24, 25, 26}, Arrays.copyOfRange(d.x(), 24, 27), "the second image starts at its own first pixel");
        // numpy's channels-last layout read channels first would train on scrambled pixels without a word
        Path last = write(dir.resolve("last"), channelImages(1, 8, 8, 3, new byte[8 * 8 * 3]));
        assertMessage(() -> Idx.readImages(last), last + ": images of 1x8x8x3 look like channels last [n, rows, cols, channels]; "
                + "expected channels first, [n, channels, rows, cols] (numpy: x.transpose(0, 3, 1, 2))");
        Path none = write(dir.resolve("none"), channelImages(1, 0, 2, 2, new byte[0]));
        assertMessage(() -> Idx.readImages(none), none + ": images of 0 channels; expected at least one");
        // five dimensions are no images
        byte[] f = images(1, 1, 1, new byte[2]);
        f[3] = 5;
        Path five = write(dir.resolve("five"), f);
        assertTrue(message(() -> Idx.readImages(five)).startsWith(five + ": wrong magic number 0x00000805 (5 dimensions); expected 0x00000803 or 0x00000804"), message(() -> Idx.readImages(five)));
    }

    @Test void notAnIdxFileAtAll() {
        Path p = write(dir.resolve("images"), "P5 28 28 255 not idx".getBytes());
        String m = message(() -> Idx.readImages(p));
        assertTrue(m.startsWith(p + ": is not an IDX file: found magic 0x50352032, expected 0x00000803 or 0x00000804"), m);
    }

    @Test void aFileCompressedTwiceSaysSo() {
        // it read "is not an IDX file: found magic 0x1F8B0800", gzip's own first bytes
        Path p = write(dir.resolve("twice-idx3-ubyte.gz"), gzip(gzip(images(1, 1, 1, new byte[1]))));
        assertTrue(message(() -> Idx.readImages(p)).startsWith(p + ": is compressed twice"), message(() -> Idx.readImages(p)));
    }

    @Test void unsupportedDataType() {
        byte[] f = images(1, 1, 1, new byte[4]);
        f[2] = 0x0D;   // float elements
        Path p = write(dir.resolve("floats-idx3"), f);
        assertMessage(() -> Idx.readImages(p), p + ": unsupported data type 0x0D (float) (magic 0x00000D03); expected 0x08 unsigned bytes,"
                + " magic 0x00000803 (uint8 images [n, rows, cols] or [n, channels, rows, cols])");
    }

    @Test void truncatedHeader() {
        byte[] f = Arrays.copyOf(images(2, 3, 3, ramp(2, 3, 3)), 10);
        Path p = write(dir.resolve("short"), f);
        assertMessage(() -> Idx.readImages(p), p + ": truncated header: expected 16 bytes (magic and 3 dimension sizes), 10 present");
    }

    @Test void truncatedDataSaysExpectedAndPresentBytes() {
        byte[] f = images(10, 28, 28, ramp(10, 28, 28));
        Path p = write(dir.resolve("train-images-idx3-ubyte.gz"), gzip(Arrays.copyOf(f, 16 + 28 * 28 * 3 + 5)));
        assertMessage(() -> Idx.readImages(p), p + ": truncated: the header announces 10x28x28 values, 7856 bytes with the header, but 2373 bytes are present");
    }

    @Test void truncatedLabels() {
        Path p = write(dir.resolve("l"), Arrays.copyOf(labels(1, 2, 3, 4), 10));
        assertMessage(() -> Idx.readLabels(p), p + ": truncated: the header announces 4 values, 12 bytes with the header, but 10 bytes are present");
    }

    @Test void bytesBeyondTheData() {
        byte[] f = Arrays.copyOf(labels(1, 2, 3), 14);
        Path p = write(dir.resolve("l"), f);
        String m = message(() -> Idx.readLabels(p));
        assertTrue(m.startsWith(p + ": 3 bytes beyond the data: the header announces 3 values, 11 bytes with the header"), m);
    }

    @Test void zeroImages() {
        Path p = write(dir.resolve("i"), images(0, 28, 28, new byte[0]));
        assertMessage(() -> Idx.readImages(p), p + ": holds no images (count 0 in the header); expected at least one");
    }

    @Test void hugeDimensionIsRejectedNotAllocated() {
        ByteBuffer b = ByteBuffer.allocate(16).putInt(Idx.IMAGES_MAGIC).putInt(70000).putInt(70000).putInt(70000);
        Path p = write(dir.resolve("i"), b.array());
        assertMessage(() -> Idx.readImages(p), p + ": announces more than 2^31 values; too large to load");
        ByteBuffer neg = ByteBuffer.allocate(16).putInt(Idx.IMAGES_MAGIC).putInt(-1).putInt(1).putInt(1);
        Path q = write(dir.resolve("j"), neg.array());
        assertMessage(() -> Idx.readImages(q), q + ": dimension 0 has size 4294967295; expected at most 2147483647");
    }

    @Test void namedGzButNotGzip() {
        // an uncompressed IDX file that kept its .gz (a browser decompressed the download) loads as it is
        Path p = write(dir.resolve("train-images-idx3-ubyte.gz"), images(1, 2, 2, ramp(1, 2, 2)));
        Path plain = write(dir.resolve("train-images-idx3-ubyte"), images(1, 2, 2, ramp(1, 2, 2)));
        assertArrayEquals(Idx.readImages(plain).toFloats(), Idx.readImages(p).toFloats());
        Path q = write(dir.resolve("x.gz"), "hello".getBytes());
        assertMessage(() -> Idx.readImages(q), q + ": is named .gz but is not gzip data (starts with 68 65 6c 6c, gzip starts with 1f 8b)");
    }

    @Test void truncatedGzipStream() {
        byte[] z = gzip(images(5, 10, 10, ramp(5, 10, 10)));
        Path p = write(dir.resolve("i.gz"), Arrays.copyOf(z, z.length / 2));
        assertMessage(() -> Idx.readImages(p), p + ": truncated gzip data (the compressed stream ends early); the download or copy is incomplete");
    }

    @Test void corruptGzip() {
        byte[] z = gzip(images(5, 10, 10, ramp(5, 10, 10)));
        byte[] badCrc = z.clone();
        badCrc[z.length - 8] ^= (byte) 0xFF;
        Path p = write(dir.resolve("i.gz"), badCrc);
        assertMessage(() -> Idx.readImages(p), p + ": corrupt gzip data (Corrupt GZIP trailer)");
        byte[] badBlock = z.clone();
        badBlock[10] = (byte) 0xFF;   // first deflate block header: reserved block type 3
        Path q = write(dir.resolve("j.gz"), badBlock);
        String m = message(() -> Idx.readImages(q));
        assertTrue(m.startsWith(q + ": corrupt gzip data ("), m);
    }

    @Test void imageAndLabelCountsMustAgree() {
        Path im = write(dir.resolve("train-images-idx3-ubyte"), images(3, 2, 2, ramp(3, 2, 2)));
        Path lb = write(dir.resolve("train-labels-idx1-ubyte"), labels(0, 1));
        assertMessage(() -> Idx.read(im, lb, 0, List.of()), im + " holds 3 images but " + lb + " holds 2 labels; expected one label per image");
    }

    @Test void labelOutsideTheKnownClasses() {
        Path im = write(dir.resolve("i"), images(3, 2, 2, ramp(3, 2, 2)));
        Path lb = write(dir.resolve("l"), labels(0, 1, 12));
        assertMessage(() -> Idx.read(im, lb, 10, List.of()), lb + ": label 12 at index 2; expected a class 0..9");
    }

    @Test void missingFileAndFolder() {
        Path p = dir.resolve("nope.gz");
        assertMessage(() -> Idx.readImages(p), p + ": no such file");
        String m = message(() -> Idx.readImages(dir));
        assertTrue(m.equals(dir + ": is a folder, expected an IDX file"), m);
    }

    @Test void loadsALargeFileQuickly() {
        // the size of Fashion-MNIST's training images: reading must not go byte by byte through the stream
        int n = 60000, side = 28;
        byte[] pixels = new byte[n * side * side];
        new java.util.SplittableRandom(1).nextBytes(pixels);
        Path p = write(dir.resolve("big-idx3-ubyte.gz"), gzip(images(n, side, side, pixels)));
        Idx.readImages(p);   // warm up
        long t0 = System.nanoTime();
        Idx.Images im = Idx.readImages(p);
        float[] f = im.toFloats();
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(n * side * side, f.length);
        assertEquals(pixels[123456] & 0xFF, (int) f[123456]);
        assertTrue(seconds < 3, "60000 28x28 images took " + seconds + " s");
    }

    static String message(org.junit.jupiter.api.function.Executable e) {
        InputException ex = assertThrows(InputException.class, e);
        assertFalse(ex.getMessage().contains("\n"), "one line: " + ex.getMessage());
        return ex.getMessage();
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable e, String expected) {
        assertEquals(expected, message(e));
    }
}
