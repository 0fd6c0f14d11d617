package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.registry.IpsecAttributes.*;
import static dev.isakmpd.core.registry.IpsecDoi.DOI_IPSEC;
import static dev.isakmpd.core.registry.IpsecDoi.SIT_IDENTITY_ONLY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.EspCipher;
import dev.isakmpd.core.policy.EspIntegrity;
import dev.isakmpd.core.policy.IpsecMode;
import dev.isakmpd.core.policy.ProposalNames;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.ProtocolId;
import dev.isakmpd.core.registry.TransformIds;
import dev.isakmpd.core.wire.DataAttribute;
import dev.isakmpd.core.wire.ProposalPayload;
import dev.isakmpd.core.wire.SaPayload;
import dev.isakmpd.core.wire.TransformPayload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * AH (RFC 4302; RFC 2407 s4.4.3), AH+ESP bundles and IPComp (RFC 3173; RFC 2407 s4.4.5) in Quick
 * Mode's SA payload: what we offer, what we choose, and what we refuse, saying why.
 */
class Phase2BundleTest {
    private static final Optional<NatDiscovery.Version> NO_NAT = Optional.empty();
    private static final byte[] SPI = {1, 2, 3, 4};

    static TunnelPolicy tunnel(List<String> esp, List<String> ah, boolean compress) {
        return new TunnelPolicy("net", Subnet.parse("10.2.0.0/16"), Subnet.parse("10.1.0.0/16"),
                esp.stream().map(e -> ProposalNames.parseEsp(e).proposal()).toList(), Optional.empty(),
                Duration.ofHours(1), IpsecMode.TUNNEL, 0,
                ah.stream().map(a -> ProposalNames.parseAh(a, false).integrity()).toList(), compress);
    }

    private static List<DataAttribute> attrs(DataAttribute... extra) {
        List<DataAttribute> a = new ArrayList<>(List.of(DataAttribute.basic(ENCAPSULATION_MODE, ENCAP_TUNNEL)));
        a.addAll(List.of(extra));
        return a;
    }

    private static ProposalPayload ah(int transformId, DataAttribute... extra) {
        return new ProposalPayload(1, ProtocolId.IPSEC_AH, SPI, new TransformPayload(1, transformId, attrs(extra)));
    }

    private static ProposalPayload esp(int transformId, DataAttribute... extra) {
        return new ProposalPayload(1, ProtocolId.IPSEC_ESP, SPI, new TransformPayload(1, transformId, attrs(extra)));
    }

    private static ProposalPayload ipcomp(byte[] cpi, int transformId) {
        return new ProposalPayload(1, ProtocolId.IPCOMP, cpi, new TransformPayload(1, transformId, attrs()));
    }

    private static final ProposalPayload AES128_SHA256 = esp(TransformIds.ESP_AES,
            DataAttribute.basic(KEY_LENGTH, 128), DataAttribute.basic(AUTHENTICATION_ALGORITHM, 5));

    private static SaPayload sa(ProposalPayload... ps) {
        return new SaPayload(DOI_IPSEC, SIT_IDENTITY_ONLY, List.of(ps));
    }

    /** Refused with NO-PROPOSAL-CHOSEN: the reasons given. */
    private static String refusal(SaPayload offer, TunnelPolicy t) {
        List<String> why = new ArrayList<>();
        ExchangeFailure f = assertThrows(ExchangeFailure.class,
                () -> Phase2Sa.select(Phase2SaTest.CRYPTO, offer, t, false, why, NO_NAT));
        assertEquals(NotifyType.NO_PROPOSAL_CHOSEN, f.notifyType());
        return String.join("; ", why);
    }

    private static Phase2Sa.Choice chosen(SaPayload offer, TunnelPolicy t) throws ExchangeFailure {
        return Phase2Sa.select(Phase2SaTest.CRYPTO, offer, t, false, new ArrayList<>(), NO_NAT);
    }

    @Test
    void theOfferIsOneProposalNumberPerBundleInTheOrderAhEspIpcomp() {
        TunnelPolicy t = tunnel(List.of("aes128-sha256"), List.of("sha256", "sha1"), true);
        SaPayload offer = Phase2Sa.offer(t, new Phase2Sa.Spis(0x1000, 0x2000, 0x4321), NO_NAT);
        assertEquals(List.of(ProtocolId.IPSEC_AH, ProtocolId.IPSEC_ESP, ProtocolId.IPCOMP),
                offer.proposals().stream().map(ProposalPayload::protocolId).toList());
        assertTrue(offer.proposals().stream().allMatch(p -> p.proposalNumber() == 1));
        ProposalPayload ah = offer.proposals().get(0);
        assertArrayEquals(new byte[] {0, 0, 0x20, 0}, ah.spi());
        assertEquals(List.of(TransformIds.AH_SHA2_256, TransformIds.AH_SHA),
                ah.transforms().stream().map(TransformPayload::transformId).toList());
        // RFC 2407 s4.5: AH's transform carries the Authentication Algorithm attribute too
        assertTrue(ah.transforms().get(1).attributes().contains(DataAttribute.basic(AUTHENTICATION_ALGORITHM, 2)));
        ProposalPayload ipcomp = offer.proposals().get(2);
        assertArrayEquals(new byte[] {0x43, 0x21}, ipcomp.spi(), "the CPI in a 2-byte SPI (RFC 2407 s4.4.1.4)");
        assertEquals(TransformIds.IPCOMP_DEFLATE, ipcomp.transforms().get(0).transformId());
    }

