package dev.vitals.core.data;

import dev.vitals.core.InputException;
import dev.vitals.core.Words;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Opens a spec's data source by name. */
public final class Sources {
    private Sources() {}

    /**
     * Loads {@code source} (see DESIGN.md) with its options. Relative paths resolve against
     * {@code baseDir}. Problems with the files become {@link InputException}s naming file and line.
     */
    public static LoadedData load(String source, Map<String, Object> options, Path baseDir, long seed) {
        Options opts = new Options(source, options);
        // only the generators take options: reject any others before reading a possibly large file
        if (!source.startsWith("synthetic:")) opts.finish();
        LoadedData d;
        if (source.startsWith("csv:")) {
            d = csv(resolve(baseDir, source.substring(4)));
        } else if (source.startsWith("idx:")) {
            d = IdxSources.folder(resolve(baseDir, source.substring(4)));
        } else if (source.startsWith("synthetic:")) {
            d = Synthetic.generate(source.substring("synthetic:".length()), opts, seed);
        } else {
            d = switch (source) {
                case "digits" -> bundled("digits.csv.gz", "digits (UCI, 8x8 handwritten digits)");
                case "breast-cancer" -> bundled("breast_cancer.csv", "breast-cancer (UCI Wisconsin diagnostic)");
                case "iris" -> bundled("iris.csv", "iris (UCI)");
                case "wine" -> bundled("wine_data.csv", "wine (UCI)");
                case "fashion-mnist" -> IdxSources.fashionMnist(IdxSources.fashionFolders());
                default -> throw new InputException("data.source: unknown source '" + source + "'");
            };
        }
        return d;
    }

    /**
     * The files on disk that {@code source} reads (a {@code csv:} file, the files of an {@code idx:}
     * folder), resolved as {@link #load} resolves them; none for bundled and generated data. For
     * callers that must not write over their own input.
     */
    public static List<Path> files(String source, Path baseDir) {
        if (source.startsWith("csv:")) return List.of(resolve(baseDir, source.substring(4)));
        if (source.startsWith("idx:")) {
            Path dir = resolve(baseDir, source.substring(4));
            try (var s = java.nio.file.Files.list(dir)) {
                return s.filter(java.nio.file.Files::isRegularFile).toList();
            } catch (IOException | RuntimeException e) {
                return List.of();  // a folder that cannot be listed is reported when the data is loaded
            }
        }
        return List.of();
    }

    static Path resolve(Path baseDir, String p) {
        Path path = Path.of(p.trim());
        if (p.trim().startsWith("~/")) path = Path.of(System.getProperty("user.home"), p.trim().substring(2));
        return path.isAbsolute() || baseDir == null ? path : baseDir.resolve(path).normalize();
    }

    private static LoadedData bundled(String file, String description) {
        String res = "/dev/vitals/core/data/uci/" + file;
        try (InputStream raw = Sources.class.getResourceAsStream(res)) {
            if (raw == null) throw new IllegalStateException("bundled data " + res + " is missing from the jar");
            CsvReader.Table t = CsvReader.read(raw, file);
            Dataset d = t.data();
            // scikit-learn's header: rows, features, then the class names
            List<String> names = t.header() != null && t.header().size() > 2 ? t.header().subList(2, t.header().size()) : List.of();
            if (names.isEmpty() && file.startsWith("digits")) names = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
            int classes = names.isEmpty() ? d.classes() : names.size();
            d = new Dataset(d.exampleShape(), d.x(), d.labelValues(), classes, names);
            return new LoadedData(d, null, description + ": " + Words.count(d.size(), "example") + ", " + Words.count(d.features(), "feature") + ", " + Words.count(classes, "class"));
        } catch (IOException e) {
            throw new IllegalStateException("bundled data " + res + " cannot be read", e);
        }
    }

    private static LoadedData csv(Path path) {
        CsvReader.Table t = CsvReader.read(path);
        Dataset d = t.data();
        // a header that does not name every column (scikit-learn's "569,30,malignant,benign" over 31
        // values a row) is read as a header, and says so rather than pass without a word
        int columns = d.features() + 1;
        String header = t.header() != null && t.header().size() != columns
                ? "; its header line names " + Words.count(t.header().size(), "column") + " for " + columns + " values a row" : "";
        return new LoadedData(d, null, "csv " + path.getFileName() + ": " + Words.count(d.size(), "example") + ", " + Words.count(d.features(), "feature") + ", " + labels(d) + header,
                String.valueOf(path.getFileName()), t.lines(), t.featureNames());
    }

