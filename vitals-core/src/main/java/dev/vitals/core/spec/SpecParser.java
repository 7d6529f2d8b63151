package dev.vitals.core.spec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.vitals.core.InputException;
import dev.vitals.core.data.Normalizer;
import dev.vitals.core.loss.TargetEncoding;
import dev.vitals.core.nn.Fault;
import dev.vitals.core.nn.Init;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a spec from YAML and checks every key, type and range. Every problem becomes an
 * {@link InputException} whose message names the file and the key path (or the line for YAML
 * syntax errors) and says what was expected. Unknown keys are errors, never ignored.
 */
public final class SpecParser {
    public static final List<String> BUNDLED = List.of("digits", "breast-cancer", "iris", "wine");
    public static final List<String> SYNTHETIC = List.of("xor", "spirals", "blobs", "documents");
    public static final List<String> LAYERS = List.of("dense", "relu", "leaky_relu", "gelu", "sigmoid", "tanh", "softmax",
            "dropout", "batchnorm", "layernorm", "conv2d", "maxpool", "flatten", "residual");
    private static final List<String> NO_ARG_LAYERS = List.of("relu", "gelu", "sigmoid", "tanh", "softmax", "batchnorm", "layernorm", "flatten");
    public static final List<String> LOSSES = List.of("cross_entropy", "binary_cross_entropy", "mse");
    public static final List<String> OPTIMIZERS = List.of("sgd", "adam", "adamw");
    public static final List<String> SCHEDULES = List.of("constant", "step", "cosine");

    private static final YAMLMapper YAML = YAMLMapper.builder(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    private final String file;
    /** The number of epochs given on the command line ({@code --epochs}), which the spec's rules judge instead of train.epochs; null when none. */
    private final Integer epochs;

    private SpecParser(String file) { this(file, null); }

    private SpecParser(String file, Integer epochs) {
        this.file = file;
        this.epochs = epochs;
    }

    /** Reads and validates the spec at {@code path}. */
    public static Spec read(Path path) { return read(path, null); }

    /**
     * Reads and validates the spec at {@code path} for a run of {@code epochs} epochs instead of its
     * train.epochs (null: as written), so that the rules that compare with the run's length (a
     * cosine warm-up shorter than the run) judge the run that will happen.
     */
    public static Spec read(Path path, Integer epochs) {
        positive(epochs);
        String text;
        try {
            if (Files.isDirectory(path)) throw new InputException(path + ": is a folder, expected a spec file (YAML)");
            byte[] bytes = Files.readAllBytes(path);
            text = utf8(bytes, path);
        } catch (NoSuchFileException e) {
            throw new InputException(path + ": no such file; expected a spec file (YAML)");
        } catch (IOException e) {
            throw new InputException(path + ": cannot be read (" + e.getMessage() + ")");
        }
        return new SpecParser(path.toString(), epochs).parse0(text, path);
    }

    /** The file's text; bytes that are not UTF-8 are an error naming the line, never silently replaced. */
    private static String utf8(byte[] bytes, Path path) {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length + 1);
        java.nio.charset.CoderResult r = decoder.decode(in, out, true);
        if (!r.isError()) r = decoder.flush(out);
        if (r.isError()) {
            int line = 1;
            for (int i = 0; i < in.position(); i++) if (bytes[i] == '\n') line++;
            throw new InputException(path + " line " + line + ": bytes that are not UTF-8 text (byte " + in.position()
                    + "); expected a YAML text file saved as UTF-8");
        }
        return out.flip().toString();
    }

    /** Validates spec text; {@code file} names it in messages and anchors relative data paths. */
    public static Spec parse(String text, Path file) { return parse(text, file, null); }

    /** The same for a run of {@code epochs} epochs instead of the text's train.epochs (null: as written), as {@link #read(Path, Integer)}. */
    public static Spec parse(String text, Path file, Integer epochs) {
        positive(epochs);
        return new SpecParser(file == null ? "spec" : file.toString(), epochs).parse0(text, file);
    }

    private static void positive(Integer epochs) {
        if (epochs != null && epochs <= 0) throw new InputException("--epochs: expected a positive number of epochs, not " + epochs);
    }

