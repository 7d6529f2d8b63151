package dev.vitals.doctor.logs;

import dev.vitals.core.InputException;
import dev.vitals.core.train.EpochResult;
import dev.vitals.doctor.logs.Column.Kind;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A metrics log interpreted as a training run: the logged steps (loss, and where logged accuracy,
 * gradient norms and learning rate) and the epochs (training and validation metrics). A record
 * with a value in the step-loss column is a step; epochs are the records grouped by the epoch
 * column, or, without one, closed by each record that carries validation or epoch-level values.
 * Where two columns mean the training loss (Vitals' own {@code loss} per step and
 * {@code train_loss} per epoch), the plain one is the step loss and the other the epoch's.
 */
public final class RunLog {
    /** One logged step; NaN where the log has no value, {@code observed} when it has gradient norms. */
    /**
     * A logged step; {@code layerUpdateRatios[i]} is the update/weight ratio logged for the layer or
     * parameter of {@code layerGradNorms[i]} (NaN where the log has none).
     */
    public record Row(long step, double loss, double accuracy, double gradNorm, double lr, double[] layerGradNorms, double[] layerUpdateRatios, boolean observed) {}

    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private final LogTable table;
    private final Map<Kind, String> used = new EnumMap<>(Kind.class);
    private final List<String> layers = new ArrayList<>();
    /** Update-ratio columns by the layer or parameter they name. */
    private final Map<String, String> updates = new java.util.LinkedHashMap<>();
    private final List<String> ignored = new ArrayList<>();
    private final List<Row> rows = new ArrayList<>();
    private final List<EpochResult> epochs = new ArrayList<>();

    /** The first epoch (counted from 0 as the log's epochs are read) whose validation loss the log wrote as NaN or infinity, its value and record. */
    public record NonFinite(int epoch, double value, String where) {}

    private NonFinite nonFiniteValidation;

    /** The first validation loss written non-finite, or null. */
    public NonFinite nonFiniteValidation() { return nonFiniteValidation; }
    /** Accuracy columns logged as percentages (some value above 1): read divided by 100. */
    private final java.util.Set<String> percent = new java.util.LinkedHashSet<>();

    private RunLog(LogTable table) { this.table = table; }

    public static RunLog of(LogTable table) {
        if (table.records().isEmpty()) throw new InputException(table.source() + ": empty log, no records; expected metrics with at least a training loss");
        RunLog log = new RunLog(table);
        log.chooseColumns();
        log.accuracyScales();
        log.interpret();
        if (log.rows.isEmpty()) {
            throw new InputException(table.source() + ": empty log, no record has a value in the loss column '" + log.used.get(Kind.LOSS) + "'");
        }
        return log;
    }

    public LogTable table() { return table; }

    /** The column read for each meaning, in the order of {@link Kind}. */
    public Map<Kind, String> columns() { return Collections.unmodifiableMap(used); }

    /** Columns of per-layer gradient norms, in the order the log names them (taken as forward order). */
    public List<String> layerColumns() { return List.copyOf(layers); }

    public List<String> ignored() { return List.copyOf(ignored); }

    /** The accuracy columns that were logged as percentages and are read divided by 100. */
    public List<String> percentColumns() { return List.copyOf(percent); }

    /**
     * An accuracy is a fraction; a column with a value above 1 (and none above 100) was logged in
     * percent, as Keras-style progress logs and many hand-written loops do: 10.0 at chance on ten
     * classes is 0.1, not ten times perfect. A value below 0 or above 100 is no accuracy at all.
     */
    private void accuracyScales() {
        for (Kind k : List.of(Kind.ACCURACY, Kind.EPOCH_ACCURACY, Kind.VAL_ACCURACY)) {
            String c = used.get(k);
            if (c == null) continue;
            double max = Double.NEGATIVE_INFINITY;
            for (LogRecord r : table.records()) {
                if (!r.values().containsKey(c)) continue;
                double v = num(r, c);
                if (!Double.isFinite(v)) continue;
                if (v < 0 || v > 100) {
                    throw new InputException(table.source() + " " + r.where() + ": accuracy column '" + c
                            + "': expected a fraction from 0 to 1 (or a percentage from 0 to 100), not " + v);
                }
                max = Math.max(max, v);
            }
            if (max > 1) percent.add(c);
        }
    }

