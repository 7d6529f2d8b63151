package dev.vitals.doctor.rules;

import dev.vitals.core.data.Batch;
import dev.vitals.core.data.Dataset;
import dev.vitals.core.nn.Mode;
import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.train.Experiment;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.check.ProbeContext;
import dev.vitals.doctor.check.Probes;

import java.util.List;
import java.util.Map;

/**
 * The loss of the freshly initialised model on real training examples, against the loss of an
 * uninformed prediction (all outputs zero: ln C for C classes under cross-entropy, ln 2 per output
 * under binary cross-entropy, the mean squared target under MSE). A model that starts several times
 * above that is confidently wrong before it has learned anything; one far below it is suspicious.
 */
public final class InitialLossOff extends Rule implements ProbeRule {
    static final double HIGH = 4.0, LOW = 0.25, FAR = 50.0;
    static final int EXAMPLES = 256;

    @Override public Code code() { return Code.INITIAL_LOSS_OFF; }

    @Override public Severity severity() { return Severity.WARNING; }

    @Override public String condition() {
        return "on up to " + EXAMPLES + " training examples, the initial loss (the lower of training mode's, where batchnorm normalises by the batch, and evaluation mode's, without dropout's noise) is more than " + HIGH + " times, or less than " + LOW
                + " times, the loss of predicting nothing (all outputs zero: ln C for cross-entropy); an error above " + FAR
                + " times under cross-entropy or binary cross-entropy (under mse the untrained outputs' spread alone makes the ratio large), "
                + "or when the loss is not finite. 'vitals train' measures it before training too. Its cause names the inputs' scale first where their root mean square over the sample exceeds " + (int) UNSCALED_RMS;
    }

    @Override public Map<String, Object> thresholds() { return ordered("too high (times expected)", HIGH, "too low (times expected)", LOW, "an error above (times expected)", FAR); }

    @Override public String basis() {
        return "Karpathy's 'verify loss at init' (-ln(1/C) for softmax). Healthy He-initialised networks measured here start at up to 2.2 times it "
                + "(wine, 3 classes: 2.46 against 1.10), hence a factor 4. Measured on digits with Adam over 30 epochs: init normal:0.3 (4x) ends 4 points below He "
                + "(93.6% against 97.5%), normal:0.5 (18x) 12 points, uniform:1 (49x) 10, normal:1 (146x) 14; on Fashion-MNIST over 5 epochs normal:0.2 (12x) "
                + "1 point, normal:0.4 (95x) 7. Past 50x every run measured lost more than 5 points, hence an error there";
    }

    @Override public String cause() {
        return "the initial weights are too large for the network, or its inputs far above unit scale (raw pixels with normalize: none act as weights "
                + "a hundred times larger), so the outputs are confidently wrong from the start; or the loss and targets do not measure what they should";
    }

    @Override public String fix() {
        return "use a scaled initialisation (he for ReLU, xavier for sigmoid/tanh), standardise the inputs (normalize: standard), and check the loss and target encoding";
    }

    @Override public int order() { return 3; }

    @Override public String probeName() { return "initial loss"; }

