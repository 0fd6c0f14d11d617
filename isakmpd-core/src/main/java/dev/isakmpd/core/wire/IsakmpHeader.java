package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;

import java.util.Arrays;
import java.util.Objects;

/**
 * The fixed 28-byte ISAKMP header (RFC 2408 s3.1). Immutable; cookies are copied in and out.
 * The exchange type is not validated here: it is an open value the exchange dispatcher answers with
 * UNSUPPORTED-EXCHANGE-TYPE / INVALID-EXCHANGE-TYPE as it sees fit (s5.2 step 4).
 */
public record IsakmpHeader(byte[] initiatorCookie, byte[] responderCookie, PayloadType nextPayload,
                           int majorVersion, int minorVersion, ExchangeType exchangeType, int flags,
                           int messageId, int length) {
    public static final int LENGTH = 28;
    public static final int COOKIE_LENGTH = 8;
    public static final int MAJOR_VERSION = 1;
    public static final int MINOR_VERSION = 0;
    /** s3.1 flags, counted from the least significant bit. */
    public static final int FLAG_ENCRYPTION = 0x01;
    public static final int FLAG_COMMIT = 0x02;
    public static final int FLAG_AUTH_ONLY = 0x04;
    private static final int DEFINED_FLAGS = FLAG_ENCRYPTION | FLAG_COMMIT | FLAG_AUTH_ONLY;

    // field offsets within the header
    private static final int NEXT_PAYLOAD_AT = 16;
    private static final int VERSION_AT = 17;
    private static final int EXCHANGE_AT = 18;
    static final int FLAGS_AT = 19;
    private static final int MESSAGE_ID_AT = 20;
    static final int LENGTH_AT = 24;

    public IsakmpHeader {
        initiatorCookie = cookie(initiatorCookie, "initiatorCookie");
        responderCookie = cookie(responderCookie, "responderCookie");
        Objects.requireNonNull(nextPayload, "nextPayload");
        Objects.requireNonNull(exchangeType, "exchangeType");
        Bytes.checkRange(majorVersion, 0, 15, "major version");
        Bytes.checkRange(minorVersion, 0, 15, "minor version");
        Bytes.checkRange(flags, 0, 0xFF, "flags");
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length);
        }
    }

    /** A version 1.0 header with next payload NONE and length 28, to be completed by the message encoder. */
    public static IsakmpHeader create(byte[] initiatorCookie, byte[] responderCookie, ExchangeType exchangeType,
                                      int flags, int messageId) {
        return new IsakmpHeader(initiatorCookie, responderCookie, PayloadType.NONE, MAJOR_VERSION, MINOR_VERSION,
                exchangeType, flags, messageId, LENGTH);
    }

    private static byte[] cookie(byte[] c, String name) {
        byte[] copy = Bytes.copy(c, name);
        if (copy.length != COOKIE_LENGTH) {
            throw new IllegalArgumentException(name + " must be 8 bytes, got " + copy.length);
        }
        return copy;
    }

    @Override
    public byte[] initiatorCookie() {
        return initiatorCookie.clone();
    }

    @Override
    public byte[] responderCookie() {
        return responderCookie.clone();
    }

    /** True if the responder cookie is all zero, as in the first message of an exchange. */
    public boolean responderCookieIsZero() {
        for (byte b : responderCookie) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    public boolean encrypted() {
        return (flags & FLAG_ENCRYPTION) != 0;
    }

    public boolean commit() {
        return (flags & FLAG_COMMIT) != 0;
    }

    public boolean authOnly() {
        return (flags & FLAG_AUTH_ONLY) != 0;
    }

    public IsakmpHeader withNextPayload(PayloadType next) {
        return new IsakmpHeader(initiatorCookie, responderCookie, next, majorVersion, minorVersion, exchangeType,
                flags, messageId, length);
    }

    public IsakmpHeader withLength(int newLength) {
        return new IsakmpHeader(initiatorCookie, responderCookie, nextPayload, majorVersion, minorVersion,
                exchangeType, flags, messageId, newLength);
    }

    public IsakmpHeader withFlags(int newFlags) {
        return new IsakmpHeader(initiatorCookie, responderCookie, nextPayload, majorVersion, minorVersion,
                exchangeType, newFlags, messageId, length);
    }

    public IsakmpHeader withResponderCookie(byte[] cookie) {
        return new IsakmpHeader(initiatorCookie, cookie, nextPayload, majorVersion, minorVersion, exchangeType,
                flags, messageId, length);
    }

    public IsakmpHeader withMessageId(int newMessageId) {
        return new IsakmpHeader(initiatorCookie, responderCookie, nextPayload, majorVersion, minorVersion,
                exchangeType, flags, newMessageId, length);
    }

    public IsakmpHeader withExchangeType(ExchangeType newExchangeType) {
        return new IsakmpHeader(initiatorCookie, responderCookie, nextPayload, majorVersion, minorVersion,
                newExchangeType, flags, messageId, length);
    }

    /**
     * Parses and checks the header of a received datagram, which must hold exactly one message.
     */
    public static IsakmpHeader decode(byte[] datagram) throws WireException {
        if (datagram.length < LENGTH) {
            throw WireException.malformed(0, "ISAKMP header",
                    "needs " + LENGTH + " bytes but the datagram has " + datagram.length);
        }
        byte[] ckyI = Arrays.copyOfRange(datagram, 0, COOKIE_LENGTH);
        byte[] ckyR = Arrays.copyOfRange(datagram, COOKIE_LENGTH, 2 * COOKIE_LENGTH);
        int next = datagram[NEXT_PAYLOAD_AT] & 0xFF;
        int version = datagram[VERSION_AT] & 0xFF;
        int exchange = datagram[EXCHANGE_AT] & 0xFF;
        int flags = datagram[FLAGS_AT] & 0xFF;
        int messageId = readInt(datagram, MESSAGE_ID_AT);
        long length = Integer.toUnsignedLong(readInt(datagram, LENGTH_AT));

        // Versions first (before s5.2 step 2's next-payload check) so that e.g. an IKEv2 packet is reported as
        // INVALID-MAJOR-VERSION rather than by its v2 payload numbers.
        int major = version >>> 4;
        int minor = version & 0x0F;
        if (major != MAJOR_VERSION) {
            throw new WireException(NotifyType.INVALID_MAJOR_VERSION, VERSION_AT, "major version",
                    major + " is not supported, only " + MAJOR_VERSION + " (RFC 2408 s3.1)");
        }
        if (minor != MINOR_VERSION) {
            throw new WireException(NotifyType.INVALID_MINOR_VERSION, VERSION_AT, "minor version",
                    minor + " is not supported, only " + MINOR_VERSION + " (RFC 2408 s3.1)");
        }
        PayloadType nextPayload = PayloadType.of(next);
        if (!nextPayload.equals(PayloadType.NONE) && !PayloadCodec.isChainType(nextPayload)) {
            throw new WireException(NotifyType.INVALID_PAYLOAD_TYPE, NEXT_PAYLOAD_AT, "next payload",
                    nextPayload + " is not a valid first payload (RFC 2408 s5.2)");
        }
        if ((flags & ~DEFINED_FLAGS) != 0) {
            throw new WireException(NotifyType.INVALID_FLAGS, FLAGS_AT, "flags",
                    String.format("0x%02x has undefined bits set (RFC 2408 s3.1)", flags));
        }
        if (length < LENGTH) {
            throw WireException.malformed(LENGTH_AT, "length", length + " is shorter than the header");
        }
        // RFC 2408 s5.1: "If the ISAKMP message length and the value in the Payload Length field of the ISAKMP
        // Header are not the same, then the ISAKMP message MUST be rejected."
        if (length != datagram.length) {
            throw new WireException(NotifyType.UNEQUAL_PAYLOAD_LENGTHS, LENGTH_AT, "length",
                    length + " differs from the datagram of " + datagram.length + " bytes (RFC 2408 s5.1)");
        }
        return new IsakmpHeader(ckyI, ckyR, nextPayload, major, minor, ExchangeType.of(exchange), flags, messageId,
                (int) length);
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    /** The 28 header bytes. */
    public byte[] encode() {
        WireWriter w = new WireWriter();
        writeTo(w);
        return w.toByteArray();
    }

    void writeTo(WireWriter w) {
        w.bytes(initiatorCookie);
        w.bytes(responderCookie);
        w.u8(nextPayload.value());
        w.u8((majorVersion << 4) | minorVersion);
        w.u8(exchangeType.value());
        w.u8(flags);
        w.u32(messageId);
        w.u32(length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IsakmpHeader h && Arrays.equals(h.initiatorCookie, initiatorCookie)
                && Arrays.equals(h.responderCookie, responderCookie) && h.nextPayload.equals(nextPayload)
                && h.majorVersion == majorVersion && h.minorVersion == minorVersion
                && h.exchangeType.equals(exchangeType) && h.flags == flags && h.messageId == messageId
                && h.length == length;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(initiatorCookie), Arrays.hashCode(responderCookie), nextPayload,
                majorVersion, minorVersion, exchangeType, flags, messageId, length);
    }

    @Override
    public String toString() {
        return String.format("IsakmpHeader[%s/%s next=%s v%d.%d %s flags=0x%02x mid=0x%08x len=%d]",
                Bytes.hex(initiatorCookie), Bytes.hex(responderCookie), nextPayload, majorVersion, minorVersion,
                exchangeType, flags, messageId, length);
    }
}
