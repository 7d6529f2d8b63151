package dev.vitals.doctor.repair;

import dev.vitals.doctor.Code;

import java.util.List;
import java.util.Map;

/**
 * Which of the reproducible training-loop bugs (DESIGN.md) is known to produce each symptom. The
 * repair of such a symptom is taking the bug out; the diagnosis never sees this table.
 */
final class BugSymptoms {
    private static final Map<Code, List<String>> BUGS = Map.ofEntries(
            Map.entry(Code.GRADIENT_ACCUMULATION, List.of("no_zero_grad")),
            Map.entry(Code.EVAL_MODE_TRAINING, List.of("eval_mode")),
            Map.entry(Code.UPDATE_RULE_MISMATCH, List.of("double_lr", "stale_updates")),
            Map.entry(Code.PARAMETERS_FROZEN, List.of("stale_updates")),
            Map.entry(Code.GRADIENT_CHECK_FAILED, List.of("wrong_bias_grad", "mixed_batch")),
            Map.entry(Code.BATCH_MIXING, List.of("mixed_batch")),
            Map.entry(Code.INPUT_LABEL_MISMATCH, List.of("shuffled_labels")),
            Map.entry(Code.DATA_NONFINITE, List.of("nan_inputs")),
            Map.entry(Code.DATA_UNSHUFFLED, List.of("unshuffled")),
            Map.entry(Code.LOSS_NONFINITE, List.of("nan_inputs")),
            Map.entry(Code.LEARNING_RATE_TOO_LOW, List.of("double_lr")),
            Map.entry(Code.CANNOT_OVERFIT_BATCH, List.of("double_lr", "stale_updates", "no_zero_grad", "wrong_bias_grad", "mixed_batch")),
            Map.entry(Code.ACCURACY_AT_CHANCE, List.of("shuffled_labels", "stale_updates", "double_lr", "mixed_batch", "no_zero_grad")));

    private BugSymptoms() {}

    /** The bugs that produce {@code code}'s symptom, most direct first; empty when none does. */
    static List<String> producing(Code code) { return BUGS.getOrDefault(code, List.of()); }
}
