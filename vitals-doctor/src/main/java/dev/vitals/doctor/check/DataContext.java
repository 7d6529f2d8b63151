package dev.vitals.doctor.check;

import dev.vitals.core.data.PreparedData;
import dev.vitals.core.spec.Spec;

/**
 * The data as the model will see it (normalised splits), the spec's data settings, and the number of
 * outputs the model predicts.
 */
public record DataContext(Spec spec, PreparedData data, int outputs, Measurements measured) {}
