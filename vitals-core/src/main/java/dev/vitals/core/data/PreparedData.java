package dev.vitals.core.data;

/**
 * Data ready for training: normalised splits (validation and test may be null) and the normaliser
 * fitted on the training split, which a checkpoint must carry to predict on new data.
 */
public record PreparedData(Dataset train, Dataset validation, Dataset test, Normalizer normalizer, String description) {}