    /**
     * {@code loaded} with the examples of a test file of their own ({@code data.test: csv:PATH}) as its
     * test split: the same columns as the training file, and word labels numbered as the training
     * file numbers them (each file alone would number its own words in sorted order).
     */
    public static LoadedData withTestFile(LoadedData loaded, String testSource, Path baseDir) {
        Path path = resolve(baseDir, testSource.substring(4));
        CsvReader.Table t = CsvReader.read(path);
        Dataset train = loaded.data(), test = t.data();
        String name = String.valueOf(path.getFileName());
        if (test.features() != train.features()) {
            throw new InputException("data.test: " + name + " has " + Words.count(test.features(), "feature") + " a row, the training file "
                    + loaded.file() + " " + train.features() + "; expected the same columns in both");
        }
        boolean trainWords = !train.classNames().isEmpty(), testWords = !test.classNames().isEmpty();
        if (trainWords != testWords) {
            throw new InputException("data.test: " + name + " has " + (testWords ? "word" : "number") + " labels, the training file " + loaded.file() + " "
                    + (trainWords ? "word" : "number") + " labels; expected the same kind of label in both");
        }
        float[] labels = test.labelValues().clone();
        if (trainWords) {
            Map<String, Integer> index = new java.util.HashMap<>();
            for (int c = 0; c < train.classNames().size(); c++) index.put(train.classNames().get(c), c);
            for (int i = 0; i < labels.length; i++) {
                String word = test.classNames().get((int) labels[i]);
                Integer c = index.get(word);
                if (c == null) {
                    throw new InputException("data.test: " + name + " line " + t.lines()[i] + ": label '" + word + "' is not a class of the training file " + loaded.file()
                            + " (" + String.join(", ", train.classNames().subList(0, Math.min(8, train.classNames().size()))) + (train.classNames().size() > 8 ? ", ..." : "")
                            + "); expected one of its classes");
                }
                labels[i] = c;
            }
        }
        int classes = Math.max(train.classes(), trainWords ? train.classes() : Dataset.classesOf(labels));
        Dataset aligned = new Dataset(test.exampleShape(), test.x(), labels, classes, train.classNames());
        return new LoadedData(loaded.data(), aligned, loaded.description() + "; tested on " + name + " (" + Words.count(aligned.size(), "example") + ")",
                loaded.file(), loaded.lines(), loaded.featureNames());
    }

    /**
     * The classes, or where labels are not all class indices (real-valued targets) their range: "0
     * classes" said nothing, and a price column read as labels gave "382391 classes". Classes are
     * counted to the largest label; those without an example are said (1-based labels: class 0).
     */
    private static String labels(Dataset d) {
        float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
        int finite = 0, indices = 0;
        java.util.BitSet present = new java.util.BitSet();
        for (float v : d.labelValues()) {
            if (!Float.isFinite(v)) continue;
            finite++;
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
            int c = Dataset.classIndex(v);
            if (c >= 0) {
                indices++;
                present.set(c);
            }
        }
        if (finite == 0) return "no finite label";
        if (indices == 0) return "labels from " + lo + " to " + hi + " (none a class index)";
        if (indices < finite) return "labels from " + lo + " to " + hi + " (" + (finite - indices) + " of " + finite + " not a class index)";
        int empty = d.classes() - present.cardinality();
        return Words.count(d.classes(), "class") + (empty == 0 ? "" : " (counted to the largest label, " + (int) hi + "; " + Words.count(empty, "class") + " without an example)")
                + sameButCase(d.classNames());
    }

    /** "; class names 'YES', 'Yes' and 'yes' differ only in case" where word labels do: an export's spellings made classes of one. */
    private static String sameButCase(java.util.List<String> names) {
        java.util.Map<String, java.util.List<String>> by = new java.util.LinkedHashMap<>();
        for (String n : names) by.computeIfAbsent(n.trim().toLowerCase(java.util.Locale.ROOT), k -> new java.util.ArrayList<>()).add(n);
        for (java.util.List<String> same : by.values()) {
            if (same.size() < 2) continue;
            StringBuilder b = new StringBuilder("; class names ");
            for (int i = 0; i < same.size(); i++) b.append(i == 0 ? "" : i == same.size() - 1 ? " and " : ", ").append('\'').append(same.get(i)).append('\'');
            return b.append(" differ only in case or spaces: each is a class of its own").toString();
        }
        return "";
    }
}
