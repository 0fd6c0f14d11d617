package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.registry.IpsecAttributes.*;
import static dev.isakmpd.core.registry.IpsecDoi.DOI_IPSEC;
import static dev.isakmpd.core.registry.IpsecDoi.SIT_IDENTITY_ONLY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.isakmpd.oakley.IkeCrypto;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Choosing a Quick Mode SA (RFC 2407 s4.4.4, s4.5; RFC 4106 s8; RFC 3686 s5): what is refused and why. */
class Phase2SaTest {
    static final IkeCrypto CRYPTO = IkeCrypto.bouncyCastle(new SecureRandom(), false);
    static final byte[] SPI = {1, 2, 3, 4};

    static TunnelPolicy tunnel(String... esp) {
        return new TunnelPolicy("net", Subnet.parse("10.2.0.0/16"), Subnet.parse("10.1.0.0/16"),
                Arrays.stream(esp).map(e -> ProposalNames.parseEsp(e).proposal()).toList(), Optional.empty(),
                Duration.ofHours(1));
    }

    static SaPayload esp(int transformId, DataAttribute... attributes) {
        List<DataAttribute> attrs = new ArrayList<>(List.of(DataAttribute.basic(ENCAPSULATION_MODE, ENCAP_TUNNEL)));
        attrs.addAll(List.of(attributes));
        return new SaPayload(DOI_IPSEC, SIT_IDENTITY_ONLY, List.of(new ProposalPayload(1, ProtocolId.IPSEC_ESP, SPI,
                new TransformPayload(1, transformId, attrs))));
    }

    /** No NAT between the peers: plain tunnel or transport mode. */
    private static final Optional<NatDiscovery.Version> NO_NAT = Optional.empty();

    /** Refused with NO-PROPOSAL-CHOSEN; returns the reason given for the one transform. */
    static String refusal(SaPayload offer, TunnelPolicy t) {
        List<String> why = new ArrayList<>();
        ExchangeFailure f = assertThrows(ExchangeFailure.class, () -> Phase2Sa.select(CRYPTO, offer, t, false, why, NO_NAT));
        assertEquals(NotifyType.NO_PROPOSAL_CHOSEN, f.notifyType());
        assertEquals(1, why.size(), why.toString());
        return why.get(0);
    }

    @Test
    void gcmIsChosenWithItsKeyLength() throws ExchangeFailure {
        Phase2Sa.Choice c = Phase2Sa.select(CRYPTO, esp(TransformIds.ESP_AES_GCM_16, DataAttribute.basic(KEY_LENGTH,
                256)), tunnel("aes128gcm16", "aes256gcm16"), false, new ArrayList<>(), NO_NAT);
        assertEquals("aes256gcm16", c.proposal().name());
        assertEquals(36, c.proposal().keymatLength(), "32-byte key + 4-byte salt, no integrity key");
    }

    @Test
    void ourGcmOfferHasAKeyLengthAndNoAuthenticationAlgorithm() {
        TransformPayload t = Phase2Sa.offer(tunnel("aes192gcm12"), 0x1234, NO_NAT).proposals().get(0).transforms().get(0);
        assertEquals(TransformIds.ESP_AES_GCM_12, t.transformId());
        assertTrue(t.attributes().stream().anyMatch(a -> a.type() == KEY_LENGTH && Attributes.value(a) == 192));
        assertTrue(t.attributes().stream().noneMatch(a -> a.type() == AUTHENTICATION_ALGORITHM));
    }

    @Test
    void gcmWithAWrongKeyLength() {
        String why = refusal(esp(TransformIds.ESP_AES_GCM_16, DataAttribute.basic(KEY_LENGTH, 160)),
                tunnel("aes128gcm16"));
        assertTrue(why.contains("Key Length 160 is not valid for AES_GCM_16 (128, 192 or 256)"), why);
    }

    @Test
    void gcmAndCtrWithoutTheKeyLengthTheyRequire() {
        assertTrue(refusal(esp(TransformIds.ESP_AES_GCM_8), tunnel("aes128gcm8"))
                .contains("AES_GCM_8 without the Key Length attribute it requires"));
        assertTrue(refusal(esp(TransformIds.ESP_AES_CTR, DataAttribute.basic(AUTHENTICATION_ALGORITHM, AUTH_HMAC_SHA1)),
                tunnel("aes128ctr-sha1")).contains("AES_CTR without the Key Length attribute"));
    }

    @Test
    void gcmWithAnAuthenticationAlgorithm() {
        String why = refusal(esp(TransformIds.ESP_AES_GCM_16, DataAttribute.basic(KEY_LENGTH, 128),
                DataAttribute.basic(AUTHENTICATION_ALGORITHM, AUTH_HMAC_SHA1)), tunnel("aes128gcm16"));
        assertTrue(why.contains("AES_GCM_16 authenticates by itself; an authentication algorithm (sha1) with it"), why);
    }

