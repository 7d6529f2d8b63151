package dev.vitals.doctor.rules;

import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.trace.Observation;
import dev.vitals.doctor.trace.Trace;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The loss became NaN or infinite. The finding carries what preceded it, because that tells the
 * causes apart: non-finite from the very first step points at the data or the initialisation; a
 * gradient norm that grew by orders of magnitude first points at exploding gradients; activations
 * that went non-finite first point at overflow in the forward pass.
 */
public final class LossNonFinite extends Rule implements TraceRule {
    /** Growth of the gradient norm, last observed over the early median, that counts as a run-up. */
    static final double RUN_UP = 100;
    /** Growth of the gradient norm or the loss that makes the non-finite value the end of a divergence rather than a sudden one. */
    static final double MILD_RUN_UP = 3;

    @Override public Code code() { return Code.LOSS_NONFINITE; }

    @Override public Severity severity() { return Severity.ERROR; }

    @Override public String condition() { return "a training step's loss is NaN or infinite (the engine stops the run there)"; }

    @Override public Map<String, Object> thresholds() { return ordered("gradient-norm growth read as a run-up", RUN_UP, "gradient-norm or loss growth read as a divergence", MILD_RUN_UP); }

    @Override public String basis() { return "exact for the symptom; the run-up factor separates exploding gradients from bad inputs"; }

    @Override public String cause() {
        return "a non-finite value reached the loss: NaN or infinity in the data, or weights and activations that overflowed because the learning rate is too high or gradients exploded";
    }

    @Override public String fix() {
        return "check the data for NaN/inf (vitals check does), lower the learning rate, clip gradients (train.clip_norm: 1.0), add normalisation layers";
    }

    @Override
    public List<Finding> evaluate(Trace t, Moment moment) {
        int n = t.steps();
        if (n == 0 || Double.isFinite(t.loss(n - 1))) return List.of();
        int step = n - 1;
        List<Object> previous = new ArrayList<>();
        for (int i = Math.max(0, step - 8); i < step; i++) previous.add(Numbers.round(t.loss(i)));
        List<Observation> obs = t.observations();
        List<Object> norms = new ArrayList<>();
        for (int i = Math.max(0, obs.size() - 6); i < obs.size(); i++) norms.add(Numbers.round(obs.get(i).gradNorm()));
        String cause;
        String why;
        double growth = growth(obs);
        boolean activations = obs.stream().anyMatch(Observation::nonFiniteActivation);
        // a log may hold no gradient norms: then the loss itself says whether it ran up first
        boolean gradientsKnown = obs.stream().anyMatch(o -> !Double.isNaN(o.gradNorm()));
        double start = t.loss(0), highest = Double.NaN;
        for (int i = 0; i < step; i++) if (Double.isFinite(t.loss(i)) && !(t.loss(i) <= highest)) highest = t.loss(i);
        double lossGrowth = start > 0 ? highest / start : Double.NaN;
        if (step == 0 && firstStepSeen(t)) {
            why = "at the very first step";
            cause = "non-finite from the first step: NaN or infinity in the inputs, or an initialisation that overflows in the forward pass";
        } else if (step == 0) {
            // a log's first record need not be the run's first step: Hugging Face logs every 10 steps, and a
            // Keras row is an epoch's mean; a rate that diverged in the steps it did not log reads the same
            why = ", the first logged step (the log holds nothing from before it)";
            cause = "non-finite by the first logged step, with no record of the steps before it: NaN or infinity in the inputs, an initialisation "
                    + "that overflows in the forward pass, or a learning rate so high that the unlogged steps diverged";
        } else if (growth >= RUN_UP || gradientsKnown && gradientOverflowedFirst(obs)) {
            why = gradientsKnown && gradientOverflowedFirst(obs) ? "after the gradient norm became non-finite" + (growth > MILD_RUN_UP
                    ? " (it had grown " + Numbers.fmt(growth) + "x)" : "") : "after the gradient norm grew " + Numbers.fmt(growth) + "x";
            cause = "exploding gradients: the gradient norm " + (growth >= RUN_UP ? "grew by orders of magnitude" : "overflowed while the loss was still finite")
                    + ", the weights overflowed, and the loss followed; the learning rate is too high for this model (or gradients accumulate across steps) or the network lacks normalisation";
        } else if (!gradientsKnown && lossGrowth >= RUN_UP) {
            why = "after the loss rose " + Numbers.fmt(lossGrowth) + "x (the log holds no gradient norms)";
            cause = "the loss diverged before it overflowed: the learning rate is too high for this model, or gradients exploded (a log with grad_norm would tell which)";
        } else if (!gradientsKnown) {
            why = "(the log holds no gradient norms or activations to say what went before)";
            cause = cause();
        } else if (activations) {
            why = "after activations became non-finite";
            cause = "activations overflowed in the forward pass before the loss did: weights grew too large or an input holds NaN";
        } else if (growth >= MILD_RUN_UP || lossGrowth >= MILD_RUN_UP) {
            // norms 22 -> 50 and the loss 2.3 -> 7.3 over a few steps (a forgotten zero_grad under
            // momentum) is a divergence, not a sudden bad value: "without a gradient run-up" misled
            why = "after the gradient norm grew " + Numbers.fmt(growth) + "x and the loss " + Numbers.fmt(lossGrowth) + "x";
            cause = "the run diverged before it overflowed: steps too large for this model (a learning rate too high, or gradients that accumulate across steps), "
                    + "so the loss and the gradients grew until the weights overflowed";
        } else {
            why = "without a gradient run-up";
            cause = "a sudden non-finite value: NaN in one batch of the data, or a single huge step (learning rate too high)";
        }
        Severity sev = severity();
        long number = t.stepNumber(step);
        return List.of(finding(Stage.TRAIN, sev, null, number,
                "the loss became " + (Double.isNaN(t.loss(step)) ? "NaN" : "infinite") + " at step " + number + (why.startsWith(",") ? "" : " ") + why + "; training stopped",
                gradientsKnown
                        ? evidence("step", number, "previous_losses", previous, "last_gradient_norms", norms, "gradient_norm_growth", growth,
                                "non_finite_activations_before", activations)
                        : evidence("step", number, "previous_losses", previous, "loss_growth_before", lossGrowth),
                cause, fix()));
    }

