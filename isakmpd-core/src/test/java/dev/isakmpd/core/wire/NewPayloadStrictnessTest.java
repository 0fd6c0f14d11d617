package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.AttributeMessageType;
import dev.isakmpd.core.registry.CertEncoding;
import dev.isakmpd.core.registry.ConfigAttributes;
import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.registry.IdType;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The payloads added for issue 3 (CERT, CR, SIG, ATTR, NAT-D, NAT-OA in both numberings, FRAGMENT): exact byte
 * layouts, and every check raising WireException with the notify type, field and offset, both in the decoder and
 * (as IllegalArgumentException) in the constructors, so that what can be built can be decoded and vice versa.
 * Offsets: header 0..27, first payload's generic header 28..31, its body from 32.
 */
class NewPayloadStrictnessTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] datagram(PayloadType first, String chainHex) {
        byte[] chain = HEX.parseHex(chainHex.replace(" ", ""));
        byte[] head = IsakmpHeader.create(new byte[8], new byte[8], ExchangeType.TRANSACTION, 0, 0)
                .withNextPayload(first).withLength(IsakmpHeader.LENGTH + chain.length).encode();
        byte[] out = Arrays.copyOf(head, head.length + chain.length);
        System.arraycopy(chain, 0, out, head.length, chain.length);
        return out;
    }

    private static Payload decodeOne(PayloadType first, String chainHex) throws WireException {
        byte[] d = datagram(first, chainHex);
        IsakmpMessage m = IsakmpMessage.decode(d);
        assertArrayEquals(d, m.encode(), "re-encoding");
        assertEquals(1, m.payloads().size());
        return m.payloads().get(0);
    }

    private static void expect(PayloadType first, String chainHex, NotifyType type, String field, int offset) {
        WireException e = assertThrows(WireException.class, () -> IsakmpMessage.decode(datagram(first, chainHex)));
        assertEquals(type, e.notifyType(), e::getMessage);
        assertEquals(field, e.field(), e::getMessage);
        assertEquals(offset, e.offset(), e::getMessage);
    }

    @Test
    void certificate() throws WireException {
        Payload p = decodeOne(PayloadType.CERT, "00000008 04 300102");
        assertEquals(new CertificatePayload(CertEncoding.X509_SIGNATURE, new byte[] {0x30, 1, 2}), p);
        assertEquals(new CertificatePayload(CertEncoding.of(200), new byte[] {1}),
                decodeOne(PayloadType.CERT, "00000006 c8 01")); // unknown encodings are kept
        expect(PayloadType.CERT, "00000005 04", NotifyType.INVALID_CERTIFICATE, "certificate data", 33);
        expect(PayloadType.CERT, "00000004", NotifyType.PAYLOAD_MALFORMED, "certificate encoding", 32);
        assertThrows(IllegalArgumentException.class, () -> new CertificatePayload(CertEncoding.PGP, new byte[0]));
    }

    @Test
    void certificateRequestMayNameNoAuthority() throws WireException {
        assertEquals(new CertificateRequestPayload(CertEncoding.X509_SIGNATURE, new byte[0]),
                decodeOne(PayloadType.CR, "00000005 04"));
        assertEquals(new CertificateRequestPayload(CertEncoding.X509_SIGNATURE, new byte[] {0x30, 0}),
                decodeOne(PayloadType.CR, "00000007 04 3000"));
        expect(PayloadType.CR, "00000004", NotifyType.PAYLOAD_MALFORMED, "certificate encoding", 32);
    }

    @Test
    void signature() throws WireException {
        assertEquals(new SignaturePayload(new byte[] {1, 2, 3}), decodeOne(PayloadType.SIG, "00000007 010203"));
    }

    @Test
    void attributePayload() throws WireException {
        Payload p = decodeOne(PayloadType.ATTR, "00000016 01 00 0007 0001 0000 c088 0000 408c 0002 6869");
        assertEquals(new AttributePayload(AttributeMessageType.CFG_REQUEST, 7,
                DataAttribute.variable(ConfigAttributes.INTERNAL_IP4_ADDRESS, new byte[0]),
                DataAttribute.basic(ConfigAttributes.XAUTH_TYPE, 0),
                DataAttribute.variable(ConfigAttributes.XAUTH_MESSAGE, "hi".getBytes())), p);
        assertEquals(new AttributePayload(AttributeMessageType.CFG_ACK, 0), decodeOne(PayloadType.ATTR,
                "00000008 04 00 0000"));
        assertEquals(AttributeMessageType.of(200), ((AttributePayload) decodeOne(PayloadType.ATTR,
                "00000008 c8 00 0000")).messageType());
        expect(PayloadType.ATTR, "00000008 01 01 0000", NotifyType.PAYLOAD_MALFORMED, "RESERVED", 33);
        // "an attribute half contained within this payload ... MUST be discarded" (mode-cfg-02 s3.2)
        expect(PayloadType.ATTR, "0000000e 01 00 0000 0001 0004 0a00", NotifyType.PAYLOAD_MALFORMED,
                "attribute value", 40);
        expect(PayloadType.ATTR, "00000009 01 00 0000 c0", NotifyType.PAYLOAD_MALFORMED, "attribute type", 36);
        expect(PayloadType.ATTR, "00000006 01 00", NotifyType.PAYLOAD_MALFORMED, "identifier", 34);
    }

    @Test
    void secretAttributesAreRedacted() {
        AttributePayload p = new AttributePayload(AttributeMessageType.CFG_REPLY, 1,
                DataAttribute.variable(ConfigAttributes.XAUTH_USER_NAME, "alice".getBytes()),
                DataAttribute.variable(ConfigAttributes.XAUTH_USER_PASSWORD, "s3cr3t-pw".getBytes()),
                DataAttribute.variable(ConfigAttributes.XAUTH_PASSCODE, "424242".getBytes()));
        String dump = MessageDump.format(IsakmpHeader.create(new byte[8], new byte[8], ExchangeType.TRANSACTION, 0,
                1), List.of(p));
        for (String text : List.of(p.toString(), dump, p.attributes().toString())) {
            assertFalse(text.contains("s3cr3t-pw"), text);
            assertFalse(text.contains(HEX.formatHex("s3cr3t-pw".getBytes())), text);
            assertFalse(text.contains("424242"), text);
            assertFalse(text.contains(HEX.formatHex("424242".getBytes())), text);
        }
        assertTrue(dump.contains("\"alice\""), dump);
        assertTrue(dump.contains("XAUTH-USER-PASSWORD"), dump);
    }

    @Test
    void natDiscoveryBothNumbers() throws WireException {
        assertEquals(new NatDiscoveryPayload(PayloadType.NAT_D, new byte[] {1, 2}),
                decodeOne(PayloadType.NAT_D, "00000006 0102"));
        NatDiscoveryPayload draft = (NatDiscoveryPayload) decodeOne(PayloadType.NAT_D_DRAFT, "00000006 0102");
        assertTrue(draft.isDraft());
        assertEquals(130, draft.type().value());
        expect(PayloadType.NAT_D, "00000004", NotifyType.PAYLOAD_MALFORMED, "NAT-D hash", 32);
        assertThrows(IllegalArgumentException.class, () -> new NatDiscoveryPayload(PayloadType.HASH, new byte[1]));
    }

    @Test
    void natOriginalAddress() throws WireException {
        NatOriginalAddressPayload v4 = (NatOriginalAddressPayload) decodeOne(PayloadType.NAT_OA,
                "0000000c 01 000000 c0000201");
        assertEquals("192.0.2.1", v4.inetAddress().getHostAddress());
        NatOriginalAddressPayload v6 = (NatOriginalAddressPayload) decodeOne(PayloadType.NAT_OA_DRAFT,
                "00000018 05 000000 20010db8000000000000000000000001");
        assertEquals(IdType.IPV6_ADDR, v6.idType());
        assertTrue(v6.isDraft());
        expect(PayloadType.NAT_OA, "0000000c 02 000000 c0000201", NotifyType.INVALID_ID_INFORMATION,
                "NAT-OA ID type", 32);
        expect(PayloadType.NAT_OA, "0000000c 01 000100 c0000201", NotifyType.PAYLOAD_MALFORMED, "RESERVED", 33);
        expect(PayloadType.NAT_OA, "0000000b 01 000000 c00002", NotifyType.INVALID_ID_INFORMATION,
                "NAT-OA address", 36);
        expect(PayloadType.NAT_OA, "00000018 01 000000 20010db8000000000000000000000001",
                NotifyType.INVALID_ID_INFORMATION, "NAT-OA address", 36);
        assertThrows(IllegalArgumentException.class, () -> new NatOriginalAddressPayload(PayloadType.NAT_OA,
                IdType.FQDN, new byte[4]));
    }

    @Test
    void fragment() throws WireException {
        FragmentPayload f = (FragmentPayload) decodeOne(PayloadType.FRAGMENT, "0000000b 0102 03 01 aabbcc");
        assertEquals(0x0102, f.fragmentId());
        assertEquals(3, f.fragmentNumber());
        assertTrue(f.last());
        expect(PayloadType.FRAGMENT, "0000000b 0102 00 01 aabbcc", NotifyType.PAYLOAD_MALFORMED,
                "fragment number", 34);
        expect(PayloadType.FRAGMENT, "0000000b 0102 01 02 aabbcc", NotifyType.PAYLOAD_MALFORMED,
                "fragment flags", 35);
        expect(PayloadType.FRAGMENT, "00000008 0102 01 01", NotifyType.PAYLOAD_MALFORMED, "fragment data", 36);
        // MS-IKEE: a fragment stands alone; both orders are refused, and the encoder refuses to build them
        expect(PayloadType.FRAGMENT, "8400000b 0102 01 00 aabbcc 0000000b 0102 02 01 aabbcc",
                NotifyType.PAYLOAD_MALFORMED, "next payload", 28);
        expect(PayloadType.VID, "84000005 00 0000000b 0102 02 01 aabbcc", NotifyType.PAYLOAD_MALFORMED,
                "next payload", 28);
        assertThrows(IllegalArgumentException.class, () -> PayloadCodec.encode(List.of(
                new FragmentPayload(1, 1, true, new byte[1]), new VendorIdPayload(new byte[1]))));
        assertThrows(IllegalArgumentException.class, () -> new FragmentPayload(1, 256, true, new byte[1]));
    }

    @Test
    void unassignedTypesStillRefusedPrivateOnesKept() throws WireException {
        expect(PayloadType.of(15), "00000004", NotifyType.INVALID_PAYLOAD_TYPE, "next payload", 16);
        expect(PayloadType.of(22), "00000004", NotifyType.INVALID_PAYLOAD_TYPE, "next payload", 16);
        assertEquals(new OpaquePayload(PayloadType.of(133), new byte[] {1}),
                decodeOne(PayloadType.of(133), "00000005 01"));
    }
}
