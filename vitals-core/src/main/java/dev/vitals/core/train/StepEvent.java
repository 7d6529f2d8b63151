package dev.vitals.core.train;

import dev.vitals.core.nn.Mode;

/**
 * One optimisation step, as observers see it. The object is reused from step to step: read it in
 * {@link TrainingListener#onStep} and copy what you keep. On observed steps ({@link #observed})
 * the gradient, parameter and layer statistics are filled in; on the others only the scalars.
 */
public final class StepEvent {
    public int epoch, step, batchSize;
    public long globalStep;
    public double loss;
    /** Labels of this batch's examples, in the order they were trained (valid up to {@link #batchSize}). */
    public int[] labels;
    /** Correct predictions in this batch, counted from the training forward pass. */
    public int correct;
    public float lr;
    public Mode mode;
    public boolean observed;
    /**
     * Norm of (a strided sample of at most 1024 values per parameter of) the gradient buffers just
     * before backward: exactly zero when they were cleared.
     */
    public double gradNormAtStart;
    /** Global gradient norm after backward, before clipping. */
    public double gradNorm;
    public boolean clipped;
    public final ParamStats[] params;
    public final LayerStats[] layers;

    public StepEvent(ParamStats[] params, LayerStats[] layers) {
        this.params = params;
        this.layers = layers;
    }
}
