package dev.vitals.doctor.logs;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Writes a TensorBoard event file as PyTorch's {@code SummaryWriter} does, so that TensorBoard (and
 * {@code vitals diagnose}) read a Vitals run like any other: TFRecord framing ({@link TfRecords})
 * around {@code Event} protocol buffers, the first naming the format version, then one event per
 * step holding that step's scalars as {@code simple_value} summaries (wall_time 1, step 2,
 * file_version 3, summary 5; Summary.value 1; Value.tag 1, Value.simple_value 2).
 *
 * <p>An event is written as {@link #begin}, {@link #add} per scalar, {@link #end}, into buffers the
 * writer keeps: a run writes one every training step, and the step loop allocates nothing.
 */
public final class EventFileWriter implements Closeable {
    private final OutputStream out;
    private final Buffer summary = new Buffer(), event = new Buffer();
    private final Map<String, byte[]> tags = new HashMap<>();
    private final CRC32C crc = new CRC32C();
    private final byte[] head = new byte[12];
    private long step;
    private double wallTime;

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

    /** Opens the event of {@code step}. */
    public void begin(long step, double wallTime) {
        this.step = step;
        this.wallTime = wallTime;
        summary.reset();
    }

    /** Adds a scalar to the open event (NaN and infinity kept, as TensorBoard shows them). */
    public void add(String tag, double value) {
        byte[] t = tags.computeIfAbsent(tag, k -> k.getBytes(StandardCharsets.UTF_8));
        key(summary, 1, 2);
        raw(summary, simpleValueLength(t.length));
        simpleValue(summary, t, (float) value);
    }

    /** Frames the open event into the file; one without scalars is not written. */
    public void end() throws IOException {
        if (summary.size() == 0) return;
        event.reset();
        event(event, step, wallTime, summary.array(), summary.size());
        TfRecords.write(out, event.array(), event.size(), crc, head);
    }

    public void flush() throws IOException { out.flush(); }

    @Override
    public void close() throws IOException { out.close(); }

    /** A byte buffer whose array is read in place (reset, not reallocated, between events). */
    private static final class Buffer extends ByteArrayOutputStream {
        byte[] array() { return buf; }
    }

    // Protocol buffer encoding, shared with the tests' TF2-style writer: a key is the field number and
    // wire type; lengths and integers are base-128 varints.

    static byte[] simpleValue(String tag, float v) {
        ByteArrayOutputStream value = new ByteArrayOutputStream();
        simpleValue(value, tag.getBytes(StandardCharsets.UTF_8), v);
        return value.toByteArray();
    }

    private static void simpleValue(ByteArrayOutputStream o, byte[] tag, float v) {
        key(o, 1, 2);
        raw(o, tag.length);
        o.write(tag, 0, tag.length);
        key(o, 2, 5);
        int bits = Float.floatToRawIntBits(v);
        for (int i = 0; i < 4; i++) o.write(bits >>> (8 * i));
    }

    private static int simpleValueLength(int tagLength) { return 1 + varintLength(tagLength) + tagLength + 1 + 4; }

    static byte[] event(long step, double wallTime, byte[] summary) {
        ByteArrayOutputStream ev = new ByteArrayOutputStream();
        event(ev, step, wallTime, summary, summary.length);
        return ev.toByteArray();
    }

    private static void event(ByteArrayOutputStream o, long step, double wallTime, byte[] summary, int length) {
        fixed64(o, 1, Double.doubleToLongBits(wallTime));
        varint(o, 2, step);
        key(o, 5, 2);
        raw(o, length);
        o.write(summary, 0, length);
    }

    static void key(ByteArrayOutputStream o, int field, int wire) { raw(o, (long) field << 3 | wire); }

    static void varint(ByteArrayOutputStream o, int field, long v) {
        key(o, field, 0);
        raw(o, v);
    }

    static void fixed64(ByteArrayOutputStream o, int field, long bits) {
        key(o, field, 1);
        for (int i = 0; i < 8; i++) o.write((int) (bits >>> (8 * i)));
    }

    static void bytes(ByteArrayOutputStream o, int field, byte[] b) {
        key(o, field, 2);
        raw(o, b.length);
        o.write(b, 0, b.length);
    }

    private static void raw(ByteArrayOutputStream o, long v) {
        while ((v & ~0x7fL) != 0) {
            o.write((int) (v & 0x7f) | 0x80);
            v >>>= 7;
        }
        o.write((int) v);
    }

    private static int varintLength(long v) {
        int n = 1;
        while ((v & ~0x7fL) != 0) {
            n++;
            v >>>= 7;
        }
        return n;
    }
}
