package dev.vitals.doctor.rules;

import dev.vitals.core.nn.GradientCheck;
import dev.vitals.core.nn.Layer;
import dev.vitals.core.nn.Mode;
import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.core.train.Experiment;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.check.ProbeContext;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Each layer of the spec's model, built as the run builds it, is checked on its own: its analytic
 * gradients (input and every parameter) against finite differences (see
 * {@link GradientCheck}: Richardson-extrapolated central differences evaluated in double, with
 * kinks detected and a float32 noise floor). A layer alone has few kinks, so a failure names the
 * layer and the parameter. Mode-dependent layers (batch-norm, dropout) are checked in both modes.
 */
public final class GradientCheckFailed extends Rule implements ProbeRule {
    @Override public Code code() { return Code.GRADIENT_CHECK_FAILED; }

    @Override public Severity severity() { return Severity.ERROR; }

    @Override public String condition() {
        return "for some layer of the model, ||analytic - numeric|| / max(||analytic||, ||numeric||) exceeds " + GradientCheck.DEFAULT_TOLERANCE
                + " for its input or a parameter and the difference is above the float32 noise floor (up to " + GradientCheck.DEFAULT_MAX_ENTRIES
                + " entries per tensor, batch " + GradientCheck.DEFAULT_BATCH + "); 'vitals train' checks it before training too";
    }

    @Override public Map<String, Object> thresholds() {
        return ordered("relative error", GradientCheck.DEFAULT_TOLERANCE, "entries per tensor", GradientCheck.DEFAULT_MAX_ENTRIES,
                "step (relative)", GradientCheck.DEFAULT_STEP, "kinks skipped at most", GradientCheck.DEFAULT_MAX_SKIPPED);
    }

    @Override public String basis() {
        return "measured over 20 seeds: correct layers 1e-14 to 5e-5; a transposed or mis-indexed weight gradient 0.66-1.77, a bias summed over the wrong axis "
                + "0.81-1.20, batch-norm without its mean term 0.19-0.77, each at least 740 times its noise floor";
    }

    @Override public String cause() {
        return "the layer's backward pass computes something other than the derivative of its forward pass: a wrong axis in a reduction, a transposed or "
                + "mis-indexed product, a missing term";
    }

    @Override public String fix() {
        return "derive the backward pass again for the named parameter or input (the worst entry shows where it differs): reduce bias gradients over the batch axis (dz.sum(0)), "
                + "form weight gradients as inputᵀ·dz, route a pooling's gradient to the inputs it read, multiply by the activation's derivative at its own input, keep every term of the chain rule";
    }

    /** Entries per tensor of the quick check a layer gets once the probe's budget is spent. */
    static final int QUICK_ENTRIES = 8;
    /** Wall-clock limit past which layers go unchecked, whatever is left. */
    static final long HARD_LIMIT_NANOS = 10_000_000_000L;

    @Override public int order() { return 4; }

    @Override public String probeName() { return "gradient check"; }

