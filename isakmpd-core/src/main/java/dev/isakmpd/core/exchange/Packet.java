package dev.isakmpd.core.exchange;

import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.wire.DecodedPayloads;
import dev.isakmpd.core.wire.IsakmpHeader;
import dev.isakmpd.core.wire.Payload;
import dev.isakmpd.core.wire.PayloadCodec;
import dev.isakmpd.core.wire.WireException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * One ISAKMP message as the exchanges see it: the header, the decoded payloads and the plaintext
 * they came from (needed where the RFC hashes raw payload bytes, e.g. HASH(1) of Quick Mode).
 */
record Packet(IsakmpHeader header, List<Payload> payloads, byte[] plaintext, int chainEnd) {

    /** Decodes the payload chain of a message whose body is plaintext (already decrypted if it was encrypted). */
    static Packet decode(IsakmpHeader header, byte[] body) throws WireException {
        return decode(header, body, Set.of());
    }

    /** As {@link #decode(IsakmpHeader, byte[])}, with the bodies of {@code encrypted} types left as ciphertext. */
    static Packet decode(IsakmpHeader header, byte[] body, Set<PayloadType> encrypted) throws WireException {
        DecodedPayloads d = PayloadCodec.decode(header.nextPayload(), body, 0, body.length, encrypted);
        return new Packet(header, d.payloads(), body, d.consumed());
    }

    /** The body of a datagram, i.e. the bytes after the 28-byte header up to the header's length. */
    static byte[] body(IsakmpHeader header, byte[] datagram) {
        return Arrays.copyOfRange(datagram, IsakmpHeader.LENGTH, header.length());
    }

    /**
     * The bytes the RFC 2409 s5.5 hashes cover: everything after the first payload (which must be
     * the HASH payload), including payload headers, excluding padding.
     */
    byte[] afterFirstPayload() throws ExchangeFailure {
        if (payloads.isEmpty() || plaintext.length < 4) {
            throw ExchangeFailure.fatal(NotifyType.PAYLOAD_MALFORMED, "empty message");
        }
        int firstLength = ((plaintext[2] & 0xff) << 8) | (plaintext[3] & 0xff);
        if (firstLength > chainEnd) { // a header that names no payload, over garbage
            throw ExchangeFailure.fatal(NotifyType.PAYLOAD_MALFORMED, "first payload runs past the payload chain");
        }
        return Arrays.copyOfRange(plaintext, firstLength, chainEnd);
    }

    /** Builds a header for an outgoing message. */
    static IsakmpHeader header(Cookies cookies, ExchangeType exchange, List<Payload> payloads, boolean encrypted,
            int messageId, int bodyLength) {
        PayloadType first = PayloadCodec.firstType(payloads);
        return new IsakmpHeader(cookies.initiator(), cookies.responder(), first, 1, 0, exchange,
                encrypted ? IsakmpHeader.FLAG_ENCRYPTION : 0, messageId, IsakmpHeader.LENGTH + bodyLength);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