    public List<Row> rows() { return Collections.unmodifiableList(rows); }

    /** Epochs in order; {@link EpochResult#steps()} counts the logged steps up to the epoch's end. */
    public List<EpochResult> epochs() { return Collections.unmodifiableList(epochs); }

    public boolean has(Kind k) { return used.containsKey(k); }

    /** The field of a log's header record naming its loss (Vitals' own metrics.jsonl: {"classes": 10, "loss_function": "mse"}). */
    public static final String LOSS_FUNCTION = "loss_function";

    /** The loss the log declares (a Vitals loss key), or null where it does not say. */
    public String lossFunction() {
        for (LogRecord r : table.records()) {
            if (r.values().get(LOSS_FUNCTION) instanceof String s && !s.isBlank()) return s.trim();
        }
        return null;
    }

    /** The field of Vitals' header record holding the training split's share of each class, in class order. */
    public static final String CLASS_SHARES = "class_shares";
    /** Fields of Vitals' header record: the plan's outputs, split sizes, batch and early stopping patience. */
    public static final String OUTPUTS = "outputs", TRAIN_EXAMPLES = "train_examples", VALIDATION_EXAMPLES = "validation_examples",
            BATCH = "batch_size", EARLY_STOP = "early_stop", OPTIMIZER = "optimizer", MOMENTUM = "momentum";
    private static final java.util.Set<String> HEADER = java.util.Set.of("classes", LOSS_FUNCTION, CLASS_SHARES, OUTPUTS, TRAIN_EXAMPLES,
            VALIDATION_EXAMPLES, BATCH, EARLY_STOP, OPTIMIZER, MOMENTUM);

    /** A field of the header record, and the record (for an error's line); null where the log has none. */
    private record Field(LogRecord record, Object value) {}

    /**
     * The header's {@code key}: the record that gives the classes is the header (Vitals' own first
     * line); a metric column of the same name elsewhere is not it.
     */
    private Field header(String key) {
        for (LogRecord r : table.records()) {
            if (r.values().containsKey("classes") && r.values().get(key) != null) return new Field(r, r.values().get(key));
        }
        return null;
    }

    /** A header field that says nonsense is the log's error, as a classes record that does. */
    private InputException nonsense(Field f, String key, String expected) {
        return new InputException(table.source() + " " + f.record().where() + ": '" + key + "' holds " + f.value() + ", expected " + expected);
    }

    /** The optimizer Vitals' header names (sgd, adam, adamw), or null; another name is the log's error. */
    public String optimizer() {
        Field f = header(OPTIMIZER);
        if (f == null) return null;
        if (!(f.value() instanceof String s) || !java.util.Set.of("sgd", "adam", "adamw").contains(s.trim())) throw nonsense(f, OPTIMIZER, "sgd, adam or adamw");
        return s.trim();
    }

    /** The momentum Vitals' header gives (sgd's), from 0 to below 1, or NaN. */
    public double momentum() {
        Field f = header(MOMENTUM);
        if (f == null) return Double.NaN;
        if (!(f.value() instanceof Number n) || !(n.doubleValue() >= 0 && n.doubleValue() < 1)) throw nonsense(f, MOMENTUM, "a number from 0 to below 1");
        return n.doubleValue();
    }

    /**
     * A whole number the log's header record gives under {@code key} (Vitals' own: {@link #OUTPUTS},
     * {@link #TRAIN_EXAMPLES}, ...), or -1 where it does not; one that is not a whole number from
     * {@code min} is the log's error.
     */
    public int header(String key, int min) {
        Field f = header(key);
        if (f == null) return -1;
        if (!(f.value() instanceof Number n) || !(n.doubleValue() >= min) || n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() > Integer.MAX_VALUE) {
            throw nonsense(f, key, "a whole number from " + min);
        }
        return n.intValue();
    }

    /**
     * The share of each of {@code classes} classes in the training data, as the log's header record
     * gives it, or null where it does not (or gives another number of classes than {@code --classes} says).
     */
    public double[] classShares(int classes) {
        Field f = header(CLASS_SHARES);
        if (f == null) return null;
        double[] shares = fractions(String.valueOf(f.value()));
        if (shares == null) throw nonsense(f, CLASS_SHARES, "a list of fractions (one per class) summing to 1");
        return shares.length == classes ? shares : null;
    }

