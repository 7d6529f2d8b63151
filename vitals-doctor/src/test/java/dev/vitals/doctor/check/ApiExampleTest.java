package dev.vitals.doctor.check;

import dev.vitals.core.nn.Activation;
import dev.vitals.core.nn.BuildContext;
import dev.vitals.core.nn.Dense;
import dev.vitals.core.nn.Layer;
import dev.vitals.core.nn.Mode;
import dev.vitals.core.nn.Model;
import dev.vitals.core.nn.Parameter;
import dev.vitals.core.optim.Optimizer;
import dev.vitals.core.report.Finding;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.spec.SpecParser;
import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;
import dev.vitals.core.train.Experiment;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example of docs/doctor.md ("Your own layer or optimizer, through the API"), as written there:
 * if this stops compiling or its findings change, the page is wrong.
 */
class ApiExampleTest {
    // ---- from docs/doctor.md ----
    /** y = x * gain, one learnable gain per feature. */
    static final class MyGain extends Layer {
        private final boolean bug;
        private Parameter gain;
        private Tensor input;

        MyGain(boolean bug) { this.bug = bug; }

        @Override public String kind() { return "gain"; }

        @Override protected Shape doBuild(Shape in, BuildContext ctx) {
            gain = addParameter("gain", Tensor.zeros(in.dim(0)));
            gain.value().fill(1f);
            return in;                                  // the output shape, per example
        }

        @Override public Tensor forward(Tensor x, Mode mode) {
            input = x;                                  // what backward needs
            int n = gain.size();
            Tensor y = Tensor.zeros(x.batch(), n);
            float[] xs = x.data(), ys = y.data(), g = gain.value().data();
            for (int i = 0; i < x.batch() * n; i++) ys[i] = xs[i] * g[i % n];
            return y;
        }

        @Override public Tensor backward(Tensor dy, boolean needInputGrad) {
            int n = gain.size();
            float[] d = dy.data(), xs = input.data(), g = gain.value().data(), dg = gain.grad().data();
            for (int i = 0; i < dy.batch() * n; i++) dg[i % n] += bug ? d[i] : d[i] * xs[i];   // add, never assign
            if (!needInputGrad) return null;
            Tensor dx = Tensor.zeros(dy.batch(), n);
            for (int i = 0; i < dy.batch() * n; i++) dx.data()[i] = d[i] * g[i % n];
            return dx;
        }
    }

    /** Plain SGD: w -= lr * g. */
    static final class MySgd extends Optimizer {
        MySgd(List<Parameter> params) { super(params, 0); }           // 0: the weight decay it applies

        @Override public String key() { return "sgd"; }   // the rule the update-rule check holds it to

        @Override protected void update(int index, float[] w, float[] g, int n, float lr, boolean apply, long t) {
            if (apply) for (int i = 0; i < n; i++) w[i] -= lr * g[i];
        }
    }
    // ---- end of the example ----

    private static final String SPEC_TEXT = """
            name: mine
            data: {source: digits}
            model: {layers: [{dense: 64}, relu, {dense: 10}]}
            optimizer: {name: sgd, lr: 0.05}
            train: {epochs: 5, batch: 32}
            """;
    private static final Spec SPEC = SpecParser.parse(SPEC_TEXT, null);

    private static Checkup.Result check(boolean buggyLayer) {
        return Checkup.run(SPEC, Experiment.loadData(SPEC), parts(buggyLayer), null);
    }

    private static Experiment.Parts parts(boolean buggyLayer) {
        return new Experiment.Parts() {
            @Override public Model model(Spec s, Shape input, long seed) {
                return Model.build(List.of(new Dense(64), new Activation.ReLU(), new MyGain(buggyLayer), new Dense(10)),
                        input, new BuildContext(s.model().init(), new SplittableRandom(seed), s.faults()));
            }

            @Override public Optimizer optimizer(Spec s, List<Parameter> params) { return new MySgd(params); }
        };
    }

