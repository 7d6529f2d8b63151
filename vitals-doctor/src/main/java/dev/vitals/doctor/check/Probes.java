package dev.vitals.doctor.check;

import dev.vitals.core.data.Batch;
import dev.vitals.core.data.Dataset;
import dev.vitals.core.loss.Loss;
import dev.vitals.core.loss.TargetEncoding;
import dev.vitals.core.nn.Mode;
import dev.vitals.core.nn.Model;
import dev.vitals.core.tensor.Tensor;

/** What several probes do: put examples through a model and its loss. */
public final class Probes {
    private Probes() {}

    /** A batch of {@code d}'s examples with the targets the loss needs. */
    public static Batch batch(Dataset d, TargetEncoding enc, Loss loss, int outputs) {
        Batch b = new Batch(d.exampleShape(), d.size(), enc.width(outputs));
        b.fill(d, null, 0, d.size(), loss.needsTargets(enc) ? enc : null, outputs);
        return b;
    }

    /** The loss of the model's output on {@code b}, and its gradient into {@code grad} when not null. */
    public static double loss(Model m, Loss loss, Batch b, TargetEncoding enc, Mode mode, Tensor grad) {
        Tensor out = m.forward(b.x(), mode);
        return loss.forward(out, b.labels(), loss.needsTargets(enc) ? b.targets() : null, grad);
    }

    /** The loss of predicting nothing: every output zero (uniform class probabilities for the cross-entropies). */
    public static double uninformedLoss(Loss loss, Batch b, TargetEncoding enc, int outputs) {
        Tensor zero = Tensor.zeros(b.size(), outputs);
        return loss.forward(zero, b.labels(), loss.needsTargets(enc) ? b.targets() : null, null);
    }
}
