package dev.vitals.doctor.logs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes TensorBoard event files for tests, byte for byte as TensorFlow and PyTorch do: TFRecord
 * framing with masked CRC-32C around {@code Event} protocol buffers; scalars as {@code simple_value}
 * (PyTorch, TF1) or as a scalar {@code tensor} (TF2 and Keras: packed float_val, or raw tensor_content).
 */
final class EventFileWriter {
    private final ByteArrayOutputStream file = new ByteArrayOutputStream();

    EventFileWriter() {
        // the first event of every file names the format version
        ByteArrayOutputStream ev = new ByteArrayOutputStream();
        fixed64(ev, 1, Double.doubleToLongBits(1.7e9));
        bytes(ev, 3, "brain.Event:2".getBytes(StandardCharsets.UTF_8));
        record(ev.toByteArray());
    }

    EventFileWriter scalar(long step, String tag, float v) {
        ByteArrayOutputStream value = new ByteArrayOutputStream();
        bytes(value, 1, tag.getBytes(StandardCharsets.UTF_8));
        key(value, 2, 5);
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v);
        value.writeBytes(b.array());
        return event(step, value.toByteArray());
    }

    /** A TF2 scalar: a rank-0 DT_FLOAT tensor with its value in packed float_val. */
    EventFileWriter tensorFloat(long step, String tag, float v) {
        ByteArrayOutputStream tensor = new ByteArrayOutputStream();
        varint(tensor, 1, 1);
        bytes(tensor, 2, new byte[0]);
        bytes(tensor, 5, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array());
        return tensorValue(step, tag, tensor.toByteArray());
    }

    /** A rank-0 DT_DOUBLE tensor with its value as raw tensor_content. */
    EventFileWriter tensorDouble(long step, String tag, double v) {
        ByteArrayOutputStream tensor = new ByteArrayOutputStream();
        varint(tensor, 1, 2);
        bytes(tensor, 4, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(v).array());
        return tensorValue(step, tag, tensor.toByteArray());
    }

    private EventFileWriter tensorValue(long step, String tag, byte[] tensor) {
        ByteArrayOutputStream value = new ByteArrayOutputStream();
        bytes(value, 1, tag.getBytes(StandardCharsets.UTF_8));
        bytes(value, 9, new byte[] {0x12, 0x09, 's', 'c', 'a', 'l', 'a', 'r', 's', 0, 0});  // metadata: plugin "scalars", skipped by readers
        bytes(value, 8, tensor);
        return event(step, value.toByteArray());
    }

    private EventFileWriter event(long step, byte[] value) {
        ByteArrayOutputStream summary = new ByteArrayOutputStream();
        bytes(summary, 1, value);
        ByteArrayOutputStream ev = new ByteArrayOutputStream();
        fixed64(ev, 1, Double.doubleToLongBits(1.7e9 + step));
        varint(ev, 2, step);
        bytes(ev, 5, summary.toByteArray());
        record(ev.toByteArray());
        return this;
    }

    byte[] bytes() { return file.toByteArray(); }

    Path write(Path p) throws IOException {
        Files.write(p, bytes());
        return p;
    }

    private void record(byte[] data) {
        ByteBuffer h = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length);
        h.putInt(8, TfRecords.mask(TfRecords.crc(h.array(), 0, 8)));
        file.writeBytes(h.array());
        file.writeBytes(data);
        file.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(TfRecords.mask(TfRecords.crc(data, 0, data.length))).array());
    }

    private static void key(ByteArrayOutputStream o, int field, int wire) { raw(o, (long) field << 3 | wire); }

    private static void varint(ByteArrayOutputStream o, int field, long v) {
        key(o, field, 0);
        raw(o, v);
    }

    private static void fixed64(ByteArrayOutputStream o, int field, long bits) {
        key(o, field, 1);
        o.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(bits).array());
    }

    private static void bytes(ByteArrayOutputStream o, int field, byte[] b) {
        key(o, field, 2);
        raw(o, b.length);
        o.writeBytes(b);
    }

    private static void raw(ByteArrayOutputStream o, long v) {
        while ((v & ~0x7fL) != 0) {
            o.write((int) (v & 0x7f) | 0x80);
            v >>>= 7;
        }
        o.write((int) v);
    }
}