    /** A JSON list of two or more fractions summing to 1, or null. */
    private static double[] fractions(String json) {
        try {
            com.fasterxml.jackson.databind.JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
            if (n == null || !n.isArray() || n.size() < 2) return null;
            double[] shares = new double[n.size()];
            double sum = 0;
            for (int i = 0; i < shares.length; i++) {
                shares[i] = n.get(i).isNumber() ? n.get(i).doubleValue() : Double.NaN;
                if (!(shares[i] >= 0 && shares[i] <= 1)) return null;
                sum += shares[i];
            }
            return Math.abs(sum - 1) <= 1e-3 ? shares : null;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            return null;
        }
    }

    private void chooseColumns() {
        Map<Kind, List<String>> byKind = new EnumMap<>(Kind.class);
        for (String n : table.names()) {
            Column c = Column.classify(n);
            if (c == null && !HEADER.contains(n)) ignored.add(n);  // the header's are read by Classes.infer, lossFunction, classShares, header
            else if (c == null) continue;
            else if (c.kind() == Kind.LAYER_GRAD_NORM) layers.add(n);
            else if (c.kind() == Kind.LAYER_UPDATE_RATIO) updates.put(c.layer(), n);
            else byKind.computeIfAbsent(c.kind(), k -> new ArrayList<>()).add(n);
        }
        List<String> forward = List.copyOf(LayerOrder.forward(layers, table.names()));
        layers.clear();
        layers.addAll(forward);
        // an update ratio is read beside the gradient norm of the same layer or parameter; alone it has no layer to belong to
        java.util.Set<String> named = new java.util.HashSet<>();
        for (String l : layers) named.add(Column.classify(l).layer());
        for (var u : updates.entrySet()) if (!named.contains(u.getKey())) ignored.add(u.getValue());
        // fastai's recorder (epoch, train_loss, valid_loss, accuracy, time) computes its metrics on the
        // validation set: its lone accuracy is a validation accuracy, not the training side's
        // ("training accuracy is at chance" of a fastai run)
        if (byKind.containsKey(Kind.ACCURACY) && !byKind.containsKey(Kind.VAL_ACCURACY) && !byKind.containsKey(Kind.EPOCH_ACCURACY)
                && table.names().contains("valid_loss") && table.names().contains("train_loss") && table.names().contains("time")) {
            byKind.put(Kind.VAL_ACCURACY, byKind.remove(Kind.ACCURACY));
        }
        pair(byKind, Kind.LOSS, Kind.EPOCH_LOSS, "loss");
        pair(byKind, Kind.ACCURACY, Kind.EPOCH_ACCURACY, "accuracy");
        for (Kind k : List.of(Kind.STEP, Kind.EPOCH, Kind.VAL_LOSS, Kind.VAL_ACCURACY, Kind.GRAD_NORM, Kind.LR, Kind.EPOCH_SECONDS)) {
            List<String> c = byKind.getOrDefault(k, List.of());
            if (!c.isEmpty()) used.put(k, c.get(0));
            for (int i = 1; i < c.size(); i++) ignored.add(c.get(i));
        }
        if (!used.containsKey(Kind.LOSS)) {
            throw new InputException(table.source() + ": no training-loss column; expected one named like loss, train_loss, train/loss, Loss/train or epoch_loss"
                    + (table.names().isEmpty() ? "" : " (found: " + String.join(", ", table.names()) + ")"));
        }
    }

    /**
     * Picks the step column of a metric (the plain name first, then any per-step name, then a
     * per-epoch one) and makes the next candidate the epoch-level column.
     */
    private void pair(Map<Kind, List<String>> byKind, Kind step, Kind epoch, String plain) {
        List<String> steps = byKind.getOrDefault(step, List.of()), perEpoch = byKind.getOrDefault(epoch, List.of());
        List<String> all = new ArrayList<>();
        steps.stream().filter(n -> Column.normalise(n).equals(plain)).forEach(all::add);
        steps.stream().filter(n -> !all.contains(n)).forEach(all::add);
        all.addAll(perEpoch);
        if (all.isEmpty()) return;
        used.put(step, all.get(0));
        if (all.size() > 1) used.put(epoch, all.get(1));
        for (int i = 2; i < all.size(); i++) ignored.add(all.get(i));
    }

