package dev.vitals.core.data;

import dev.vitals.core.InputException;
import dev.vitals.core.Words;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** The sources made of IDX files: {@code fashion-mnist} and {@code idx:DIR}. */
final class IdxSources {
    private IdxSources() {}

    static final String TRAIN_IMAGES = "train-images-idx3-ubyte", TRAIN_LABELS = "train-labels-idx1-ubyte",
            TEST_IMAGES = "t10k-images-idx3-ubyte", TEST_LABELS = "t10k-labels-idx1-ubyte";
    private static final List<String> FILES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

    /** Where Debian's package {@code dataset-fashion-mnist} installs the files: part of the contract. */
    static final Path SYSTEM_FOLDER = Path.of("/usr/share/datasets/fashion-mnist");

    static final List<String> FASHION_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** The folders searched for Fashion-MNIST, in order, for this process's environment. */
    static List<Path> fashionFolders() {
        return fashionFolders(System.getenv("VITALS_DATA"), Path.of(System.getProperty("user.home")), SYSTEM_FOLDER);
    }

    static List<Path> fashionFolders(String vitalsData, Path home, Path systemFolder) {
        List<Path> out = new ArrayList<>();
        if (vitalsData != null && !vitalsData.isBlank()) {
            Path d = Path.of(vitalsData.trim());
            out.add(d.resolve("fashion-mnist"));
            out.add(d);
        }
        out.add(home.resolve(".vitals").resolve("data").resolve("fashion-mnist"));
        out.add(systemFolder);
        return out;
    }

    /**
     * Fashion-MNIST from the first folder that holds all four files. A folder holding only some of
     * them is named in the error, since that is almost always an incomplete download.
     */
    static LoadedData fashionMnist(List<Path> folders) {
        Path chosen = null, partial = null;
        for (Path f : folders) {
            long present = FILES.stream().filter(name -> find(f, name) != null).count();
            if (present == FILES.size()) {
                chosen = f;
                break;
            }
            if (present > 0 && partial == null) partial = f;
        }
        if (chosen == null && partial != null) {
            Path p = partial;
            String missing = FILES.stream().filter(name -> find(p, name) == null).map(n -> n + "[.gz]").collect(Collectors.joining(", "));
            throw new InputException("fashion-mnist: " + partial + " holds only part of Fashion-MNIST: " + missing
                    + " missing; copy the missing files there, or install the complete set with apt-get install dataset-fashion-mnist");
        }
        if (chosen == null) {
            throw new InputException("fashion-mnist: not found; looked for " + TRAIN_IMAGES + ".gz and the other three IDX files in "
                    + folders.stream().map(Path::toString).collect(Collectors.joining(", "))
                    + "; install it with apt-get install dataset-fashion-mnist, or set VITALS_DATA to a folder that holds the files");
        }
        Dataset train = Idx.read(find(chosen, TRAIN_IMAGES), find(chosen, TRAIN_LABELS), 10, FASHION_CLASSES);
        Dataset test = Idx.read(find(chosen, TEST_IMAGES), find(chosen, TEST_LABELS), 10, FASHION_CLASSES);
        checkSameShape(train, test, find(chosen, TEST_IMAGES));
        return new LoadedData(train, test, "fashion-mnist (Zalando, " + shapeText(train) + " grayscale, 10 classes) from " + chosen
                + ": " + train.size() + " train + " + test.size() + " test images");
    }

    /** {@code idx:DIR}: train files required, t10k files optional and then the source's own test split. */
    static LoadedData folder(Path dir) {
        if (!Files.exists(dir)) throw new InputException(dir + ": no such folder; expected a folder with " + TRAIN_IMAGES + "[.gz] and " + TRAIN_LABELS + "[.gz]");
        if (!Files.isDirectory(dir)) throw new InputException(dir + ": is a file; idx: expects a folder with " + TRAIN_IMAGES + "[.gz] and " + TRAIN_LABELS + "[.gz]");
        Path trainImages = find(dir, TRAIN_IMAGES), trainLabels = find(dir, TRAIN_LABELS);
        if (trainImages == null || trainLabels == null) {
            String missing = trainImages == null && trainLabels == null ? TRAIN_IMAGES + "[.gz] and " + TRAIN_LABELS + "[.gz]"
                    : (trainImages == null ? TRAIN_IMAGES : TRAIN_LABELS) + "[.gz]";
            throw new InputException(dir + ": " + missing + " missing; an idx: folder needs the training images and labels"
                    + " (and may hold " + TEST_IMAGES + " and " + TEST_LABELS + " as its test split; names with .idx3-ubyte, as Kaggle writes them, are read too)");
        }
        Path testImages = find(dir, TEST_IMAGES), testLabels = find(dir, TEST_LABELS);
        if ((testImages == null) != (testLabels == null)) {
            throw new InputException(dir + ": " + (testImages == null ? TEST_IMAGES : TEST_LABELS) + "[.gz] missing; "
                    + (testImages == null ? TEST_LABELS : TEST_IMAGES) + " is there, and a test split needs both images and labels");
        }
        Dataset train = Idx.read(trainImages, trainLabels, 0, List.of());
        Dataset test = testImages == null ? null : Idx.read(testImages, testLabels, 0, List.of());
        if (test != null) {
            checkSameShape(train, test, testImages);
            // both splits must agree on the number of classes, which the labels imply
            int classes = Math.max(train.classes(), test.classes());
            train = new Dataset(train.exampleShape(), train.x(), train.labelValues(), classes, List.of());
            test = new Dataset(test.exampleShape(), test.x(), test.labelValues(), classes, List.of());
        }
        return new LoadedData(train, test, "idx " + dir.getFileName() + " (" + shapeText(train) + " images, " + Words.count(train.classes(), "class") + "): "
                + train.size() + " train" + (test == null ? "" : " + " + test.size() + " test") + " images");
    }

    private static void checkSameShape(Dataset train, Dataset test, Path testImages) {
        if (!train.exampleShape().equals(test.exampleShape())) {
            throw new InputException(testImages + ": images of " + shapeText(test) + " pixels; expected " + shapeText(train)
                    + " like the training images");
        }
    }

    private static String shapeText(Dataset d) {
        int c = d.exampleShape().dim(0);
        return d.exampleShape().dim(1) + "x" + d.exampleShape().dim(2) + (c == 1 ? "" : " " + c + "-channel");
    }

    /**
     * The file {@code name.gz} or {@code name} in {@code dir}, or the same with a dot before "idx"
     * ({@code train-images.idx3-ubyte}, as Kaggle's copies of MNIST and Fashion-MNIST name them), or
     * null if none is there.
     */
    static Path find(Path dir, String name) {
        String dotted = name.replace("-idx", ".idx");
        List<Path> there = new java.util.ArrayList<>();
        List<String> names = new java.util.ArrayList<>(List.of(name + ".gz", name, dotted + ".gz", dotted));
        // images of several channels are four-dimensional, and their files may say so
        if (name.contains("idx3")) for (String n : List.copyOf(names)) names.add(n.replace("idx3", "idx4"));
        for (String n : names) {
            Path p = dir.resolve(n);
            if (Files.isRegularFile(p)) there.add(p);
        }
        // two copies (a .gz and what was unpacked from it, perhaps since changed): which one is meant
        // is the user's to say; the .gz was read without a word
        if (there.size() > 1) {
            throw new InputException(dir + ": " + there.stream().map(p -> String.valueOf(p.getFileName())).collect(Collectors.joining(" and "))
                    + " are both here; expected one file of " + name + " (remove or move the other)");
        }
        return there.isEmpty() ? null : there.getFirst();
    }
}
