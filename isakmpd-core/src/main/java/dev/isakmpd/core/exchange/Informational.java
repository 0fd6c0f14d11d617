package dev.isakmpd.core.exchange;

import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.core.registry.IpsecDoi;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.registry.ProtocolId;
import dev.isakmpd.core.wire.DeletePayload;
import dev.isakmpd.core.wire.HashPayload;
import dev.isakmpd.core.wire.IsakmpHeader;
import dev.isakmpd.core.wire.NotificationPayload;
import dev.isakmpd.core.wire.Payload;
import dev.isakmpd.core.wire.PayloadCodec;
import dev.isakmpd.core.wire.WireException;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The Informational exchange (RFC 2408 s4.8): Notifications and Deletes. Once the ISAKMP SA is
 * up they are protected: HDR*, HASH(1), N/D with HASH(1) = prf(SKEYID_a, M-ID | N/D) (RFC 2409
 * s5.7). Before that only unprotected notifies exist, and they are only believed during Main Mode.
 */
final class Informational {
    /** RFC 2409 s5.7: HDR*, HASH(1), N/D. */
    static final MessageShape PROTECTED = MessageShape.of("Informational").first(PayloadType.HASH)
            .any(PayloadType.N, PayloadType.D).build();
    private Informational() {
    }

    static void receive(IsakmpSession s, Datagram d, IsakmpHeader h, Instant now, Out out) {
        if (!h.encrypted()) {
            receivePlain(s, d, h, out);
            return;
        }
        if (s.state() != IsakmpSession.State.ESTABLISHED) {
            out.debug(s.tag() + "dropped an encrypted Informational before the ISAKMP SA is established");
            return;
        }
        byte[] ct = Packet.body(h, d.rawData());
        Packet p;
        try {
            p = s.decrypt(h, ct);
        } catch (WireException e) {
            s.cbc().forget(h.messageId());
            out.warn(s.tag() + "dropped malformed Informational: " + e.getMessage());
            return;
        }
        s.cbc().forget(h.messageId());
        s.logReceived(p, out);
        try {
            Payloads.checkHash(p, s.prf().apply(s.keys().skeyidA().bytes(), Phase2Sa.spiBytes(h.messageId()),
                    p.afterFirstPayload()), "HASH(1)");
            PROTECTED.check(p.payloads());
        } catch (ExchangeFailure f) {
            out.warn(s.tag() + "dropped Informational: " + f.getMessage());
            return;
        }
        s.authenticated(d, out);
        for (Payload payload : p.payloads()) {
            if (payload instanceof NotificationPayload n) {
                if (n.notifyType().equals(NotifyType.R_U_THERE) || n.notifyType().equals(NotifyType.R_U_THERE_ACK)) {
                    onDpd(s, n, now, out);
                } else {
                    out.info(s.tag() + "peer notifies " + n.notifyType());
                }
            } else if (payload instanceof DeletePayload del) {
                onDelete(s, del, out);
            }
        }
    }

    /**
     * RFC 3706 s5.2-6.1: an R-U-THERE is answered with an ACK carrying its sequence number (we
     * always sent the vendor ID); an ACK is proof of life only if it answers one of our probes.
     * Both must name this ISAKMP SA's cookies and carry a 4-byte sequence number.
     */
    private static void onDpd(IsakmpSession s, NotificationPayload n, Instant now, Out out) {
        if (n.data().length != 4 || !Arrays.equals(n.spi(), s.cookies().spi())) {
            out.warn(s.tag() + "ignored " + n.notifyType() + ": needs this SA's cookies as SPI and a 4-byte sequence"
                    + " number (RFC 3706 s5.3)");
            return;
        }
        String sequence = Integer.toUnsignedString(Phase2Sa.spiValue(n.data()));
        if (n.notifyType().equals(NotifyType.R_U_THERE)) {
            out.debug(s.tag() + "DPD: R-U-THERE " + sequence + ", answering");
            sendProtectedNotify(s, NotifyType.R_U_THERE_ACK, n.data(), out);
        } else if (s.dpdAcknowledged(Phase2Sa.spiValue(n.data()), now)) {
            out.debug(s.tag() + "DPD: R-U-THERE-ACK " + sequence + ": the peer is alive");
        } else {
            out.warn(s.tag() + "ignored R-U-THERE-ACK " + sequence + ": answers no probe of ours");
        }
    }

    private static void receivePlain(IsakmpSession s, Datagram d, IsakmpHeader h, Out out) {
        Packet p;
        try {
            p = Packet.decode(h, Packet.body(h, d.rawData()));
        } catch (WireException e) {
            out.warn(s.tag() + "dropped malformed Informational: " + e.getMessage());
            return;
        }
        s.logReceived(p, out);
        for (NotificationPayload n : Payloads.all(p.payloads(), NotificationPayload.class)) {
            if (s.state() == IsakmpSession.State.ESTABLISHED) {
                out.warn(s.tag() + "ignored unprotected notify " + n.notifyType() + " for an established ISAKMP SA");
            } else if (n.notifyType().isError()) {
                s.peerReported(n.notifyType(), out);
            } else {
                out.info(s.tag() + "peer notifies " + n.notifyType());
            }
        }
    }

