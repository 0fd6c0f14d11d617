package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.registry.IpsecAttributes.ENCAP_TRANSPORT;
import static dev.isakmpd.core.registry.IpsecAttributes.ENCAP_TUNNEL;
import static dev.isakmpd.core.registry.IpsecAttributes.ENCAP_UDP_TRANSPORT;
import static dev.isakmpd.core.registry.IpsecAttributes.ENCAP_UDP_TRANSPORT_DRAFT;
import static dev.isakmpd.core.registry.IpsecAttributes.ENCAP_UDP_TUNNEL;
import static dev.isakmpd.core.registry.IpsecAttributes.ENCAP_UDP_TUNNEL_DRAFT;

import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.wire.NatDiscoveryPayload;
import dev.isakmpd.core.wire.NatOriginalAddressPayload;
import dev.isakmpd.core.wire.Payload;
import dev.isakmpd.core.wire.VendorIdPayload;
import dev.isakmpd.oakley.HashAlgorithm;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * NAT traversal in phase 1 (RFC 3947 s3; draft-ietf-ipsec-nat-t-ike-02 and -03, which many clients
 * still speak): which version both sides support (vendor IDs), the NAT-D hashes, and where the NAT is.
 */
final class NatDiscovery {
    /** RFC 3947 s3.2 allows several local hashes (multi-homed senders); more than this is a flood. */
    static final int MAX_NAT_D = 8;

    /** A NAT-T version, in our order of preference; each has its own payload numbers and modes. */
    enum Version {
        RFC3947("4a131c81070358455c5728f20e95452f", "RFC 3947", PayloadType.NAT_D, PayloadType.NAT_OA,
                ENCAP_UDP_TUNNEL, ENCAP_UDP_TRANSPORT),
        DRAFT_03("7d9419a65310ca6f2c179d9215529d56", "draft-ietf-ipsec-nat-t-ike-03", PayloadType.NAT_D_DRAFT,
                PayloadType.NAT_OA_DRAFT, ENCAP_UDP_TUNNEL_DRAFT, ENCAP_UDP_TRANSPORT_DRAFT),
        DRAFT_02("cd60464335df21f87cfdb2fc68b6a448", "draft-ietf-ipsec-nat-t-ike-02", PayloadType.NAT_D_DRAFT,
                PayloadType.NAT_OA_DRAFT, ENCAP_UDP_TUNNEL_DRAFT, ENCAP_UDP_TRANSPORT_DRAFT),
        /** MD5 of "draft-ietf-ipsec-nat-t-ike-02\n": a typo that strongSwan, Apple and others still send. */
        DRAFT_02_NEWLINE("90cb80913ebb696e086381b5ec427b1f", "draft-ietf-ipsec-nat-t-ike-02\\n",
                PayloadType.NAT_D_DRAFT, PayloadType.NAT_OA_DRAFT, ENCAP_UDP_TUNNEL_DRAFT, ENCAP_UDP_TRANSPORT_DRAFT);

        final VendorIdPayload vendorId;
        final String label;
        final PayloadType natD;
        final PayloadType natOa;
        final int udpTunnel;
        final int udpTransport;

        Version(String vid, String label, PayloadType natD, PayloadType natOa, int udpTunnel, int udpTransport) {
            this.vendorId = new VendorIdPayload(HexFormat.of().parseHex(vid));
            this.label = label;
            this.natD = natD;
            this.natOa = natOa;
            this.udpTunnel = udpTunnel;
            this.udpTransport = udpTransport;
        }

