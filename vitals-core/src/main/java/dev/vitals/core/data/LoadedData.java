package dev.vitals.core.data;

/**
 * What a source yields: its examples, its own test split if it has one, a one-line description,
 * and, for a file read row by row (CSV), the file's name, the line each example came from and the
 * header's names of the feature columns (empty where it has none).
 */
public record LoadedData(Dataset data, Dataset ownTest, String description, String file, int[] lines, java.util.List<String> featureNames) {
    public LoadedData {
        featureNames = featureNames == null ? java.util.List.of() : java.util.List.copyOf(featureNames);
    }

    public LoadedData(Dataset data, Dataset ownTest, String description) { this(data, ownTest, description, null, null, null); }
}