    @Test
    void theExampleAsWrittenIsHealthy() {
        List<Finding> errors = check(false).findings().stream().filter(Finding::isError).toList();
        assertTrue(errors.isEmpty(), errors.toString());
    }

    @Test
    void itsLayerWithTheXLeftOutOfItsGradientIsNamed() {
        List<Finding> fs = check(true).findings().stream().filter(f -> f.code().equals("GRADIENT_CHECK_FAILED")).toList();
        assertEquals(1, fs.size(), fs.toString());
        assertEquals("layers.2", fs.get(0).layer());
        assertEquals("gain", fs.get(0).evidence().get("parameter"));
    }

    @Test
    void trainingTheUsersPartsProbesTheirCodeFirst() {
        // as vitals train does for a spec: the preflight's gradient check runs on the user's layer
        dev.vitals.doctor.WatchedRun.Outcome ok = dev.vitals.doctor.WatchedRun.train(SPEC, Experiment.loadData(SPEC), parts(false), null);
        assertTrue(ok.trained() && ok.healthy(), ok.findings().toString());
        assertTrue(ok.result().testAccuracy() > 0.9, "test accuracy " + ok.result().testAccuracy());
        dev.vitals.doctor.WatchedRun.Preflight bad = dev.vitals.doctor.WatchedRun.preflight(SPEC, Experiment.loadData(SPEC), parts(true));
        List<Finding> fs = bad.findings().stream().filter(f -> f.code().equals("GRADIENT_CHECK_FAILED")).toList();
        assertEquals(1, fs.size(), bad.findings().toString());
        assertEquals("layers.2", fs.get(0).layer());
    }

    @Test
    void theSpecsFaultsReachTheUsersParts() {
        // double_lr ran as no fault at all on an optimizer of the user's own; wrong_bias_grad needs the spec's faults in the BuildContext
        for (String fault : new String[] {"double_lr", "wrong_bias_grad"}) {
            Spec spec = SpecParser.parse(SPEC_TEXT + "faults: [" + fault + "]\n", null);
            List<Finding> fs = Checkup.run(spec, Experiment.loadData(spec), parts(false), null).findings();
            String code = fault.equals("double_lr") ? "UPDATE_RULE_MISMATCH" : "GRADIENT_CHECK_FAILED";
            assertTrue(fs.stream().anyMatch(f -> f.code().equals(code)), fault + ": " + fs);
        }
    }

    /** Inverted dropout of one's own: random in training, the identity in evaluation. */
    static final class MyDropout extends Layer implements dev.vitals.core.nn.Stochastic {
        private final java.util.Random rng = new java.util.Random(1);
        private float[] mask = new float[0];
        private boolean frozen;

        @Override public String kind() { return "mydropout"; }

        @Override protected Shape doBuild(Shape in, BuildContext ctx) { return in; }

        @Override public void freeze(boolean f) { frozen = f; }

        private boolean identity;

        @Override public Tensor forward(Tensor x, Mode mode) {
            identity = mode == Mode.EVAL;
            if (identity) return x;
            int n = x.size();
            if (!frozen || mask.length < n) {
                mask = new float[n];
                for (int i = 0; i < n; i++) mask[i] = rng.nextFloat() < 0.2f ? 0f : 1.25f;
            }
            Tensor y = Tensor.zeros(x.shape());
            for (int i = 0; i < n; i++) y.data()[i] = x.data()[i] * mask[i];
            return y;
        }

        @Override public Tensor backward(Tensor dy, boolean needInputGrad) {
            if (!needInputGrad) return null;
            if (identity) return dy;
            Tensor dx = Tensor.zeros(dy.shape());
            for (int i = 0; i < dy.size(); i++) dx.data()[i] = dy.data()[i] * mask[i];
            return dx;
        }
    }