    @Override
    public List<Finding> probe(ProbeContext ctx) {
        Spec spec = ctx.spec();
        Experiment e = ctx.fresh();
        Dataset sample = ctx.sample(EXAMPLES);
        int outputs = e.model().outputShape().size();
        Batch b = Probes.batch(sample, spec.data().targets(), e.loss(), outputs);
        // The lower of the two modes' losses. Evaluation mode alone: dropout 0.9 made a well-scaled
        // model's loss 15.96 against ln 10 in training mode, and the finding blamed initial weights
        // that were fine. Training mode alone for batchnorm, whose untrained running statistics (mean 0,
        // variance 1) normalise nothing in evaluation mode: unscaled wine through dense-batchnorm-relu
        // read 482.6 (439x ln 3), while every step of the run normalises by its batch and the run
        // reached 94%. Neither mode makes a badly scaled model look well scaled.
        double eval = Probes.loss(e.model(), e.loss(), b, spec.data().targets(), Mode.EVAL, null);
        double train = Probes.loss(e.model(), e.loss(), b, spec.data().targets(), Mode.TRAIN, null);
        double measured = Double.isFinite(eval) && Double.isFinite(train) ? Math.min(eval, train) : Double.isFinite(eval) ? eval : train;
        if (eval != train) ctx.measured().put("mode", measured == eval ? "eval" : "train");
        double expected = Probes.uninformedLoss(e.loss(), b, spec.data().targets(), outputs);
        ctx.measured().put("initial_loss", measured);
        ctx.measured().put("expected", expected);
        if (!Double.isFinite(measured)) {
            return List.of(finding(Stage.PROBE, Severity.ERROR, null, null,
                    "the loss of the untrained model is already " + measured + " on real examples",
                    evidence("initial_loss", measured, "expected", expected, "examples", sample.size()),
                    "the forward pass overflows at initialisation: weights far too large, or non-finite inputs", fix()));
        }
        if (!(expected > 1e-6)) return List.of();
        double ratio = measured / expected;
        ctx.measured().put("ratio", ratio);
        if (ratio <= HIGH && ratio >= LOW) return List.of();
        // far above, the run spends its budget shrinking the outputs back before it learns (and a
        // large start settles where it generalises worse: digits at normal:0.5 fit 100% of the
        // training set and 85.5% of validation)
        // under mse the untrained outputs' own spread adds to the loss of zeros, whatever the weights'
        // scale (labels of 0 and 1, 5% ones: 20 times the 0.05 of predicting zero), so only a
        // cross-entropy's ratio measures confidence and makes an error
        boolean far = ratio > FAR && !spec.loss().equals("mse");
        // inputs far above unit scale are the likelier cause, and their fix the one to try first (unscaled
        // wine and pixels read "use a scaled initialisation" first, beside DATA_UNSCALED)
        double rms = rms(sample.x());
        boolean unscaled = rms > UNSCALED_RMS;
        String cause = unscaled ? "the inputs are far above unit scale (root mean square " + Numbers.fmt(rms) + " over the sample"
                + (spec.data().normalize() == dev.vitals.core.data.Normalizer.Kind.NONE ? ", with normalize: none" : "")
                + "): they act on the first layer as weights that many times larger, so the outputs are confidently wrong from the start"
                : spec.loss().equals("mse") ? "under mse the untrained outputs' own spread adds to the error of predicting zeros: weights at "
                        + spec.model().init() + "'s scale give outputs of about unit variance against targets of 0 and 1, so the start is far off without being confident of anything"
                : cause();
        String fix = unscaled ? "standardise the inputs (normalize: standard), then check the initialisation (he for ReLU, xavier for sigmoid/tanh)"
                : spec.loss().equals("mse") ? "nothing, if the run learns; a smaller initialisation (xavier or default) starts the outputs near zero; for classes, cross_entropy on logits suits better"
                : fix();
        if (ratio < LOW) {
            // below the guess before any training: random weights cannot know the labels, so the outputs are
            // large and happen to point the right way (2 blobs on one feature started at 0.087 against
            // ln 2 and reached 100%): what it says is the start's scale, harmless in this run
            return List.of(finding(Stage.PROBE, Severity.INFO, null, null,
                    "the untrained model's loss is " + Numbers.fmt(measured) + ", " + Numbers.fmt(ratio) + " times the " + Numbers.fmt(expected)
                            + " of predicting nothing: it starts confident, and right, before any training",
                    evidence("initial_loss", measured, "expected", expected, "ratio", ratio, "examples", sample.size(), "input_rms", rms),
                    "random weights cannot know the labels: the untrained outputs are large and happen to line up with the classes, as they can "
                            + "on data a single direction separates; the same scale pointing the other way would have started confidently wrong",
                    "nothing, if the run learns; for a start that guesses uninformed whatever the draw, scale the initialisation down "
                            + (unscaled ? "and standardise the inputs (normalize: standard)" : "(xavier, or normal with a smaller deviation)")));
        }
        return List.of(finding(Stage.PROBE, far ? Severity.ERROR : Severity.WARNING, null, null,
                "the untrained model's loss is " + Numbers.fmt(measured) + ", " + Numbers.fmt(ratio) + " times the " + Numbers.fmt(expected)
                        + " of predicting nothing" + (far ? ": it starts so confidently wrong that training spends its steps undoing its start"
                                : spec.loss().equals("mse") ? ": its outputs start far from their targets" : ": it starts confidently wrong"),
                evidence("initial_loss", measured, "expected", expected, "ratio", ratio, "examples", sample.size(), "input_rms", rms), cause, fix));
    }

    /** Inputs whose root mean square is above this are named as the cause before the initialisation. */
    static final double UNSCALED_RMS = 10;

    private static double rms(float[] x) {
        double s = 0;
        long n = 0;
        for (float v : x) {
            if (!Float.isFinite(v)) continue;
            s += (double) v * v;
            n++;
        }
        return n == 0 ? 0 : Math.sqrt(s / n);
    }
}