    @Test
    void aBundleOfferedByUsIsChosenRepliedAndAcceptedWhole() throws ExchangeFailure {
        TunnelPolicy t = tunnel(List.of("aes128-sha256"), List.of("sha256"), true);
        SaPayload offer = Phase2Sa.offer(t, new Phase2Sa.Spis(0x1000, 0x2000, 0x4321), NO_NAT);
        Phase2Sa.Choice c = chosen(offer, t);
        assertEquals("ah-sha256+aes128-sha256+deflate", c.describe());
        assertEquals(ProtocolId.IPSEC_ESP, c.protocol());
        assertEquals(0x1000, c.peerSpi());
        assertEquals(0x2000, c.part(ProtocolId.IPSEC_AH).orElseThrow().peerSpi());
        assertEquals(0x4321, c.part(ProtocolId.IPCOMP).orElseThrow().peerSpi());
        SaPayload reply = Phase2Sa.reply(offer, c, new Phase2Sa.Spis(0x5000, 0x6000, 0x0777));
        assertEquals(3, reply.proposals().size());
        Phase2Sa.Choice accepted = Phase2Sa.accept(Phase2SaTest.CRYPTO, reply, t, false, NO_NAT);
        assertEquals("ah-sha256+aes128-sha256+deflate", accepted.describe());
        assertEquals(0x5000, accepted.peerSpi());
        assertEquals(0x6000, accepted.part(ProtocolId.IPSEC_AH).orElseThrow().peerSpi());
        assertEquals(0x0777, accepted.part(ProtocolId.IPCOMP).orElseThrow().peerSpi());
    }

    @Test
    void strongSwansReplyWithAFallbackUnderTheNextNumberIsReadAsItsFirstChoice() throws ExchangeFailure {
        // strongSwan 5.9 answers ESP+IPComp with proposal 1 (ESP, IPComp) and proposal 2 (ESP alone)
        TunnelPolicy t = tunnel(List.of("aes128-sha256"), List.of(), true);
        ProposalPayload fallback = new ProposalPayload(2, ProtocolId.IPSEC_ESP, SPI, AES128_SHA256.transforms());
        Phase2Sa.Choice c = Phase2Sa.accept(Phase2SaTest.CRYPTO, sa(AES128_SHA256, ipcomp(new byte[] {0x6d, (byte) 0xcf},
                TransformIds.IPCOMP_DEFLATE), fallback), t, false, NO_NAT);
        assertEquals("aes128-sha256+deflate", c.describe());
        assertEquals(0x6dcf, c.part(ProtocolId.IPCOMP).orElseThrow().peerSpi());
    }

    @Test
    void ahAloneIsTheMainProtocolWithItsHmacKeyOnly() throws ExchangeFailure {
        TunnelPolicy t = tunnel(List.of(), List.of("sha512", "md5"), false);
        SaPayload offer = Phase2Sa.offer(t, new Phase2Sa.Spis(0x1000, 0, 0), NO_NAT);
        assertEquals(1, offer.proposals().size());
        Phase2Sa.Choice c = chosen(sa(ah(TransformIds.AH_MD5, DataAttribute.basic(AUTHENTICATION_ALGORITHM, 1))), t);
        assertEquals(ProtocolId.IPSEC_AH, c.protocol());
        assertEquals(EspIntegrity.HMAC_MD5, c.proposal().integrity());
        assertEquals(EspCipher.NULL, c.proposal().cipher());
        assertEquals(16, c.proposal().keymatLength(), "KEYMAT is the HMAC key alone");
        assertEquals("ah-md5", c.describe());
    }

    @Test
    void ahWithAnEncryptionAttributeIsRefused() {
        String why = refusal(sa(ah(TransformIds.AH_SHA2_256, DataAttribute.basic(AUTHENTICATION_ALGORITHM, 5),
                DataAttribute.basic(KEY_LENGTH, 128))), tunnel(List.of(), List.of("sha256"), false));
        assertEquals("proposal 1 AH transform 1: AH_SHA2-256 with an encryption attribute (Key Length 128); "
                + "AH takes none", why);
    }

