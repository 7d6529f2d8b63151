package dev.vitals.doctor.logs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * TFRecord framing, as TensorBoard event files use it: each record is a little-endian uint64
 * length, the masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data.
 */
final class TfRecords {
    private TfRecords() {}

    /** A record that does not frame or check out; {@code offset} is where it starts in the file. */
    static final class Corrupt extends Exception {
        final long offset;

        Corrupt(long offset, String what) {
            super(what);
            this.offset = offset;
        }
    }

    static int mask(int crc) { return ((crc >>> 15) | (crc << 17)) + 0xa282ead8; }

    static int crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }

    /** Frames {@code data} as one record: its length, the length's checksum, the data, the data's checksum. */
    static void write(OutputStream out, byte[] data) throws IOException { write(out, data, data.length, new CRC32C(), new byte[12]); }

    /**
     * The same for the first {@code length} bytes of {@code data}, with the caller's checksum and a
     * 12-byte scratch array: a writer that frames a record every training step allocates nothing.
     */
    static void write(OutputStream out, byte[] data, int length, CRC32C crc, byte[] head) throws IOException {
        littleEndian(head, 0, length, 8);
        crc.reset();
        crc.update(head, 0, 8);
        littleEndian(head, 8, mask((int) crc.getValue()), 4);
        out.write(head, 0, 12);
        out.write(data, 0, length);
        crc.reset();
        crc.update(data, 0, length);
        littleEndian(head, 0, mask((int) crc.getValue()), 4);
        out.write(head, 0, 4);
    }

    /** Writes the low {@code bytes} bytes of {@code v} into {@code b} at {@code at}, least significant first. */
    static void littleEndian(byte[] b, int at, long v, int bytes) {
        for (int i = 0; i < bytes; i++) b[at + i] = (byte) (v >>> (8 * i));
    }

    /** Hands each record's data to {@code each}, in order. */
    static void read(InputStream in, Consumer<byte[]> each) throws IOException, Corrupt {
        long offset = 0;
        byte[] head = new byte[12];
        while (true) {
            int got = in.readNBytes(head, 0, 12);
            if (got == 0) return;
            if (got < 12) throw new Corrupt(offset, "truncated record header (" + got + " of 12 bytes)");
            ByteBuffer h = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
            long length = h.getLong(0);
            if (mask(crc(head, 0, 8)) != h.getInt(8)) throw new Corrupt(offset, "the checksum of the record length does not match");
            if (length < 0 || length > 256L << 20) throw new Corrupt(offset, "implausible record length " + length);
            byte[] data = in.readNBytes((int) length);
            byte[] tail = in.readNBytes(4);
            if (data.length < length || tail.length < 4) throw new Corrupt(offset, "truncated record (" + length + " bytes announced)");
            if (mask(crc(data, 0, data.length)) != ByteBuffer.wrap(tail).order(ByteOrder.LITTLE_ENDIAN).getInt()) {
                throw new Corrupt(offset, "the checksum of the record data does not match");
            }
            each.accept(data);
            offset += 16 + length;
        }
    }
}
