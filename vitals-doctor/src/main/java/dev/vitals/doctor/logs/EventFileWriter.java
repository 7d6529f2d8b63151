package dev.vitals.doctor.logs;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes a TensorBoard event file as PyTorch's {@code SummaryWriter} does, so that TensorBoard (and
 * {@code vitals diagnose}) read a Vitals run like any other: TFRecord framing ({@link TfRecords})
 * around {@code Event} protocol buffers, the first naming the format version, then one event per
 * step holding that step's scalars as {@code simple_value} summaries (wall_time 1, step 2,
 * file_version 3, summary 5; Summary.value 1; Value.tag 1, Value.simple_value 2).
 */
public final class EventFileWriter implements Closeable {
    private final OutputStream out;

    /** Starts the file with its version record. */
    public EventFileWriter(OutputStream out, double wallTime) throws IOException {
        this.out = out;
        ByteArrayOutputStream ev = new ByteArrayOutputStream();
        fixed64(ev, 1, Double.doubleToLongBits(wallTime));
        bytes(ev, 3, "brain.Event:2".getBytes(StandardCharsets.UTF_8));
        TfRecords.write(out, ev.toByteArray());
    }

    /**
     * The name TensorBoard looks for ({@code events.out.tfevents.}) with the creation time in
     * seconds, as TensorFlow's writers name theirs; "vitals" stands where they put the host name.
     */
    public static String fileName(long unixSeconds) { return "events.out.tfevents." + unixSeconds + ".vitals"; }

    /** One event at {@code step}: each tag with its value, in the map's order (NaN and infinity kept, as TensorBoard shows them). */
    public void scalars(long step, double wallTime, Map<String, Double> values) throws IOException {
        if (values.isEmpty()) return;
        ByteArrayOutputStream summary = new ByteArrayOutputStream();
        for (var e : values.entrySet()) bytes(summary, 1, simpleValue(e.getKey(), e.getValue().floatValue()));
        TfRecords.write(out, event(step, wallTime, summary.toByteArray()));
    }

    public void flush() throws IOException { out.flush(); }

    @Override
    public void close() throws IOException { out.close(); }

    static byte[] simpleValue(String tag, float v) {
        ByteArrayOutputStream value = new ByteArrayOutputStream();
        bytes(value, 1, tag.getBytes(StandardCharsets.UTF_8));
        key(value, 2, 5);
        value.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array());
        return value.toByteArray();
    }

    static byte[] event(long step, double wallTime, byte[] summary) {
        ByteArrayOutputStream ev = new ByteArrayOutputStream();
        fixed64(ev, 1, Double.doubleToLongBits(wallTime));
        varint(ev, 2, step);
        bytes(ev, 5, summary);
        return ev.toByteArray();
    }

    // Protocol buffer encoding: a key is the field number and wire type; lengths and integers are base-128 varints.

    static void key(ByteArrayOutputStream o, int field, int wire) { raw(o, (long) field << 3 | wire); }

    static void varint(ByteArrayOutputStream o, int field, long v) {
        key(o, field, 0);
        raw(o, v);
    }

    static void fixed64(ByteArrayOutputStream o, int field, long bits) {
        key(o, field, 1);
        o.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(bits).array());
    }

    static void bytes(ByteArrayOutputStream o, int field, byte[] b) {
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