    @Test
    void ahWithoutItsAuthenticationAlgorithmOrWithAnotherIsRefused() {
        TunnelPolicy t = tunnel(List.of(), List.of("sha256"), false);
        assertTrue(refusal(sa(ah(TransformIds.AH_SHA2_256)), t).endsWith("AH_SHA2-256 without the Authentication "
                + "Algorithm attribute it requires (RFC 2407 s4.5)"));
        assertTrue(refusal(sa(ah(TransformIds.AH_SHA2_256, DataAttribute.basic(AUTHENTICATION_ALGORITHM, 2))), t)
                .endsWith("AH_SHA2-256 with authentication algorithm sha1; it needs sha256"));
    }

    @Test
    void unknownTransformIdsAreRefusedNamingWhatWeAccept() {
        assertEquals("proposal 1 AH transform 1: AH transform AH_DES not supported; we accept [AH_SHA2-256]",
                refusal(sa(ah(TransformIds.AH_DES)), tunnel(List.of(), List.of("sha256"), false)));
        assertEquals("proposal 1 transform 1: ESP transform ESP_BLOWFISH not supported; we accept [ESP_AES]",
                refusal(sa(esp(TransformIds.ESP_BLOWFISH)), tunnel(List.of("aes128-sha256"), List.of(), false)));
        assertEquals("proposal 1 AH transform 1: AH transform UNKNOWN(200) not supported; we accept [AH_SHA2-256]",
                refusal(sa(ah(200)), tunnel(List.of(), List.of("sha256"), false)));
    }

    @Test
    void ipcompWithAReservedCpiOrAnotherAlgorithmIsRefused() {
        TunnelPolicy t = tunnel(List.of("aes128-sha256"), List.of(), true);
        assertEquals("proposal 1 IPComp: CPI 255 is reserved (RFC 3173 s4.1: a negotiated CPI is 256 or more)",
                refusal(sa(AES128_SHA256, ipcomp(new byte[] {0, (byte) 0xff}, TransformIds.IPCOMP_DEFLATE)), t));
        assertEquals("proposal 1 IPComp: CPI must be 2 bytes (or 4 with the upper two zero), got 4 bytes 00010400",
                refusal(sa(AES128_SHA256, ipcomp(new byte[] {0, 1, 4, 0}, TransformIds.IPCOMP_DEFLATE)), t));
        assertEquals("proposal 1 IPComp transform 1: IPCOMP_LZS not supported; we accept IPCOMP_DEFLATE",
                refusal(sa(AES128_SHA256, ipcomp(new byte[] {4, 0}, TransformIds.IPCOMP_LZS)), t));
    }

    @Test
    void aCpiInTheLowHalfOfAFourByteSpiIsAccepted() throws ExchangeFailure {
        Phase2Sa.Choice c = chosen(sa(AES128_SHA256, ipcomp(new byte[] {0, 0, 4, 1}, TransformIds.IPCOMP_DEFLATE)),
                tunnel(List.of("aes128-sha256"), List.of(), true));
        assertEquals(0x0401, c.part(ProtocolId.IPCOMP).orElseThrow().peerSpi());
    }

    @Test
    void compressionIsOptionalForAPeerButNotOfferedToATunnelWithoutIt() throws ExchangeFailure {
        assertEquals("aes128-sha256", chosen(sa(AES128_SHA256), tunnel(List.of("aes128-sha256"), List.of(), true))
                .describe());
        assertEquals("proposal 1: IPComp offered; tunnel net does not compress (compress = false)",
                refusal(sa(AES128_SHA256, ipcomp(new byte[] {4, 0}, TransformIds.IPCOMP_DEFLATE)),
                        tunnel(List.of("aes128-sha256"), List.of(), false)));
    }

    @Test
    void ahIsRefusedWhenANatIsBetweenUs() {
        List<String> why = new ArrayList<>();
        assertThrows(ExchangeFailure.class, () -> Phase2Sa.select(Phase2SaTest.CRYPTO,
                sa(ah(TransformIds.AH_SHA2_256, DataAttribute.basic(AUTHENTICATION_ALGORITHM, 5))),
                tunnel(List.of(), List.of("sha256"), false), false, why, Optional.of(NatDiscovery.Version.RFC3947)));
        assertEquals(List.of("proposal 1: AH offered, but a NAT is between us and AH cannot cross it (RFC 3948 s1)"),
                why);
    }

    @Test
    void aBundleThatIsNotTheTunnelsIsRefusedSayingWhatItAccepts() {
        assertEquals("proposal 1: PROTO_IPSEC_ESP [ESP_AES] offered; tunnel net accepts ah [sha256] + esp "
                + "[aes128-sha256]", refusal(sa(AES128_SHA256), tunnel(List.of("aes128-sha256"), List.of("sha256"),
                false)));
        assertEquals("proposal 1: PROTO_IPSEC_AH [AH_SHA2-256] + PROTO_IPSEC_ESP [ESP_AES] offered; tunnel net "
                + "accepts [aes128-sha256]", refusal(sa(ah(TransformIds.AH_SHA2_256,
                DataAttribute.basic(AUTHENTICATION_ALGORITHM, 5)), AES128_SHA256),
                tunnel(List.of("aes128-sha256"), List.of(), false)));
    }
}