        /** The Encapsulation Mode attribute value of ESP in UDP for a plain mode (tunnel or transport). */
        int udpMode(int plainMode) {
            return plainMode == ENCAP_TRANSPORT ? udpTransport : udpTunnel;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** Where phase 1 found a NAT: both false when the hashes matched (no NAT, or none that matters). */
    record Result(Version version, boolean localBehindNat, boolean peerBehindNat) {
        boolean any() {
            return localBehindNat || peerBehindNat;
        }

        String describe() {
            if (!any()) {
                return "no NAT between us";
            }
            return (localBehindNat && peerBehindNat ? "both sides are" : localBehindNat ? "we are" : "the peer is")
                    + " behind a NAT";
        }
    }

    private NatDiscovery() {
    }

    /** What an initiator offers: every version we speak, RFC 3947 first (RFC 3947 s3.1). */
    static List<VendorIdPayload> vendorIds() {
        return Arrays.stream(Version.values()).map(v -> v.vendorId).toList();
    }

    /** The version the peer's vendor IDs name that we prefer, if any. */
    static Optional<Version> chosen(List<Payload> payloads) {
        List<VendorIdPayload> vids = Payloads.all(payloads, VendorIdPayload.class);
        for (Version v : Version.values()) {
            if (vids.stream().anyMatch(p -> Arrays.equals(p.vendorId(), v.vendorId.vendorId()))) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    /** RFC 3947 s3.2: HASH = HASH(CKY-I | CKY-R | IP | Port), with the negotiated hash, in network byte order. */
    static byte[] hash(HashAlgorithm h, Cookies c, InetSocketAddress endpoint) {
        int port = endpoint.getPort();
        return h.digest(c.initiator(), c.responder(), endpoint.getAddress().getAddress(),
                new byte[] {(byte) (port >>> 8), (byte) port});
    }

    /**
     * The NAT-D payloads of a message from {@code local} to {@code remote}: the destination's hash
     * first, then ours (RFC 3947 s3.2). To force UDP encapsulation ours is a hash of nothing we
     * own, so the peer sees us behind a NAT.
     */
    static List<Payload> payloads(Version v, HashAlgorithm h, Cookies c, InetSocketAddress local,
            InetSocketAddress remote, byte[] forcedLocal) {
        List<Payload> out = new ArrayList<>(2);
        out.add(new NatDiscoveryPayload(v.natD, hash(h, c, remote)));
        out.add(new NatDiscoveryPayload(v.natD, forcedLocal != null ? h.digest(forcedLocal) : hash(h, c, local)));
        return out;
    }

    /**
     * Reads the peer's NAT-D payloads of a message that came from {@code d.remote()} to
     * {@code d.local()}. Empty when it sent none: it does not do NAT-T after all.
     *
     * @throws ExchangeFailure PAYLOAD-MALFORMED for NAT-D of the other version's number, of a length
     *     that is not the negotiated hash's, a lone one, or too many
     */
    static Optional<Result> detect(Version v, HashAlgorithm h, Cookies c, List<Payload> payloads, Datagram d)
            throws ExchangeFailure {
        List<NatDiscoveryPayload> natD = Payloads.all(payloads, NatDiscoveryPayload.class);
        if (natD.isEmpty()) {
            return Optional.empty();
        }
        if (natD.size() < 2 || natD.size() > MAX_NAT_D) {
            throw ExchangeFailure.fatal(NotifyType.PAYLOAD_MALFORMED, natD.size()
                    + " NAT-D payloads; need the destination's and at least one of the sender's (RFC 3947 s3.2)");
        }
        for (NatDiscoveryPayload p : natD) {
            if (!p.type().equals(v.natD)) {
                throw ExchangeFailure.fatal(NotifyType.PAYLOAD_MALFORMED, "NAT-D payload type " + p.type().value()
                        + " in a " + v + " exchange, which uses " + v.natD.value());
            }
            if (p.hash().length != h.outputLength()) {
                throw ExchangeFailure.fatal(NotifyType.PAYLOAD_MALFORMED, "NAT-D hash of " + p.hash().length
                        + " bytes; the negotiated " + h + " gives " + h.outputLength());
            }
        }
        boolean usSeen = MessageDigest.isEqual(natD.get(0).hash(), hash(h, c, d.local()));
        byte[] peer = hash(h, c, d.remote());
        boolean peerSeen = natD.subList(1, natD.size()).stream().anyMatch(p -> MessageDigest.isEqual(p.hash(), peer));
        return Optional.of(new Result(v, !usSeen, !peerSeen));
    }

    /**
     * The peer's original address from the NAT-OA payloads of a Quick Mode message (RFC 3947
     * s5.2): NAT-OAi (the first) is the initiator's, NAT-OAr (the second) the responder's. The
     * drafts send one, the sender's.
     */
    static Optional<InetAddress> peerOriginalAddress(List<Payload> payloads, boolean peerInitiated) {
        List<NatOriginalAddressPayload> oa = Payloads.all(payloads, NatOriginalAddressPayload.class);
        if (oa.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of((peerInitiated || oa.size() == 1 ? oa.get(0) : oa.get(1)).inetAddress());
    }

    /**
     * Our NAT-OA payloads for a Quick Mode message of UDP-encapsulated transport mode (RFC 3947
     * s5.2: "both ends MUST send both"): the original initiator address, then the responder's, as
     * we see them: our own address for our role, the one the peer's datagrams come from for its.
     * The drafts (payload 131) carry one, the sender's own address.
     */
    static List<Payload> originalAddresses(Version v, boolean quickModeInitiator, InetAddress local,
            InetAddress remote) {
        if (v.natOa.equals(PayloadType.NAT_OA)) {
            return List.of(NatOriginalAddressPayload.of(quickModeInitiator ? local : remote),
                    NatOriginalAddressPayload.of(quickModeInitiator ? remote : local));
        }
        NatOriginalAddressPayload ours = NatOriginalAddressPayload.of(local);
        return List.of(new NatOriginalAddressPayload(v.natOa, ours.idType(), ours.address()));
    }

    /** Whether a Quick Mode transform's Encapsulation Mode is what this SA needs: {@code plainMode}, or its UDP form when NAT was found. */
    static boolean acceptsMode(Optional<Version> udp, int mode, int plainMode) {
        if (udp.isEmpty()) {
            return mode == plainMode;
        }
        // Either numbering: the drafts' peers and ours may have settled on different vendor IDs.
        return mode == udp.get().udpMode(plainMode) || mode == (plainMode == ENCAP_TUNNEL ? ENCAP_UDP_TUNNEL
                : ENCAP_UDP_TRANSPORT) || mode == (plainMode == ENCAP_TUNNEL ? ENCAP_UDP_TUNNEL_DRAFT
                : ENCAP_UDP_TRANSPORT_DRAFT);
    }
}