    private Spec parse0(String text, Path path) {
        // the YAML reader refuses control characters before parsing, with the location of the stream's start
        for (int i = 0, line = 1; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '\n') line++;
            else if (ch < 0x20 && ch != '\t' && ch != '\r' || ch == 0x7F) {
                throw new InputException(file + " line " + line + ": control character U+" + String.format("%04X", (int) ch) + "; expected YAML text");
            }
        }
        JsonNode root;
        try (JsonParser tokens = YAML.getFactory().createParser(text); JsonParser p = YAML.getFactory().createParser(text)) {
            // the YAML reader hands an alias (*name) over as the text "name", defined or not, so that
            // 'name: *foo' ran as a spec called foo: refused, with its line, before the tree is read
            while (tokens.nextToken() != null) {
                if (tokens instanceof com.fasterxml.jackson.dataformat.yaml.YAMLParser y && y.isCurrentAlias()) {
                    JsonLocation at = tokens.currentTokenLocation();
                    throw new InputException(file + (at.getLineNr() > 0 ? " line " + at.getLineNr() : "") + ": YAML alias *" + tokens.getText()
                            + " is not supported; write the value out in full");
                }
            }
            root = YAML.readTree(p);
            // a second document ('---') would otherwise be dropped without a word
            if (root != null && p.nextToken() != null) {
                JsonLocation at = p.currentLocation();
                throw new InputException(file + (at.getLineNr() > 0 ? " line " + at.getLineNr() : "")
                        + ": a second YAML document; expected one spec per file");
            }
        } catch (JsonProcessingException e) {
            throw new InputException(file + syntaxLocation(e) + ": " + keyOf(e) + syntaxMessage(e));
        } catch (IOException e) {
            throw new InputException(file + ": cannot be read (" + e.getMessage() + ")");
        }
        if (root == null || root.isMissingNode() || root.isNull()) throw fail("", "the spec is empty; expected at least 'data' and 'model'");
        if (!root.isObject()) throw fail("", "expected a mapping of keys (name, seed, data, model, loss, ...) at the top level");
        unicode(root, "");
        keys(root, "", "name", "description", "seed", "data", "model", "loss", "optimizer", "schedule", "train", "faults");

