package dev.vitals.doctor;

import dev.vitals.core.report.Finding.Stage;

/**
 * The finding codes of DESIGN.md. Codes are stable: add new ones, never rename. Each has exactly one
 * {@link dev.vitals.doctor.rules.Rule} that decides when it fires.
 */
public enum Code {
    DATA_NONFINITE(Stage.DATA, "NaN or infinity in inputs or targets"),
    DATA_LABEL_RANGE(Stage.DATA, "labels outside the classes the model predicts, or not integers"),
    DATA_UNSCALED(Stage.DATA, "features on very different scales, or far from zero mean / unit variance"),
    DATA_CLASS_IMBALANCE(Stage.DATA, "one class dwarfs another"),
    DATA_UNSHUFFLED(Stage.DATA, "training batches arrive ordered by label"),
    DATA_LEAKAGE(Stage.DATA, "identical examples in training and validation/test"),
    DATA_CONSTANT_INPUTS(Stage.DATA, "every training example has the same inputs"),
    DATA_ROW_INDEX(Stage.DATA, "a feature numbers the file's rows (a row index or id left among the inputs)"),
    SOFTMAX_BEFORE_CROSS_ENTROPY(Stage.LINT, "an explicit softmax feeds a loss that applies its own"),
    LOSS_OUTPUT_MISMATCH(Stage.LINT, "loss and output layer or task do not fit"),
    TARGET_ENCODING(Stage.LINT, "targets encoded in a way the loss cannot reach"),
    SATURATING_ACTIVATIONS(Stage.LINT, "sigmoid or tanh in the hidden layers of a deep network"),
    INIT_MISMATCH(Stage.LINT, "initialisation unsuited to the activation"),
    NO_NORMALIZATION(Stage.LINT, "a deep network with no normalisation layer"),
    BATCHNORM_SMALL_BATCH(Stage.LINT, "batchnorm over flat features with batches too small to estimate its statistics"),
    NO_VALIDATION(Stage.LINT, "nothing measures generalisation"),
    LEARNING_RATE_RANGE(Stage.LINT, "the learning rate is far outside what works for this optimizer and model"),
    WEIGHT_DECAY_RANGE(Stage.LINT, "the weight decay is far above what works for this optimizer"),
    INITIAL_LOSS_OFF(Stage.PROBE, "the loss at initialisation is far from its expected value"),
    GRADIENT_CHECK_FAILED(Stage.PROBE, "a layer's analytic gradient disagrees with the numerical one"),
    CANNOT_OVERFIT_BATCH(Stage.PROBE, "the model cannot memorise a single batch: a bug, not a tuning problem"),
    BATCH_MIXING(Stage.PROBE, "the loss of one example sends gradient to other examples' inputs"),
    INPUT_LABEL_MISMATCH(Stage.PROBE, "the model does no better on the real inputs than on blanked ones"),
    UPDATE_RULE_MISMATCH(Stage.PROBE, "the optimizer's applied update is not what its rule says"),
    PARAMETERS_FROZEN(Stage.TRAIN, "gradients are non-zero but parameters do not move"),
    GRADIENT_ACCUMULATION(Stage.TRAIN, "gradients are not cleared between steps"),
    EVAL_MODE_TRAINING(Stage.TRAIN, "training steps run with dropout / batch-norm in evaluation mode"),
    LOSS_NONFINITE(Stage.TRAIN, "the loss became NaN or infinite"),
    EXPLODING_GRADIENTS(Stage.TRAIN, "gradient norms grow without bound"),
    VANISHING_GRADIENTS(Stage.TRAIN, "early layers' gradients are orders of magnitude too small to learn"),
    DEAD_RELU(Stage.TRAIN, "most units of a ReLU layer never activate"),
    SATURATED_UNITS(Stage.TRAIN, "most sigmoid/tanh units sit in their flat tails"),
    LEARNING_RATE_TOO_LOW(Stage.TRAIN, "stable gradients, loss falling far too slowly, tiny update/weight ratio"),
    LEARNING_RATE_TOO_HIGH(Stage.TRAIN, "loss and gradient norms oscillate or spike"),
    LOSS_PLATEAU(Stage.TRAIN, "loss stopped improving long before convergence"),
    OVERFITTING(Stage.TRAIN, "validation loss rises while training loss falls"),
    UNDERFITTING(Stage.TRAIN, "training and validation loss both stay high"),
    ACCURACY_AT_CHANCE(Stage.TRAIN, "accuracy stays at the level of guessing");

    private final Stage stage;
    private final String meaning;

    Code(Stage stage, String meaning) {
        this.stage = stage;
        this.meaning = meaning;
    }

    /** The stage DESIGN.md lists first for this code; a rule may also report it from a later stage. */
    public Stage stage() { return stage; }

    public String meaning() { return meaning; }
}
