package dev.vitals.core.io;

import dev.vitals.core.InputException;
import dev.vitals.core.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractCollection;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The safetensors reader and writer: bit-exact round trips, every header check, atomic replacement. */
class SafetensorsTest {
    static Map<String, Tensor> tensors() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("layers.0.weight", Tensor.wrap(new float[] {1.5f, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0x7fc00123)}, 2, 4));
        m.put("layers.0.bias", Tensor.wrap(new float[] {0.25f, -3f}, 2));
        m.put("scalar", Tensor.wrap(new float[] {42f}));
        m.put("empty", Tensor.wrap(new float[0], 0, 3));
        return m;
    }

    static void assertBitIdentical(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()));
        for (String k : expected.keySet()) {
            assertArrayEquals(expected.get(k).shape(), actual.get(k).shape(), k);
            float[] a = expected.get(k).data(), b = actual.get(k).data();
            assertEquals(expected.get(k).size(), actual.get(k).size(), k);
            for (int i = 0; i < expected.get(k).size(); i++) {
                assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), k + "[" + i + "]");
            }
        }
    }

    @Test
    void roundTripIsBitExactWithMetadata(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("m.safetensors");
        Map<String, String> meta = Map.of("spec", "name: x\nmodel: {layers: [{dense: 3}]}\n", "note", "ünïcode ✓");
        Safetensors.write(f, tensors(), meta);
        Safetensors.Contents c = Safetensors.read(f);
        assertBitIdentical(tensors(), c.tensors());
        assertEquals(meta, c.metadata());
        // the layout of the reference implementation: 8-byte little-endian length, data 8-byte aligned
        byte[] all = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + n) % 8);
        assertEquals(8 + n + 4L * (8 + 2 + 1), all.length);
    }

    @Test
    void writingWithoutMetadataGivesNoMetadata(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("m.safetensors");
        Safetensors.write(f, tensors(), Map.of());
        assertEquals(Map.of(), Safetensors.read(f).metadata());
        assertBitIdentical(tensors(), Safetensors.read(f).tensors());
    }

    // ---- validation: every message names the file ----------------------------------------------

    static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    static String rejected(Path dir, byte[] bytes) throws IOException {
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, bytes);
        InputException e = assertThrows(InputException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().startsWith(f + ": not a valid safetensors file: "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void truncatedFile(@TempDir Path dir) throws IOException {
        assertTrue(rejected(dir, new byte[] {1, 0, 0}).contains("3 bytes is shorter than the 8-byte header length"));
        byte[] good = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8);
        assertTrue(rejected(dir, Arrays.copyOf(good, good.length - 3)).contains("fall outside the 5-byte data"));
    }

    @Test
    void headerLengthLargerThanTheFile(@TempDir Path dir) throws IOException {
        byte[] b = file("{}", 0);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1000);
        assertTrue(rejected(dir, b).contains("header length 1000 runs past the end of the 10-byte file"));
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Long.MAX_VALUE);
        assertTrue(rejected(dir, b).contains("is outside 2.."));
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -5);
        assertTrue(rejected(dir, b).contains("header length -5"));
    }

    @Test
    void invalidJsonHeader(@TempDir Path dir) throws IOException {
        assertTrue(rejected(dir, file("{\"w\": [1, 2", 0)).contains("header is not valid JSON"));
        assertTrue(rejected(dir, file("[1, 2, 3]", 0)).contains("header is not a JSON object"));
        assertTrue(rejected(dir, file("{\"__metadata__\": {\"a\": 1}}", 0)).contains("__metadata__.a is not a string"));
        assertTrue(rejected(dir, file("{\"w\": {\"dtype\": \"F32\", \"shape\": [2]}}", 8)).contains("tensor 'w' needs data_offsets [begin, end]"));
        assertTrue(rejected(dir, file("{\"w\": {\"dtype\": \"F32\", \"shape\": [-2], \"data_offsets\": [0, 8]}}", 8)).contains("tensor 'w' has an invalid dimension -2"));
    }

    @Test
    void offsetsOutOfRange(@TempDir Path dir) throws IOException {
        assertTrue(rejected(dir, file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,16]}}", 8))
                .contains("tensor 'w' data_offsets [0, 16] fall outside the 8-byte data"));
        assertTrue(rejected(dir, file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8)).contains("data_offsets [8, 0]"));
        assertTrue(rejected(dir, file("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8))
                .contains("shape [3] needs 12 bytes but data_offsets give 8"));
        assertTrue(rejected(dir, file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12)).contains("tensors overlap"));
    }

    @Test
    void unknownDtype(@TempDir Path dir) throws IOException {
        assertTrue(rejected(dir, file("{\"w\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8)).contains("tensor 'w' has dtype Q7; Vitals reads F32 only"));
        assertTrue(rejected(dir, file("{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8)).contains("tensor 'w' has no dtype"));
    }

    @Test
    void missingFileIsBadInputNamingIt(@TempDir Path dir) {
        Path f = dir.resolve("nope.safetensors");
        InputException e = assertThrows(InputException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("no such file"), e.getMessage());
    }

    // ---- atomic write ----------------------------------------------------------------------------

    /** Tensors whose data cannot be produced past the first: the write fails with the file half written. */
    static Map<String, Tensor> failingMidWrite() {
        Map<String, Tensor> good = tensors();
        return new LinkedHashMap<>(good) {
            @Override
            public Collection<Tensor> values() {
                return new AbstractCollection<>() {
                    @Override public Iterator<Tensor> iterator() {
                        Iterator<Tensor> it = good.values().iterator();
                        return new Iterator<>() {
                            int served;
                            @Override public boolean hasNext() { return it.hasNext(); }
                            @Override public Tensor next() {
                                if (served++ == 1) throw new UncheckedIOException(new IOException("disk full (simulated)"));
                                return it.next();
                            }
                        };
                    }
                    @Override public int size() { return good.size(); }
                };
            }
        };
    }

    @Test
    void aFailedWriteLeavesThePreviousFileIntactAndNoTemporaryFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("model.safetensors");
        Map<String, Tensor> first = Map.of("w", Tensor.wrap(new float[] {1, 2, 3}, 3));
        Safetensors.write(f, first, Map.of("spec", "first"));
        byte[] before = Files.readAllBytes(f);

        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Safetensors.write(f, failingMidWrite(), Map.of("spec", "second")));
        assertEquals("disk full (simulated)", e.getCause().getMessage());

        assertArrayEquals(before, Files.readAllBytes(f), "the previous checkpoint is untouched");
        assertEquals("first", Safetensors.read(f).metadata().get("spec"));
        try (var s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList(), "no temporary file left behind");
        }
    }

    @Test
    void aSuccessfulWriteReplacesTheFileAndLeavesNoTemporaryFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("model.safetensors");
        Safetensors.write(f, Map.of("w", Tensor.wrap(new float[] {1}, 1)), Map.of("spec", "first"));
        Safetensors.write(f, tensors(), Map.of("spec", "second"));
        assertEquals("second", Safetensors.read(f).metadata().get("spec"));
        assertBitIdentical(tensors(), Safetensors.read(f).tensors());
        try (var s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList());
        }
    }
}