    private void interpret() {
        String lossCol = used.get(Kind.LOSS), epochCol = used.get(Kind.EPOCH);
        Epoch open = null;
        long nextStep = 0, stepOffset = 0;
        Double lastEpoch = null;  // the epoch of the last logged step
        // Hugging Face's Trainer logs the epoch as a fraction (0.25, 0.5, ... 1.0 at its end, where its
        // evaluation record also says 1.0): such a column numbers epoch k by the values in (k-1, k]
        boolean fractional = false;
        if (epochCol != null) {
            for (LogRecord r : table.records()) {
                double e = r.values().containsKey(epochCol) ? num(r, epochCol) : Double.NaN;
                if (Double.isFinite(e) && e != Math.rint(e)) {
                    fractional = true;
                    break;
                }
            }
        }
        // An epoch column filled only on the last step of each epoch, as MLflow users log it
        // (log_metric("epoch", e, step=last_step) beside the step losses): the value closes its
        // epoch. Carried forward instead, it put the next epoch's steps into the one it closed (epoch
        // 1 the mean of steps 0-38 of 20-step epochs, the last epoch a single step). Told apart from a
        // column that opens its epoch by the first step's row: a closing column leaves it empty.
        boolean closing = false;
        if (epochCol != null) {
            int lossRows = 0, marked = 0;
            Boolean firstMarked = null;
            for (LogRecord r : table.records()) {
                if (!r.values().containsKey(lossCol)) continue;
                lossRows++;
                boolean m = r.values().containsKey(epochCol);
                if (m) marked++;
                if (firstMarked == null) firstMarked = m;
            }
            closing = marked > 0 && marked < lossRows && Boolean.FALSE.equals(firstMarked);
        }
        boolean sealed = false;  // the open epoch's closing row has been read
        for (LogRecord r : table.records()) {
            if (sealed && r.values().containsKey(lossCol) && !r.values().containsKey(epochCol)) {
                close(open);
                open = null;
                sealed = false;
            }
            if (epochCol != null && r.values().containsKey(epochCol)) {
                double e = num(r, epochCol);
                if (closing && r.values().containsKey(lossCol)) sealed = true;
                if (fractional) e = Math.ceil(e);
                if (open != null && open.key != null && open.key != e) {
                    close(open);
                    open = null;
                }
                if (open == null) open = new Epoch(e);
                else if (open.key == null) open.key = e;
            }
            if (open == null) open = new Epoch(null);
            // a step given on a row without a loss is read too: text there ("3;0.5", a row of another
            // separator) is the log's error, not a row to pass over
            if (!r.values().containsKey(lossCol) && used.get(Kind.STEP) != null && r.values().containsKey(used.get(Kind.STEP))) value(r, Kind.STEP);
            if (r.values().containsKey(lossCol)) {
                double s = value(r, Kind.STEP);
                // 2^53: beyond it a double no longer holds every whole number, so the text is compared exactly
                Object raw = r.values().get(used.get(Kind.STEP));
                boolean beyond = s > 0x1p53 || s == 0x1p53 && raw instanceof String text  // 2^53 + 1 reads as 2^53
                        && new java.math.BigDecimal(text.trim()).compareTo(java.math.BigDecimal.valueOf(1L << 53)) > 0;
                if (Double.isFinite(s) && (s != Math.rint(s) || s < 0 || beyond)) {
                    throw new InputException(table.source() + " " + r.where() + ": step column '" + used.get(Kind.STEP) + "': expected a whole number of steps from 0 to 2^53 (9007199254740992), not "
                            + (raw instanceof String text ? text.trim() : s == Math.rint(s) ? String.format(java.util.Locale.ROOT, "%.0f", s) : Double.toString(s)));
                }
                if (used.get(Kind.STEP) != null && !Double.isFinite(s)) {
                    // a row without its step (a summary row a tracker appends) would be given one made up
                    throw new InputException(table.source() + " " + r.where() + ": step column '" + used.get(Kind.STEP) + "' is "
                            + (raw == null ? "empty" : "'" + raw.toString().trim() + "'") + " on a row with a loss; expected a whole number of steps on every such row (a summary row: remove it)");
                }
                long step = Double.isFinite(s) ? (long) s + stepOffset : nextStep;
                // a second phase whose trainer counts its steps from 0 again while the epochs go on
                // (fine-tuning after unfreezing) continues the timeline; a timeline that goes back
                // with its epochs (a resumed run appended to its log) would be judged as one run
                if (!rows.isEmpty() && step <= rows.getLast().step() && open.key != null && lastEpoch != null && open.key > lastEpoch) {
                    stepOffset += rows.getLast().step() + 1 - step;
                    step = rows.getLast().step() + 1;
                }
                if (!rows.isEmpty() && step <= rows.getLast().step()) {
                    throw new InputException(table.source() + " " + r.where() + ": step " + step + " after step " + rows.getLast().step()
                            + "; expected logged steps in increasing order (a run resumed from a checkpoint: keep the log from its last start)");
                }
                nextStep = step + 1;
                lastEpoch = open.key;
                Row row = row(r, step);
                // the rules read a loss as a cost falling towards 0 (cross-entropy, mse): a negative one
                // (a log-likelihood, an ELBO) would be judged as nonsense ("spread -0.56 of its mean")
                if (row.loss() < -1e-6 && Double.isFinite(row.loss())) {
                    // a log that declares a cross-entropy below zero (Vitals' own, of -1/+1 targets) is no log-likelihood
                    String declared = lossFunction();
                    throw new InputException(table.source() + " " + r.where() + ": loss column '" + lossCol + "' holds " + row.loss()
                            + "; expected a loss of at least 0 (cross-entropy, mse); "
                            + (declared != null && declared.contains("cross_entropy") ? "the log says its loss is " + declared
                                    + ", which is negative only for targets outside 0..1 (-1/+1): the run's own report names them (TARGET_ENCODING)"
                                    : "a log-likelihood is logged as its negative"));
                }
                rows.add(row);
                open.losses.add(row.loss());
                if (!Double.isNaN(row.accuracy())) open.accuracies.add(row.accuracy());
                if (!Double.isNaN(row.lr())) open.lr = row.lr();
            }
            boolean epochValues = false;
            for (Kind k : List.of(Kind.EPOCH_LOSS, Kind.EPOCH_ACCURACY, Kind.VAL_LOSS, Kind.VAL_ACCURACY)) {
                String c = used.get(k);
                if (c == null || !r.values().containsKey(c)) continue;
                open.values.put(k, num(r, c));
                epochValues = true;
                // a validation loss written as NaN or infinity is no epoch without validation: the model's
                // outputs on the held-out examples overflowed (it read "25 with validation" and "healthy")
                // (written: a cell's text, or an infinity; a JSON null is how Vitals' own log and others write "no
                // validation this epoch", and reads as NaN, so a NaN number says nothing)
                Object raw = r.values().get(c);
                boolean written = raw instanceof String || raw instanceof Double d && d.isInfinite();
                if (k == Kind.VAL_LOSS && written && !Double.isFinite(num(r, c)) && nonFiniteValidation == null) {
                    nonFiniteValidation = new NonFinite(epochs.size(), num(r, c), r.where());
                }
            }
            // an epoch's duration belongs to the epoch it closes, but does not close one by itself
            if (has(Kind.EPOCH_SECONDS) && r.values().containsKey(used.get(Kind.EPOCH_SECONDS))) open.values.put(Kind.EPOCH_SECONDS, value(r, Kind.EPOCH_SECONDS));
            if (epochValues && !r.values().containsKey(lossCol) && has(Kind.LR) && r.values().containsKey(used.get(Kind.LR))) open.lr = value(r, Kind.LR);
            if (epochCol == null && epochValues) {
                close(open);
                open = null;
            }
        }
        if (open != null && epochCol != null) close(open);
    }