    /**
     * Whether the trace's first step is the run's first optimizer step: in a Vitals run always; in a
     * log only where it is numbered 0 and its records are steps, not epochs (several to an epoch).
     */
    private static boolean firstStepSeen(Trace t) {
        return dev.vitals.doctor.trace.Curves.live(t) || t.stepNumber(0) == 0 && t.info() != null && t.info().stepsPerEpoch() > 1;
    }

    /** Whether a step's gradient norm was non-finite while its loss was still finite: the backward pass overflowed first. */
    static boolean gradientOverflowedFirst(List<Observation> obs) {
        for (Observation o : obs) if (Double.isFinite(o.loss()) && !Double.isFinite(o.gradNorm())) return true;
        return false;
    }

    /**
     * A validation loss a log wrote as NaN or infinity at epoch {@code epoch} (from 0) while training went
     * on: the model's outputs overflow on held-out examples (NaN in the validation data, a log of zero in
     * an evaluation-only path, weights grown so large that some inputs overflow).
     */
    public static Finding onValidation(Trace t, int epoch, double value) {
        List<dev.vitals.core.train.EpochResult> ep = t.epochs();
        double train = epoch < ep.size() ? ep.get(epoch).trainLoss() : Double.NaN;
        long step = epoch < ep.size() ? t.stepsDone(ep.get(epoch).steps()) : t.stepsDone(t.steps());
        String what = Double.isNaN(value) ? "NaN" : "infinite";
        return new LossNonFinite().finding(Stage.TRAIN, Severity.ERROR, null, step,
                "the validation loss became " + what + " at epoch " + (epoch + 1) + (Double.isFinite(train) ? " while the training loss was " + Numbers.fmt(train) : "")
                        + ": the model's outputs overflow on held-out examples",
                unlogged(evidence("epoch", epoch + 1, "validation_loss", what, "train_loss", train), "train_loss"),
                "the held-out examples or the evaluation differ from training: NaN or infinity in the validation data, a log of zero or a division in a path "
                        + "only evaluation takes, or weights grown so large that some inputs overflow",
                "check the validation data for NaN and extreme values (vitals check on a spec reading them names the rows), and the evaluation code for log(0); clip or lower the rate if the weights grew");
    }

    /**
     * The last finite gradient norm over the median of the first few before it (up to five, at most
     * half the way to it): how far the norm grew before it overflowed or the loss did. Norms of 312,
     * 4.3e7, 1.8e17, then inf read 1.0 where the first few were taken to include the overflow itself.
     */
    static double growth(List<Observation> obs) {
        int last = -1;
        for (int i = obs.size() - 1; i >= 0 && last < 0; i--) if (Double.isFinite(obs.get(i).gradNorm())) last = i;
        if (last < 1) return 1;
        int k = Math.min(5, Math.max(1, last / 2)), m = 0;
        double[] early = new double[k];
        for (int i = 0; i < k; i++) if (Double.isFinite(obs.get(i).gradNorm())) early[m++] = obs.get(i).gradNorm();
        if (m == 0) return 1;
        double base = dev.vitals.doctor.trace.Stats.median(java.util.Arrays.copyOf(early, m));
        return base > 0 ? obs.get(last).gradNorm() / base : 1;
    }
}
