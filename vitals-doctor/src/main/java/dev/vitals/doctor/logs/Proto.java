package dev.vitals.doctor.logs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A minimal reader of the protocol-buffer wire format, enough to walk TensorBoard's {@code Event}
 * messages: varints, fixed 32- and 64-bit values, and length-delimited fields. It reads one message
 * (a slice of a buffer) field by field; a malformed message is an {@link IllegalArgumentException}.
 */
final class Proto {
    static final int VARINT = 0, FIXED64 = 1, LEN = 2, FIXED32 = 5;

    private final ByteBuffer buf;
    private int tag;

    Proto(byte[] data, int offset, int length) {
        this.buf = ByteBuffer.wrap(data, offset, length).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    Proto(byte[] data) { this(data, 0, data.length); }

    /** Advances to the next field; false at the end of the message. */
    boolean next() {
        if (!buf.hasRemaining()) return false;
        long key = varint();
        tag = (int) key;
        if (field() == 0) throw new IllegalArgumentException("field number 0");
        return true;
    }

    int field() { return tag >>> 3; }

    int wireType() { return tag & 7; }

    long varint() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            need(1);
            byte b = buf.get();
            v |= (long) (b & 0x7f) << shift;
            if (b >= 0) return v;
        }
        throw new IllegalArgumentException("varint longer than 10 bytes");
    }

    float fixed32Float() {
        need(4);
        return buf.getFloat();
    }

    double fixed64Double() {
        need(8);
        return buf.getDouble();
    }

    /** The bytes of a length-delimited field, as a reader of its own. */
    Proto message() {
        int n = length();
        Proto p = new Proto(buf.array(), buf.arrayOffset() + buf.position(), n);
        buf.position(buf.position() + n);
        return p;
    }

    String string() {
        int n = length();
        String s = new String(buf.array(), buf.arrayOffset() + buf.position(), n, java.nio.charset.StandardCharsets.UTF_8);
        buf.position(buf.position() + n);
        return s;
    }

    /** Remaining bytes of this message, little-endian, for packed and raw tensor contents. */
    ByteBuffer rest() { return buf.slice().order(ByteOrder.LITTLE_ENDIAN); }

    void skip() {
        switch (wireType()) {
            case VARINT -> varint();
            case FIXED64 -> skipBytes(8);
            case LEN -> skipBytes(length());
            case FIXED32 -> skipBytes(4);
            default -> throw new IllegalArgumentException("unsupported wire type " + wireType());
        }
    }

    private int length() {
        long n = varint();
        if (n < 0 || n > buf.remaining()) throw new IllegalArgumentException("length " + n + " beyond the message");
        return (int) n;
    }

    private void skipBytes(int n) {
        need(n);
        buf.position(buf.position() + n);
    }

    private void need(int n) {
        if (buf.remaining() < n) throw new IllegalArgumentException("message ends inside a field");
    }
}