    @Test
    void unknownAndUnsupportedTransformIdsAreNamed() {
        assertTrue(refusal(esp(99, DataAttribute.basic(KEY_LENGTH, 128)), tunnel("aes128-sha1"))
                .contains("ESP transform UNKNOWN(99) not supported"));
        assertTrue(refusal(esp(TransformIds.ESP_AES_CCM_16, DataAttribute.basic(KEY_LENGTH, 128)), tunnel("aes128-sha1"))
                .contains("ESP transform ESP_AES-CCM_16 not supported"));
    }

    @Test
    void ctrKeymatIsKeyNonceAndHmacKey() throws ExchangeFailure {
        Phase2Sa.Choice c = Phase2Sa.select(CRYPTO, esp(TransformIds.ESP_AES_CTR, DataAttribute.basic(KEY_LENGTH, 128),
                DataAttribute.basic(AUTHENTICATION_ALGORITHM, AUTH_HMAC_SHA2_256)), tunnel("aes128ctr-sha256"), false,
                new ArrayList<>(), NO_NAT);
        assertEquals(16 + 4 + 32, c.proposal().keymatLength());
    }

    @Test
    void espNullIsRefusedUnlessConfigured() {
        assertTrue(refusal(esp(TransformIds.ESP_NULL, DataAttribute.basic(AUTHENTICATION_ALGORITHM, AUTH_HMAC_SHA1)),
                tunnel("aes128-sha1")).contains("null-sha1 matches none of our ESP proposals"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProposalNames.parseEsp("null-sha1"));
        assertTrue(e.getMessage().contains("allow-esp-null = true"), e.getMessage());
    }

    @Test
    void ahIsRefusedByAnEspTunnelNamingWhatWasOffered() {
        // AH (RFC 4302) where the tunnel wants ESP: refused as a protocol, before its attributes
        SaPayload offer = new SaPayload(DOI_IPSEC, SIT_IDENTITY_ONLY, List.of(new ProposalPayload(1,
                ProtocolId.IPSEC_AH, SPI, new TransformPayload(1, TransformIds.AH_SHA2_256,
                        DataAttribute.basic(ENCAPSULATION_MODE, ENCAP_TUNNEL),
                        DataAttribute.basic(AUTHENTICATION_ALGORITHM, AUTH_HMAC_SHA2_256),
                        DataAttribute.basic(KEY_LENGTH, 128)))));
        assertEquals("proposal 1: PROTO_IPSEC_AH [AH_SHA2-256] offered; tunnel net accepts [aes128-sha256]",
                refusal(offer, tunnel("aes128-sha256")));
    }

    @Test
    void ipcompAloneIsRefusedNamingWhatWasOffered() {
        // IPComp (RFC 3173) goes only with ESP or AH. (A CPI that is neither 2 nor 4 bytes never
        // gets here: the decoder answers it with INVALID-SPI, StrictnessTest.)
        SaPayload offer = new SaPayload(DOI_IPSEC, SIT_IDENTITY_ONLY, List.of(new ProposalPayload(1,
                ProtocolId.IPCOMP, new byte[] {0x12, 0x34}, new TransformPayload(1, TransformIds.IPCOMP_DEFLATE,
                        DataAttribute.basic(ENCAPSULATION_MODE, ENCAP_TUNNEL)))));
        assertEquals("proposal 1: PROTO_IPCOMP [IPCOMP_DEFLATE] offered; tunnel net accepts [aes128-sha256]",
                refusal(offer, tunnel("aes128-sha256")));
    }

    @Test
    void anAhEspBundleIsRefusedByAnEspTunnelAsABundle() {
        ProposalPayload ah = new ProposalPayload(1, ProtocolId.IPSEC_AH, SPI, new TransformPayload(1,
                TransformIds.AH_SHA, DataAttribute.basic(ENCAPSULATION_MODE, ENCAP_TUNNEL),
                DataAttribute.basic(AUTHENTICATION_ALGORITHM, AUTH_HMAC_SHA1)));
        ProposalPayload espP = esp(TransformIds.ESP_AES, DataAttribute.basic(KEY_LENGTH, 128),
                DataAttribute.basic(AUTHENTICATION_ALGORITHM, AUTH_HMAC_SHA1)).proposals().get(0);
        List<String> why = new ArrayList<>();
        ExchangeFailure f = assertThrows(ExchangeFailure.class, () -> Phase2Sa.select(CRYPTO,
                new SaPayload(DOI_IPSEC, SIT_IDENTITY_ONLY, List.of(ah, espP)), tunnel("aes128-sha1"), false, why, NO_NAT));
        assertEquals(NotifyType.NO_PROPOSAL_CHOSEN, f.notifyType());
        assertEquals("proposal 1: PROTO_IPSEC_AH [AH_SHA] + PROTO_IPSEC_ESP [ESP_AES] offered; tunnel net accepts "
                + "[aes128-sha1]", why.get(0));
    }
}
