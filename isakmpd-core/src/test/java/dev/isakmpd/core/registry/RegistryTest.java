package dev.isakmpd.core.registry;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegistryTest {

    @Test
    void payloadTypesAreOpen() {
        assertSame(PayloadType.SA, PayloadType.of(1));
        assertEquals("SA", PayloadType.SA.toString());
        assertEquals("KE", PayloadType.of(4).toString());
        assertEquals("NAT-D", PayloadType.of(20).toString());
        PayloadType unknown = PayloadType.of(77);
        assertFalse(unknown.isKnown());
        assertEquals("UNKNOWN(77)", unknown.toString());
        assertEquals(PayloadType.of(77), unknown);
        assertTrue(PayloadType.FRAGMENT.isKnown());
        assertTrue(PayloadType.of(200).isPrivateUse());
        assertEquals("No", PayloadType.NONCE.shortName());
        assertEquals("V", PayloadType.VID.shortName());
        assertThrows(IllegalArgumentException.class, () -> PayloadType.of(256));
        assertThrows(IllegalArgumentException.class, () -> PayloadType.of(-1));
    }

    @Test
    void exchangeTypes() {
        assertSame(ExchangeType.IDENTITY_PROTECTION, ExchangeType.of(2));
        assertEquals("QUICK_MODE", ExchangeType.of(32).toString());
        assertEquals("UNKNOWN(34)", ExchangeType.of(34).toString());
    }

    @Test
    void notifyTypes() {
        assertEquals("PAYLOAD-MALFORMED", NotifyType.of(16).toString());
        assertEquals("UNEQUAL-PAYLOAD-LENGTHS", NotifyType.of(30).toString());
        assertEquals("INITIAL-CONTACT", NotifyType.of(24578).toString());
        assertEquals("R-U-THERE-ACK", NotifyType.of(36137).toString());
        assertTrue(NotifyType.INVALID_FLAGS.isError());
        assertTrue(NotifyType.of(8192).isError());      // private-use error block, RFC 2408 s3.14.1
        assertTrue(NotifyType.of(16383).isError());
        assertFalse(NotifyType.CONNECTED.isError());
        assertTrue(NotifyType.CONNECTED.isStatus());
        assertFalse(NotifyType.R_U_THERE.isError());
        assertFalse(NotifyType.of(0).isError());
        for (int v = 1; v <= 30; v++) {
            assertTrue(NotifyType.of(v).isKnown(), "error type " + v);
        }
    }

    @Test
    void protocolAndIdTypes() {
        assertEquals("PROTO_IPSEC_ESP", ProtocolId.of(3).toString());
        assertEquals("ID_USER_FQDN", IdType.of(3).toString());
        assertEquals(4, IdType.IPV4_ADDR.fixedDataLength());
        assertEquals(32, IdType.IPV6_ADDR_RANGE.fixedDataLength());
        assertEquals(-1, IdType.FQDN.fixedDataLength());
        assertEquals(-1, IdType.of(99).fixedDataLength());
    }

    @Test
    void attributeNames() {
        AttributeSpace ike = AttributeSpace.forProtocol(ProtocolId.ISAKMP);
        assertEquals("Encryption Algorithm", ike.className(IkeAttributes.ENCRYPTION_ALGORITHM));
        assertEquals("AES-CBC", ike.valueName(IkeAttributes.ENCRYPTION_ALGORITHM, 7));
        assertEquals("3DES-CBC", ike.valueName(IkeAttributes.ENCRYPTION_ALGORITHM, 5));
        assertEquals("SHA2-512", ike.valueName(IkeAttributes.HASH_ALGORITHM, 6));
        assertEquals("RSA signatures", ike.valueName(IkeAttributes.AUTHENTICATION_METHOD, 3));
        assertEquals("kilobytes", ike.valueName(IkeAttributes.LIFE_TYPE, 2));
        assertNull(ike.valueName(IkeAttributes.KEY_LENGTH, 256));
        assertNull(ike.valueName(IkeAttributes.ENCRYPTION_ALGORITHM, 99));
        assertEquals("UNKNOWN(17)", ike.className(17));
        assertTrue(IkeAttributes.isVariableClass(IkeAttributes.LIFE_DURATION));
        assertFalse(IkeAttributes.isVariableClass(IkeAttributes.KEY_LENGTH));

        AttributeSpace ipsec = AttributeSpace.forProtocol(ProtocolId.IPSEC_ESP);
        assertEquals("Encapsulation Mode", ipsec.className(IpsecAttributes.ENCAPSULATION_MODE));
        assertEquals("Transport", ipsec.valueName(IpsecAttributes.ENCAPSULATION_MODE, 2));
        assertEquals("HMAC-SHA2-256", ipsec.valueName(IpsecAttributes.AUTHENTICATION_ALGORITHM, 5));
        assertEquals("HMAC-SHA2-512", ipsec.valueName(IpsecAttributes.AUTHENTICATION_ALGORITHM, 7));
        assertEquals("MODP-1024", ipsec.valueName(IpsecAttributes.GROUP_DESCRIPTION, 2));
        assertTrue(IpsecAttributes.isVariableClass(IpsecAttributes.SA_LIFE_DURATION));
    }

    @Test
    void transformIdsAndDoi() {
        assertEquals("KEY_IKE", TransformIds.name(ProtocolId.ISAKMP, TransformIds.KEY_IKE));
        assertEquals("ESP_AES", TransformIds.name(ProtocolId.IPSEC_ESP, 12));
        assertEquals("ESP_3DES", TransformIds.name(ProtocolId.IPSEC_ESP, 3));
        assertEquals("ESP_NULL", TransformIds.name(ProtocolId.IPSEC_ESP, 11));
        assertEquals("AH_SHA", TransformIds.name(ProtocolId.IPSEC_AH, 3));
        assertEquals("UNKNOWN(12)", TransformIds.name(ProtocolId.ISAKMP, 12));
        assertEquals("IPSEC", IpsecDoi.doiName(IpsecDoi.DOI_IPSEC));
        assertEquals("SIT_IDENTITY_ONLY|SIT_SECRECY|0x8", IpsecDoi.situationName(0x0b));
        assertEquals("0", IpsecDoi.situationName(0));
    }
}