    private static void onDelete(IsakmpSession s, DeletePayload del, Out out) {
        if (del.protocolId().equals(ProtocolId.ISAKMP)) {
            out.info(s.tag() + "peer deleted the ISAKMP SA");
            s.die(out);
            return;
        }
        boolean ah = del.protocolId().equals(ProtocolId.IPSEC_AH);
        if (!(ah || del.protocolId().equals(ProtocolId.IPSEC_ESP)) || del.spiSize() != 4) {
            out.warn(s.tag() + "ignored Delete for " + del.protocolId() + " with " + del.spiSize() + "-byte SPIs");
            return;
        }
        InetAddress peerAddress = s.remote.getAddress();
        for (byte[] spi : del.spis()) {
            int value = Phase2Sa.spiValue(spi);
            // the peer names its inbound SA: our outbound one, (peer's address, SPI); looked up, not
            // searched for among the peer's pairs (one policy may hold thousands)
            Optional<ChildSas.Pair> found = s.ctx().children().find(peerAddress, value)
                    .filter(p -> p.peer().equals(s.peerKey()) && p.outbound().spi() == value
                            && p.outbound().destination().equals(peerAddress)
                            && p.outbound().protocol().equals(del.protocolId()));
            // the client's last pair: its transport policy goes too (else it stays in the kernel for good)
            found.flatMap(s.ctx().children()::remove).ifPresent(out::deletePolicy);
            if (found.isEmpty() && ah) {
                // the AH half of an AH+ESP bundle: its ESP half names the pair, in this or another Delete
                out.debug(s.tag() + String.format("peer deleted AH SPI 0x%08x", value));
                continue;
            }
            found.ifPresentOrElse(pair -> {
                out.info(s.tag() + "peer deleted IPsec SA pair of tunnel " + pair.outbound().tunnel() + " (out spi 0x"
                        + pair.outbound().spiHex() + ", in spi 0x" + pair.inbound().spiHex() + ")");
                pair.inKernel().forEach(out::delete);
            }, () -> out.info(s.tag() + String.format("peer deleted unknown %s SPI 0x%08x", ah ? "AH" : "ESP", value)));
        }
    }

    /** An unprotected notify during Main Mode (RFC 2408 s4.8: no keys yet, so no protection). */
    static void sendPlainNotify(IsakmpSession s, NotifyType type, Out out) {
        List<Payload> payloads = List.of(notify(s, type, new byte[0]));
        byte[] body = PayloadCodec.encode(payloads);
        IsakmpHeader h = Packet.header(s.cookies(), ExchangeType.INFORMATIONAL, payloads, false, 0, body.length);
        s.logSent(h, payloads, out);
        out.send(s.datagram(Packet.concat(h.encode(), body)));
    }

    static void sendProtectedNotify(IsakmpSession s, NotifyType type, byte[] data, Out out) {
        sendProtected(s, List.of(notify(s, type, data)), out);
    }

    static void sendDeleteIsakmp(IsakmpSession s, Out out) {
        sendProtected(s, List.of(new DeletePayload(IpsecDoi.DOI_IPSEC, ProtocolId.ISAKMP, 16,
                List.of(s.cookies().spi()))), out);
    }

    /**
     * Delete for IPsec SAs names the SPIs we chose, i.e. our inbound ones (RFC 2408 s3.15): one
     * payload for the SA's protocol (ESP or AH) and one for a bundled AH. A bundled IPComp SA
     * goes with them (its CPI is no SPI a peer looks up).
     */
    static void sendDelete(IsakmpSession s, IpsecSa inbound, Out out) {
        List<Payload> payloads = new ArrayList<>();
        payloads.add(new DeletePayload(IpsecDoi.DOI_IPSEC, inbound.protocol(), 4,
                List.of(Phase2Sa.spiBytes(inbound.spi()))));
        inbound.ah().ifPresent(a -> payloads.add(new DeletePayload(IpsecDoi.DOI_IPSEC, ProtocolId.IPSEC_AH, 4,
                List.of(Phase2Sa.spiBytes(a.spi())))));
        sendProtected(s, payloads, out);
    }

    private static void sendProtected(IsakmpSession s, List<Payload> nd, Out out) {
        int mid = s.newMessageId();
        byte[] hash = s.prf().apply(s.keys().skeyidA().bytes(), Phase2Sa.spiBytes(mid), PayloadCodec.encode(nd));
        List<Payload> payloads = new ArrayList<>();
        payloads.add(new HashPayload(hash));
        payloads.addAll(nd);
        s.sendEncrypted(ExchangeType.INFORMATIONAL, mid, payloads, out);
        s.cbc().forget(mid);
    }

    /** A notify about the ISAKMP SA itself: protocol ISAKMP, SPI = CKY-I | CKY-R (RFC 2407 s4.6.3). */
    static NotificationPayload notify(IsakmpSession s, NotifyType type, byte[] data) {
        return new NotificationPayload(IpsecDoi.DOI_IPSEC, ProtocolId.ISAKMP, s.cookies().spi(), type, data);
    }
}
