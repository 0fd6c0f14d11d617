package dev.isakmpd.core.wire;

import java.util.Arrays;

/** Growable big-endian writer; generic payload headers get their length patched in when the payload ends. */
final class WireWriter {
    static final int MAX_PAYLOAD_LENGTH = 0xFFFF;

    private byte[] buf = new byte[512];
    private int size;

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }

    void u8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
    }

    void u16(int v) {
        ensure(2);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
    }

    void u32(int v) {
        ensure(4);
        buf[size++] = (byte) (v >>> 24);
        buf[size++] = (byte) (v >>> 16);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
    }

    void bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
    }

    /** Writes a generic payload header (RFC 2408 s3.2) with a placeholder length; returns its position. */
    int beginPayload(int nextPayload) {
        int start = size;
        u8(nextPayload);
        u8(0); // RESERVED, s5.3 step 2 of sending
        u16(0);
        return start;
    }

    void endPayload(int start) {
        int length = size - start;
        if (length > MAX_PAYLOAD_LENGTH) {
            throw new IllegalArgumentException("payload of " + length + " bytes does not fit the 16-bit length field");
        }
        buf[start + 2] = (byte) (length >>> 8);
        buf[start + 3] = (byte) length;
    }

    int size() {
        return size;
    }

    void patchU32(int at, int v) {
        buf[at] = (byte) (v >>> 24);
        buf[at + 1] = (byte) (v >>> 16);
        buf[at + 2] = (byte) (v >>> 8);
        buf[at + 3] = (byte) v;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }
}
