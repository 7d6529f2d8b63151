package dev.vitals.doctor.rules;

import dev.vitals.core.data.Batch;
import dev.vitals.core.data.Dataset;
import dev.vitals.core.nn.Layer;
import dev.vitals.core.nn.Mode;
import dev.vitals.core.nn.Model;
import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.core.tensor.Tensor;
import dev.vitals.core.train.Experiment;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.check.ProbeContext;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * In evaluation mode (no batch statistics, no dropout) each example's output may depend only on
 * that example's input. The probe backpropagates a gradient on the first example's output alone and
 * measures how much reaches the other examples' inputs; then it walks the layers one by one to name
 * the first that passes gradient between rows (Karpathy's "use backprop to chart dependencies").
 */
public final class BatchMixing extends Rule implements ProbeRule {
    static final int EXAMPLES = 8;
    static final double LEAK = 1e-6;

    @Override public Code code() { return Code.BATCH_MIXING; }

    @Override public Severity severity() { return Severity.ERROR; }

    @Override public String condition() {
        return "in evaluation mode, a gradient on example 0's output alone sends to the other " + (EXAMPLES - 1)
                + " examples' inputs a gradient norm above " + LEAK + " of what example 0's input gets; 'vitals train' checks it before training too";
    }

    @Override public Map<String, Object> thresholds() { return ordered("examples", EXAMPLES, "leak (relative)", LEAK); }

    @Override public String basis() { return "exact in principle: with batch statistics and dropout off, examples are independent, so the leak is zero up to rounding"; }

    @Override public String cause() {
        return "a layer reshapes or transposes its batch with the wrong axes (a reshape where a transpose was meant, a view over [features, batch]), so examples are computed from each other's values";
    }

    @Override public String fix() { return "keep the batch axis first through every reshape: flatten to [batch, -1], transpose only the feature axes"; }

    @Override public int order() { return 5; }

    @Override public String probeName() { return "batch mixing"; }

    @Override
    public List<Finding> probe(ProbeContext ctx) {
        Experiment e = ctx.fresh();
        Model m = e.model();
        Dataset sample = ctx.sample(EXAMPLES);
        if (sample.size() < 2) {
            ctx.measured().put("skipped", "fewer than two training examples");
            return List.of();
        }
        Batch b = new Batch(sample.exampleShape(), sample.size(), 1);
        b.fill(sample, null, 0, sample.size(), null, 1);
        Tensor out = m.forward(b.x(), Mode.EVAL);
        Tensor g = firstRowOnly(out);
        Tensor gin = m.backward(g, true);
        double leak = leak(gin);
        ctx.measured().put("leak", leak);
        if (!(leak > LEAK)) return List.of();
        // each layer, given a gradient on example 0's row of its own output, must send nothing to other rows;
        // the model's forward pass left every layer ready for its backward, so they can be asked one by one
        String where = null, what = null;
        for (Layer l : m.layers()) {
            Tensor gi = l.backward(firstRowOnly(l.lastOutput()), true);
            if (gi != null && leak(gi) > LEAK) {
                where = l.path();
                what = l.describe();
                break;
            }
        }
        return List.of(finding(Stage.PROBE, where, null,
                "the loss of one example sends gradient to the other examples' inputs (relative leak " + Numbers.fmt(leak) + ")"
                        + (where != null ? "; the first layer that mixes the batch is " + where + " (" + what + ")" : ""),
                evidence("relative_leak", leak, "examples", sample.size(), "mixing_layer", where == null ? "not localised" : where)));
    }

    /** A gradient of random values on row 0 of {@code out}'s shape, zero on every other row. */
    private static Tensor firstRowOnly(Tensor out) {
        Tensor g = Tensor.zeros(out.shape());
        SplittableRandom r = new SplittableRandom(5);
        for (int j = 0; j < out.exampleSize(); j++) g.data()[j] = (float) (r.nextDouble() * 2 - 1);
        return g;
    }

    /** Norm of the gradient on rows 1.. over the norm on row 0. */
    private static double leak(Tensor gin) {
        int per = gin.exampleSize();
        double first = 0, rest = 0;
        float[] d = gin.data();
        for (int i = 0; i < gin.size(); i++) {
            double v = d[i] * (double) d[i];
            if (i < per) first += v;
            else rest += v;
        }
        if (first == 0) return rest > 0 ? Double.POSITIVE_INFINITY : 0;
        return Math.sqrt(rest / first);
    }
}
