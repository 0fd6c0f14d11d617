package dev.isakmpd.core.wire;

/**
 * Bounds-checked big-endian reader over a window of a byte array. Positions are absolute indexes into the array so
 * that error offsets point at the real byte; every read past the window becomes PAYLOAD-MALFORMED, never an
 * ArrayIndexOutOfBoundsException.
 */
final class WireReader {
    private final byte[] buf;
    private final int end;
    private int pos;

    WireReader(byte[] buf, int offset, int length) {
        if (offset < 0 || length < 0 || offset > buf.length || length > buf.length - offset) {
            throw new IllegalArgumentException("window " + offset + "+" + length + " outside buffer of " + buf.length);
        }
        this.buf = buf;
        this.pos = offset;
        this.end = offset + length;
    }

    int position() {
        return pos;
    }

    int remaining() {
        return end - pos;
    }

    boolean hasRemaining() {
        return pos < end;
    }

    private void need(int n, String field) throws WireException {
        if (n > end - pos) {
            throw WireException.malformed(pos, field, "needs " + n + " bytes but only " + (end - pos) + " remain");
        }
    }

    int u8(String field) throws WireException {
        need(1, field);
        return buf[pos++] & 0xFF;
    }

    int u16(String field) throws WireException {
        need(2, field);
        int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    /** A 32-bit field as raw bits (use Integer.toUnsignedLong when the unsigned value matters). */
    int u32(String field) throws WireException {
        need(4, field);
        int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8)
                | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    byte[] bytes(int n, String field) throws WireException {
        need(n, field);
        byte[] out = new byte[n];
        System.arraycopy(buf, pos, out, 0, n);
        pos += n;
        return out;
    }

    byte[] rest() {
        byte[] out = new byte[end - pos];
        System.arraycopy(buf, pos, out, 0, out.length);
        pos = end;
        return out;
    }

    /** A reader over the next n bytes; this reader skips past them. */
    WireReader split(int n, String field) throws WireException {
        need(n, field);
        WireReader sub = new WireReader(buf, pos, n);
        pos += n;
        return sub;
    }
}
