package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.registry.IpsecAttributes;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.wire.NatDiscoveryPayload;
import dev.isakmpd.core.wire.NatOriginalAddressPayload;
import dev.isakmpd.core.wire.Payload;
import dev.isakmpd.core.wire.VendorIdPayload;
import dev.isakmpd.oakley.HashAlgorithm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** NAT-D hashes against independent vectors (scripts/natt-vectors.py), vendor IDs, detection, strict checks. */
class NatDiscoveryTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final Map<String, HashAlgorithm> HASHES = Map.of("md5", HashAlgorithm.MD5, "sha1",
            HashAlgorithm.SHA1, "sha256", HashAlgorithm.SHA2_256, "sha384", HashAlgorithm.SHA2_384, "sha512",
            HashAlgorithm.SHA2_512);
    private static final Cookies COOKIES = new Cookies(HEX.parseHex("0123456789abcdef"),
            HEX.parseHex("fedcba9876543210"));
    private static final InetSocketAddress US = Addresses.parseEndpoint("198.51.100.1", 500);
    private static final InetSocketAddress PEER = Addresses.parseEndpoint("203.0.113.7", 500);

    private static List<String[]> vectors() throws IOException {
        List<String[]> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                NatDiscoveryTest.class.getResourceAsStream("/vectors/nat-t.txt"), StandardCharsets.US_ASCII))) {
            for (String l = r.readLine(); l != null; l = r.readLine()) {
                lines.add(l.trim().split(" "));
            }
        }
        return lines;
    }

    @Test
    void natDHashesMatchTheIndependentVectors() throws IOException {
        int checked = 0;
        for (String[] v : vectors()) {
            if (v[0].equals("vid")) {
                continue;
            }
            Cookies c = new Cookies(HEX.parseHex(v[1]), HEX.parseHex(v[2]));
            InetSocketAddress e = new InetSocketAddress(Addresses.parseLiteral(v[3]), Integer.parseInt(v[4]));
            assertEquals(v[5], HEX.formatHex(NatDiscovery.hash(HASHES.get(v[0]), c, e)), String.join(" ", v));
            checked++;
        }
        assertEquals(40, checked);
    }

    @Test
    void vendorIdsAreTheMd5OfTheirNamesAndSentInPreferenceOrder() throws IOException {
        for (String[] v : vectors()) {
            if (v[0].equals("vid")) {
                assertEquals(v[2], HEX.formatHex(NatDiscovery.Version.valueOf(v[1]).vendorId.vendorId()));
            }
        }
        assertEquals(4, NatDiscovery.vendorIds().size());
        assertEquals(NatDiscovery.Version.RFC3947.vendorId, NatDiscovery.vendorIds().get(0));
    }

    @Test
    void theResponderPrefersRfc3947ThenTheNewestDraft() {
        List<Payload> apple = List.of(NatDiscovery.Version.DRAFT_02_NEWLINE.vendorId,
                NatDiscovery.Version.DRAFT_03.vendorId, NatDiscovery.Version.RFC3947.vendorId);
        assertEquals(Optional.of(NatDiscovery.Version.RFC3947), NatDiscovery.chosen(apple));
        assertEquals(Optional.of(NatDiscovery.Version.DRAFT_02_NEWLINE),
                NatDiscovery.chosen(List.of(NatDiscovery.Version.DRAFT_02_NEWLINE.vendorId)));
        assertEquals(Optional.of(NatDiscovery.Version.DRAFT_03), NatDiscovery.chosen(apple.subList(0, 2)));
        assertEquals(Optional.empty(), NatDiscovery.chosen(List.of(new VendorIdPayload(HEX.parseHex("0102")))));
        assertEquals(PayloadType.NAT_D_DRAFT, NatDiscovery.Version.DRAFT_02.natD);
        assertEquals(IpsecAttributes.ENCAP_UDP_TUNNEL_DRAFT,
                NatDiscovery.Version.DRAFT_03.udpMode(IpsecAttributes.ENCAP_TUNNEL));
        assertEquals(IpsecAttributes.ENCAP_UDP_TRANSPORT,
                NatDiscovery.Version.RFC3947.udpMode(IpsecAttributes.ENCAP_TRANSPORT));
    }

    /** The peer's NAT-D payloads of a message it sent from {@code peerSees} to {@code peerTarget}. */
    private static List<Payload> fromPeer(NatDiscovery.Version v, InetSocketAddress peerTarget,
            InetSocketAddress peerSelf) {
        return NatDiscovery.payloads(v, HashAlgorithm.SHA1, COOKIES, peerSelf, peerTarget, null);
    }

    private static NatDiscovery.Result detect(List<Payload> payloads, InetSocketAddress from)
            throws ExchangeFailure {
        return NatDiscovery.detect(NatDiscovery.Version.RFC3947, HashAlgorithm.SHA1, COOKIES, payloads,
                new Datagram(US, from, new byte[0])).orElseThrow();
    }

    @Test
    void detectionSaysWhichSideIsBehindTheNat() throws ExchangeFailure {
        NatDiscovery.Version v = NatDiscovery.Version.RFC3947;
        NatDiscovery.Result none = detect(fromPeer(v, US, PEER), PEER);
        assertFalse(none.any());
        InetSocketAddress mapped = Addresses.parseEndpoint("203.0.113.7", 40001);
        NatDiscovery.Result peerNatted = detect(fromPeer(v, US, Addresses.parseEndpoint("10.0.0.2", 500)), mapped);
        assertTrue(peerNatted.peerBehindNat());
        assertFalse(peerNatted.localBehindNat());
        NatDiscovery.Result weAre = detect(fromPeer(v, Addresses.parseEndpoint("192.0.2.9", 500), PEER), PEER);
        assertTrue(weAre.localBehindNat());
        assertFalse(weAre.peerBehindNat());
        assertEquals("we are behind a NAT", weAre.describe());
    }

    @Test
    void aForgedOrMisnumberedNatDIsRefusedAsMalformed() {
        byte[] twentyBytes = new byte[20];
        List<Payload> shortHash = List.of(new NatDiscoveryPayload(new byte[16]), new NatDiscoveryPayload(twentyBytes));
        ExchangeFailure f = assertThrows(ExchangeFailure.class, () -> detect(shortHash, PEER));
        assertEquals(NotifyType.PAYLOAD_MALFORMED, f.notifyType());
        assertTrue(f.getMessage().contains("16 bytes"), f.getMessage());
        List<Payload> lone = List.of(new NatDiscoveryPayload(twentyBytes));
        assertThrows(ExchangeFailure.class, () -> detect(lone, PEER));
        List<Payload> draftNumber = List.of(new NatDiscoveryPayload(PayloadType.NAT_D_DRAFT, twentyBytes),
                new NatDiscoveryPayload(PayloadType.NAT_D_DRAFT, twentyBytes));
        assertTrue(assertThrows(ExchangeFailure.class, () -> detect(draftNumber, PEER)).getMessage()
                .contains("type 130"));
        List<Payload> flood = new ArrayList<>();
        for (int i = 0; i <= NatDiscovery.MAX_NAT_D; i++) {
            flood.add(new NatDiscoveryPayload(twentyBytes));
        }
        assertThrows(ExchangeFailure.class, () -> detect(flood, PEER));
    }

    @Test
    void noNatDAfterTheVendorIdMeansNoNatTraversal() throws ExchangeFailure {
        assertEquals(Optional.empty(), NatDiscovery.detect(NatDiscovery.Version.RFC3947, HashAlgorithm.SHA1, COOKIES,
                List.of(), new Datagram(US, PEER, new byte[0])));
    }

    @Test
    void natOaGivesThePeersOriginalAddress() {
        List<Payload> both = List.of(NatOriginalAddressPayload.of(Addresses.parseLiteral("10.0.0.2")),
                NatOriginalAddressPayload.of(Addresses.parseLiteral("198.51.100.1")));
        assertEquals("10.0.0.2", NatDiscovery.peerOriginalAddress(both, true).orElseThrow().getHostAddress());
        assertEquals("198.51.100.1", NatDiscovery.peerOriginalAddress(both, false).orElseThrow().getHostAddress());
        assertEquals(Optional.empty(), NatDiscovery.peerOriginalAddress(List.of(), true));
    }

    @Test
    void encapsulationModesFollowTheNat() {
        Optional<NatDiscovery.Version> none = Optional.empty();
        Optional<NatDiscovery.Version> rfc = Optional.of(NatDiscovery.Version.RFC3947);
        int tunnel = IpsecAttributes.ENCAP_TUNNEL;
        assertTrue(NatDiscovery.acceptsMode(none, tunnel, tunnel));
        assertFalse(NatDiscovery.acceptsMode(none, IpsecAttributes.ENCAP_UDP_TUNNEL, tunnel));
        assertFalse(NatDiscovery.acceptsMode(rfc, tunnel, tunnel), "a NAT between us: plain ESP would not pass");
        assertTrue(NatDiscovery.acceptsMode(rfc, IpsecAttributes.ENCAP_UDP_TUNNEL, tunnel));
        assertTrue(NatDiscovery.acceptsMode(rfc, IpsecAttributes.ENCAP_UDP_TUNNEL_DRAFT, tunnel));
        assertFalse(NatDiscovery.acceptsMode(rfc, IpsecAttributes.ENCAP_UDP_TRANSPORT, tunnel));
    }
}
