package dev.vitals.core.train;

/**
 * Observes a training run (DJL's TrainingListener, Keras' callbacks). The trainer calls these in
 * order: run begin, then per epoch: epoch begin, a step event per batch, epoch end; then run end.
 * Listeners must not keep the reused {@link StepEvent}, and must not modify the model.
 */
public interface TrainingListener {
    default void onRunBegin(RunInfo run) {}

    default void onEpochBegin(int epoch) {}

    default void onStep(StepEvent step) {}

    default void onEpochEnd(EpochResult epoch) {}

    default void onRunEnd(RunResult result) {}
}
