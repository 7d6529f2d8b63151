package dev.vitals.doctor.logs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.vitals.doctor.logs.EventFileWriter.bytes;
import static dev.vitals.doctor.logs.EventFileWriter.varint;

/**
 * TensorBoard event files for tests, byte for byte as TensorFlow and PyTorch write them: scalars
 * as {@code simple_value} (PyTorch, TF1, and Vitals' own {@link EventFileWriter}) or as a scalar
 * {@code tensor} (TF2 and Keras: packed float_val, or raw tensor_content), one event each.
 */
final class EventFiles {
    private final ByteArrayOutputStream file = new ByteArrayOutputStream();

    EventFiles() {
        try {
            new EventFileWriter(file, 1.7e9);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    EventFiles scalar(long step, String tag, float v) { return event(step, EventFileWriter.simpleValue(tag, v)); }

    /** A TF2 scalar: a rank-0 DT_FLOAT tensor with its value in packed float_val. */
    EventFiles tensorFloat(long step, String tag, float v) {
        ByteArrayOutputStream tensor = new ByteArrayOutputStream();
        varint(tensor, 1, 1);
        bytes(tensor, 2, new byte[0]);
        bytes(tensor, 5, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array());
        return tensorValue(step, tag, tensor.toByteArray());
    }

    /** A rank-0 DT_DOUBLE tensor with its value as raw tensor_content. */
    EventFiles tensorDouble(long step, String tag, double v) {
        ByteArrayOutputStream tensor = new ByteArrayOutputStream();
        varint(tensor, 1, 2);
        bytes(tensor, 4, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(v).array());
        return tensorValue(step, tag, tensor.toByteArray());
    }

    private EventFiles tensorValue(long step, String tag, byte[] tensor) {
        ByteArrayOutputStream value = new ByteArrayOutputStream();
        bytes(value, 1, tag.getBytes(StandardCharsets.UTF_8));
        bytes(value, 9, new byte[] {0x12, 0x09, 's', 'c', 'a', 'l', 'a', 'r', 's', 0, 0});  // metadata: plugin "scalars", skipped by readers
        bytes(value, 8, tensor);
        return event(step, value.toByteArray());
    }

    private EventFiles event(long step, byte[] value) {
        ByteArrayOutputStream summary = new ByteArrayOutputStream();
        bytes(summary, 1, value);
        try {
            TfRecords.write(file, EventFileWriter.event(step, 1.7e9 + step, summary.toByteArray()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    byte[] content() { return file.toByteArray(); }

    Path write(Path p) throws IOException {
        Files.write(p, content());
        return p;
    }
}
