package dev.vitals.core.data;

/**
 * What a source yields: its examples, its own test split if it has one, a one-line description,
 * and, for a file read row by row (CSV), the file's name and the line each example came from.
 */
public record LoadedData(Dataset data, Dataset ownTest, String description, String file, int[] lines) {
    public LoadedData(Dataset data, Dataset ownTest, String description) { this(data, ownTest, description, null, null); }
}