    @Test
    void trainingInEvalModeIsAnErrorWhereTheUsersOwnLayerIsRandom() {
        // eval_mode on a model whose only random layer is the user's: "no dropout or batch-norm", a warning
        Spec spec = SpecParser.parse(SPEC_TEXT + "faults: [eval_mode]\n", null);
        Experiment.Parts withDropout = new Experiment.Parts() {
            @Override public Model model(Spec s, Shape input, long seed) {
                return Model.build(List.of(new Dense(64), new Activation.ReLU(), new MyDropout(), new Dense(10)),
                        input, new BuildContext(s.model().init(), new SplittableRandom(seed), s.faults()));
            }
        };
        assertTrue(Checkup.run(SPEC, Experiment.loadData(SPEC), withDropout, null).findings().stream().noneMatch(Finding::isError), "a correct Stochastic layer is checkable");
        dev.vitals.doctor.WatchedRun.Outcome o = dev.vitals.doctor.WatchedRun.train(spec, Experiment.loadData(spec), withDropout, null);
        Finding eval = o.findings().stream().filter(f -> f.code().equals("EVAL_MODE_TRAINING")).findFirst().orElseThrow(() -> new AssertionError(o.findings().toString()));
        assertEquals(Finding.Severity.ERROR, eval.severity(), eval.message());
        assertTrue(eval.message().contains("mydropout"), eval.message());
    }

    /** y = x W + b, written by hand. */
    static final class MyDense extends Layer {
        private final int units;
        private Parameter w, b;
        private Tensor input;

        MyDense(int units) { this.units = units; }

        @Override public String kind() { return "mydense"; }

        @Override protected Shape doBuild(Shape in, BuildContext ctx) {
            int n = in.size();
            w = addParameter("weight", Tensor.zeros(n, units));
            for (int i = 0; i < n * units; i++) w.value().data()[i] = (float) (ctx.rng().nextGaussian() * Math.sqrt(2.0 / n));
            b = addParameter("bias", Tensor.zeros(units));
            return Shape.of(units);
        }

        @Override public Tensor forward(Tensor x, Mode mode) {
            input = x;
            int n = x.exampleSize();
            Tensor y = Tensor.zeros(x.batch(), units);
            for (int e = 0; e < x.batch(); e++)
                for (int o = 0; o < units; o++) {
                    float sum = b.value().data()[o];
                    for (int k = 0; k < n; k++) sum += x.data()[e * n + k] * w.value().data()[k * units + o];
                    y.data()[e * units + o] = sum;
                }
            return y;
        }

        @Override public Tensor backward(Tensor dy, boolean needInputGrad) {
            int n = input.exampleSize();
            Tensor dx = Tensor.zeros(dy.batch(), n);
            for (int e = 0; e < dy.batch(); e++)
                for (int o = 0; o < units; o++) {
                    float g = dy.data()[e * units + o];
                    b.grad().data()[o] += g;
                    for (int k = 0; k < n; k++) {
                        w.grad().data()[k * units + o] += input.data()[e * n + k] * g;
                        dx.data()[e * n + k] += w.value().data()[k * units + o] * g;
                    }
                }
            return needInputGrad ? dx : null;
        }
    }

    @Test
    void aModelOfTheUsersOwnWeightLayersGetsTheOverfitTest() {
        // it was skipped as "a model without hidden layers", which had two
        Experiment.Parts hand = new Experiment.Parts() {
            @Override public Model model(Spec s, Shape input, long seed) {
                return Model.build(List.of(new MyDense(32), new Activation.ReLU(), new MyDense(10)), input, new BuildContext(s.model().init(), new SplittableRandom(seed)));
            }
        };
        Checkup.Result r = Checkup.run(SPEC, Experiment.loadData(SPEC), hand, null);
        StepReport overfit = r.steps().stream().filter(st -> st.name().equals("overfit one batch")).findFirst().orElseThrow();
        assertEquals(StepReport.OK, overfit.status(), overfit.measured().toString());
        // and the lint counts them as weight layers (it counted 0)
        StepReport lint = r.steps().stream().filter(st -> st.name().equals("lint")).findFirst().orElseThrow();
        assertEquals(2, lint.measured().get("weight_layers"), lint.measured().toString());
        assertTrue(r.findings().stream().noneMatch(Finding::isError), r.findings().toString());
    }
}
