package dev.isakmpd.ha;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;

/**
 * What the sync link carries around an opaque record: {@code version(1) type(1) id(8)
 * length(4) payload(length) hmac(32)}, big-endian, the HMAC-SHA-256 over everything before it.
 * A snapshot's payload is {@code count(4)} then {@code length(4) record} per record.
 *
 * @param id the engine's replication id (sync records and acks), 0 otherwise
 */
record Envelope(Type type, long id, byte[] payload) {
    /** The only version this node speaks; a peer with another one is refused, not guessed at. */
    static final byte VERSION = 1;
    static final int HEADER = 1 + 1 + 8 + 4;
    static final int MAC = 32;

    enum Type {
        /** A record the active waits for: the standby answers ACK with its id once it stored it. */
        SYNC(1),
        /** A record sent in order with the others, not acknowledged. */
        ASYNC(2),
        ACK(3),
        /** The full state a joining standby starts from (state transfer). */
        SNAPSHOT(4),
        /** A {@link RoleAnnouncement}: who is active, for split brain (issue 15 s6). Not acknowledged. */
        ANNOUNCE(5);

        final byte code;

        Type(int code) {
            this.code = (byte) code;
        }

        static Optional<Type> of(byte code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return Optional.of(t);
                }
            }
            return Optional.empty();
        }
    }

    /** Why a buffer is not an envelope, in words for the log (never the payload). */
    static final class Refused extends Exception {
        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    static Envelope snapshot(List<byte[]> records) {
        int size = 4;
        for (byte[] r : records) {
            size += 4 + r.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).putInt(records.size());
        for (byte[] r : records) {
            b.putInt(r.length).put(r);
        }
        return new Envelope(Type.SNAPSHOT, 0, b.array());
    }

    byte[] encode(Mac mac) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + payload.length + MAC);
        b.put(VERSION).put(type.code).putLong(id).putInt(payload.length).put(payload);
        mac.update(b.array(), 0, b.position());
        b.put(mac.doFinal());
        return b.array();
    }

    static Envelope decode(byte[] buf, int offset, int length, Mac mac) throws Refused {
        if (length < 1) {
            throw new Refused("empty message");
        }
        if (buf[offset] != VERSION) {
            throw new Refused("envelope version " + (buf[offset] & 0xff) + ", this node speaks version " + VERSION
                    + ": upgrade both nodes of the pair to the same release");
        }
        if (length < HEADER + MAC) {
            throw new Refused("message of " + length + " bytes, shorter than an envelope (" + (HEADER + MAC) + ")");
        }
        ByteBuffer b = ByteBuffer.wrap(buf, offset, length);
        b.get();
        byte code = b.get();
        long id = b.getLong();
        int payloadLength = b.getInt();
        if (payloadLength < 0 || payloadLength != length - HEADER - MAC) {
            throw new Refused("length field " + Integer.toUnsignedString(payloadLength) + " does not match the "
                    + (length - HEADER - MAC) + " bytes of payload");
        }
        mac.update(buf, offset, HEADER + payloadLength);
        byte[] expected = mac.doFinal();
        byte[] got = new byte[MAC];
        System.arraycopy(buf, offset + HEADER + payloadLength, got, 0, MAC);
        if (!MessageDigest.isEqual(expected, got)) {
            throw new Refused("HMAC mismatch: the sender has another key, or the message was altered");
        }
        Type type = Type.of(code).orElseThrow(() -> new Refused("unknown message type " + (code & 0xff)));
        byte[] payload = new byte[payloadLength];
        b.get(payload);
        return new Envelope(type, id, payload);
    }

    /** The records of a SNAPSHOT payload, every length checked against what remains. */
    List<byte[]> records() throws Refused {
        ByteBuffer b = ByteBuffer.wrap(payload);
        if (b.remaining() < 4) {
            throw new Refused("snapshot without a record count");
        }
        int count = b.getInt();
        if (count < 0 || count > b.remaining() / 4) {
            throw new Refused("snapshot record count " + Integer.toUnsignedString(count) + " exceeds its "
                    + b.remaining() + " bytes");
        }
        List<byte[]> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (b.remaining() < 4) {
                throw new Refused("snapshot record " + i + " of " + count + " has no length");
            }
            int n = b.getInt();
            if (n < 0 || n > b.remaining()) {
                throw new Refused("snapshot record " + i + " length " + Integer.toUnsignedString(n) + " exceeds the "
                        + b.remaining() + " bytes left");
            }
            byte[] r = new byte[n];
            b.get(r);
            records.add(r);
        }
        if (b.hasRemaining()) {
            throw new Refused(b.remaining() + " bytes after the last snapshot record");
        }
        return records;
    }

    /** Type, id and size only: records carry keys. */
    @Override
    public String toString() {
        return type + "(id " + id + ", " + payload.length + " bytes)";
    }
}
