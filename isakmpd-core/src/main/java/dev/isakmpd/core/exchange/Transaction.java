package dev.isakmpd.core.exchange;

import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.wire.AttributePayload;
import dev.isakmpd.core.wire.HashPayload;
import dev.isakmpd.core.wire.IsakmpHeader;
import dev.isakmpd.core.wire.Payload;
import dev.isakmpd.core.wire.PayloadCodec;
import dev.isakmpd.core.wire.WireException;
import java.util.List;

/**
 * The messages of the Transaction exchange (ISAKMP exchange 6, draft-dukes-ike-mode-cfg-02 s3.1.1),
 * which XAUTH and Mode-Config use once the ISAKMP SA is up: {@code HDR*, HASH, ATTR} with
 * {@code HASH = prf(SKEYID_a, M-ID | ATTR)} in both directions, under the IV chain of the message
 * ID, derived as for Quick Mode and Informational (RFC 2409 Appendix B).
 */
final class Transaction {
    static final MessageShape MESSAGE = MessageShape.of("Transaction").first(PayloadType.HASH)
            .one(PayloadType.ATTR).build();

    private Transaction() {
    }

    /** Sends one protected Transaction message under {@code messageId}; returns it for retransmission. */
    static Datagram send(IsakmpSession s, int messageId, AttributePayload attributes, Out out) {
        byte[] hash = s.prf().apply(s.keys().skeyidA().bytes(), Phase2Sa.spiBytes(messageId),
                PayloadCodec.encode(List.of(attributes)));
        return s.sendEncrypted(ExchangeType.TRANSACTION, messageId, List.<Payload>of(new HashPayload(hash),
                attributes), out);
    }

    /**
     * Decrypts and authenticates a received message; the IV chain advances only when it is
     * accepted. Null, with a log line, when it is not.
     */
    static AttributePayload open(IsakmpSession s, Datagram d, IsakmpHeader h, String tag, Out out) {
        if (!h.encrypted()) {
            out.warn(tag + "dropped an unencrypted Transaction message (draft-dukes-ike-mode-cfg-02 s3.1.1)");
            return null;
        }
        byte[] ct = Packet.body(h, d.rawData());
        Packet p;
        try {
            p = s.decrypt(h, ct);
        } catch (WireException e) {
            out.warn(tag + "dropped malformed Transaction message: " + e.getMessage());
            return null;
        }
        s.logReceived(p, out);
        try {
            Payloads.checkHash(p, s.prf().apply(s.keys().skeyidA().bytes(), Phase2Sa.spiBytes(h.messageId()),
                    p.afterFirstPayload()), "HASH");
            MESSAGE.check(p.payloads());
        } catch (ExchangeFailure f) {
            out.warn(tag + "dropped Transaction message: " + f.getMessage());
            return null;
        }
        s.cbc().advance(h.messageId(), ct);
        s.authenticated(d, out);
        return Payloads.first(p.payloads(), AttributePayload.class).orElseThrow();
    }
}
