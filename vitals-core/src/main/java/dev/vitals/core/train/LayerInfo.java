package dev.vitals.core.train;

import java.util.List;

/**
 * What an observer may know about one layer of the model being trained: its position, kind,
 * description, shapes, parameters, and where its slope vanishes (for activations).
 */
public record LayerInfo(int index, String path, String kind, String description, int[] inputShape, int[] outputShape,
                        List<String> parameters, String saturation, int depth) {}
