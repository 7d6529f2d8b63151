package dev.vitals.core.data;

import dev.vitals.core.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.vitals.core.data.IdxTest.assertMessage;
import static dev.vitals.core.data.IdxTest.message;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class IdxSourcesTest {
    @TempDir Path dir;

    // ---- idx:DIR ------------------------------------------------------------------------------

    @Test void idxFolderRelativeToTheSpecWithItsOwnTestSplit() {
        IdxFiles.dataset(dir.resolve("specs/mydata"), 12, 5, 3, 4, 3, true);
        LoadedData d = Sources.load("idx:mydata", Map.of(), dir.resolve("specs"), 1);
        assertEquals(Shape.of(1, 3, 4), d.data().exampleShape());
        assertEquals(12, d.data().size());
        assertEquals(3, d.data().classes());
        assertArrayEquals(new int[] {4, 4, 4}, d.data().classCounts());
        assertArrayEquals(new float[] {12, 13, 14}, Arrays.copyOfRange(d.data().x(), 12, 15), "second image starts at pixel 12");
        assertEquals(5, d.ownTest().size());
        assertEquals(3, d.ownTest().classes());
        assertEquals("idx mydata (3x4 images, 3 classes): 12 train + 5 test images", d.description());
    }

    @Test void idxFolderUncompressedWithoutTestFiles() {
        IdxFiles.dataset(dir.resolve("plain"), 6, 0, 2, 2, 2, false);
        LoadedData d = Sources.load("idx:" + dir.resolve("plain"), Map.of(), Path.of("elsewhere"), 1);
        assertEquals(6, d.data().size());
        assertNull(d.ownTest());
        assertEquals("idx plain (2x2 images, 2 classes): 6 train images", d.description());
    }

    @Test void idxFolderWithKaggleNames() {
        // Kaggle's copies name the files train-images.idx3-ubyte: once reported as missing
        Path p = dir.resolve("kaggle");
        IdxFiles.write(p.resolve("train-images.idx3-ubyte"), IdxFiles.images(2, 2, 2, new byte[8]));
        IdxFiles.write(p.resolve("train-labels.idx1-ubyte"), IdxFiles.labels(0, 1));
        IdxFiles.write(p.resolve("t10k-images.idx3-ubyte"), IdxFiles.images(1, 2, 2, new byte[4]));
        IdxFiles.write(p.resolve("t10k-labels.idx1-ubyte"), IdxFiles.labels(1));
        LoadedData d = IdxSources.folder(p);
        assertEquals(2, d.data().size());
        assertEquals(1, d.ownTest().size());
    }

    @Test void idxFolderOfImagesWithChannels() {
        // [n, channels, rows, cols] files, named idx4: "wrong magic number 0x00000804" before
        Path p = dir.resolve("rgb");
        IdxFiles.write(p.resolve("train-images-idx4-ubyte"), IdxFiles.channelImages(2, 3, 2, 2, new byte[24]));
        IdxFiles.write(p.resolve("train-labels-idx1-ubyte"), IdxFiles.labels(0, 1));
        IdxFiles.write(p.resolve("t10k-images-idx4-ubyte.gz"), IdxFiles.gzip(IdxFiles.channelImages(1, 3, 2, 2, new byte[12])));
        IdxFiles.write(p.resolve("t10k-labels-idx1-ubyte"), IdxFiles.labels(1));
        LoadedData d = IdxSources.folder(p);
        assertEquals(Shape.of(3, 2, 2), d.data().exampleShape());
        assertEquals(Shape.of(3, 2, 2), d.ownTest().exampleShape());
        assertEquals("idx rgb (2x2 3-channel images, 2 classes): 2 train + 1 test images", d.description());
        // a test split of another channel count is refused like one of another size
        IdxFiles.write(p.resolve("t10k-images-idx4-ubyte.gz"), IdxFiles.gzip(IdxFiles.channelImages(1, 1, 2, 2, new byte[4])));
        String m = message(() -> IdxSources.folder(p));
        assertTrue(m.contains("images of 2x2 pixels; expected 2x2 3-channel like the training images"), m);
    }

    @Test void idxClassesAgreeBetweenTrainAndTest() {
        Path p = IdxFiles.dataset(dir.resolve("d"), 4, 0, 2, 2, 2, false);
        IdxFiles.write(p.resolve("t10k-images-idx3-ubyte"), IdxFiles.images(2, 2, 2, new byte[8]));
        IdxFiles.write(p.resolve("t10k-labels-idx1-ubyte"), IdxFiles.labels(0, 4));
        LoadedData d = IdxSources.folder(p);
        assertEquals(5, d.data().classes(), "the test split's label 4 implies five classes for both");
        assertEquals(5, d.ownTest().classes());
    }

    @Test void idxFolderWithAFileAndItsGzipIsAmbiguous() throws Exception {
        // 1400 plain images beside 100 gzipped ones: the .gz was read without a word
        Path both = dir.resolve("both");
        IdxFiles.dataset(both, 6, 0, 2, 2, 2, false);
        Files.write(both.resolve("train-images-idx3-ubyte.gz"), new byte[] {0x1F, (byte) 0x8B});
        assertMessage(() -> Sources.load("idx:both", Map.of(), dir, 1), both + ": train-images-idx3-ubyte.gz and train-images-idx3-ubyte are both here; "
                + "expected one file of train-images-idx3-ubyte (remove or move the other)");
    }

    @Test void idxMissingFolder() {
        Path p = dir.resolve("absent");
        assertMessage(() -> Sources.load("idx:absent", Map.of(), dir, 1),
                p + ": no such folder; expected a folder with train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]");
    }

    @Test void idxFileInsteadOfFolder() throws Exception {
        Path f = Files.writeString(dir.resolve("data.csv"), "1,2\n");
        assertMessage(() -> IdxSources.folder(f),
                f + ": is a file; idx: expects a folder with train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]");
    }

    @Test void idxMissingTrainFiles() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertMessage(() -> IdxSources.folder(empty), empty + ": train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz] missing;"
                + " an idx: folder needs the training images and labels (and may hold t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte as its test split;"
                + " names with .idx3-ubyte, as Kaggle writes them, are read too)");
        IdxFiles.write(empty.resolve("train-images-idx3-ubyte.gz"), IdxFiles.gzip(IdxFiles.images(1, 1, 1, new byte[1])));
        String m = message(() -> IdxSources.folder(empty));
        assertTrue(m.startsWith(empty + ": train-labels-idx1-ubyte[.gz] missing;"), m);
    }

    @Test void idxHalfATestSplit() {
        Path p = IdxFiles.dataset(dir.resolve("d"), 4, 0, 2, 2, 2, false);
        IdxFiles.write(p.resolve("t10k-images-idx3-ubyte"), IdxFiles.images(1, 2, 2, new byte[4]));
        assertMessage(() -> IdxSources.folder(p), p + ": t10k-labels-idx1-ubyte[.gz] missing; t10k-images-idx3-ubyte is there,"
                + " and a test split needs both images and labels");
    }

    @Test void idxTestImagesOfAnotherSize() {
        Path p = IdxFiles.dataset(dir.resolve("d"), 4, 0, 2, 2, 2, false);
        Path t = IdxFiles.write(p.resolve("t10k-images-idx3-ubyte"), IdxFiles.images(1, 3, 3, new byte[9]));
        IdxFiles.write(p.resolve("t10k-labels-idx1-ubyte"), IdxFiles.labels(1));
        assertMessage(() -> IdxSources.folder(p), t + ": images of 3x3 pixels; expected 2x2 like the training images");
    }

    @Test void idxTakesNoOptions() {
        IdxFiles.dataset(dir.resolve("d"), 4, 0, 2, 2, 2, false);
        assertMessage(() -> Sources.load("idx:d", Map.of("samples", 3L), dir, 1), "data.options.samples: unknown option for idx:d, which takes no options");
    }

    // ---- fashion-mnist: the search ----------------------------------------------------------

    @Test void searchOrder() {
        Path home = Path.of("home", "u"), system = Path.of("sys");
        assertEquals(List.of(Path.of("/data/fashion-mnist"), Path.of("/data"), home.resolve(".vitals/data/fashion-mnist"), system),
                IdxSources.fashionFolders("/data", home, system));
        assertEquals(List.of(home.resolve(".vitals/data/fashion-mnist"), system), IdxSources.fashionFolders(null, home, system));
        assertEquals(List.of(home.resolve(".vitals/data/fashion-mnist"), system), IdxSources.fashionFolders("  ", home, system));
        assertEquals(Path.of("/usr/share/datasets/fashion-mnist"), IdxSources.fashionFolders().getLast());
    }

    @Test void absentEverywhere() throws Exception {
        Path vitalsData = Files.createDirectories(dir.resolve("vitals-data"));
        List<Path> folders = IdxSources.fashionFolders(vitalsData.toString(), dir.resolve("home"), dir.resolve("no-system-copy"));
        assertMessage(() -> IdxSources.fashionMnist(folders), "fashion-mnist: not found; looked for train-images-idx3-ubyte.gz and the other three"
                + " IDX files in " + vitalsData.resolve("fashion-mnist") + ", " + vitalsData + ", " + dir.resolve("home/.vitals/data/fashion-mnist")
                + ", " + dir.resolve("no-system-copy") + "; install it with apt-get install dataset-fashion-mnist, or set VITALS_DATA to a folder that holds the files");
    }

    @Test void firstCompleteFolderWinsAndItsT10kFilesAreTheTestSplit() {
        Path vitalsData = dir.resolve("vd");
        IdxFiles.dataset(vitalsData, 20, 10, 28, 28, 10, false);                        // $VITALS_DATA itself, uncompressed
        IdxFiles.dataset(dir.resolve("home/.vitals/data/fashion-mnist"), 30, 10, 28, 28, 10, true);
        List<Path> folders = IdxSources.fashionFolders(vitalsData.toString(), dir.resolve("home"), dir.resolve("none"));
        LoadedData d = IdxSources.fashionMnist(folders);
        assertEquals(20, d.data().size());
        assertEquals(10, d.ownTest().size());
        assertEquals(IdxSources.FASHION_CLASSES, d.data().classNames());
        assertEquals(10, d.ownTest().classes());
        assertEquals("fashion-mnist (Zalando, 28x28 grayscale, 10 classes) from " + vitalsData + ": 20 train + 10 test images", d.description());
    }

    @Test void partialFolderIsNamed() {
        Path vitalsData = dir.resolve("vd");
        Path fm = IdxFiles.dataset(vitalsData.resolve("fashion-mnist"), 4, 0, 28, 28, 2, true);   // no t10k files
        List<Path> folders = IdxSources.fashionFolders(vitalsData.toString(), dir.resolve("home"), dir.resolve("none"));
        assertMessage(() -> IdxSources.fashionMnist(folders), "fashion-mnist: " + fm + " holds only part of Fashion-MNIST: t10k-images-idx3-ubyte[.gz],"
                + " t10k-labels-idx1-ubyte[.gz] missing; copy the missing files there, or install the complete set with apt-get install dataset-fashion-mnist");
    }

    @Test void fashionLabelsAboveNineAreRejected() {
        Path fm = IdxFiles.dataset(dir.resolve("fm"), 12, 2, 28, 28, 12, true);
        assertMessage(() -> IdxSources.fashionMnist(List.of(fm)), fm.resolve("train-labels-idx1-ubyte.gz") + ": label 10 at index 10; expected a class 0..9");
    }

    @Test void fashionTakesNoOptions() {
        assertMessage(() -> Sources.load("fashion-mnist", Map.of("classes", 3L), null, 1),
                "data.options.classes: unknown option for fashion-mnist, which takes no options");
    }

    // ---- fashion-mnist: the real files (Debian's dataset-fashion-mnist; CI installs it) ---------

    @Test void realFashionMnist() {
        assumeTrue(Files.isRegularFile(IdxSources.SYSTEM_FOLDER.resolve("train-images-idx3-ubyte.gz")),
                "dataset-fashion-mnist is not installed");
        LoadedData d = IdxSources.fashionMnist(List.of(IdxSources.SYSTEM_FOLDER));
        Dataset train = d.data(), test = d.ownTest();
        assertEquals(Shape.of(1, 28, 28), train.exampleShape());
        assertEquals(60000, train.size());
        assertEquals(10000, test.size());
        assertEquals(10, train.classes());
        assertEquals(List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"), train.classNames());
        int[] sixThousand = new int[10], thousand = new int[10];
        Arrays.fill(sixThousand, 6000);
        Arrays.fill(thousand, 1000);
        assertArrayEquals(sixThousand, train.classCounts());
        assertArrayEquals(thousand, test.classCounts());
        // known values of the published files: the first training image is an ankle boot
        assertArrayEquals(new int[] {9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 0, 9}, Arrays.copyOf(train.labels(), 12));
        assertArrayEquals(new int[] {9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5}, Arrays.copyOf(test.labels(), 12));
        double first = 0, all = 0, min = 255, max = 0;
        float[] x = train.x();
        for (int i = 0; i < x.length; i++) {
            if (i < 784) first += x[i];
            all += x[i];
            min = Math.min(min, x[i]);
            max = Math.max(max, x[i]);
        }
        assertEquals(76247, first);
        assertEquals(0, min);
        assertEquals(255, max);
        assertEquals(72.94035, all / x.length, 1e-4, "mean pixel value, not normalised");
    }
}
