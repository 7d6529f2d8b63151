package dev.vitals.doctor.logs;

import dev.vitals.core.InputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads the scalars of TensorBoard event files: {@code Event{step = 2, summary = 5}} with
 * {@code Summary.Value{tag = 1, simple_value = 2}} (TF1, PyTorch) or {@code tensor = 8} holding one
 * float or double (TF2, Keras). Scalars of the same step become one record. Given a directory, it
 * reads every {@code events.out.tfevents.*} below it; files under a folder named like validation
 * ({@code validation/}, {@code val/}, {@code eval/}, as Keras writes them) get their tags prefixed with
 * {@code validation/}.
 */
public final class TensorBoardLog {
    private TensorBoardLog() {}

    private static final int DT_FLOAT = 1, DT_DOUBLE = 2;
    private static final Set<String> VALIDATION_DIRS = Set.of("val", "valid", "validation", "eval", "dev");

    public static boolean isEventFile(Path p) { return p.getFileName() != null && p.getFileName().toString().contains("tfevents"); }

    /** Whether {@code folder} or a folder below it holds an event file. */
    static boolean holdsEventFiles(Path folder) throws IOException {
        try (Stream<Path> s = Files.walk(folder)) {
            return s.anyMatch(p -> Files.isRegularFile(p) && isEventFile(p));
        }
    }

    public static LogTable read(Path path) throws IOException {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(path)) {
            try (Stream<Path> s = Files.walk(path)) {
                s.filter(Files::isRegularFile).filter(TensorBoardLog::isEventFile).sorted().forEach(files::add);
            }
            if (files.isEmpty()) throw new InputException(path + ": no TensorBoard event files (events.out.tfevents.*) in this folder");
        } else {
            files.add(path);
        }
        TreeMap<Long, Map<String, Object>> bySteps = new TreeMap<>();
        Set<String> names = new LinkedHashSet<>();
        names.add("step");
        for (Path f : files) {
            String prefix = validation(path, f) ? "validation/" : "";
            int[] index = {0};
            try (InputStream in = Files.newInputStream(f)) {
                TfRecords.read(in, data -> {
                    index[0]++;
                    try {
                        event(data, prefix, bySteps, names);
                    } catch (IllegalArgumentException e) {
                        throw new InputException(f + ": record " + index[0] + " is not a TensorBoard event (" + e.getMessage() + ")");
                    }
                });
            } catch (TfRecords.Corrupt c) {
                throw new InputException(f + ": corrupt TensorBoard record at byte " + c.offset + ": " + c.getMessage());
            }
        }
        List<LogRecord> records = new ArrayList<>();
        for (var e : bySteps.entrySet()) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("step", (double) e.getKey());
            v.putAll(e.getValue());
            records.add(new LogRecord("step " + e.getKey(), v));
        }
        return new LogTable(path, "tensorboard", List.copyOf(names), records);
    }

    private static boolean validation(Path root, Path file) {
        if (!Files.isDirectory(root)) return false;
        Path rel = root.relativize(file).getParent();
        if (rel == null) return false;
        for (Path part : rel) if (VALIDATION_DIRS.contains(Column.normalise(part.toString()))) return true;
        return false;
    }

    private static void event(byte[] data, String prefix, TreeMap<Long, Map<String, Object>> bySteps, Set<String> names) {
        Proto ev = new Proto(data);
        long step = 0;
        List<Proto> summaries = new ArrayList<>();
        while (ev.next()) {
            if (ev.field() == 2 && ev.wireType() == Proto.VARINT) step = ev.varint();
            else if (ev.field() == 5 && ev.wireType() == Proto.LEN) summaries.add(ev.message());
            else ev.skip();
        }
        for (Proto summary : summaries) {
            while (summary.next()) {
                if (summary.field() != 1 || summary.wireType() != Proto.LEN) {
                    summary.skip();
                    continue;
                }
                Proto value = summary.message();
                String tag = null;
                Double v = null;
                while (value.next()) {
                    if (value.field() == 1 && value.wireType() == Proto.LEN) tag = value.string();
                    else if (value.field() == 2 && value.wireType() == Proto.FIXED32) v = (double) value.fixed32Float();
                    else if (value.field() == 8 && value.wireType() == Proto.LEN) v = scalar(value.message());
                    else value.skip();
                }
                if (tag == null || v == null) continue;
                String name = prefix + tag;
                names.add(name);
                bySteps.computeIfAbsent(step, k -> new LinkedHashMap<>()).put(name, v);
            }
        }
    }

    /** The value of a TensorProto holding one float or double, or null for anything else. */
    private static Double scalar(Proto t) {
        int dtype = 0;
        long size = 1;
        List<Double> values = new ArrayList<>();
        ByteBuffer content = null;
        while (t.next()) {
            switch (t.field()) {
                case 1 -> dtype = (int) t.varint();
                case 2 -> size = shapeSize(t.message());
                case 4 -> content = t.message().rest();
                case 5 -> {
                    if (t.wireType() == Proto.FIXED32) values.add((double) t.fixed32Float());
                    else for (ByteBuffer b = t.message().rest(); b.remaining() >= 4; ) values.add((double) b.getFloat());
                }
                case 6 -> {
                    if (t.wireType() == Proto.FIXED64) values.add(t.fixed64Double());
                    else for (ByteBuffer b = t.message().rest(); b.remaining() >= 8; ) values.add(b.getDouble());
                }
                default -> t.skip();
            }
        }
        if (size != 1 || dtype != DT_FLOAT && dtype != DT_DOUBLE) return null;
        if (!values.isEmpty()) return values.get(0);
        if (content != null && dtype == DT_FLOAT && content.remaining() == 4) return (double) content.getFloat();
        if (content != null && dtype == DT_DOUBLE && content.remaining() == 8) return content.getDouble();
        return null;
    }

    /** Number of elements of a TensorShapeProto ({@code dim = 2} with {@code size = 1}); 1 for a scalar. */
    private static long shapeSize(Proto shape) {
        long n = 1;
        while (shape.next()) {
            if (shape.field() == 2 && shape.wireType() == Proto.LEN) {
                Proto dim = shape.message();
                long size = 1;
                while (dim.next()) {
                    if (dim.field() == 1 && dim.wireType() == Proto.VARINT) size = dim.varint();
                    else dim.skip();
                }
                n *= size;
            } else {
                shape.skip();
            }
        }
        return n;
    }
}
