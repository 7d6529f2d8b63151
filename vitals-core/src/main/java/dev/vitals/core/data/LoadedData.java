package dev.vitals.core.data;

/** What a source yields: its examples, its own test split if it has one, and a one-line description. */
public record LoadedData(Dataset data, Dataset ownTest, String description) {}
