package dev.vitals.core.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.util.List;
import java.util.Objects;

/**
 * Writes a changed spec back as YAML in the format {@link SpecParser} reads. It starts from the
 * original's YAML tree and rewrites only the keys whose values changed, so what the user wrote
 * elsewhere (description, data options, key order, settings left at their defaults) stays as
 * written. Top-level sections that did not change are copied from the original text with their
 * comments and flow style; inside a changed section they are lost, as Jackson does not keep them.
 */
public final class SpecWriter {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
                    .build())
            .build();

    private SpecWriter() {}

    /**
     * The YAML of {@code changed}, keeping {@code original}'s text wherever the two agree, with
     * {@code header} lines written first as comments.
     */
    public static String write(Spec original, Spec changed, List<String> header) {
        ObjectNode root = tree(original.text());
        data(root, original.data(), changed.data());
        model(root, original.model(), changed.model());
        if (!original.loss().equals(changed.loss())) root.put("loss", changed.loss());
        optimizer(root, original.optimizer(), changed.optimizer());
        if (!original.schedule().equals(changed.schedule())) root.set("schedule", schedule(changed.schedule()));
        train(root, original.train(), changed.train());
        if (!original.injectedBugs().equals(changed.injectedBugs())) {
            String key = "faults";
            if (changed.injectedBugs().isEmpty()) {
                root.remove(key);
            } else {
                ArrayNode a = root.putArray(key);
                changed.injectedBugs().forEach(a::add);
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String h : header) sb.append("# ").append(h.replace("\n", " ")).append('\n');
        String kept = keepingUnchangedSections(original.text(), root);
        sb.append(kept != null ? kept : yaml(root));
        return sb.toString();
    }

    private static final java.util.regex.Pattern TOP_KEY = java.util.regex.Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*)\\s*:(\\s|$).*");

    /**
     * The original text with each top-level section whose value did not change copied as written
     * (its comments and flow style kept) and each changed one written anew; sections that are new
     * come last. Null when the original is not laid out as one top-level key per line, or when the
     * result would not read back as {@code root}: then the whole spec is written anew.
     */
    private static String keepingUnchangedSections(String text, ObjectNode root) {
        if (text == null) return null;
        ObjectNode before = tree(text);
        List<String> lines = text.lines().toList();
        List<Integer> starts = new java.util.ArrayList<>();
        List<String> keys = new java.util.ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            java.util.regex.Matcher m = TOP_KEY.matcher(lines.get(i));
            if (m.matches()) {
                starts.add(i);
                keys.add(m.group(1));
            } else if (!lines.get(i).isBlank() && !lines.get(i).startsWith("#") && !Character.isWhitespace(lines.get(i).charAt(0))) {
                return null;  // a document marker, a flow mapping at the top, ...: not sections to copy
            }
        }
        if (!new java.util.HashSet<>(keys).equals(fieldNames(before))) return null;
        StringBuilder out = new StringBuilder();
        int first = starts.isEmpty() ? lines.size() : starts.get(0);
        for (int i = 0; i < first; i++) out.append(lines.get(i)).append('\n');
        for (int k = 0; k < keys.size(); k++) {
            String key = keys.get(k);
            int from = starts.get(k), to = k + 1 < starts.size() ? starts.get(k + 1) : lines.size();
            // comment and blank lines at a section's end lead into the next one: they stay where they are
            int body = to;
            while (body > from + 1 && (lines.get(body - 1).isBlank() || lines.get(body - 1).trim().startsWith("#"))) body--;
            JsonNode now = root.get(key);
            if (now != null && now.equals(before.get(key))) {
                for (int i = from; i < body; i++) out.append(lines.get(i)).append('\n');
            } else if (now != null) {
                out.append(body == from + 1 && lines.get(from).contains("{") ? flow(key, now) : yaml(NODES.objectNode().set(key, now)));
            }
            for (int i = body; i < to; i++) out.append(lines.get(i)).append('\n');
        }
        for (var e : root.properties()) if (!keys.contains(e.getKey())) out.append(yaml(NODES.objectNode().set(e.getKey(), e.getValue())));
        String result = out.toString();
        return tree(result).equals(root) ? result : null;
    }

    /**
     * A section written on one line, as the original wrote it ({@code optimizer: {name: sgd, lr: 0.01}}),
     * where its value is a mapping of plain values; else in block style.
     */
    private static String flow(String key, JsonNode value) {
        if (!(value instanceof ObjectNode o)) return yaml(NODES.objectNode().set(key, value));
        StringBuilder sb = new StringBuilder(key).append(": {");
        boolean firstField = true;
        for (var e : o.properties()) {
            if (!e.getValue().isValueNode()) return yaml(NODES.objectNode().set(key, value));
            String v = yaml(e.getValue()).trim();
            if (v.contains(",") || v.contains("{") || v.contains("}")) return yaml(NODES.objectNode().set(key, value));
            sb.append(firstField ? "" : ", ").append(e.getKey()).append(": ").append(v);
            firstField = false;
        }
        return sb.append("}\n").toString();
    }

    private static java.util.Set<String> fieldNames(ObjectNode n) {
        java.util.Set<String> names = new java.util.HashSet<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String yaml(JsonNode n) {
        try {
            return YAML.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The spec text for a file in {@code toDir} instead of {@code fromDir}: a relative {@code csv:} or
     * {@code idx:} source resolves against the spec's own folder, so it is rewritten to point at the
     * same data from the new one. Where the text holds the source once, only its value changes (every
     * comment and the layout stay); else the spec is written anew with its leading comment lines. The
     * text is unchanged when there is nothing to rewrite.
     */
    public static String rebased(String yaml, java.nio.file.Path fromDir, java.nio.file.Path toDir) {
        // the training data's path, and a test file's of its own (data.test: csv:PATH)
        return rebasedKey(rebasedKey(yaml, "source", fromDir, toDir), "test", fromDir, toDir);
    }

    private static String rebasedKey(String yaml, String key, java.nio.file.Path fromDir, java.nio.file.Path toDir) {
        ObjectNode root = tree(yaml);
        JsonNode data = root.get("data");
        String source = data instanceof ObjectNode d && d.get(key) != null && d.get(key).isTextual() ? d.get(key).textValue() : null;
        if (source == null || !(source.startsWith("csv:") || source.startsWith("idx:"))) return yaml;
        String kind = source.substring(0, 4), path = source.substring(4);
        java.nio.file.Path p = java.nio.file.Path.of(path);
        java.nio.file.Path from = fromDir.toAbsolutePath().normalize(), to = toDir.toAbsolutePath().normalize();
        if (p.isAbsolute() || from.equals(to)) return yaml;
        java.nio.file.Path target = from.resolve(p).normalize();
        String moved = to.relativize(target).toString().replace(java.io.File.separatorChar, '/');
        String rebasedSource = kind + (moved.isEmpty() ? "." : moved);
        // the source written once in the text as it was parsed: only its value changes, every comment stays
        String inPlace = replacedSource(yaml, key, source, rebasedSource);
        if (inPlace != null) return inPlace;
        ((ObjectNode) data).put(key, rebasedSource);
        StringBuilder sb = new StringBuilder();
        for (String line : yaml.lines().toList()) {
            if (!line.startsWith("#")) break;
            sb.append(line).append('\n');
        }
        try {
            return sb.append(YAML.writeValueAsString(root)).toString();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code yaml} with {@code train.epochs} set to {@code epochs}, and {@code header} as comments
     * first, every untouched section as it was; {@code yaml} itself where it already says so. Works
     * on the text alone: a spec valid only with the new count (a warm-up as long as its own epochs)
     * cannot be parsed as written.
     */
    public static String withEpochs(String yaml, int epochs, List<String> header) {
        ObjectNode root = tree(yaml);
        JsonNode written = root.path("train").path("epochs");
        if (written.isInt() && written.intValue() == epochs) return yaml;
        section(root, "train").put("epochs", epochs);
        StringBuilder sb = new StringBuilder();
        for (String h : header) sb.append("# ").append(h.replace("\n", " ")).append('\n');
        String kept = keepingUnchangedSections(yaml, root);
        return sb.append(kept != null ? kept : yaml(root)).toString();
    }

    /**
     * {@code yaml} with a top-level {@code name:} where it has none: a spec named after its file
     * (train.yaml is "train") keeps that name in a copy saved as spec.yaml. The line goes after the
     * leading comments, every other line as it was; a document in flow style is written anew.
     */
    public static String named(String yaml, String name) {
        ObjectNode root = tree(yaml);
        if (yaml == null || root.has("name") || name == null) return yaml;
        StringBuilder head = new StringBuilder(), rest = new StringBuilder();
        boolean inHead = true;
        for (String line : yaml.lines().toList()) {
            if (inHead && (line.startsWith("#") || line.isBlank() || line.startsWith("%"))) head.append(line).append('\n');
            else {
                inHead = false;
                rest.append(line).append('\n');
            }
        }
        String withName = head + "name: '" + name.replace("'", "''") + "'\n" + rest;
        if (!rest.toString().stripLeading().startsWith("{") && !rest.toString().stripLeading().startsWith("---")) {
            ObjectNode check = tree(withName);
            if (name.equals(check.path("name").asText(null)) && check.size() == root.size() + 1) return withName;
        }
        ObjectNode out = NODES.objectNode();
        out.put("name", name);
        out.setAll(root);
        try {
            return head + YAML.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code yaml} with the one {@code source:} value that reads {@code old} (plain, or in single or
     * double quotes) replaced by {@code replacement}, in single quotes where the original had none and
     * the new value could read as something else; null when the text does not hold exactly one.
     */
    private static String replacedSource(String yaml, String key, String old, String replacement) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("(\\b" + key + "\\s*:\\s*)(?:'" + java.util.regex.Pattern.quote(old.replace("'", "''")) + "'|\"" + java.util.regex.Pattern.quote(old)
                        + "\"|" + java.util.regex.Pattern.quote(old) + "(?=\\s*(?:[,}#\\r\\n]|$)))")
                .matcher(yaml);
        if (!m.find()) return null;
        int start = m.start(), end = m.end();
        String prefix = m.group(1), was = yaml.substring(m.end(1), end);
        if (m.find()) return null;
        String value;
        if (was.startsWith("\"")) {
            if (replacement.contains("\"") || replacement.contains("\\")) return null;
            value = "\"" + replacement + "\"";
        } else if (was.startsWith("'") || !replacement.matches("[A-Za-z0-9_./:+@~-]+")) {
            value = "'" + replacement.replace("'", "''") + "'";
        } else {
            value = replacement;
        }
        String out = yaml.substring(0, start) + prefix + value + yaml.substring(end);
        // the text must still say the same thing with the new path
        ObjectNode check = tree(out);
        JsonNode d = check.get("data");
        return d != null && d.get(key) != null && replacement.equals(d.get(key).asText()) ? out : null;
    }

    private static ObjectNode tree(String text) {
        try {
            JsonNode n = text == null ? null : YAML.readTree(text);
            return n instanceof ObjectNode o ? o : NODES.objectNode();
        } catch (JsonProcessingException e) {
            return NODES.objectNode();
        }
    }

    private static ObjectNode section(ObjectNode root, String key) {
        JsonNode n = root.get(key);
        if (n instanceof ObjectNode o) return o;
        ObjectNode o = NODES.objectNode();
        // an optimizer or schedule written as a bare name keeps its meaning as a mapping
        if (n != null && n.isTextual()) o.put("name", n.textValue());
        root.set(key, o);
        return o;
    }

    private static void data(ObjectNode root, Spec.Data a, Spec.Data b) {
        if (a.equals(b)) return;
        ObjectNode d = section(root, "data");
        if (!a.source().equals(b.source())) d.put("source", b.source());
        if (!Objects.equals(a.options(), b.options())) d.set("options", YAML.valueToTree(b.options()));
        if (Double.compare(a.test(), b.test()) != 0) {
            if (b.testAuto()) d.put("test", "auto");
            else d.put("test", b.test());
        }
        if (a.validation() != b.validation()) d.put("validation", b.validation());
        if (a.normalize() != b.normalize()) d.put("normalize", b.normalize().key());
        if (a.shuffle() != b.shuffle()) d.put("shuffle", b.shuffle());
        if (a.targets() != b.targets()) d.put("targets", b.targets().key());
    }

    private static void model(ObjectNode root, Spec.Model a, Spec.Model b) {
        ObjectNode m = null;
        if (!a.init().equals(b.init())) {
            m = section(root, "model");
            m.put("init", b.init().toString());
        }
        if (!sameLayers(a.layers(), b.layers())) {
            if (m == null) m = section(root, "model");
            m.set("layers", layers(b.layers()));
        }
    }

    /** Whether two layer lists describe the same model, whatever their key paths. */
    public static boolean sameLayers(List<Spec.LayerSpec> a, List<Spec.LayerSpec> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) {
            Spec.LayerSpec x = a.get(i), y = b.get(i);
            if (!x.kind().equals(y.kind()) || Double.compare(x.arg(), y.arg()) != 0 || !Objects.equals(x.conv(), y.conv())) return false;
            if ((x.block() == null) != (y.block() == null)) return false;
            if (x.block() != null && !sameLayers(x.block(), y.block())) return false;
        }
        return true;
    }

    private static ArrayNode layers(List<Spec.LayerSpec> layers) {
        ArrayNode a = NODES.arrayNode();
        for (Spec.LayerSpec l : layers) {
            switch (l.kind()) {
                case "dense", "maxpool" -> a.addObject().put(l.kind(), (int) l.arg());
                case "dropout", "leaky_relu" -> a.addObject().put(l.kind(), l.arg());
                case "conv2d" -> a.addObject().putObject("conv2d").put("filters", l.conv().filters()).put("kernel", l.conv().kernel())
                        .put("stride", l.conv().stride()).put("padding", l.conv().padding());
                case "residual" -> a.addObject().set("residual", layers(l.block()));
                default -> a.add(l.kind());
            }
        }
        return a;
    }

    private static void optimizer(ObjectNode root, Spec.Optimizer a, Spec.Optimizer b) {
        if (a.equals(b)) return;
        ObjectNode o = section(root, "optimizer");
        if (!a.name().equals(b.name())) o.put("name", b.name());
        if (a.lr() != b.lr()) o.put("lr", b.lr());
        if (a.weightDecay() != b.weightDecay()) o.put("weight_decay", b.weightDecay());
        if (a.momentum() != b.momentum() && b.name().equals("sgd")) o.put("momentum", b.momentum());
        if (a.nesterov() != b.nesterov()) o.put("nesterov", b.nesterov());
        if (!b.name().equals("sgd")) {
            if (a.beta1() != b.beta1()) {
                o.remove("momentum");
                o.put("beta1", b.beta1());
            }
            if (a.beta2() != b.beta2()) o.put("beta2", b.beta2());
            if (a.eps() != b.eps()) o.put("eps", b.eps());
        }
    }

    private static ObjectNode schedule(Spec.Schedule s) {
        ObjectNode o = NODES.objectNode().put("name", s.name());
        switch (s.name()) {
            case "step" -> o.put("step_size", s.stepSize()).put("gamma", s.gamma());
            case "cosine" -> o.put("warmup", s.warmup()).put("min_lr", s.minLr());
            default -> { }
        }
        return o;
    }

    private static void train(ObjectNode root, Spec.Train a, Spec.Train b) {
        if (a.equals(b)) return;
        ObjectNode t = section(root, "train");
        if (a.epochs() != b.epochs()) t.put("epochs", b.epochs());
        if (a.batch() != b.batch()) t.put("batch", b.batch());
        if (a.clipNorm() != b.clipNorm()) t.put("clip_norm", b.clipNorm());
        if (a.earlyStop() != b.earlyStop()) t.put("early_stop", b.earlyStop());
    }
}