    @Override
    public List<Finding> probe(ProbeContext ctx) {
        Experiment e = ctx.fresh();
        List<Finding> out = new ArrayList<>();
        int checked = 0, tensors = 0;
        double worst = 0;
        int roundingOnly = 0;  // tensors whose gradient is itself no larger than float32 rounding
        long start = System.nanoTime();
        int quick = 0;
        for (Layer l : e.model().layers()) {
            // past its budget (a busy machine: a residual CNN's dense layer went unchecked and a wrong bias
            // gradient unnamed) the remaining layers get a quick check of a few entries each, up to a hard limit
            boolean late = !ctx.timeLeft();
            if (late && System.nanoTime() - start > HARD_LIMIT_NANOS) {
                ctx.measured().put("unchecked_layers", e.model().layers().size() - checked);
                break;
            }
            GradientCheck gc = GradientCheck.defaults().seed(7);
            if (late) {
                gc = gc.maxEntries(QUICK_ENTRIES);
                quick++;
            }
            if (!modeDependent(l)) gc = gc.modes(Mode.TRAIN);
            GradientCheck.Result r;
            try {
                r = gc.check(l);
            } catch (Layer.LayerContractException broken) {
                // a layer of the API user's own returned an output or gradient of the wrong shape, wrote into its
                // input, or drew anew at each pass: nothing to compare; only the last may still compute correctly
                checked++;
                out.add(finding(Stage.PROBE, broken.wrong() ? severity() : Severity.WARNING, l.path(), null, broken.getMessage() + "; its gradients cannot be checked",
                        evidence("layer", l.path(), "kind", l.describe(), "problem", broken.getMessage()),
                        broken.wrong() ? "the layer breaks the contract of Layer: what its forward or backward pass returns or writes is not what the model passes on" : "the layer's output is not a function of its input alone",
                        broken.wrong() ? "return [batch, output shape] from forward and an input gradient of the input's shape from backward; write only into the layer's own buffers"
                                : "implement Stochastic for a layer that draws random numbers (freeze(true) holds its last draw), and keep no state between calls that changes the output"));
                continue;
            } catch (RuntimeException thrown) {
                // a layer of the API user's own that throws is a finding about it; one of Vitals' own that throws is Vitals' bug
                if (!custom(l)) throw thrown;
                checked++;
                String what = thrown.getClass().getSimpleName() + (thrown.getMessage() == null ? "" : ": " + thrown.getMessage());
                out.add(finding(Stage.PROBE, l.path(), null, l.path() + " (" + l.describe() + "): its forward or backward pass threw " + what
                                + (thrown instanceof IndexOutOfBoundsException ? " (a tensor's array may be longer than the tensor, as on a short last batch: loop to size(), not data().length)" : ""),
                        evidence("layer", l.path(), "kind", l.describe(), "problem", what)));
                continue;
            }
            checked++;
            tensors += r.tensors().size();
            for (GradientCheck.TensorResult t : r.tensors()) {
                if (!Double.isFinite(t.relativeError())) continue;
                // a gradient that is all rounding (a conv bias before batchnorm: zero in exact arithmetic) has a
                // relative error near 1 and passes on its noise floor: an "ok ... worst 0.95" read as a failure
                if (Math.max(t.analyticNorm(), t.numericNorm()) <= t.noiseFloor()) roundingOnly++;
                else worst = Math.max(worst, t.relativeError());
            }
            for (GradientCheck.TensorResult t : r.failures()) {
                String what = t.isInput() ? "input" : t.parameter();
                // a parameter inside a block (a residual's dense layer) is named by the layer that owns it
                Layer owner = t.isInput() ? l : owner(l, t.name());
                out.add(finding(Stage.PROBE, owner.path(), null,
                        owner.path() + " (" + owner.describe() + (owner != l ? ", in " + l.path() + " " + l.describe() : "")
                                + "): the analytic gradient of its " + what + " disagrees with the numerical one (relative error "
                                + Numbers.fmt(t.relativeError()) + (t.mode() != null ? ", " + t.mode().label() + " mode" : "") + "; worst entry "
                                + Arrays.toString(t.worstPosition()) + ": analytic " + Numbers.fmt(t.worstAnalytic()) + ", numeric " + Numbers.fmt(t.worstNumeric()) + ")",
                        evidence("layer", owner.path(), "kind", owner.describe(), "tensor", t.name(), "parameter", what, "relative_error", t.relativeError(),
                                "worst_entry", Arrays.toString(t.worstPosition()), "analytic", t.worstAnalytic(), "numeric", t.worstNumeric(),
                                "noise_floor", t.noiseFloor(), "entries_checked", t.checked(), "problem", t.problem())));
            }
        }
        ctx.measured().put("layers_checked", checked);
        if (quick > 0) ctx.measured().put("layers_checked_quickly", quick);
        ctx.measured().put("tensors_checked", tensors);
        ctx.measured().put("worst_relative_error", worst);
        if (roundingOnly > 0) ctx.measured().put("tensors_within_rounding", roundingOnly);
        return out;
    }

    /** Whether {@code l} or a layer inside it is an API user's own class rather than one of the engine's. */
    private static boolean custom(Layer l) {
        if (!l.getClass().getPackageName().equals(Layer.class.getPackageName())) return true;
        for (Layer c : l.children()) if (custom(c)) return true;
        return false;
    }

    /** The layer, {@code l} or one inside it, whose parameter {@code tensor} is. */
    private static Layer owner(Layer l, String tensor) {
        for (Layer c : l.children()) {
            if (tensor.startsWith(c.path() + ".")) return owner(c, tensor);
        }
        return l;
    }

    private static boolean modeDependent(Layer l) {
        if (l.kind().equals("batchnorm") || l.kind().equals("dropout")) return true;
        for (Layer c : l.children()) if (modeDependent(c)) return true;
        return false;
    }
}
