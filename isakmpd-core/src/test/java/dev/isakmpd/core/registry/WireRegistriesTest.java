package dev.isakmpd.core.registry;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registries added for issue 3: open enums keep unknown values, every known number has a name. */
class WireRegistriesTest {

    @Test
    void openEnumsKeepUnknownValues() {
        assertSame(CertEncoding.X509_SIGNATURE, CertEncoding.of(4));
        assertEquals("X.509 Certificate - Signature", CertEncoding.X509_SIGNATURE.toString());
        assertFalse(CertEncoding.of(200).isKnown());
        assertEquals(200, CertEncoding.of(200).value());
        assertEquals("UNKNOWN(200)", CertEncoding.of(200).toString());
        assertSame(AttributeMessageType.CFG_ACK, AttributeMessageType.of(4));
        assertEquals("ISAKMP_CFG_REQUEST", AttributeMessageType.CFG_REQUEST.toString());
        assertEquals(AttributeMessageType.of(129), AttributeMessageType.of(129));
        assertThrows(IllegalArgumentException.class, () -> AttributeMessageType.of(256));
        assertThrows(IllegalArgumentException.class, () -> CertEncoding.of(-1));
        // the array fast path and the map agree, for small and large values
        assertSame(PayloadType.FRAGMENT, PayloadType.of(132));
        assertSame(NotifyType.R_U_THERE, NotifyType.of(36136));
        assertFalse(PayloadType.of(133).isKnown());
        assertEquals(133, PayloadType.of(133).value());
    }

    @Test
    void configAttributesNamedAndSecretsFlagged() {
        AttributeSpace s = ConfigAttributes.SPACE;
        assertEquals("INTERNAL_IP4_ADDRESS", s.className(1));
        assertEquals("INTERNAL_IP6_SUBNET", s.className(15));
        assertEquals("XAUTH-TYPE", s.className(16520));
        assertEquals("XAUTH-ANSWER", s.className(16529));
        assertEquals("UNITY_SPLIT_INCLUDE", s.className(28676));
        assertEquals("UNKNOWN(28683)", s.className(28683));
        assertEquals("OK", s.valueName(ConfigAttributes.XAUTH_STATUS, 1));
        assertEquals("RADIUS-CHAP", s.valueName(ConfigAttributes.XAUTH_TYPE, 1));
        for (int secret : new int[] {16522, 16523, 16528, 16529}) {
            assertTrue(s.isSecret(secret), Integer.toString(secret));
        }
        for (int open : new int[] {1, 7, 16520, 16521, 16524, 16527}) {
            assertFalse(s.isSecret(open), Integer.toString(open));
        }
        assertFalse(IkeAttributes.SPACE.isSecret(1));
    }

    @Test
    void vendorIdsMatchByPrefix() {
        HexFormat h = HexFormat.of();
        assertEquals("FRAGMENTATION", VendorIds.name(h.parseHex("4048b7d56ebce88525e7de7f00d6c2d380000000")));
        assertEquals("Dead Peer Detection (RFC 3706)", VendorIds.name(h.parseHex("afcad71368a1f1c96b8696fc77570100")));
        assertEquals("RFC 3947 NAT-T", VendorIds.name(h.parseHex("4a131c81070358455c5728f20e95452f")));
        assertNull(VendorIds.name(h.parseHex("4a131c81")));
        assertNull(VendorIds.name(new byte[0]));
    }

    @Test
    void newTransformAndAlgorithmNames() {
        assertEquals("ESP_AES-CTR", TransformIds.name(ProtocolId.IPSEC_ESP, 13));
        assertEquals("ESP_NULL_AUTH_AES-GMAC", TransformIds.name(ProtocolId.IPSEC_ESP, 23));
        assertEquals("AH_SHA2-256", TransformIds.name(ProtocolId.IPSEC_AH, 5));
        assertEquals("IPCOMP_LZJH", TransformIds.name(ProtocolId.IPCOMP, 4));
        assertEquals("HMAC-SHA2-256", IpsecAttributes.SPACE.valueName(IpsecAttributes.AUTHENTICATION_ALGORITHM, 5));
        assertEquals("AES-XCBC-MAC", IpsecAttributes.SPACE.valueName(IpsecAttributes.AUTHENTICATION_ALGORITHM, 9));
        assertEquals("Camellia-CBC", IkeAttributes.SPACE.valueName(IkeAttributes.ENCRYPTION_ALGORITHM, 8));
    }
}
