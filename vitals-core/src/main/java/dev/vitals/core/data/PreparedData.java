package dev.vitals.core.data;

/**
 * Data ready for training: normalised splits (validation and test may be null), the normaliser
 * fitted on the training split, which a checkpoint must carry to predict on new data, and where
 * the examples came from, when the source can say (null otherwise).
 */
public record PreparedData(Dataset train, Dataset validation, Dataset test, Normalizer normalizer, String description, Origin origin) {
    public PreparedData(Dataset train, Dataset validation, Dataset test, Normalizer normalizer, String description) {
        this(train, validation, test, normalizer, description, null);
    }

    /**
     * The source file's line of each split's examples, so that a finding about "train example 6"
     * can name the row a user would open: {@code train[i]} is the line of training example i (a
     * split is null where it did not come from the file, such as an idx folder's own test files).
     */
    public record Origin(String file, int[] train, int[] validation, int[] test, java.util.List<String> featureNames) {
        public Origin {
            featureNames = featureNames == null ? java.util.List.of() : java.util.List.copyOf(featureNames);
        }

        public Origin(String file, int[] train, int[] validation, int[] test) { this(file, train, validation, test, null); }

        /** The header's name of feature {@code i} (counted from 0), or null where the file has none or an empty one. */
        public String featureName(int i) {
            if (i < 0 || i >= featureNames.size()) return null;
            String n = featureNames.get(i);
            return n.isEmpty() ? null : n;
        }

        /** "t.csv line 9", or null where the split's lines are not known. */
        public String where(String split, int example) {
            int[] lines = switch (split) {
                case "train" -> train;
                case "validation" -> validation;
                case "test" -> test;
                default -> null;
            };
            return lines == null || example < 0 || example >= lines.length ? null : file + " line " + lines[example];
        }
    }
}
