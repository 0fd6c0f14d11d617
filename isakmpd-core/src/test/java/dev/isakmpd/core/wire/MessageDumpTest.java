package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.registry.IdType;
import dev.isakmpd.core.registry.IpsecAttributes;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.registry.ProtocolId;
import dev.isakmpd.core.registry.TransformIds;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MessageDumpTest {

    @Test
    void dumpsMainModeMessageOne() throws WireException {
        String dump = MessageDump.format(IsakmpMessage.decode(MainModeMessageTest.mm1()));
        for (String expected : List.of(
                "ISAKMP Identity Protection (Main Mode) [ SA V ]",
                "Initiator cookie: 0102030405060708",
                "Responder cookie: 0000000000000000",
                "Exchange type: IDENTITY_PROTECTION (2)",
                "Flags: 0x00",
                "Message ID: 0x00000000",
                "Length: 108",
                "DOI: IPSEC (1)",
                "Situation: SIT_IDENTITY_ONLY (0x00000001)",
                "Proposal #1: PROTO_ISAKMP (1), SPI size 0, 1 transform(s)",
                "Transform #1: KEY_IKE (1)",
                "Life Type = seconds (1)",
                "Life Duration = 28800 [TLV 4 bytes]",
                "Encryption Algorithm = AES-CBC (7)",
                "Key Length = 256",
                "Hash Algorithm = SHA2-256 (4)",
                "Group Description = MODP-2048 (14)",
                "Authentication Method = pre-shared key (1)",
                "Vendor ID (16 bytes): afcad71368a1f1c96b8696fc77570100")) {
            assertTrue(dump.contains(expected), () -> "missing \"" + expected + "\" in\n" + dump);
        }
    }

    @Test
    void dumpsPhaseTwoNames() {
        TransformPayload t = new TransformPayload(1, TransformIds.ESP_AES,
                DataAttribute.basic(IpsecAttributes.ENCAPSULATION_MODE, IpsecAttributes.ENCAP_TUNNEL),
                DataAttribute.basic(IpsecAttributes.AUTHENTICATION_ALGORITHM, IpsecAttributes.AUTH_HMAC_SHA2_256),
                DataAttribute.basic(IpsecAttributes.KEY_LENGTH, 128));
        SaPayload sa = new SaPayload(1, 1, new ProposalPayload(1, ProtocolId.IPSEC_ESP, new byte[] {1, 2, 3, 4}, t));
        IsakmpHeader h = IsakmpHeader.create(new byte[8], new byte[8], ExchangeType.QUICK_MODE,
                IsakmpHeader.FLAG_ENCRYPTION, 0x01020304);
        String dump = MessageDump.format(h, List.of(new HashPayload(new byte[20]), sa,
                new IdentificationPayload(IdType.IPV4_ADDR_SUBNET, 0, 0, new byte[] {10, 0, 0, 0, -1, -1, -1, 0}),
                new NotificationPayload(1, ProtocolId.ISAKMP, new byte[0], NotifyType.INITIAL_CONTACT, new byte[0])));
        for (String expected : List.of(
                "ISAKMP Quick Mode [ HASH SA ID N(INITIAL-CONTACT) ]",
                "Flags: 0x01 encryption",
                "Message ID: 0x01020304",
                "Proposal #1: PROTO_IPSEC_ESP (3), SPI size 4, 1 transform(s)",
                "SPI: 01020304",
                "Transform #1: ESP_AES (12)",
                "Encapsulation Mode = Tunnel (1)",
                "Authentication Algorithm = HMAC-SHA2-256 (5)",
                "Key Length = 128",
                "Identification data: 10.0.0.0/255.255.255.0",
                "Notify message type: INITIAL-CONTACT (24578)")) {
            assertTrue(dump.contains(expected), () -> "missing \"" + expected + "\" in\n" + dump);
        }
    }

    @Test
    void peerTextCannotForgeLogLines() {
        IdentificationPayload id = new IdentificationPayload(IdType.FQDN, 0, 0,
                "evil\nFAKE LINE".getBytes(StandardCharsets.US_ASCII));
        String dump = MessageDump.format(IsakmpHeader.create(new byte[8], new byte[8], ExchangeType.AGGRESSIVE, 0, 0),
                List.of(id));
        assertTrue(dump.contains("\"evil\\x0aFAKE LINE\""), dump);
        assertFalse(dump.contains("\nFAKE"), dump);
    }

    @Test
    void summaries() {
        assertEquals("[ ]", MessageDump.summary(List.of()));
        assertEquals("[ KE No NAT-D NAT-D PRIV(200) ]", MessageDump.summary(List.of(
                new KeyExchangePayload(new byte[4]), new NoncePayload(new byte[8]),
                new NatDiscoveryPayload(PayloadType.NAT_D, new byte[20]), new NatDiscoveryPayload(
                        PayloadType.NAT_D_DRAFT, new byte[20]), new OpaquePayload(PayloadType.of(200), new byte[0]))));
    }

    /** Every catalog message dumps without a failure, with the fields a dissector would show. */
    @Test
    void catalogMessagesDumpInformatively() {
        java.util.Map<String, IsakmpMessage> all = new MessageCatalog().messages();
        StringBuilder everything = new StringBuilder();
        for (java.util.Map.Entry<String, IsakmpMessage> e : all.entrySet()) {
            String dump = MessageDump.format(e.getValue());
            assertFalse(dump.contains("(dump failed"), e.getKey() + ":\n" + dump);
            everything.append(dump);
        }
        String text = everything.toString();
        for (String expected : List.of(
                "Identification data: C=CH, O=isakmpd-java test, CN=gw",       // ID_DER_ASN1_DN (MM6)
                "Certificate authority: C=CH, O=isakmpd-java test, CN=Test CA", // CR
                "Identification data: 10.4.0.1 - 10.4.0.200",                   // IPv4 range
                "Identification data: 2001:db8:1::/ffff:ffff:ffff:ffff::",
                "Identification data: 2001:db8::100 - 2001:db8::1ff",
                "Identification data: \"key-id-0042\"",
                "Sequence number: 4660",                                        // R-U-THERE 0x1234
                "SA Life Duration = 1800",                                      // RESPONDER-LIFETIME data
                "NAT original address: 192.168.1.10",
                "NAT original address: 2001:db8::10",
                "Fragment ID: 1, number: 3, flags: 0x01 last fragment",
                "INTERNAL_IP4_SUBNET (13, TLV 8 bytes) = 10.1.0.0/255.255.0.0",
                "APPLICATION_VERSION (7, TLV 16 bytes) = \"isakmpd-java 0.1\"",
                "XAUTH-STATUS (16527, TV) = OK (1)",
                "XAUTH-USER-PASSWORD (16522, TLV 17 bytes) = <redacted>",
                "Vendor: RFC 3947 NAT-T",
                "Type: ISAKMP_CFG_ACK (4)")) {
            assertTrue(text.contains(expected), "missing: " + expected);
        }
        assertFalse(text.contains("not-a-real-secret"));
        assertFalse(text.contains(java.util.HexFormat.of().formatHex("not-a-real-secret".getBytes())));
    }

    @Test
    void addressesInCanonicalForm() throws Exception {
        java.util.function.Function<String, String> f = text -> {
            try {
                return MessageDump.address(java.net.InetAddress.getByName(text).getAddress());
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError(e);
            }
        };
        assertEquals("::", f.apply("0:0:0:0:0:0:0:0"));
        assertEquals("::1", f.apply("0:0:0:0:0:0:0:1"));
        assertEquals("2001:db8::1", f.apply("2001:db8:0:0:0:0:0:1"));
        assertEquals("2001:db8:0:1:1:1:1:1", f.apply("2001:db8:0:1:1:1:1:1")); // one zero group stays (RFC 5952 4.2.2)
        assertEquals("2001:0:0:1::1", f.apply("2001:0:0:1:0:0:0:1"));          // the longest run is shortened
        assertEquals("2001:db8::1:0:0:1", f.apply("2001:db8:0:0:1:0:0:1"));    // the first of equal runs
        assertEquals("fe80::", f.apply("fe80:0:0:0:0:0:0:0"));
        assertEquals("192.0.2.1", f.apply("192.0.2.1"));
        assertEquals("0x010203", MessageDump.address(new byte[] {1, 2, 3}));
    }
}