    private Row row(LogRecord r, long step) {
        double[] lg = new double[layers.size()];
        boolean allLayers = !layers.isEmpty();
        double sq = 0;
        for (int i = 0; i < lg.length; i++) {
            String c = layers.get(i);
            lg[i] = r.values().containsKey(c) ? num(r, c) : Double.NaN;
            if (!r.values().containsKey(c) || !Double.isFinite(lg[i])) allLayers = false;
            else sq += lg[i] * lg[i];
        }
        double[] lu = new double[layers.size()];
        for (int i = 0; i < lu.length; i++) {
            String u = updates.get(Column.classify(layers.get(i)).layer());
            lu[i] = u != null && r.values().containsKey(u) ? num(r, u) : Double.NaN;
        }
        boolean anyLayer = false;
        for (String c : layers) anyLayer |= r.values().containsKey(c);
        String gc = used.get(Kind.GRAD_NORM);
        boolean hasGrad = gc != null && r.values().containsKey(gc);
        // without a global norm, the per-layer norms of every layer make it up exactly
        double g = hasGrad ? num(r, gc) : allLayers ? Math.sqrt(sq) : Double.NaN;
        return new Row(step, num(r, used.get(Kind.LOSS)), value(r, Kind.ACCURACY), g, value(r, Kind.LR), lg, lu, hasGrad || allLayers || anyLayer && !Double.isNaN(g));
    }

