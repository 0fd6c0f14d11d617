package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.IdType;
import dev.isakmpd.core.registry.IpsecDoi;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.registry.ProtocolId;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed input must raise WireException naming the right notify type, field and offset, and nothing else.
 * Offsets refer to MainModeMessageTest.MM1_HEX: SA at 28, proposal at 40 (# of transforms at 47), transform at 48
 * (attributes from 56), VID at 88.
 */
class StrictnessTest {

    private static byte[] mm1() {
        return MainModeMessageTest.mm1();
    }

    private static byte[] with(byte[] b, int at, int... values) {
        byte[] c = b.clone();
        for (int i = 0; i < values.length; i++) {
            c[at + i] = (byte) values[i];
        }
        return c;
    }

    private static byte[] withU16(byte[] b, int at, int value) {
        return with(b, at, value >>> 8, value & 0xFF);
    }

    private static byte[] withLength(byte[] b, int length) {
        return with(b, 24, length >>> 24, (length >>> 16) & 0xFF, (length >>> 8) & 0xFF, length & 0xFF);
    }

    /** An unencrypted Informational header followed by the given payload chain, with a correct length. */
    private static byte[] datagram(PayloadType first, byte[] chain) {
        byte[] head = IsakmpHeader.create(new byte[8], new byte[8],
                dev.isakmpd.core.registry.ExchangeType.INFORMATIONAL, 0, 0)
                .withNextPayload(first).withLength(IsakmpHeader.LENGTH + chain.length).encode();
        byte[] out = Arrays.copyOf(head, head.length + chain.length);
        System.arraycopy(chain, 0, out, head.length, chain.length);
        return out;
    }

    private static WireException expect(byte[] datagram, NotifyType type, String field, int offset) {
        WireException e = assertThrows(WireException.class, () -> IsakmpMessage.decode(datagram));
        assertEquals(type, e.notifyType(), e::getMessage);
        assertEquals(field, e.field(), e::getMessage);
        assertEquals(offset, e.offset(), e::getMessage);
        assertTrue(e.getMessage().startsWith("offset " + offset + ": " + field + " "), e.getMessage());
        assertTrue(e.getMessage().endsWith("(notify " + type + ")"), e.getMessage());
        return e;
    }

    // --- ISAKMP header (RFC 2408 s3.1, s5.1, s5.2)

    @Test
    void truncatedDatagram() {
        expect(Arrays.copyOf(mm1(), 20), NotifyType.PAYLOAD_MALFORMED, "ISAKMP header", 0);
        expect(new byte[0], NotifyType.PAYLOAD_MALFORMED, "ISAKMP header", 0);
    }

    @Test
    void headerLengthBeyondDatagram() {
        expect(Arrays.copyOf(mm1(), 100), NotifyType.UNEQUAL_PAYLOAD_LENGTHS, "length", 24);
        expect(withLength(mm1(), 200), NotifyType.UNEQUAL_PAYLOAD_LENGTHS, "length", 24);
        expect(withLength(mm1(), -1), NotifyType.UNEQUAL_PAYLOAD_LENGTHS, "length", 24); // 0xffffffff unsigned
    }

    @Test
    void headerLengthShorterThanHeader() {
        expect(withLength(mm1(), 27), NotifyType.PAYLOAD_MALFORMED, "length", 24);
    }

    @Test
    void headerLengthCuttingThroughPayloads() {
        // a 100-byte message whose VID (length 20 at offset 88) overruns it
        expect(withLength(Arrays.copyOf(mm1(), 100), 100), NotifyType.PAYLOAD_MALFORMED, "payload length", 90);
    }

    @Test
    void badVersions() {
        expect(with(mm1(), 17, 0x20), NotifyType.INVALID_MAJOR_VERSION, "major version", 17);
        expect(with(mm1(), 17, 0x00), NotifyType.INVALID_MAJOR_VERSION, "major version", 17);
        expect(with(mm1(), 17, 0x11), NotifyType.INVALID_MINOR_VERSION, "minor version", 17);
    }

    @Test
    void undefinedFlags() {
        expect(with(mm1(), 19, 0x08), NotifyType.INVALID_FLAGS, "flags", 19);
        expect(with(mm1(), 19, 0x80), NotifyType.INVALID_FLAGS, "flags", 19);
    }

    @Test
    void encryptedMessageIsNotDecodedAsPlaintext() throws WireException {
        byte[] encrypted = with(mm1(), 19, IsakmpHeader.FLAG_ENCRYPTION);
        assertTrue(IsakmpHeader.decode(encrypted).encrypted());
        expect(encrypted, NotifyType.INVALID_FLAGS, "flags", 19);
    }

    @Test
    void invalidFirstPayloadType() {
        expect(with(mm1(), 16, 50), NotifyType.INVALID_PAYLOAD_TYPE, "next payload", 16);
        expect(with(mm1(), 16, PayloadType.P.value()), NotifyType.INVALID_PAYLOAD_TYPE, "next payload", 16);
        expect(with(mm1(), 16, PayloadType.T.value()), NotifyType.INVALID_PAYLOAD_TYPE, "next payload", 16);
    }

    @Test
    void datagramLongerThanTheHeaderLengthIsRejected() {
        // RFC 2408 s5.1: any mismatch between header length and message length is rejected
        expect(Arrays.copyOf(mm1(), 108 + 5), NotifyType.UNEQUAL_PAYLOAD_LENGTHS, "length", 24);
    }

    @Test
    void bytesAfterTheChainWithinTheLengthAreReported() throws WireException {
        byte[] padded = withLength(Arrays.copyOf(mm1(), 112), 112); // 4 bytes of padding inside the message
        DecodedPayloads d = PayloadCodec.decode(PayloadType.SA, padded, 28, 84);
        assertEquals(80, d.consumed());
        assertEquals(IsakmpMessage.decode(mm1()).payloads(), IsakmpMessage.decode(padded).payloads());
    }

    // --- generic payload header (s3.2, s5.3)

    @Test
    void payloadLengthBelowFour() {
        expect(withU16(mm1(), 90, 3), NotifyType.PAYLOAD_MALFORMED, "payload length", 90);
        expect(withU16(mm1(), 90, 0), NotifyType.PAYLOAD_MALFORMED, "payload length", 90);
    }

    @Test
    void payloadLengthOverrun() {
        expect(withU16(mm1(), 90, 21), NotifyType.PAYLOAD_MALFORMED, "payload length", 90);
        expect(withU16(mm1(), 30, 0xFFFF), NotifyType.PAYLOAD_MALFORMED, "payload length", 30);
    }

    @Test
    void payloadLengthTooShortForItsContents() {
        // SA length 56 leaves the proposal (48 bytes from offset 40) 4 bytes short
        expect(withU16(mm1(), 30, 56), NotifyType.PAYLOAD_MALFORMED, "proposal length", 42);
    }

    @Test
    void nonZeroReserved() {
        expect(with(mm1(), 29, 5), NotifyType.PAYLOAD_MALFORMED, "RESERVED", 29);  // SA
        expect(with(mm1(), 41, 1), NotifyType.PAYLOAD_MALFORMED, "RESERVED", 41);  // proposal
        expect(with(mm1(), 49, 1), NotifyType.PAYLOAD_MALFORMED, "RESERVED", 49);  // transform
        expect(with(mm1(), 89, 0x80), NotifyType.PAYLOAD_MALFORMED, "RESERVED", 89); // VID
        expect(with(mm1(), 55, 1), NotifyType.PAYLOAD_MALFORMED, "RESERVED2", 54); // transform RESERVED2
    }

    @Test
    void unknownPayloadTypeInChain() {
        expect(with(mm1(), 28, 50), NotifyType.INVALID_PAYLOAD_TYPE, "next payload", 28);
        expect(with(mm1(), 88, 127), NotifyType.INVALID_PAYLOAD_TYPE, "next payload", 88);
        expect(with(mm1(), 28, PayloadType.T.value()), NotifyType.INVALID_PAYLOAD_TYPE, "next payload", 28);
    }

    @Test
    void privateUsePayloadTypesAreKeptOpaque() throws WireException {
        IsakmpMessage m = IsakmpMessage.decode(with(mm1(), 28, 200)); // the VID now reads as private type 200
        assertEquals(new OpaquePayload(PayloadType.of(200), Arrays.copyOfRange(mm1(), 92, 108)), m.payloads().get(1));
    }

    @Test
    void tooManyPayloads() {
        ByteArrayOutputStream chain = new ByteArrayOutputStream();
        for (int i = 0; i <= PayloadCodec.MAX_PAYLOADS; i++) {
            chain.writeBytes(new byte[] {(byte) (i < PayloadCodec.MAX_PAYLOADS ? 13 : 0), 0, 0, 4});
        }
        expect(datagram(PayloadType.VID, chain.toByteArray()), NotifyType.PAYLOAD_MALFORMED, "payload count",
                28 + 4 * PayloadCodec.MAX_PAYLOADS);
        assertThrows(IllegalArgumentException.class, () -> PayloadCodec.encode(
                java.util.Collections.nCopies(PayloadCodec.MAX_PAYLOADS + 1, new VendorIdPayload(new byte[0]))));
    }

    // --- SA, proposal, transform, attributes (s3.3-3.6, s4.2, s5.4-5.6)

    @Test
    void proposalLengthOverrunsSa() {
        WireException e = expect(withU16(mm1(), 42, 300), NotifyType.PAYLOAD_MALFORMED, "proposal length", 42);
        assertEquals("offset 42: proposal length 300 exceeds the 48 bytes left in SA payload "
                + "(notify PAYLOAD-MALFORMED)", e.getMessage());
    }

    @Test
    void transformLengthOverrunsProposal() {
        expect(withU16(mm1(), 50, 41), NotifyType.PAYLOAD_MALFORMED, "transform length", 50);
    }

    @Test
    void transformCountMismatch() {
        expect(with(mm1(), 47, 2), NotifyType.BAD_PROPOSAL_SYNTAX, "# of transforms", 47);
        expect(with(mm1(), 47, 0), NotifyType.BAD_PROPOSAL_SYNTAX, "# of transforms", 47);
    }

    @Test
    void nestedNextPayloadValues() {
        expect(with(mm1(), 40, PayloadType.T.value()), NotifyType.BAD_PROPOSAL_SYNTAX, "next payload", 40);
        expect(with(mm1(), 48, PayloadType.KE.value()), NotifyType.BAD_PROPOSAL_SYNTAX, "next payload", 48);
        // "another proposal/transform follows" but the enclosing payload ends
        expect(with(mm1(), 40, PayloadType.P.value()), NotifyType.PAYLOAD_MALFORMED, "proposal header", 88);
        expect(with(mm1(), 48, PayloadType.T.value()), NotifyType.PAYLOAD_MALFORMED, "transform header", 88);
    }

    @Test
    void bytesAfterLastProposal() {
        byte[] b = Arrays.copyOf(mm1(), 112);
        System.arraycopy(mm1(), 88, b, 92, 20); // move the VID 4 bytes back
        Arrays.fill(b, 88, 92, (byte) 0);
        b = withLength(withU16(b, 30, 64), 112);
        expect(b, NotifyType.PAYLOAD_MALFORMED, "payload length", 88);
    }

    @Test
    void saWithoutProposals() {
        byte[] sa = {0, 0, 0, 12, 0, 0, 0, 1, 0, 0, 0, 1};
        expect(datagram(PayloadType.SA, sa), NotifyType.BAD_PROPOSAL_SYNTAX, "proposals", 40);
    }

    @Test
    void unsupportedDoiAndSituation() {
        expect(with(mm1(), 35, 2), NotifyType.DOI_NOT_SUPPORTED, "DOI", 32);
        expect(with(mm1(), 39, IpsecDoi.SIT_SECRECY), NotifyType.SITUATION_NOT_SUPPORTED, "situation", 36);
        expect(with(mm1(), 39, 0x09), NotifyType.SITUATION_NOT_SUPPORTED, "situation", 36);
    }

    @Test
    void spiSizes() {
        // proposal for ESP with SPI size 0
        expect(with(mm1(), 45, ProtocolId.IPSEC_ESP.value()), NotifyType.INVALID_SPI, "SPI size", 46);
        expect(with(mm1(), 46, 17), NotifyType.INVALID_SPI, "SPI size", 46);
        // an SPI size that fits the rules but not the proposal length
        expect(with(mm1(), 46, 16), NotifyType.PAYLOAD_MALFORMED, "transform length", 66);
    }

    @Test
    void attributeOverrunsTransform() {
        expect(withU16(mm1(), 62, 0x40), NotifyType.PAYLOAD_MALFORMED, "attribute value", 64);
        // the last attribute (offset 84) turned into a TLV of 4 bytes: nothing left in the transform for its value
        expect(with(mm1(), 84, 0x00, 0x03, 0x00, 0x04), NotifyType.PAYLOAD_MALFORMED, "attribute value", 88);
    }

    @Test
    void tooManyAttributes() {
        ByteArrayOutputStream t = new ByteArrayOutputStream();
        int attrs = TransformPayload.MAX_ATTRIBUTES + 1;
        int tLen = 8 + 4 * attrs;
        t.writeBytes(new byte[] {0, 0, (byte) (tLen >>> 8), (byte) tLen, 1, 1, 0, 0});
        for (int i = 0; i < attrs; i++) {
            t.writeBytes(new byte[] {(byte) 0x80, 1, 0, 7});
        }
        int pLen = 8 + tLen;
        int saLen = 12 + pLen;
        ByteArrayOutputStream sa = new ByteArrayOutputStream();
        sa.writeBytes(new byte[] {0, 0, (byte) (saLen >>> 8), (byte) saLen, 0, 0, 0, 1, 0, 0, 0, 1});
        sa.writeBytes(new byte[] {0, 0, (byte) (pLen >>> 8), (byte) pLen, 1, 1, 0, 1});
        sa.writeBytes(t.toByteArray());
        expect(datagram(PayloadType.SA, sa.toByteArray()), NotifyType.PAYLOAD_MALFORMED, "SA attributes",
                28 + 12 + 8 + 8 + 4 * TransformPayload.MAX_ATTRIBUTES);
    }

    // --- other payload bodies

    @Test
    void nonceLengthLimits() {
        byte[] ok = datagram(PayloadType.NONCE, PayloadCodec.encode(List.of(new NoncePayload(new byte[8]))));
        byte[] shortNonce = withLength(withU16(Arrays.copyOf(ok, ok.length - 1), 30, 11), ok.length - 1);
        expect(shortNonce, NotifyType.PAYLOAD_MALFORMED, "nonce length", 32);
        byte[] chain = new byte[4 + 257];
        chain[2] = (byte) (261 >>> 8);
        chain[3] = (byte) 261;
        expect(datagram(PayloadType.NONCE, chain), NotifyType.PAYLOAD_MALFORMED, "nonce length", 32);
        assertThrows(IllegalArgumentException.class, () -> new NoncePayload(new byte[7]));
    }

    @Test
    void deleteSpiCountMustFitExactly() {
        DeletePayload d = new DeletePayload(1, ProtocolId.IPSEC_ESP, 4, List.of(new byte[4], new byte[4]));
        byte[] ok = datagram(PayloadType.D, PayloadCodec.encode(List.of(d)));
        // body: DOI 32..35, protocol 36, SPI size 37, # of SPIs 38..39
        expect(withU16(ok, 38, 3), NotifyType.PAYLOAD_MALFORMED, "# of SPIs", 38);
        expect(withU16(ok, 38, 1), NotifyType.PAYLOAD_MALFORMED, "# of SPIs", 38);
        expect(withU16(ok, 38, 0), NotifyType.PAYLOAD_MALFORMED, "# of SPIs", 38);
        expect(with(ok, 37, 0), NotifyType.INVALID_SPI, "SPI size", 37);
        expect(with(ok, 36, ProtocolId.ISAKMP.value()), NotifyType.INVALID_SPI, "SPI size", 37);
    }

    @Test
    void notificationSpiSize() {
        NotificationPayload n = new NotificationPayload(1, ProtocolId.ISAKMP, new byte[16],
                NotifyType.INITIAL_CONTACT, new byte[0]);
        byte[] ok = datagram(PayloadType.N, PayloadCodec.encode(List.of(n)));
        expect(with(ok, 37, 17), NotifyType.INVALID_SPI, "SPI size", 37);
        // SPI size 16 but the payload (length 20) holds only 8 bytes after the fixed fields
        expect(withLength(withU16(Arrays.copyOf(ok, 48), 30, 20), 48), NotifyType.PAYLOAD_MALFORMED, "SPI", 40);
    }

    @Test
    void identificationDataLength() {
        IdentificationPayload fqdn = new IdentificationPayload(IdType.FQDN, 0, 0, new byte[5]);
        byte[] ok = datagram(PayloadType.ID, PayloadCodec.encode(List.of(fqdn)));
        expect(with(ok, 32, IdType.IPV4_ADDR.value()), NotifyType.INVALID_ID_INFORMATION,
                "identification data", 36);
        expect(with(ok, 32, IdType.IPV6_ADDR_SUBNET.value()), NotifyType.INVALID_ID_INFORMATION,
                "identification data", 36);
        byte[] empty = datagram(PayloadType.ID, new byte[] {0, 0, 0, 8, 2, 0, 0, 0});
        expect(empty, NotifyType.INVALID_ID_INFORMATION, "identification data", 36);
    }

    @Test
    void everyPrefixFailsCleanly() {
        byte[] mm1 = mm1();
        for (int len = 0; len < mm1.length; len++) {
            byte[] cut = Arrays.copyOf(mm1, len);
            if (len >= 28) {
                cut = withLength(cut, len);
            }
            byte[] input = cut;
            assertThrows(WireException.class, () -> IsakmpMessage.decode(input), "prefix of " + len + " bytes");
        }
    }

    @Test
    void constructorsRejectWhatDecodersReject() {
        assertThrows(IllegalArgumentException.class, () -> new SaPayload(2, 1, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new SaPayload(1, 1, List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new ProposalPayload(1, ProtocolId.IPSEC_ESP, new byte[0], new TransformPayload(1, 3)));
        assertThrows(IllegalArgumentException.class,
                () -> new ProposalPayload(1, ProtocolId.ISAKMP, new byte[0], List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new IdentificationPayload(IdType.IPV4_ADDR, 0, 0, new byte[3]));
        assertThrows(IllegalArgumentException.class,
                () -> new DeletePayload(1, ProtocolId.ISAKMP, 4, List.of(new byte[4])));
        assertThrows(IllegalArgumentException.class,
                () -> new DeletePayload(1, ProtocolId.IPSEC_ESP, 4, List.of(new byte[3])));
        assertThrows(IllegalArgumentException.class, () -> new OpaquePayload(PayloadType.KE, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new OpaquePayload(PayloadType.of(50), new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new OpaquePayload(PayloadType.NAT_D, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new OpaquePayload(PayloadType.FRAGMENT, new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> PayloadCodec.encode(
                List.of(new TransformPayload(1, 1))));
        assertFalse(PayloadCodec.isChainType(PayloadType.of(99)));
    }

    @Test
    void headerRoundTripAndWithers() throws WireException {
        byte[] mm1 = mm1();
        IsakmpHeader h = IsakmpHeader.decode(mm1);
        assertArrayEquals(Arrays.copyOf(mm1, 28), h.encode());
        IsakmpHeader changed = h.withFlags(IsakmpHeader.FLAG_ENCRYPTION | IsakmpHeader.FLAG_COMMIT)
                .withMessageId(0xdeadbeef).withResponderCookie(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertTrue(changed.encrypted());
        assertTrue(changed.commit());
        assertFalse(changed.authOnly());
        assertFalse(changed.responderCookieIsZero());
        byte[] encoded = Arrays.copyOf(changed.encode(), 108);
        assertEquals(changed, IsakmpHeader.decode(encoded));
        assertEquals(0xdeadbeef, IsakmpHeader.decode(encoded).messageId());
    }
}
