package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.IdType;
import dev.isakmpd.core.registry.PayloadType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoundTripTest {

    /** decode(encode(m)) == m and encode(decode(x)) == x, for one payload of each class. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14})
    void eachPayloadClassRoundTrips(int kind) throws WireException {
        RandomMessages gen = new RandomMessages(1000 + kind);
        for (int i = 0; i < 200; i++) {
            Payload p = gen.payload(kind);
            byte[] encoded = PayloadCodec.encode(List.of(p));
            DecodedPayloads d = PayloadCodec.decode(p.type(), encoded, 0, encoded.length);
            assertEquals(List.of(p), d.payloads());
            assertEquals(encoded.length, d.consumed());
            assertArrayEquals(encoded, PayloadCodec.encode(d.payloads()));
            assertEquals(p.hashCode(), d.payloads().get(0).hashCode());
        }
    }

    @Test
    void randomMessagesRoundTrip() throws WireException {
        RandomMessages gen = new RandomMessages(42);
        Set<Class<?>> seen = new HashSet<>();
        for (int i = 0; i < 3000; i++) {
            IsakmpMessage m = gen.message();
            byte[] bytes = m.encode();
            IsakmpMessage back = IsakmpMessage.decode(bytes);
            assertEquals(m.payloads(), back.payloads());
            assertEquals(m.header().withNextPayload(PayloadCodec.firstType(m.payloads())).withLength(bytes.length),
                    back.header());
            assertArrayEquals(bytes, back.encode());
            for (Payload p : back.payloads()) {
                seen.add(p.getClass());
                if (p instanceof SaPayload sa) {
                    seen.add(ProposalPayload.class);
                    seen.add(TransformPayload.class);
                    assertTrue(sa.proposals().stream().allMatch(x -> !x.transforms().isEmpty()));
                }
            }
        }
        assertEquals(Set.of(SaPayload.class, ProposalPayload.class, TransformPayload.class,
                KeyExchangePayload.class, IdentificationPayload.class, HashPayload.class, NoncePayload.class,
                NotificationPayload.class, DeletePayload.class, VendorIdPayload.class, CertificatePayload.class,
                CertificateRequestPayload.class, SignaturePayload.class, AttributePayload.class,
                NatDiscoveryPayload.class, NatOriginalAddressPayload.class, FragmentPayload.class,
                OpaquePayload.class), seen);
    }

    @Test
    void everyOpaqueTypeRoundTrips() throws WireException {
        for (PayloadType type : RandomMessages.OPAQUE_TYPES) {
            OpaquePayload p = new OpaquePayload(type, new byte[] {4, 1, 2, 3});
            byte[] encoded = PayloadCodec.encode(List.of(p, new VendorIdPayload(new byte[] {9})));
            DecodedPayloads d = PayloadCodec.decode(type, encoded, 0, encoded.length);
            assertEquals(List.of(p, new VendorIdPayload(new byte[] {9})), d.payloads());
        }
    }

    @Test
    void encodeChainsNextPayloadFields() {
        byte[] encoded = PayloadCodec.encode(List.of(new HashPayload(new byte[20]),
                new NoncePayload(new byte[16]), new VendorIdPayload(new byte[0])));
        assertEquals(PayloadType.NONCE.value(), encoded[0]);        // HASH -> NONCE
        assertEquals(24, encoded[3]);                               // HASH length
        assertEquals(PayloadType.VID.value(), encoded[24]);        // NONCE -> VID
        assertEquals(PayloadType.NONE.value(), encoded[24 + 20]);  // VID is last
        assertEquals(PayloadType.NONE, PayloadCodec.firstType(List.of()));
    }

    @Test
    void valuesAreDefensivelyCopied() {
        byte[] nonce = new byte[16];
        NoncePayload p = new NoncePayload(nonce);
        nonce[0] = 1;
        assertEquals(0, p.nonce()[0]);
        p.nonce()[0] = 2;
        assertEquals(0, p.nonce()[0]);
        assertNotSame(p.nonce(), p.nonce());
        assertEquals(new NoncePayload(new byte[16]), p);
    }

    @Test
    void identificationHelpers() throws Exception {
        IdentificationPayload v4 = IdentificationPayload.of(InetAddress.getByName("192.0.2.1"));
        assertEquals(IdType.IPV4_ADDR, v4.idType());
        assertArrayEquals(new byte[] {(byte) 192, 0, 2, 1}, v4.data());
        assertEquals(IdType.IPV6_ADDR, IdentificationPayload.of(InetAddress.getByName("2001:db8::1")).idType());
        assertEquals("vpn.example.org", new String(IdentificationPayload.fqdn("vpn.example.org").data(),
                java.nio.charset.StandardCharsets.US_ASCII));
        assertTrue(Arrays.equals("a@b".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                IdentificationPayload.userFqdn("a@b").data()));
    }
}
