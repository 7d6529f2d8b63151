package dev.vitals.cli;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DESIGN.md's contract for bad input, case by case, through the real command line: exit code 2, one
 * line {@code error: ...} on stderr that names the file, key, layer or line and what was expected, no
 * stack trace anywhere, and nothing written: the --out folder is never created and a --json file that
 * was there before is left exactly as it was (the whole temporary folder is compared before and after).
 */
class BadInputTest {
    static final String PREVIOUS_REPORT = "{\"previous\": true}\n";

    static final String BASE = """
            name: bad
            seed: 1
            data: {source: iris, validation: 0.2}
            model:
              layers: [{dense: 8}, relu, {dense: 3}]
            train: {epochs: 1, batch: 16}
            """;

    /** One bad input: the files to create, the command line, and what the error line must name. */
    static final class Case {
        final String name;
        String command = "train";
        String specName = "spec.yaml";
        String spec;
        final Map<String, byte[]> files = new LinkedHashMap<>();
        final List<String> folders = new ArrayList<>();
        List<String> args;            // the whole command line, with {dir} and {spec}; null: the default
        final List<String> extra = new ArrayList<>();
        final List<String> expected = new ArrayList<>();
        final List<String> absent = new ArrayList<>();

        Case(String name) { this.name = name; }

        Case spec(String text) { spec = text; return this; }

        /** BASE with {@code from} replaced by {@code to} ({@code from} must occur). */
        Case base(String from, String to) {
            if (!BASE.contains(from)) throw new IllegalArgumentException(name + ": BASE has no '" + from + "'");
            spec = BASE.replace(from, to);
            return this;
        }

        Case append(String text) { spec = BASE + text; return this; }

        Case check() { command = "check"; return this; }

        Case file(String path, String text) { return file(path, text.getBytes(StandardCharsets.UTF_8)); }

        Case file(String path, byte[] bytes) { files.put(path, bytes); return this; }

        Case folder(String path) { folders.add(path); return this; }

        Case args(String... a) { args = List.of(a); return this; }

        Case extra(String... a) { extra.addAll(List.of(a)); return this; }

        Case expect(String... parts) { expected.addAll(List.of(parts)); return this; }

        /** Text the error line must not hold (a shape said twice). */
        Case absent(String... parts) { absent.addAll(List.of(parts)); return this; }

        @Override public String toString() { return command + ": " + name; }
    }