        String name = root.has("name") ? string(root.get("name"), "name") : defaultName(path);
        if (name.isBlank()) throw fail("name", "must not be empty");
        // a name is printed in headings and names the run's folder: one line of printable text
        if (name.chars().anyMatch(Character::isISOControl)) throw fail("name", "holds a line break or control character; expected one line of text");
        if (root.has("description")) string(root.get("description"), "description");
        long seed = root.has("seed") ? longValue(root.get("seed"), "seed") : 0L;
        if (!root.has("data")) throw fail("data", "missing; expected e.g. data: {source: digits}");
        if (!root.has("model")) throw fail("model", "missing; expected e.g. model: {layers: [{dense: 64}, relu, {dense: 10}]}");
        Spec.Data data = data(root.get("data"));
        Spec.Model model = model(root.get("model"));
        String loss = root.has("loss") ? choice(root.get("loss"), "loss", LOSSES) : "cross_entropy";
        Spec.Optimizer opt = optimizer(root.get("optimizer"));
        Spec.Schedule schedule = schedule(root.get("schedule"));
        // cosine anneals from the rate down to min_lr: one above the rate would anneal it upwards
        if (schedule.minLr() > opt.lr()) {
            throw fail("schedule.min_lr", "expected at most optimizer.lr (" + fmt(opt.lr()) + "), the rate it anneals down from, not " + fmt(schedule.minLr()));
        }
        Spec.Train train = train(root.get("train"));
        if (epochs != null) train = new Spec.Train(epochs, train.batch(), train.clipNorm(), train.earlyStop());
        // before any data is read: a run must not start, print its header and then refuse
        if (train.earlyStop() > 0 && data.validation() == 0) throw fail("train.early_stop", "needs a validation split; set data.validation above 0");
        // a warm-up as long as the run never reaches the rate and leaves no cosine to follow
        if (schedule.name().equals("cosine") && schedule.warmup() >= train.epochs()) {
            double w = schedule.warmup();
            throw fail("schedule.warmup", (w == Math.rint(w) ? dev.vitals.core.Words.count((long) w, "epoch") : fmt(w) + " epochs") + ", but "
                    + (epochs != null ? "--epochs" : "train.epochs") + " is " + train.epochs()
                    + ": the rate would still be warming up when the run ends; expected a warm-up shorter than the run (a tenth of it is common)");
        }
        Set<Fault> faults = faults(root.get("faults"));
        return new Spec(name, seed, data, model, loss, opt, schedule, train, faults, text, path);
    }

    private static String defaultName(Path path) {
        if (path == null) return "spec";
        String n = path.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    // ---- sections ----------------------------------------------------------------------------

    private Spec.Data data(JsonNode n) {
        requireObject(n, "data", "a mapping with 'source'");
        keys(n, "data", "source", "options", "test", "validation", "normalize", "shuffle", "targets");
        if (!n.has("source")) throw fail("data.source", "missing; expected one of " + String.join(", ", BUNDLED)
                + ", fashion-mnist, csv:PATH, idx:DIR, synthetic:NAME");
        String source = string(n.get("source"), "data.source").trim();
        checkSource(source);
        Map<String, Object> options = new LinkedHashMap<>();
        if (n.has("options") && !n.get("options").isNull()) {
            JsonNode o = n.get("options");
            requireObject(o, "data.options", "a mapping, e.g. {samples: 2000}");
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                var e = it.next();
                JsonNode v = e.getValue();
                String where = "data.options." + e.getKey();
                if (v.isBoolean()) options.put(e.getKey(), v.booleanValue());
                else if (v.isIntegralNumber()) options.put(e.getKey(), v.longValue());
                else if (v.isNumber()) options.put(e.getKey(), v.doubleValue());
                else if (v.isTextual()) options.put(e.getKey(), v.textValue());
                else throw fail(where, "expected a number, a word or true/false, not " + describe(v));
            }
        }
        double test = Double.NaN;
        String testSource = null;
        if (n.has("test")) {
            JsonNode t = n.get("test");
            if (t.isTextual() && t.textValue().trim().startsWith("csv:")) {
                // a test file of its own beside a training file: the user's split, not one Vitals makes
                testSource = t.textValue().trim();
                if (!source.startsWith("csv:")) throw fail("data.test", "'" + testSource + "' is a test file, which goes with a csv: source; expected 'auto' or a fraction in [0, 1) for " + source);
                if (testSource.substring(4).isBlank()) throw fail("data.test", "'" + testSource + "' needs a path after 'csv:'");
            } else if (!(t.isTextual() && t.textValue().trim().equals("auto"))) {
                test = number(t, "data.test", "'auto', a fraction in [0, 1) or a test file (csv:PATH)");
                if (!(test >= 0 && test < 1)) throw fail("data.test", "expected 'auto', a fraction in [0, 1) or a test file (csv:PATH), not " + fmt(test));
            }
        }
        double validation = n.has("validation") ? number(n.get("validation"), "data.validation", "a fraction in [0, 1)") : 0.2;
        if (!(validation >= 0 && validation < 1)) throw fail("data.validation", "expected a fraction in [0, 1) (0 = no validation), not " + fmt(validation));
        Normalizer.Kind norm = Normalizer.Kind.STANDARD;
        if (n.has("normalize")) {
            JsonNode v = n.get("normalize");
            // YAML reads a bare 'none' as a word, but 'null'/'~' or 'false' as no value: all mean none
            if (v.isNull() || v.isBoolean() && !v.booleanValue()) norm = Normalizer.Kind.NONE;
            else norm = Normalizer.Kind.fromKey(choice(v, "data.normalize", List.of("none", "standard", "minmax")));
        }
        boolean shuffle = !n.has("shuffle") || bool(n.get("shuffle"), "data.shuffle");
        TargetEncoding targets = n.has("targets")
                ? TargetEncoding.fromKey(choice(n.get("targets"), "data.targets", List.of("index", "onehot", "pm1")))
                : TargetEncoding.INDEX;
        return new Spec.Data(source, options, test, validation, norm, shuffle, targets, testSource);
    }

    private void checkSource(String s) {
        if (BUNDLED.contains(s) || s.equals("fashion-mnist")) return;
        if (s.startsWith("csv:") || s.startsWith("idx:")) {
            if (s.substring(4).isBlank()) throw fail("data.source", "'" + s + "' needs a path after '" + s.substring(0, 4) + "'");
            return;
        }
        if (s.startsWith("synthetic:")) {
            String g = s.substring("synthetic:".length());
            if (!SYNTHETIC.contains(g)) {
                throw fail("data.source", "unknown synthetic generator '" + g + "'" + suggest(g, SYNTHETIC)
                        + "; expected one of " + String.join(", ", SYNTHETIC));
            }
            return;
        }
        List<String> all = new ArrayList<>(BUNDLED);
        all.add("fashion-mnist");
        throw fail("data.source", "unknown source '" + s + "'" + suggest(s, all) + "; expected one of "
                + String.join(", ", all) + ", csv:PATH, idx:DIR, synthetic:" + String.join("|", SYNTHETIC));
    }

    private Spec.Model model(JsonNode n) {
        requireObject(n, "model", "a mapping with 'layers'");
        keys(n, "model", "init", "layers");
        Init init = Init.DEFAULT;
        if (n.has("init")) {
            JsonNode i = n.get("init");
            String s = string(i, "model.init");
            try {
                init = Init.parse(s);
            } catch (IllegalArgumentException e) {
                throw fail("model.init", e.getMessage());
            }
        }
        if (!n.has("layers")) throw fail("model.layers", "missing; expected a list such as [{dense: 64}, relu, {dense: 10}]");
        List<Spec.LayerSpec> layers = layers(n.get("layers"), "model.layers");
        return new Spec.Model(init, layers);
    }

    private List<Spec.LayerSpec> layers(JsonNode n, String where) {
        if (!n.isArray()) throw fail(where, "expected a list of layers, not " + describe(n));
        if (n.isEmpty()) throw fail(where, "is empty; " + (where.endsWith(".residual") ? "a residual block" : "a model") + " needs at least one layer");
        List<Spec.LayerSpec> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) out.add(layer(n.get(i), where + "[" + i + "]"));
        return out;
    }

    private Spec.LayerSpec layer(JsonNode n, String where) {
        String kind;
        JsonNode arg = null;
        if (n.isTextual()) {
            kind = n.textValue().trim();
        } else if (n.isObject()) {
            if (n.size() != 1) {
                throw fail(where, "a layer is one key such as 'dense: 128', but this item has " + n.size()
                        + " keys (" + String.join(", ", iterable(n.fieldNames())) + "); put each layer in its own list item");
            }
            kind = n.fieldNames().next();
            arg = n.get(kind);
            if (arg.isNull()) arg = null;
        } else {
            throw fail(where, "expected a layer such as 'relu' or 'dense: 128', not " + describe(n));
        }
        if (!LAYERS.contains(kind)) {
            throw fail(where, "unknown layer '" + kind + "'" + suggest(kind, LAYERS) + "; expected one of " + String.join(", ", LAYERS));
        }
        String at = where + "." + kind;
        if (NO_ARG_LAYERS.contains(kind)) {
            if (arg != null) throw fail(at, kind + " takes no argument; write '- " + kind + "'");
            return new Spec.LayerSpec(kind, Double.NaN, null, null, where);
        }
        switch (kind) {
            case "dense" -> {
                if (arg == null) throw fail(where, "dense needs a number of units, e.g. '- dense: 128'");
                return new Spec.LayerSpec(kind, positiveInt(arg, at, "a positive number of units"), null, null, where);
            }
            case "maxpool" -> {
                if (arg == null) throw fail(where, "maxpool needs a window size, e.g. '- maxpool: 2'");
                return new Spec.LayerSpec(kind, positiveInt(arg, at, "a positive window size"), null, null, where);
            }
            case "dropout" -> {
                double p = arg == null ? 0.5 : number(arg, at, "a probability in [0, 1)");
                // float32 keeps no 1 - p for p this near 1: 0.99999999999 ran as dropout 1, every unit off
                if (!(p >= 0 && p < 1) || (float) p >= 1f) throw fail(at, "expected a probability in [0, 1), not " + fmt(p) + ((float) p >= 1f && p < 1 ? " (1 in float32)" : ""));
                return new Spec.LayerSpec(kind, p, null, null, where);
            }
            case "leaky_relu" -> {
                double s = arg == null ? 0.01 : number(arg, at, "a negative slope in [0, 1)");
                if (!(s >= 0 && s < 1) || (float) s >= 1f) throw fail(at, "expected a negative slope in [0, 1), not " + fmt(s) + ((float) s >= 1f && s < 1 ? " (1 in float32)" : ""));
                return new Spec.LayerSpec(kind, s, null, null, where);
            }
            case "conv2d" -> {
                if (arg == null || !arg.isObject()) {
                    throw fail(at, "expected {filters: N, kernel: K, stride: S, padding: P}, not " + (arg == null ? "nothing" : describe(arg)));
                }
                keys(arg, at, "filters", "kernel", "stride", "padding");
                if (!arg.has("filters")) throw fail(at + ".filters", "missing; conv2d needs a number of filters");
                if (!arg.has("kernel")) throw fail(at + ".kernel", "missing; conv2d needs a kernel size");
                int filters = positiveInt(arg.get("filters"), at + ".filters", "a positive number of filters");
                int kernel = positiveInt(arg.get("kernel"), at + ".kernel", "a positive kernel size");
                int stride = arg.has("stride") ? positiveInt(arg.get("stride"), at + ".stride", "a positive stride") : 1;
                int padding = 0;
                if (arg.has("padding")) {
                    padding = intValue(arg.get("padding"), at + ".padding", "an integer >= 0");
                    if (padding < 0) throw fail(at + ".padding", "expected an integer >= 0, not " + padding);
                }
                return new Spec.LayerSpec(kind, Double.NaN, new Spec.Conv(filters, kernel, stride, padding), null, where);
            }
            case "residual" -> {
                if (arg == null) throw fail(where, "residual needs a list of layers, e.g. '- residual: [{dense: 64}, relu]'");
                return new Spec.LayerSpec(kind, Double.NaN, null, layers(arg, at), where);
            }
            default -> throw new IllegalStateException(kind);
        }
    }

    private Spec.Optimizer optimizer(JsonNode n) {
        if (n == null || n.isNull()) return new Spec.Optimizer("adam", 1e-3, 0.9, false, 0, 0.9, 0.999, 1e-8);
        // a bare name (optimizer: sgd, as Keras' optimizer="sgd") is that optimizer with its defaults, as for schedule
        if (n.isTextual()) n = YAML.createObjectNode().put("name", choice(n, "optimizer", OPTIMIZERS));
        requireObject(n, "optimizer", "a name (sgd, adam, adamw) or a mapping such as {name: adam, lr: 0.001}");
        keys(n, "optimizer", "name", "lr", "momentum", "nesterov", "weight_decay", "beta1", "beta2", "eps");
        String name = n.has("name") ? choice(n.get("name"), "optimizer.name", OPTIMIZERS) : "adam";
        boolean adam = !name.equals("sgd");
        double lr = n.has("lr") ? number(n.get("lr"), "optimizer.lr", "a positive learning rate") : adam ? 1e-3 : 1e-2;
        if (!(lr > 0) || Double.isInfinite(lr)) throw fail("optimizer.lr", "expected a positive learning rate, not " + fmt(lr));
        // the steps are float32: 1e-50 is 0 there (the weights never moved, and the run read healthy), 1e39 infinity
        if ((float) lr == 0 || Float.isInfinite((float) lr)) {
            throw fail("optimizer.lr", "expected a learning rate float32 holds (1.4e-45 to 3.4e38), not " + fmt(lr) + ", which is " + ((float) lr == 0 ? "0" : "infinity") + " there");
        }
        if (adam && n.has("nesterov")) throw fail("optimizer.nesterov", "applies to sgd only");
        if (!adam && (n.has("beta1") || n.has("beta2") || n.has("eps"))) {
            throw fail("optimizer." + (n.has("beta1") ? "beta1" : n.has("beta2") ? "beta2" : "eps"), "applies to adam and adamw only");
        }
        if (adam && n.has("momentum") && n.has("beta1")) throw fail("optimizer.momentum", "for " + name + " momentum is beta1; give one of them");
        double momentum = n.has("momentum") ? number(n.get("momentum"), "optimizer.momentum", "a number in [0, 1)") : adam ? 0.9 : 0;
        if (!(momentum >= 0 && momentum < 1)) throw fail("optimizer.momentum", "expected a number in [0, 1), not " + fmt(momentum));
        boolean nesterov = n.has("nesterov") && bool(n.get("nesterov"), "optimizer.nesterov");
        if (nesterov && momentum == 0) throw fail("optimizer.nesterov", "needs a momentum above 0");
        double wd = n.has("weight_decay") ? number(n.get("weight_decay"), "optimizer.weight_decay", "a number >= 0") : name.equals("adamw") ? 0.01 : 0;
        if (!(wd >= 0) || Double.isInfinite(wd)) throw fail("optimizer.weight_decay", "expected a number >= 0, not " + fmt(wd));
        double beta1 = n.has("beta1") ? number(n.get("beta1"), "optimizer.beta1", "a number in [0, 1)") : momentum;
        double beta2 = n.has("beta2") ? number(n.get("beta2"), "optimizer.beta2", "a number in [0, 1)") : 0.999;
        double eps = n.has("eps") ? number(n.get("eps"), "optimizer.eps", "a positive number") : 1e-8;
        if (!(beta1 >= 0 && beta1 < 1)) throw fail("optimizer.beta1", "expected a number in [0, 1), not " + fmt(beta1));
        if (!(beta2 >= 0 && beta2 < 1)) throw fail("optimizer.beta2", "expected a number in [0, 1), not " + fmt(beta2));
        if (!(eps > 0) || Double.isInfinite(eps)) throw fail("optimizer.eps", "expected a positive number, not " + fmt(eps));
        return new Spec.Optimizer(name, lr, adam ? 0 : momentum, nesterov, wd, beta1, beta2, eps);
    }

    private Spec.Schedule schedule(JsonNode n) {
        if (n == null || n.isNull()) return Spec.Schedule.CONSTANT;
        if (n.isTextual()) n = YAML.createObjectNode().put("name", choice(n, "schedule", SCHEDULES));
        requireObject(n, "schedule", "a mapping such as {name: cosine}");
        keys(n, "schedule", "name", "step_size", "gamma", "warmup", "min_lr");
        String name = n.has("name") ? choice(n.get("name"), "schedule.name", SCHEDULES) : "constant";
        for (String k : List.of("step_size", "gamma")) {
            if (n.has(k) && !name.equals("step")) throw fail("schedule." + k, "applies to schedule 'step' only");
        }
        for (String k : List.of("warmup", "min_lr")) {
            if (n.has(k) && !name.equals("cosine")) throw fail("schedule." + k, "applies to schedule 'cosine' only");
        }
        int stepSize = 0;
        if (name.equals("step")) {
            if (!n.has("step_size")) throw fail("schedule.step_size", "missing; schedule 'step' needs the number of epochs between decays");
            stepSize = positiveInt(n.get("step_size"), "schedule.step_size", "a positive number of epochs");
        }
        double gamma = n.has("gamma") ? number(n.get("gamma"), "schedule.gamma", "a factor in (0, 1]") : 0.1;
        if (!(gamma > 0 && gamma <= 1)) throw fail("schedule.gamma", "expected a factor in (0, 1], not " + fmt(gamma));
        double warmup = n.has("warmup") ? number(n.get("warmup"), "schedule.warmup", "a number of epochs >= 0") : 0;
        if (!(warmup >= 0) || Double.isInfinite(warmup)) throw fail("schedule.warmup", "expected a number of epochs >= 0, not " + fmt(warmup));
        double minLr = n.has("min_lr") ? number(n.get("min_lr"), "schedule.min_lr", "a number >= 0") : 0;
        if (!(minLr >= 0) || Double.isInfinite(minLr)) throw fail("schedule.min_lr", "expected a number >= 0, not " + fmt(minLr));
        return new Spec.Schedule(name, stepSize, gamma, warmup, minLr);
    }

    private Spec.Train train(JsonNode n) {
        if (n == null || n.isNull()) return new Spec.Train(10, 64, 0, 0);
        requireObject(n, "train", "a mapping such as {epochs: 10, batch: 64}");
        keys(n, "train", "epochs", "batch", "clip_norm", "early_stop");
        int epochs = n.has("epochs") ? positiveInt(n.get("epochs"), "train.epochs", "a positive number of epochs") : 10;
        int batch = n.has("batch") ? positiveInt(n.get("batch"), "train.batch", "a positive batch size") : 64;
        double clip = n.has("clip_norm") ? number(n.get("clip_norm"), "train.clip_norm", "a number >= 0 (0 = no clipping)") : 0;
        if (!(clip >= 0) || Double.isInfinite(clip)) throw fail("train.clip_norm", "expected a number >= 0 (0 = no clipping), not " + fmt(clip));
        int early = 0;
        if (n.has("early_stop")) {
            early = intValue(n.get("early_stop"), "train.early_stop", "a patience in epochs >= 0 (0 = off)");
            if (early < 0) throw fail("train.early_stop", "expected a patience in epochs >= 0 (0 = off), not " + early);
        }
        return new Spec.Train(epochs, batch, clip, early);
    }

    private Set<Fault> faults(JsonNode n) {
        Set<Fault> out = EnumSet.noneOf(Fault.class);
        if (n == null || n.isNull()) return out;
        if (!n.isArray()) throw fail("faults", "expected a list such as [no_zero_grad], not " + describe(n));
        List<String> known = new ArrayList<>();
        for (Fault f : Fault.values()) known.add(f.key());
        for (int i = 0; i < n.size(); i++) {
            String s = string(n.get(i), "faults[" + i + "]").trim();
            Fault f = Fault.fromKey(s);
            if (f == null) throw fail("faults[" + i + "]", "unknown fault '" + s + "'" + suggest(s, known) + "; expected one of " + String.join(", ", known));
            if (!out.add(f)) throw fail("faults[" + i + "]", "'" + s + "' is listed twice; expected each fault once");
        }
        return out;
    }

    // ---- typed reads ---------------------------------------------------------------------------

    /**
     * Every key and string is Unicode text: a YAML escape such as "\\ud800" makes half a character
     * (an unpaired surrogate), which no file can hold. As a name, the run trained to its end and
     * then failed writing report.json (exit 1); as a csv: path, no path could be made of it (exit 1).
     */
    private void unicode(JsonNode n, String where) {
        if (n.isTextual()) {
            int at = unpairedSurrogate(n.textValue());
            if (at >= 0) throw fail(where, "holds half a character, an unpaired surrogate \\u" + String.format("%04x", (int) n.textValue().charAt(at))
                    + " (from a \\u escape); expected Unicode text");
        } else if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                int at = unpairedSurrogate(f.getKey());
                if (at >= 0) throw fail(where, "a key holds half a character, an unpaired surrogate \\u" + String.format("%04x", (int) f.getKey().charAt(at))
                        + " (from a \\u escape); expected Unicode text");
                unicode(f.getValue(), where.isEmpty() ? f.getKey() : where + "." + f.getKey());
            }
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) unicode(n.get(i), where + "[" + i + "]");
        }
    }

    /** The index of the first surrogate that is not half of a pair, or -1. */
    static int unpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) i++;
            else if (Character.isSurrogate(c)) return i;
        }
        return -1;
    }

    private InputException fail(String key, String message) {
        return new InputException(file + (key.isEmpty() ? "" : ": " + key) + ": " + message);
    }

    private void keys(JsonNode n, String where, String... allowed) {
        List<String> ok = List.of(allowed);
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!ok.contains(k)) {
                String path = where.isEmpty() ? k : where + "." + k;
                throw fail(path, "unknown key '" + k + "'" + suggest(k, ok) + "; expected one of " + String.join(", ", ok));
            }
        }
    }

    private void requireObject(JsonNode n, String where, String expected) {
        if (n == null || !n.isObject()) throw fail(where, "expected " + expected + ", not " + describe(n));
    }

    private String string(JsonNode n, String where) {
        if (n == null || !n.isValueNode() || n.isNull()) throw fail(where, "expected a word, not " + describe(n));
        // YAML 1.1 reads yes/no/on/off as booleans: 'normalize: yes' was "unknown value 'true'", 'name: no' ran as "false"
        if (n.isBoolean()) {
            throw fail(where, "expected a word, not the boolean " + n.asText() + " (YAML reads yes, no, on, off, true and false as booleans; quote the word if you meant it)");
        }
        return n.asText();
    }

    private String choice(JsonNode n, String where, List<String> options) {
        String s = string(n, where).trim();
        if (!options.contains(s)) {
            throw fail(where, "unknown value '" + s + "'" + suggest(s, options) + "; expected one of " + String.join(", ", options));
        }
        return s;
    }

    private boolean bool(JsonNode n, String where) {
        if (n.isBoolean()) return n.booleanValue();
        if (n.isTextual()) {
            String s = n.textValue().trim().toLowerCase(Locale.ROOT);
            if (s.equals("true")) return true;
            if (s.equals("false")) return false;
        }
        throw fail(where, "expected true or false, not " + describe(n));
    }

    private double number(JsonNode n, String where, String expected) {
        if (n != null && n.isNumber()) return n.doubleValue();
        if (n != null && n.isTextual()) {
            // YAML 1.1 reads '1e-3' (no dot) as a word; accept what is plainly a number
            try {
                double d = Double.parseDouble(n.textValue().trim());
                if (!Double.isNaN(d)) return d;
            } catch (NumberFormatException ignored) {
                // fall through to the error
            }
        }
        throw fail(where, "expected " + expected + ", not " + describe(n));
    }

    private int intValue(JsonNode n, String where, String expected) {
        java.math.BigInteger v;
        if (n != null && n.isIntegralNumber()) {
            v = n.bigIntegerValue();
        } else if (n != null && n.isTextual() && n.textValue().trim().matches("[-+]?\\d+")) {
            v = new java.math.BigInteger(n.textValue().trim());
        } else {
            throw fail(where, "expected " + expected + ", not " + describe(n));
        }
        // the number as written: a long would have wrapped 99999999999999999999 to another one
        if (v.bitLength() > 31) throw fail(where, "expected " + expected + ", not " + v + " (too large)");
        return v.intValueExact();
    }

    private int positiveInt(JsonNode n, String where, String expected) {
        int v = intValue(n, where, expected);
        if (v <= 0) throw fail(where, "expected " + expected + ", not " + v);
        return v;
    }

    private long longValue(JsonNode n, String where) {
        if (n.isIntegralNumber() && n.canConvertToLong()) return n.longValue();
        if (n.isTextual()) {
            try {
                return Long.parseLong(n.textValue().trim());
            } catch (NumberFormatException ignored) {
                // fall through
            }
        }
        throw fail(where, "expected an integer, not " + describe(n));
    }

    private static String describe(JsonNode n) {
        if (n == null || n.isMissingNode()) return "nothing";
        if (n.isNull()) return "an empty value";
        if (n.isObject()) return "a mapping";
        if (n.isArray()) return "a list";
        if (n.isTextual()) return "'" + n.textValue() + "'";
        if (n.isBoolean()) return n.asText();
        if (n.isNumber()) return n.asText();
        return n.getNodeType().toString().toLowerCase(Locale.ROOT);
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private static Iterable<String> iterable(Iterator<String> it) {
        List<String> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }

    private static String syntaxLocation(JsonProcessingException e) {
        JsonLocation loc = e.getLocation();
        if (loc == null || loc.getLineNr() < 1) return "";
        return " line " + loc.getLineNr() + (loc.getColumnNr() > 0 ? ", column " + loc.getColumnNr() : "");
    }

    /**
     * "optimizer.lr: " for a value the number parser refused, so that a '.nan' is named by its key as the
     * tree's own errors are; empty for syntax errors, whose line and column are all there is.
     */
    private static String keyOf(JsonProcessingException e) {
        if (!(e.getProcessor() instanceof JsonParser p) || !String.valueOf(e.getOriginalMessage()).startsWith("Malformed numeric value")) return "";
        List<String> parts = new ArrayList<>();
        for (com.fasterxml.jackson.core.JsonStreamContext c = p.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inObject() && c.getCurrentName() != null) parts.add(0, "." + c.getCurrentName());
            else if (c.inArray()) parts.add(0, "[" + Math.max(0, c.getCurrentIndex()) + "]");
        }
        String path = String.join("", parts);
        if (path.startsWith(".")) path = path.substring(1);
        return path.isEmpty() ? "" : path + ": ";
    }

    /** The first meaningful line of a YAML parser message, without Jackson's source excerpt. */
    private static String syntaxMessage(JsonProcessingException e) {
        String m = e.getOriginalMessage() == null ? "invalid YAML" : e.getOriginalMessage();
        StringBuilder sb = new StringBuilder();
        for (String line : m.split("\\R")) {
            String t = line.trim();
            if (t.isEmpty() || t.startsWith("in 'reader'") || t.startsWith("at [Source") || t.startsWith("^")) continue;
            if (t.startsWith("in ") && t.contains("line")) continue;
            if (!sb.isEmpty()) sb.append("; ");
            sb.append(t);
            if (sb.length() > 160) break;
        }
        String s = sb.isEmpty() ? "invalid YAML" : sb.toString();
        // YAML's special floats reach Jackson's number parser, which calls them malformed
        java.util.regex.Matcher special = java.util.regex.Pattern.compile("Malformed numeric value '([-+]?\\.(?:nan|NaN|NAN|inf|Inf|INF))'").matcher(s);
        if (special.find()) return special.group(1) + " is not a finite number; expected a number here";
        // the YAML library's event objects, in words
        s = s.replaceAll("<org\\.yaml\\.snakeyaml\\.events\\.SequenceStartEvent\\([^>]*\\)>", "a list")
                .replaceAll("<org\\.yaml\\.snakeyaml\\.events\\.MappingStartEvent\\([^>]*\\)>", "a mapping")
                .replaceAll("<org\\.yaml\\.snakeyaml\\.events\\.(\\w+)Event\\([^>]*\\)>", "$1");
        return s.startsWith("Duplicate field") ? s.replace("Duplicate field", "duplicate key") : "invalid YAML: " + s;
    }

    /** PyTorch's and Keras' names of settings that the spec names otherwise. */
    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("kernel_size", "kernel"), Map.entry("out_channels", "filters"), Map.entry("num_filters", "filters"),
            Map.entry("learning_rate", "lr"), Map.entry("batch_size", "batch"), Map.entry("num_epochs", "epochs"),
            Map.entry("max_epochs", "epochs"), Map.entry("gradient_clip_val", "clip_norm"), Map.entry("max_norm", "clip_norm"),
            Map.entry("clipnorm", "clip_norm"), Map.entry("patience", "early_stop"), Map.entry("validation_split", "validation"),
            Map.entry("val_split", "validation"), Map.entry("dataset", "source"), Map.entry("optim", "optimizer"),
            Map.entry("criterion", "loss"));

    /** " (did you mean 'x'?)" when a known word is within two edits of {@code s}, or is what another framework calls it. */
    static String suggest(String s, List<String> known) {
        // other frameworks' names for the same setting are no typo, and too far from it for the distance below
        String alias = ALIASES.get(s.toLowerCase(Locale.ROOT));
        if (alias != null && known.contains(alias)) return " (did you mean '" + alias + "'? '" + s + "' is what PyTorch or Keras call it)";
        String best = null;
        int bestD = 3;
        for (String k : known) {
            int d = distance(s.toLowerCase(Locale.ROOT), k);
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return best == null ? "" : " (did you mean '" + best + "'?)";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** An empty mapping, for callers building specs in code. */
    static ObjectNode emptyObject() { return YAML.createObjectNode(); }
}