    private void close(Epoch e) {
        if (e.losses.isEmpty() && e.values.isEmpty()) return;
        double trainLoss = e.values.getOrDefault(Kind.EPOCH_LOSS, mean(e.losses));
        double trainAcc = e.values.getOrDefault(Kind.EPOCH_ACCURACY, mean(e.accuracies));
        epochs.add(new EpochResult(epochs.size(), trainLoss, trainAcc, e.values.getOrDefault(Kind.VAL_LOSS, Double.NaN),
                e.values.getOrDefault(Kind.VAL_ACCURACY, Double.NaN), e.values.getOrDefault(Kind.EPOCH_SECONDS, Double.NaN), (float) e.lr, rows.size()));
    }

    private static double mean(List<Double> v) {
        if (v.isEmpty()) return Double.NaN;
        double s = 0;
        for (double d : v) s += d;
        return s / v.size();
    }

    private double value(LogRecord r, Kind k) {
        String c = used.get(k);
        return c == null || !r.values().containsKey(c) ? Double.NaN : num(r, c);
    }

    /** The number in column {@code col}, accuracy logged in percent as a fraction. */
    private double num(LogRecord r, String col) {
        double v = parse(r, col);
        return percent.contains(col) ? v / 100 : v;
    }

    /** The number in column {@code col}; text that is not a number is the user's error, named by file, line and column. */
    private double parse(LogRecord r, String col) {
        Object v = r.values().get(col);
        if (v == null) return Double.NaN;
        if (v instanceof Double d) return d;
        String s = v.toString().trim();
        String l = s.toLowerCase(java.util.Locale.ROOT);
        switch (l) {
            case "nan", "-nan", "+nan", "null", "none" -> { return Double.NaN; }
            case "inf", "+inf", "infinity", "+infinity" -> { return Double.POSITIVE_INFINITY; }
            case "-inf", "-infinity" -> { return Double.NEGATIVE_INFINITY; }
            default -> { }
        }
        if (!NUMBER.matcher(s).matches()) {
            throw new InputException(table.source() + " " + r.where() + ": column '" + col + "' holds '" + abbreviate(s) + "', expected a number");
        }
        return Double.parseDouble(s);
    }

    /** Whether a cell's text reads as a number here: digits, or NaN and infinity as logs write them. */
    static boolean isNumberText(String text) {
        String s = text.trim();
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "nan", "-nan", "+nan", "null", "none", "inf", "+inf", "infinity", "+infinity", "-inf", "-infinity" -> true;
            default -> NUMBER.matcher(s).matches();
        };
    }

    private static String abbreviate(String s) { return s.length() > 40 ? s.substring(0, 37) + "..." : s; }

    /** An epoch being gathered: its key in the epoch column (null without one), step values and epoch-level values. */
    private static final class Epoch {
        Double key;
        final List<Double> losses = new ArrayList<>(), accuracies = new ArrayList<>();
        final Map<Kind, Double> values = new LinkedHashMap<>();
        double lr = Double.NaN;

        Epoch(Double key) { this.key = key; }
    }
}
