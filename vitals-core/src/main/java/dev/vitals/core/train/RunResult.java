package dev.vitals.core.train;

import dev.vitals.core.report.Finding;

import java.util.List;

/**
 * The outcome of a run: per-epoch metrics, test metrics (NaN without a test split), why it stopped
 * early if it did, the epoch whose weights were kept, and what the engine itself found.
 */
public record RunResult(List<EpochResult> epochs, double testLoss, double testAccuracy, String stopReason,
                        int bestEpoch, double seconds, List<Finding> findings) {
    public boolean hasTest() { return !Double.isNaN(testLoss); }

    public EpochResult last() { return epochs.isEmpty() ? null : epochs.get(epochs.size() - 1); }
}