    static Stream<Case> cases() {
        List<Case> c = new ArrayList<>();
        // ---- the spec file ----
        c.add(new Case("spec file missing").args("train", "{dir}/missing.yaml", "--out", "{dir}/run", "--json", "{dir}/previous.json")
                .expect("missing.yaml", "no such file", "expected a spec file"));
        c.add(new Case("spec is a folder").folder("specs").args("train", "{dir}/specs", "--out", "{dir}/run", "--json", "{dir}/previous.json")
                .expect("specs", "is a folder", "expected a spec file"));
        c.add(new Case("YAML syntax error").spec("name: bad\ndata: {source: iris\nmodel: [x\n")
                .expect("spec.yaml line 3", "invalid YAML", "expected ',' or '}'"));
        c.add(new Case("empty spec").spec("").expect("spec.yaml", "the spec is empty", "expected at least 'data' and 'model'"));
        c.add(new Case("spec of comments only").spec("# nothing here\n").expect("spec.yaml", "the spec is empty"));
        c.add(new Case("spec not UTF-8").spec(null).file("spec.yaml", latin1("name: caf\u00e9\ndata: {source: iris}\nmodel: {layers: [{dense: 3}]}\n"))
                .expect("spec.yaml line 1", "not UTF-8", "expected a YAML text file saved as UTF-8"));
        c.add(new Case("duplicate key").append("seed: 2\n").expect("spec.yaml line 7", "duplicate key 'seed'"));
        c.add(new Case("top level is a list").spec("- data\n- model\n").expect("spec.yaml", "expected a mapping of keys"));
        // ---- keys ----
        c.add(new Case("unknown top-level key").append("foo: 1\n").expect("spec.yaml: foo", "unknown key 'foo'", "expected one of name, description"));
        c.add(new Case("unknown key in data").base("validation: 0.2", "validtion: 0.2")
                .expect("data.validtion", "did you mean 'validation'", "expected one of source"));
        c.add(new Case("unknown key in optimizer").append("optimizer: {name: adam, lrr: 0.1}\n")
                .expect("optimizer.lrr", "did you mean 'lr'", "expected one of name, lr"));
        c.add(new Case("unknown key in train").base("batch: 16", "bacth: 16").expect("train.bacth", "did you mean 'batch'", "expected one of epochs"));
        // PyTorch's and Keras' names are pointed at the spec's own
        c.add(new Case("PyTorch's kernel_size in conv2d").spec("data: {source: iris}\nmodel: {layers: [{conv2d: {out_channels: 2, kernel_size: 3}}]}\n")
                .expect("model.layers[0].conv2d.", "did you mean '", "is what PyTorch or Keras call it"));
        c.add(new Case("Keras' batch_size in train").base("batch: 16", "batch_size: 16").expect("train.batch_size", "did you mean 'batch'? 'batch_size' is what PyTorch or Keras call it"));
        c.add(new Case("unknown key in conv2d").spec("data: {source: iris}\nmodel: {layers: [{conv2d: {filters: 2, kernal: 3}}]}\n")
                .expect("model.layers[0].conv2d.kernal", "did you mean 'kernel'"));
        c.add(new Case("data missing").spec("model: {layers: [{dense: 3}]}\n").expect("spec.yaml: data", "missing", "expected e.g. data: {source: digits}"));
        // ---- types ----
        c.add(new Case("epochs: \"ten\"").base("epochs: 1", "epochs: \"ten\"").expect("train.epochs", "'ten'", "expected a positive number of epochs"));
        c.add(new Case("lr: abc").append("optimizer: {name: adam, lr: abc}\n").expect("optimizer.lr", "'abc'", "expected a positive learning rate"));
        c.add(new Case("batch: 1.5").base("batch: 16", "batch: 1.5").expect("train.batch", "1.5", "expected a positive batch size"));
        c.add(new Case("seed: abc").base("seed: 1", "seed: abc").expect("spec.yaml: seed", "'abc'", "expected an integer"));
        c.add(new Case("data is a word").spec("data: iris\nmodel: {layers: [{dense: 3}]}\n").expect("spec.yaml: data", "expected a mapping with 'source'"));
        c.add(new Case("layers is a mapping").spec("data: {source: iris}\nmodel: {layers: {dense: 3}}\n").expect("model.layers", "expected a list of layers"));
        c.add(new Case("shuffle: maybe").base("validation: 0.2", "validation: 0.2, shuffle: maybe").expect("data.shuffle", "expected true or false"));
        // ---- sizes and ranges ----
        c.add(new Case("dense: 0").base("dense: 8", "dense: 0").expect("model.layers[0].dense", "expected a positive number of units, not 0"));
        c.add(new Case("dense: -3").base("dense: 8", "dense: -3").expect("model.layers[0].dense", "expected a positive number of units, not -3"));
        c.add(new Case("batch: 0").base("batch: 16", "batch: 0").expect("train.batch", "expected a positive batch size, not 0"));
        c.add(new Case("epochs: -1").base("epochs: 1", "epochs: -1").expect("train.epochs", "expected a positive number of epochs, not -1"));
        c.add(new Case("dropout: 1.5").base("relu,", "relu, {dropout: 1.5},").expect("model.layers[2].dropout", "expected a probability in [0, 1), not 1.5"));
        c.add(new Case("validation: 1.2").base("validation: 0.2", "validation: 1.2").expect("data.validation", "expected a fraction in [0, 1)", "not 1.2"));
        c.add(new Case("test: 1").base("validation: 0.2", "validation: 0.2, test: 1").expect("data.test", "expected 'auto', a fraction in [0, 1) or a test file (csv:PATH), not 1"));
        c.add(new Case("test: -0.1").base("validation: 0.2", "validation: 0.2, test: -0.1").expect("data.test", "not -0.1"));
        c.add(new Case("maxpool: 0").base("relu,", "relu, {maxpool: 0},").expect("model.layers[2].maxpool", "expected a positive window size, not 0"));
        c.add(new Case("lr: 0").append("optimizer: {name: sgd, lr: 0}\n").expect("optimizer.lr", "expected a positive learning rate, not 0"));
        c.add(new Case("splits leave no training data").base("validation: 0.2", "validation: 0.99, test: 0.99")
                .expect("spec.yaml: data.test, data.validation", "no training examples left", "150 examples", "expected smaller fractions"));
        c.add(new Case("batchnorm on features with batch 1").spec(BASE.replace("relu,", "batchnorm, relu,").replace("batch: 16", "batch: 1"))
                .expect("spec.yaml: train.batch: 1, but model.layers[1] (batchnorm) normalises each feature over the batch", "expected a batch of at least 2"));
        c.add(new Case("cosine warm-up as long as the run").append("schedule: {name: cosine, warmup: 1}\n")
                .expect("spec.yaml: schedule.warmup: 1 epoch, but train.epochs is 1", "expected a warm-up shorter than the run"));
        c.add(new Case("a fault listed twice").append("faults: [eval_mode, eval_mode]\n").expect("faults[1]", "'eval_mode' is listed twice"));
        // half a character from a \\u escape: the run trained and then failed writing report.json (exit 1),
        // and no path could be made of a csv: source holding one (exit 1)
        c.add(new Case("a name holding an unpaired surrogate").base("name: bad", "name: \"a\\ude00\\ud83d\"")
                .expect("spec.yaml: name: holds half a character, an unpaired surrogate \\ude00 (from a \\u escape); expected Unicode text"));
        c.add(new Case("a csv: source holding an unpaired surrogate").base("source: iris", "source: \"csv:\\ud800.csv\"")
                .expect("spec.yaml: data.source: holds half a character, an unpaired surrogate \\ud800"));
        c.add(new Case("a layer's key holding an unpaired surrogate").base("dense: 3", "\"\\udfff\": 3")
                .expect("spec.yaml: model.layers[", "a key holds half a character, an unpaired surrogate \\udfff"));
        c.add(new Case("a name across two lines").base("name: bad", "name: \"two\\nlines\"").expect("name", "holds a line break or control character"));
        c.add(new Case("early_stop with a validation fraction that holds no example").spec(BASE.replace("validation: 0.2", "validation: 0.0001").replace("batch: 16", "batch: 16, early_stop: 2"))
                .expect("train.early_stop: needs validation examples, but data.validation 1.0E-4 leaves none"));
        c.add(new Case("early_stop without validation").spec(BASE.replace("validation: 0.2", "validation: 0").replace("batch: 16", "batch: 16, early_stop: 2"))
                .expect("train.early_stop", "needs a validation split"));
        // ---- names ----
        c.add(new Case("unknown layer").base("relu,", "relux,").expect("model.layers[1]", "unknown layer 'relux'", "did you mean 'relu'", "expected one of dense"));
        c.add(new Case("unknown loss").append("loss: hinge\n").expect("spec.yaml: loss", "'hinge'", "expected one of cross_entropy, binary_cross_entropy, mse"));
        c.add(new Case("unknown optimizer").append("optimizer: {name: rmsprop}\n").expect("optimizer.name", "'rmsprop'", "expected one of sgd, adam, adamw"));
        c.add(new Case("unknown schedule").append("schedule: {name: linear}\n").expect("schedule.name", "'linear'", "expected one of constant, step, cosine"));
        c.add(new Case("unknown optimizer as a bare name").append("optimizer: sgdd\n").expect("spec.yaml: optimizer: unknown value 'sgdd'", "did you mean 'sgd'", "expected one of sgd, adam, adamw"));
        c.add(new Case("unknown schedule as a bare name").append("schedule: cosin\n").expect("spec.yaml: schedule: unknown value 'cosin'", "did you mean 'cosine'"));
        c.add(new Case("optimizer as a list").append("optimizer: [adam]\n").expect("spec.yaml: optimizer", "expected a name (sgd, adam, adamw) or a mapping"));
        c.add(new Case("unknown init").base("model:\n", "model:\n  init: glorot\n").expect("model.init", "'glorot'", "expected he, xavier"));
        c.add(new Case("bad init parameter normal:abc").base("model:\n", "model:\n  init: normal:abc\n").expect("model.init", "'normal:abc'", "expected normal:NUMBER"));
        c.add(new Case("unknown fault").append("faults: [no_zero_gradd]\n").expect("faults[0]", "'no_zero_gradd'", "did you mean 'no_zero_grad'", "expected one of"));
        c.add(new Case("unknown data source").base("source: iris", "source: irs").expect("data.source", "'irs'", "did you mean 'iris'", "expected one of digits"));
        c.add(new Case("unknown synthetic generator").base("source: iris", "source: synthetic:moons").expect("data.source", "'moons'", "expected one of xor"));
        c.add(new Case("option on a bundled source").base("validation: 0.2", "validation: 0.2, options: {samples: 3}").expect("data.options.samples", "takes no options"));
        // ---- model, loss and data that cannot fit ----
        c.add(new Case("binary_cross_entropy with 10 outputs on digits")
                .spec("data: {source: digits}\nmodel: {layers: [{dense: 32}, relu, {dense: 10}]}\nloss: binary_cross_entropy\n")
                .expect("spec.yaml: loss", "binary_cross_entropy", "needs a single output", "gives 10"));
        c.add(new Case("cross_entropy output size is not the classes").base("dense: 3", "dense: 5")
                .expect("spec.yaml: loss", "cross_entropy needs one output per class", "3 classes", "5 outputs"));
        c.add(new Case("conv2d on flat tabular input").spec("data: {source: iris}\nmodel: {layers: [{conv2d: {filters: 2, kernel: 3}}, flatten, {dense: 3}]}\n")
                .expect("model.layers[0]", "conv2d", "needs an image [channels, height, width]", "[4]"));
        // the shape error of a layer inside a block names that layer, not the block
        c.add(new Case("dense inside a residual block on images").file("imgs/train-images-idx3-ubyte", idxImages(12, 4, 4))
                .file("imgs/train-labels-idx1-ubyte", idxLabels(12, 3))
                .spec("data: {source: 'idx:imgs'}\nmodel: {layers: [{conv2d: {filters: 2, kernel: 3, padding: 1}}, {residual: [relu, {dense: 4}]}, flatten, {dense: 3}]}\n")
                .expect("model.layers[1].residual[1] (dense 4)", "dense needs a flat input per example", "[2, 4, 4]"));
        c.add(new Case("maxpool larger than the image").file("imgs/train-images-idx3-ubyte", idxImages(12, 4, 4))
                .file("imgs/train-labels-idx1-ubyte", idxLabels(12, 3))
                .spec("data: {source: 'idx:imgs'}\nmodel: {layers: [{maxpool: 5}, flatten, {dense: 3}]}\n")
                .expect("model.layers[0] (maxpool 5): maxpool 5 does not fit the input [1, 4, 4]").absent("[input "));
        // 8 + 2 * 2147483647 - 3 overflowed int: the conv2d built a 4x4 output and the run trained, exit 0
        c.add(new Case("conv2d padding near 2^31").file("imgs/train-images-idx3-ubyte", idxImages(12, 8, 8))
                .file("imgs/train-labels-idx1-ubyte", idxLabels(12, 3))
                .spec("data: {source: 'idx:imgs'}\nmodel: {layers: [{conv2d: {filters: 2, kernel: 3, padding: 2147483647}}, flatten, {dense: 3}]}\n")
                .expect("model.layers[0] (conv2d 2 3x3 pad 2147483647)", "shape [2, 4294967300, 4294967300] is too large"));
        // the layer that shrank the image is named too: the error named only the maxpool two layers after a stride of 20
        c.add(new Case("a stride that shrinks the image below the next layer").file("imgs/train-images-idx3-ubyte", idxImages(12, 28, 28))
                .file("imgs/train-labels-idx1-ubyte", idxLabels(12, 3))
                .spec("data: {source: 'idx:imgs'}\nmodel: {layers: [{conv2d: {filters: 4, kernel: 3, stride: 26}}, relu, {maxpool: 2}, flatten, {dense: 3}]}\n")
                .expect("model.layers[2] (maxpool 2): maxpool 2 does not fit the input [4, 1, 1]; model.layers[0] (conv2d 4 3x3 stride 26) made it from [1, 28, 28]"));
        c.add(new Case("dense on idx images without flatten").file("imgs/train-images-idx3-ubyte", idxImages(12, 4, 4))
                .file("imgs/train-labels-idx1-ubyte", idxLabels(12, 3))
                .spec("data: {source: 'idx:imgs'}\nmodel: {layers: [{dense: 3}]}\n")
                .expect("model.layers[0]", "dense needs a flat input per example", "[1, 4, 4]", "add a 'flatten' layer"));
        // ---- data files ----
        c.add(new Case("csv: missing file").base("source: iris", "source: 'csv:nope.csv'").expect("nope.csv", "no such file", "expected a CSV file"));
        c.add(new Case("csv: a folder").folder("table.csv").base("source: iris", "source: 'csv:table.csv'").expect("table.csv", "is a folder, expected a CSV file"));
        c.add(new Case("CSV with text in a number column").file("text.csv", "a,b,label\n1,2,0\n3,x,1\n5,6,0\n")
                .base("source: iris", "source: 'csv:text.csv'").expect("text.csv line 3, column 2 (b)", "'x' is not a number", "expected a number"));
        c.add(new Case("ragged CSV rows").file("ragged.csv", "1,2,0\n3,4,1\n5,6,7,1\n")
                .base("source: iris", "source: 'csv:ragged.csv'").expect("ragged.csv line 3", "4 values", "expected 3"));
        c.add(new Case("empty CSV").file("empty.csv", "").base("source: iris", "source: 'csv:empty.csv'")
                .expect("empty.csv", "is empty", "expected lines of numbers"));
        c.add(new Case("CSV with a header only").file("header.csv", "a,b,label\n").base("source: iris", "source: 'csv:header.csv'")
                .expect("header.csv", "no data rows after the header line"));
        c.add(new Case("idx: folder missing").base("source: iris", "source: 'idx:nothere'").expect("nothere", "no such folder", "expected a folder with train-images-idx3-ubyte"));
        c.add(new Case("idx: truncated IDX file").file("imgs/train-images-idx3-ubyte", Arrays.copyOf(idxImages(12, 4, 4), 16 + 12 * 16 - 10))
                .file("imgs/train-labels-idx1-ubyte", idxLabels(12, 3)).spec("data: {source: 'idx:imgs'}\nmodel: {layers: [flatten, {dense: 3}]}\n")
                .expect("train-images-idx3-ubyte", "truncated", "12x4x4", "198 bytes are present"));
        c.add(new Case("IDX with wrong magic number").file("imgs/train-images-idx3-ubyte", withMagic(idxImages(12, 4, 4), 0x00000805))
                .file("imgs/train-labels-idx1-ubyte", idxLabels(12, 3)).spec("data: {source: 'idx:imgs'}\nmodel: {layers: [flatten, {dense: 3}]}\n")
                .expect("train-images-idx3-ubyte", "wrong magic number 0x00000805", "expected 0x00000803 or 0x00000804"));
        c.add(new Case("IDX gz corrupted").file("imgs/train-images-idx3-ubyte.gz", corrupt(gzip(idxImages(12, 4, 4))))
                .file("imgs/train-labels-idx1-ubyte.gz", gzip(idxLabels(12, 3))).spec("data: {source: 'idx:imgs'}\nmodel: {layers: [flatten, {dense: 3}]}\n")
                .expect("train-images-idx3-ubyte.gz", "corrupt gzip data"));
        c.add(new Case("IDX gz cut short").file("imgs/train-images-idx3-ubyte.gz", Arrays.copyOf(gzip(idxImages(12, 4, 4)), 30))
                .file("imgs/train-labels-idx1-ubyte.gz", gzip(idxLabels(12, 3))).spec("data: {source: 'idx:imgs'}\nmodel: {layers: [flatten, {dense: 3}]}\n")
                .expect("train-images-idx3-ubyte.gz", "truncated gzip data"));
        c.add(new Case("IDX labels do not match images").file("imgs/train-images-idx3-ubyte", idxImages(12, 4, 4))
                .file("imgs/train-labels-idx1-ubyte", idxLabels(11, 3)).spec("data: {source: 'idx:imgs'}\nmodel: {layers: [flatten, {dense: 3}]}\n")
                .expect("train-images-idx3-ubyte holds 12 images", "train-labels-idx1-ubyte holds 11 labels", "expected one label per image"));
        // ---- the command line ----
        c.add(new Case("unknown option").spec(BASE).extra("--foo").expect("Unknown option: '--foo'", "vitals train --help"));
        c.add(new Case("--epochs abc").spec(BASE).extra("--epochs", "abc").expect("'--epochs'", "'abc' is not an int"));
        c.add(new Case("--epochs 0").spec(BASE).extra("--epochs", "0").expect("--epochs", "expected a positive number of epochs, not 0"));
        c.add(new Case("--epochs inside the warm-up").spec(BASE.replace("epochs: 1", "epochs: 10") + "schedule: {name: cosine, warmup: 5}\n").extra("--epochs", "3")
                .expect("spec.yaml: schedule.warmup: 5 epochs, but --epochs is 3", "expected a warm-up shorter than the run"));
        c.add(new Case("--epochs without a value").spec(BASE).args("train", "{spec}", "--out", "{dir}/run", "--json", "{dir}/previous.json", "--epochs")
                .expect("'--epochs'", "Missing required parameter"));
        c.add(new Case("missing SPEC argument").args("train", "--out", "{dir}/run", "--json", "{dir}/previous.json").expect("Missing required parameter: 'SPEC'"));
        c.add(new Case("unknown subcommand").args("frobnicate", "{dir}/spec.yaml").expect("unknown command 'frobnicate'", "expected one of train, check"));
        c.add(new Case("unknown subcommand asking for help").args("doctor", "--help").expect("unknown command 'doctor'", "expected one of train, check"));
        c.add(new Case("extra argument").spec(BASE).extra("second.yaml").expect("'second.yaml'"));
        c.add(new Case("--json in a missing folder").spec(BASE).args("train", "{spec}", "--out", "{dir}/run", "--json", "{dir}/nodir/report.json")
                .expect("--json", "nodir", "does not exist"));
        c.add(new Case("--json onto the run's own weights").spec(BASE).folder("mine").args("train", "{spec}", "--out", "{dir}/mine", "--json", "{dir}/mine/model.safetensors")
                .expect("--json", "mine/model.safetensors: is the run's own model.safetensors in --out", "expected a path outside the run's files"));
        c.add(new Case("--out at the root of the file system").spec(BASE).args("train", "{spec}", "--out", "/", "--json", "{dir}/previous.json")
                .expect("--out /: is the root of the file system"));
        c.add(new Case("--json -").spec(BASE).args("train", "{spec}", "--out", "{dir}/run", "--json", "-")
                .expect("--json -: standard output carries the console's account; expected a file name"));
        c.add(new Case("--json is a folder").spec(BASE).folder("reports").args("train", "{spec}", "--out", "{dir}/run", "--json", "{dir}/reports")
                .expect("--json", "reports", "is a folder, expected a file name"));
        if (java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/self"))) {
            // /proc says it is writable, and refuses new files: found before the run, not after it
            c.add(new Case("--json where no file can be created").spec(BASE).args("train", "{spec}", "--out", "{dir}/run", "--json", "/proc/vitals-report.json")
                    .expect("--json", "/proc/vitals-report.json", "cannot create a file in /proc"));
            c.add(new Case("--out where no folder can be created").spec(BASE).args("train", "{spec}", "--out", "/proc/vitals-run", "--json", "{dir}/previous.json")
                    .expect("--out", "/proc/vitals-run", "cannot create files in /proc"));
        }
        c.add(new Case("--out is an existing file").spec(BASE).file("taken", "mine\n").args("train", "{spec}", "--out", "{dir}/taken", "--json", "{dir}/previous.json")
                .expect("--out", "taken", "is a file, expected a folder"));
        c.add(new Case("--out below an existing file").spec(BASE).file("taken", "mine\n").args("train", "{spec}", "--out", "{dir}/taken/run", "--json", "{dir}/previous.json")
                .expect("--out", "taken", "is a file, expected a folder"));
        c.add(new Case("--out already holds a run").spec(BASE).file("old/report.json", "{}\n").file("old/spec.yaml", BASE)
                .args("train", "{spec}", "--out", "{dir}/old", "--json", "{dir}/previous.json").expect("--out", "old", "already holds a run", "choose another folder"));
        c.add(new Case("semicolon-separated").file("semi.csv", "a;b;label\n1,5;2;0\n3;4;1\n5;6;0\n1;1;1\n")
                .base("source: iris", "source: 'csv:semi.csv'").args("train", "{spec}", "--out", "{dir}/run", "--json", "{dir}/previous.json")
                .expect("semi.csv line 1, column 1: values separated by ';', not commas", "save the file as comma-separated CSV"));
        c.add(new Case("every label 0").file("zeros.csv", "a,b,label\n1,2,0\n3,4,0\n5,6,0\n1,1,0\n")
                .base("source: iris", "source: 'csv:zeros.csv'").args("train", "{spec}", "--out", "{dir}/run", "--json", "{dir}/previous.json")
                .expect("loss: cross_entropy needs two classes at least, but every label in the data is 0", "check that the label is the last column"));
        c.add(new Case("--out holds a TensorBoard log").spec(BASE).file("tb/events.out.tfevents.1700000000.host", "x")
                .args("train", "{spec}", "--out", "{dir}/tb", "--json", "{dir}/previous.json")
                .expect("--out", "tb", "already holds a run's TensorBoard log (events.out.tfevents.1700000000.host)", "choose another folder"));
        // a folder with only a run's picture left in it: a new run would replace it
        c.add(new Case("--out already holds a curves.png").spec(BASE).file("old/curves.png", latin1("\u0089PNG\r\n\u001a\n"))
                .args("train", "{spec}", "--out", "{dir}/old", "--json", "{dir}/previous.json").expect("--out", "old", "already holds a run (curves.png)", "choose another folder"));
        c.add(new Case("--json onto the run's own curves.png").spec(BASE).folder("mine").args("train", "{spec}", "--out", "{dir}/mine", "--json", "{dir}/mine/curves.png")
                .expect("--json", "is the run's own curves.png in --out"));
        // ---- outputs that are inputs, empty paths, no command ----
        c.add(new Case("--json is the spec").check().spec(BASE).args("check", "{spec}", "--json", "{spec}")
                .expect("--json", "spec.yaml", "is the spec being read", "choose another file"));
        c.add(new Case("--json is the spec's CSV").file("good.csv", "a,b,label\n1,2,0\n3,4,1\n5,6,0\n1,1,1\n")
                .base("source: iris", "source: 'csv:good.csv'").args("train", "{spec}", "--out", "{dir}/run", "--json", "{dir}/good.csv")
                .expect("--json", "good.csv", "is a data file of the spec"));
        c.add(new Case("--json is the spec's test file").file("good.csv", "a,b,label\n1,2,0\n3,4,1\n5,6,0\n1,1,1\n").file("held.csv", "a,b,label\n7,8,0\n9,9,1\n")
                .base("source: iris", "source: 'csv:good.csv', test: 'csv:held.csv'").args("train", "{spec}", "--out", "{dir}/run", "--json", "{dir}/held.csv")
                .expect("--json", "held.csv", "is the spec's test file"));
        c.add(new Case("a test file with other columns").file("good.csv", "a,b,label\n1,2,0\n3,4,1\n5,6,0\n1,1,1\n").file("held.csv", "a,label\n7,0\n9,1\n")
                .base("source: iris", "source: 'csv:good.csv', test: 'csv:held.csv'").expect("data.test", "held.csv has 1 feature a row, the training file good.csv 2"));
        c.add(new Case("fix: --json is the --write file").spec(BASE).args("fix", "{spec}", "--write", "{dir}/previous.json", "--json", "{dir}/previous.json")
                .expect("--json", "is also the --write file"));
        c.add(new Case("--out is empty").spec(BASE).args("train", "{spec}", "--out", "", "--json", "{dir}/previous.json").expect("--out: empty path"));
        c.add(new Case("--json is empty").check().spec(BASE).args("check", "{spec}", "--json", "").expect("--json: empty path"));
        c.add(new Case("no command").args().expect("no command given", "expected one of train, check"));
        c.add(new Case("fix: text in a CSV number column").file("text.csv", "a,b,label\n1,2,0\n3,x,1\n5,6,0\n")
                .base("source: iris", "source: 'csv:text.csv'").args("fix", "{spec}", "--json", "{dir}/previous.json")
                .expect("text.csv line 3, column 2", "'x' is not a number"));
        // ---- a casebook of one's own (--dir) ----
        c.add(new Case("casebook: no such folder").args("casebook", "--dir", "{dir}/nocases").expect("nocases: no such folder", "expected a casebook folder"));
        c.add(new Case("casebook: no incident").folder("cases").args("casebook", "--dir", "{dir}/cases").expect("cases: holds no incident"));
        c.add(new Case("casebook: runs is not a list").file("cases/001-x/case.yaml", "title: t\nruns: 5\n").args("casebook", "--dir", "{dir}/cases")
                .expect("case.yaml", "runs: expected a list of at least one run"));
        c.add(new Case("casebook: an unknown role").file("cases/001-x/case.yaml", "title: t\nruns:\n  - {spec: s.yaml, role: weird, expect: [DEAD_RELU]}\n")
                .file("cases/001-x/s.yaml", BASE).args("casebook", "--dir", "{dir}/cases").expect("case.yaml", "runs[0].role", "not 'weird'"));
        c.add(new Case("casebook: an unknown code").file("cases/001-x/case.yaml", "title: t\nruns:\n  - {spec: s.yaml, role: broken, expect: [DEAD_RELUS]}\n")
                .file("cases/001-x/s.yaml", BASE).args("casebook", "--dir", "{dir}/cases").expect("case.yaml", "unknown finding code 'DEAD_RELUS'"));
        c.add(new Case("casebook: an unknown key").file("cases/001-x/case.yaml", "title: t\nrunz: []\n").args("casebook", "--dir", "{dir}/cases")
                .expect("case.yaml", "runz: unknown key"));
        // the bytes were reported as "cases: the casebook cannot be read (Input length = 1)"
        c.add(new Case("casebook: a case.yaml that is not UTF-8").file("cases/001-x/case.yaml", latin1("title: caf\u00e9\nruns: []\n")).args("casebook", "--dir", "{dir}/cases")
                .expect("cases/001-x/case.yaml: bytes that are not UTF-8 text; expected a YAML text file saved as UTF-8"));
        // a spec name no path can be made of was an InvalidPathException, exit 1
        c.add(new Case("casebook: a spec named with half a character").file("cases/001-x/case.yaml", "title: t\nruns:\n  - {spec: \"\\ud800.yaml\", role: sanity}\n")
                .args("casebook", "--dir", "{dir}/cases").expect("case.yaml: runs[0].spec: no spec file"));
        // an accuracy no run reaches made the replay "fail" with exit 1, an internal failure
        c.add(new Case("casebook: an accuracy target above 1").file("cases/001-x/case.yaml", "title: t\nruns:\n  - {spec: s.yaml, role: fixed, reaches: {test_accuracy: 97}}\n")
                .file("cases/001-x/s.yaml", BASE).args("casebook", "--dir", "{dir}/cases")
                .expect("case.yaml: runs[0].reaches.test_accuracy: expected a fraction from 0 to 1 (0.97 for 97%), not 97"));
        c.add(new Case("casebook: a negative loss target").file("cases/001-x/case.yaml", "title: t\nruns:\n  - {spec: s.yaml, role: fixed, reaches: {val_loss_below: -1}}\n")
                .file("cases/001-x/s.yaml", BASE).args("casebook", "--dir", "{dir}/cases")
                .expect("case.yaml: runs[0].reaches.val_loss_below: expected a positive loss, not -1"));
        // ---- YAML that the parser reads its own way ----
        c.add(new Case("a second YAML document").append("---\nname: other\n").expect("spec.yaml line 8", "a second YAML document", "one spec per file"));
        c.add(new Case("a NUL byte in line 6").spec(null).file("spec.yaml", BASE.replace("train:", "train:\0")).expect("spec.yaml line 6", "control character U+0000"));
        c.add(new Case("lr: .nan").append("optimizer: {name: adam, lr: .nan}\n").expect("spec.yaml line 7", "optimizer.lr: .nan is not a finite number"));
        c.add(new Case("dropout: -.inf").base("[{dense: 8}, relu, {dense: 3}]", "[{dense: 8}, relu, {dropout: -.inf}, {dense: 3}]")
                .expect("spec.yaml line 5", "model.layers[2].dropout: -.inf is not a finite number"));
        c.add(new Case("a list as a key").append("? [a, b]\n: c\n").expect("spec.yaml line 7", "got this instead: a list"));
        // the YAML reader hands an alias over as its name: 'name: *foo' ran as a spec called foo
        c.add(new Case("an undefined alias").base("name: bad", "name: *foo").expect("spec.yaml line 1", "alias *foo is not supported"));
        c.add(new Case("a defined alias").append("x: &d 5\ny: *d\n").expect("spec.yaml line 8", "alias *d is not supported"));
        // a long wrapped 99999999999999999999 to 7766279631452241919, a number the user never wrote
        c.add(new Case("epochs beyond any integer").base("epochs: 1", "epochs: 99999999999999999999")
                .expect("train.epochs", "not 99999999999999999999 (too large)"));
        c.add(new Case("cosine min_lr above the rate").append("optimizer: {name: adam, lr: 0.01}\nschedule: {name: cosine, min_lr: 5}\n")
                .expect("schedule.min_lr", "expected at most optimizer.lr (0.01)", "not 5"));
        // a batch's activations at a layer are one array: 100 examples of [4, 3006, 3006] ended in "tensor ... is too large", exit 1
        c.add(new Case("a batch too large for one layer's activations").check().file("img/train-images-idx3-ubyte", idx(3, 200, 8, 8))
                .file("img/train-labels-idx1-ubyte", idx(1, 200)).spec(BASE.replace("source: iris", "source: 'idx:img'")
                        .replace("[{dense: 8}, relu, {dense: 3}]", "[{conv2d: {filters: 4, kernel: 3, padding: 1500}}, relu, flatten, {dense: 2}]")
                        .replace("batch: 16", "batch: 100")).expect("train.batch: 100", "model.layers[0] (conv2d 4 3x3 pad 1500)", "[4, 3006, 3006]", "at most 59"));
        // too large for the heap: 1e9 weights of one layer failed after 15-30 s of a check with "out of memory", exit 1, naming nothing
        c.add(new Case("a layer whose weights exceed the heap").check().spec(BASE.replace("source: iris", "source: 'synthetic:documents', options: {samples: 100, classes: 5, features: 10000}")
                .replace("[{dense: 8}, relu, {dense: 3}]", "[{dense: 200000}, relu, {dense: 5}]")).expect("model.layers[0] (dense 200000)", "ran out of memory allocating its parameters", "VITALS_JAVA_OPTS=-Xmx"));
        c.add(new Case("a batch whose layer outputs exceed the heap").check().spec(BASE.replace("source: iris", "source: 'synthetic:blobs', options: {samples: 5000}")
                .replace("[{dense: 8}, relu, {dense: 3}]", "[{dense: 1000000}, relu, {dense: 3}]").replace("batch: 16", "batch: 2000"))
                .expect("model: training needs at least", "the layer outputs of a batch of 2000", "the largest output is model.layers[", "expected a smaller batch or layer"));
        // float32 is what trains: 1e-50 was 0 (weights never moved, "healthy"), 1e40 infinity (every loss NaN)
        c.add(new Case("lr that float32 rounds to 0").check().append("optimizer: {name: adam, lr: 1e-50}\n").expect("optimizer.lr", "float32", "which is 0 there"));
        c.add(new Case("an init scale beyond float32").check().base("layers:", "init: 'uniform:1e40'\n  layers:").expect("model.init", "uniform:1e40", "float32"));
        // YAML 1.1 booleans where a word is expected: "unknown value 'true'" named a value the user never wrote
        c.add(new Case("normalize: yes").check().base("validation: 0.2}", "validation: 0.2, normalize: yes}").expect("data.normalize", "the boolean true", "quote the word"));
        c.add(new Case("name: no").check().base("name: bad", "name: no").expect("name", "the boolean false"));
        c.add(new Case("dropout 1 in float32").check().base("[{dense: 8}, relu, {dense: 3}]", "[{dense: 8}, relu, {dropout: 0.99999999999}, {dense: 3}]")
                .expect("model.layers[2].dropout", "(1 in float32)"));
        c.add(new Case("an empty residual block").check().base("[{dense: 8}, relu, {dense: 3}]", "[{dense: 8}, {residual: []}, {dense: 3}]")
                .expect("model.layers[1].residual", "a residual block needs at least one layer"));
        // a fault that no layer can carry ran as no fault at all, and the spec read healthy
        c.add(new Case("wrong_bias_grad without a dense layer").check().file("img/train-images-idx3-ubyte", idx(3, 200, 8, 8))
                .file("img/train-labels-idx1-ubyte", idx(1, 200)).spec(BASE.replace("source: iris", "source: 'idx:img'")
                        .replace("[{dense: 8}, relu, {dense: 3}]", "[{conv2d: {filters: 2, kernel: 8}}, flatten]") + "faults: [wrong_bias_grad]\n")
                .expect("faults: wrong_bias_grad", "no dense layer to carry it"));
        // ---- vitals check ----
        c.add(new Case("spec file missing").check().args("check", "{dir}/missing.yaml", "--json", "{dir}/previous.json").expect("missing.yaml", "no such file"));
        c.add(new Case("unknown key in optimizer").check().append("optimizer: {name: adam, lrr: 0.1}\n").expect("optimizer.lrr", "did you mean 'lr'"));
        c.add(new Case("dense: 0").check().base("dense: 8", "dense: 0").expect("model.layers[0].dense", "not 0"));
        c.add(new Case("CSV with text in a number column").check().file("text.csv", "a,b,label\n1,2,0\n3,x,1\n5,6,0\n")
                .base("source: iris", "source: 'csv:text.csv'").expect("text.csv line 3, column 2", "'x' is not a number"));
        c.add(new Case("cross_entropy output size is not the classes").check().base("dense: 3", "dense: 5").expect("loss", "3 classes", "5 outputs"));
        c.add(new Case("--json in a missing folder").check().spec(BASE).args("check", "{spec}", "--json", "{dir}/nodir/report.json").expect("--json", "nodir", "does not exist"));
        c.add(new Case("missing SPEC argument").check().args("check", "--json", "{dir}/previous.json").expect("Missing required parameter: 'SPEC'", "vitals check --help"));
        return c.stream();
    }

