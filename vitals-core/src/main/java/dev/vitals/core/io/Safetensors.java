package dev.vitals.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vitals.core.InputException;
import dev.vitals.core.tensor.Tensor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N, N bytes
 * of UTF-8 JSON mapping each tensor name to {@code {dtype, shape, data_offsets}} plus an optional
 * {@code __metadata__} map of strings, then the tensors' bytes, little-endian and contiguous.
 * Vitals writes F32 only; the reader checks every field and offset before trusting it.
 */
public final class Safetensors {
    /** The reference implementation refuses headers above 100 MB; so do we. */
    public static final long MAX_HEADER = 100L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Safetensors() {}

    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    /** Writes the file atomically: a temporary file in the same folder, then a rename over the target. */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (var e : tensors.entrySet()) {
            Tensor t = e.getValue();
            ObjectNode h = header.putObject(e.getKey());
            h.put("dtype", "F32");
            var shape = h.putArray("shape");
            for (int d : t.shape()) shape.add(d);
            long bytes = (long) t.size() * Float.BYTES;
            h.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] hb = JSON.writeValueAsBytes(header);
        // pad the header with spaces so that the data starts 8-byte aligned, as the reference writer does
        int pad = (int) ((8 - (hb.length % 8)) % 8);
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = AtomicText.tempFor(path);
        try {
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp, StandardOpenOption.TRUNCATE_EXISTING), 1 << 16)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hb.length + pad);
                out.write(len.array());
                out.write(hb);
                for (int i = 0; i < pad; i++) out.write(' ');
                ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
                for (Tensor t : tensors.values()) {
                    float[] d = t.data();
                    for (int i = 0; i < t.size(); i++) {
                        if (buf.remaining() < 4) {
                            out.write(buf.array(), 0, buf.position());
                            buf.clear();
                        }
                        buf.putFloat(d[i]);
                    }
                }
                out.write(buf.array(), 0, buf.position());
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            AtomicText.moveIntoPlace(tmp, path);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads and validates a file; a malformed one is an {@link InputException} naming what is wrong. */
    public static Contents read(Path path) {
        byte[] all;
        try {
            all = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new InputException(path + ": no such file");
        } catch (IOException e) {
            throw new InputException(path + ": cannot be read (" + e.getMessage() + ")");
        }
        return parse(all, path.toString());
    }

    public static Contents parse(byte[] all, String name) {
        if (all.length < 8) throw bad(name, "file of " + all.length + " bytes is shorter than the 8-byte header length");
        long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 2 || n > MAX_HEADER) throw bad(name, "header length " + n + " is outside 2.." + MAX_HEADER);
        if (8 + n > all.length) throw bad(name, "header length " + n + " runs past the end of the " + all.length + "-byte file");
        JsonNode header;
        try {
            header = JSON.readTree(new String(all, 8, (int) n, StandardCharsets.UTF_8));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw bad(name, "header is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (header == null || !header.isObject()) throw bad(name, "header is not a JSON object");
        long dataStart = 8 + n, dataLen = all.length - dataStart;
        Map<String, String> meta = new LinkedHashMap<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        List<long[]> ranges = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            var e = it.next();
            String key = e.getKey();
            JsonNode v = e.getValue();
            if (key.equals("__metadata__")) {
                if (!v.isObject()) throw bad(name, "__metadata__ is not an object of strings");
                for (Iterator<Map.Entry<String, JsonNode>> m = v.fields(); m.hasNext(); ) {
                    var me = m.next();
                    if (!me.getValue().isTextual()) throw bad(name, "__metadata__." + me.getKey() + " is not a string");
                    meta.put(me.getKey(), me.getValue().textValue());
                }
                continue;
            }
            if (!v.isObject()) throw bad(name, "tensor '" + key + "' is not an object");
            JsonNode dtype = v.get("dtype"), shape = v.get("shape"), off = v.get("data_offsets");
            if (dtype == null || !dtype.isTextual()) throw bad(name, "tensor '" + key + "' has no dtype");
            if (!dtype.textValue().equals("F32")) throw bad(name, "tensor '" + key + "' has dtype " + dtype.textValue() + "; Vitals reads F32 only");
            if (shape == null || !shape.isArray()) throw bad(name, "tensor '" + key + "' has no shape list");
            int[] dims = new int[shape.size()];
            long count = 1;
            for (int i = 0; i < dims.length; i++) {
                JsonNode d = shape.get(i);
                if (!d.isIntegralNumber() || d.longValue() < 0 || d.longValue() > Integer.MAX_VALUE) {
                    throw bad(name, "tensor '" + key + "' has an invalid dimension " + d);
                }
                dims[i] = d.intValue();
                count *= dims[i];
                if (count > Integer.MAX_VALUE) throw bad(name, "tensor '" + key + "' is too large");
            }
            if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).isIntegralNumber() || !off.get(1).isIntegralNumber()) {
                throw bad(name, "tensor '" + key + "' needs data_offsets [begin, end]");
            }
            long b = off.get(0).longValue(), en = off.get(1).longValue();
            if (b < 0 || en < b || en > dataLen) {
                throw bad(name, "tensor '" + key + "' data_offsets [" + b + ", " + en + "] fall outside the " + dataLen + "-byte data");
            }
            if (en - b != count * Float.BYTES) {
                throw bad(name, "tensor '" + key + "' shape " + java.util.Arrays.toString(dims) + " needs " + count * Float.BYTES
                        + " bytes but data_offsets give " + (en - b));
            }
            ranges.add(new long[] {b, en});
            float[] data = new float[(int) count];
            ByteBuffer.wrap(all, (int) (dataStart + b), (int) (en - b)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
            tensors.put(key, Tensor.wrap(data, dims));
        }
        ranges.sort((x, y) -> Long.compare(x[0], y[0]));
        for (int i = 1; i < ranges.size(); i++) {
            if (ranges.get(i)[0] < ranges.get(i - 1)[1]) throw bad(name, "tensors overlap in the data section");
        }
        return new Contents(tensors, meta);
    }

    private static InputException bad(String name, String why) {
        return new InputException(name + ": not a valid safetensors file: " + why);
    }
}