    /** An IDX file of {@code count} images of rows x cols (dims 3) or labels alternating 0 and 1 (dims 1). */
    static byte[] idx(int dims, int count, int... size) {
        int per = 1;
        for (int d : size) per *= d;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 4 * dims + count * per);
        b.putInt(0x800 | dims).putInt(count);
        for (int d : size) b.putInt(d);
        for (int i = 0; i < count * per; i++) b.put((byte) (dims == 1 ? i % 2 : (i * 37) % 251));
        return b.array();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputIsOneErrorLineWithExitCode2AndNoArtifacts(Case c, @TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("previous.json"), PREVIOUS_REPORT);
        for (String f : c.folders) Files.createDirectories(dir.resolve(f));
        for (var e : c.files.entrySet()) {
            Path p = dir.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, e.getValue());
        }
        if (c.spec != null) Files.writeString(dir.resolve(c.specName), c.spec);
        String spec = dir.resolve(c.specName).toString();
        List<String> args = new ArrayList<>();
        if (c.args != null) {
            for (String a : c.args) args.add(a.replace("{dir}", dir.toString()).replace("{spec}", spec));
        } else {
            args.add(c.command);
            args.add(spec);
            if (c.command.equals("train")) args.addAll(List.of("--out", dir.resolve("run").toString()));
            args.addAll(List.of("--json", dir.resolve("previous.json").toString()));
        }
        args.addAll(c.extra);
        Map<String, String> before = Cli.snapshot(dir);

        Cli.Result r = Cli.run(args.toArray(String[]::new));

        String context = c + "\n--- stdout:\n" + r.out() + "--- stderr:\n" + r.err();
        assertEquals(Main.BAD_INPUT, r.code(), context);
        String[] lines = r.err().strip().split("\\R");
        assertEquals(1, lines.length, "exactly one line on stderr\n" + context);
        assertTrue(lines[0].startsWith("error: "), context);
        assertTrue(r.err().endsWith("\n") && !r.err().endsWith("\n\n"), "one terminated line\n" + context);
        for (String part : c.expected) assertTrue(lines[0].contains(part), "the error names '" + part + "'\n" + context);
        for (String part : c.absent) assertTrue(!lines[0].contains(part), "the error does not say '" + part + "'\n" + context);
        assertEquals("", r.out(), "nothing on stdout: bad input is found before a run or check begins\n" + context);
        assertFalse(r.all().contains("Exception"), "no exception name\n" + context);
        assertFalse(r.all().contains("\tat "), "no stack trace\n" + context);
        assertFalse(Files.exists(dir.resolve("run")), "no run folder\n" + context);
        assertEquals(PREVIOUS_REPORT, Files.readString(dir.resolve("previous.json")), "the previous --json file is untouched");
        assertEquals(before, Cli.snapshot(dir), "nothing written, moved or deleted\n" + context);
    }

    /**
     * A CSV whose labels hold one stray huge value used to make the engine size per-class tables by it
     * (a billion classes: out of memory, exit 1). It is a data finding, DATA_LABEL_RANGE, like any label the
     * model cannot be trained on: exit 3, the run is not started, and its folder holds the spec and the
     * report a pipeline looks for, with no model.
     */
    @org.junit.jupiter.api.Test
    void aHugeLabelIsADataFindingNotAnOutOfMemoryCrash(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("labels.csv"), "1,2,0\n3,4,1\n5,6,0\n7,8,1\n1,3,0\n3,5,1000000000\n5,7,0\n7,9,1\n2,2,0\n4,4,1\n");
        Files.writeString(dir.resolve("spec.yaml"), BASE.replace("source: iris", "source: 'csv:labels.csv'").replace("dense: 3", "dense: 2"));
        Cli.Result r = Cli.run("train", dir.resolve("spec.yaml").toString(), "--out", dir.resolve("run").toString(), "--json", dir.resolve("r.json").toString());
        assertEquals(Main.UNHEALTHY, r.code(), r.all());
        assertTrue(r.out().contains("DATA_LABEL_RANGE") && r.out().contains("not training"), r.out());
        assertFalse(r.all().contains("Exception"), r.all());
        assertTrue(Files.readString(dir.resolve("r.json")).contains("\"verdict\" : \"unhealthy\""));
        assertEquals(Files.readString(dir.resolve("r.json")), Files.readString(dir.resolve("run/report.json")));
        assertTrue(Files.exists(dir.resolve("run/spec.yaml")));
        assertFalse(Files.exists(dir.resolve("run/model.safetensors")), "no weights: nothing was trained");
        assertFalse(Files.exists(dir.resolve("run/curves.png")), "no picture: nothing was trained");
        com.fasterxml.jackson.databind.JsonNode metrics = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("r.json").toFile()).get("metrics");
        assertTrue(metrics.get("best_epoch").isNull() && metrics.get("stopped").asText().startsWith("not training"), metrics.toString());
        assertTrue(metrics.has("test_accuracy") && metrics.get("test_accuracy").isNull(), "a test split, never measured: " + metrics);
    }

    // ---- files ----------------------------------------------------------------------------------

    static byte[] latin1(String s) { return s.getBytes(StandardCharsets.ISO_8859_1); }

    static byte[] idxImages(int n, int rows, int cols) {
        ByteBuffer b = ByteBuffer.allocate(16 + n * rows * cols).putInt(0x00000803).putInt(n).putInt(rows).putInt(cols);
        for (int i = 0; i < n * rows * cols; i++) b.put((byte) (i * 37));
        return b.array();
    }

    static byte[] idxLabels(int n, int classes) {
        ByteBuffer b = ByteBuffer.allocate(8 + n).putInt(0x00000801).putInt(n);
        for (int i = 0; i < n; i++) b.put((byte) (i % classes));
        return b.array();
    }

    static byte[] withMagic(byte[] idx, int magic) {
        byte[] out = idx.clone();
        ByteBuffer.wrap(out).putInt(0, magic);
        return out;
    }

    static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /** The compressed body scrambled, gzip header and trailer kept: the deflate stream is invalid. */
    static byte[] corrupt(byte[] gz) {
        byte[] out = gz.clone();
        for (int i = 10; i < out.length - 8; i++) out[i] ^= 0x5A;
        return out;
    }
}
