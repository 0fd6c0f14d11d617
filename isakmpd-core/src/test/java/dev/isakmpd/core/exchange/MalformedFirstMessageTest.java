package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.registry.IkeAttributes.AUTHENTICATION_METHOD;
import static dev.isakmpd.core.registry.IkeAttributes.AUTH_PRE_SHARED_KEY;
import static dev.isakmpd.core.registry.IkeAttributes.ENCRYPTION_ALGORITHM;
import static dev.isakmpd.core.registry.IkeAttributes.ENC_AES_CBC;
import static dev.isakmpd.core.registry.IkeAttributes.GROUP_DESCRIPTION;
import static dev.isakmpd.core.registry.IkeAttributes.HASH_ALGORITHM;
import static dev.isakmpd.core.registry.IkeAttributes.HASH_SHA2_256;
import static dev.isakmpd.core.registry.IkeAttributes.KEY_LENGTH;
import static dev.isakmpd.core.registry.IkeAttributes.LIFE_DURATION;
import static dev.isakmpd.core.registry.IkeAttributes.LIFE_SECONDS;
import static dev.isakmpd.core.registry.IkeAttributes.LIFE_TYPE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.registry.IpsecDoi;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.registry.ProtocolId;
import dev.isakmpd.core.registry.TransformIds;
import dev.isakmpd.core.wire.DataAttribute;
import dev.isakmpd.core.wire.IsakmpHeader;
import dev.isakmpd.core.wire.OpaquePayload;
import dev.isakmpd.core.wire.Payload;
import dev.isakmpd.core.wire.PayloadCodec;
import dev.isakmpd.core.wire.ProposalPayload;
import dev.isakmpd.core.wire.SaPayload;
import dev.isakmpd.core.wire.TransformPayload;
import dev.isakmpd.core.wire.VendorIdPayload;
import dev.isakmpd.oakley.IkeCrypto;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Malformed MM1s and AM1s (issue 10's list, RFC 2408 s5, RFC 2409 s5 and Appendix A): none gets
 * an answer or leaves state, each is logged with its reason; a valid MM1 still gets its MM2.
 */
class MalformedFirstMessageTest {
    static final InetSocketAddress RESPONDER = Addresses.parseEndpoint(EngineScenarioTest.B, 500);
    static final InetSocketAddress INITIATOR = Addresses.parseEndpoint(EngineScenarioTest.A, 500);
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    static Engine responder() {
        return new Engine(List.of(EngineScenarioTest.policy("a", EngineScenarioTest.B, EngineScenarioTest.A, "secret",
                "aes256-sha256-modp2048", "aes128-sha1", null, "10.2.0.0/16", "10.1.0.0/16", false)),
                IkeCrypto.bouncyCastle(new SecureRandom(), false), new dev.isakmpd.core.kernel.InMemoryKernel(),
                RetransmitPolicy.DEFAULT);
    }

    static List<DataAttribute> goodAttributes() {
        return new ArrayList<>(List.of(DataAttribute.basic(ENCRYPTION_ALGORITHM, ENC_AES_CBC),
                DataAttribute.basic(KEY_LENGTH, 256), DataAttribute.basic(HASH_ALGORITHM, HASH_SHA2_256),
                DataAttribute.basic(AUTHENTICATION_METHOD, AUTH_PRE_SHARED_KEY), DataAttribute.basic(GROUP_DESCRIPTION, 14),
                DataAttribute.basic(LIFE_TYPE, LIFE_SECONDS), DataAttribute.basic(LIFE_DURATION, 28800)));
    }

    static SaPayload sa(List<DataAttribute> attributes) {
        return new SaPayload(IpsecDoi.DOI_IPSEC, IpsecDoi.SIT_IDENTITY_ONLY, List.of(new ProposalPayload(1,
                ProtocolId.ISAKMP, new byte[0], List.of(new TransformPayload(1, TransformIds.KEY_IKE, attributes)))));
    }

    static byte[] message(List<Payload> payloads, int flags, byte[] trailing) {
        byte[] body = PayloadCodec.encode(payloads);
        body = Arrays.copyOf(body, body.length + trailing.length);
        System.arraycopy(trailing, 0, body, body.length - trailing.length, trailing.length);
        IsakmpHeader h = new IsakmpHeader(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, new byte[8],
                PayloadCodec.firstType(payloads), 1, 0, ExchangeType.IDENTITY_PROTECTION, flags, 0,
                IsakmpHeader.LENGTH + body.length);
        return Packet.concat(h.encode(), body);
    }

    static List<Action> feed(Engine e, byte[] datagram) {
        return e.receive(new Datagram(RESPONDER, INITIATOR, datagram), NOW);
    }

    static void assertRefused(byte[] datagram, String reason) {
        Engine e = responder();
        List<Action> actions = feed(e, datagram);
        String log = actions.stream().filter(a -> a instanceof Action.Log).map(a -> ((Action.Log) a).message())
                .reduce("", (x, y) -> x + "\n" + y);
        assertTrue(actions.stream().noneMatch(a -> a instanceof Action.Send), "answered:" + log);
        assertTrue(log.contains(reason), "expected '" + reason + "' in:" + log);
        assertTrue(e.isakmpSas().isEmpty(), "state kept");
    }

    private static final VendorIdPayload VID = Phase1Exchange.DPD_VENDOR_ID;
    private static final Payload PRIVATE_200 = new OpaquePayload(PayloadType.of(200), new byte[4]);

    @Test
    void aValidMm1GetsItsMm2() {
        List<Action> actions = feed(responder(), message(List.of(sa(goodAttributes()), VID), 0, new byte[0]));
        assertEquals(1, actions.stream().filter(a -> a instanceof Action.Send).count());
    }

    @Test
    void bytesAfterTheLastPayload() {
        assertRefused(message(List.of(sa(goodAttributes()), VID), 0, new byte[4]), "4 bytes after its last payload");
    }

    /** libreswan pads IKEv1 messages to 4 octets by default (ikepad=yes): an odd-length VID or ID shows it. */
    @Test
    void upToThreeZeroOctetsThatAlignTheMessageAreTakenAsPadding() {
        List<Payload> odd = List.of(sa(goodAttributes()), new VendorIdPayload(new byte[17]));
        assertEquals(1, message(odd, 0, new byte[0]).length % 4, "the test needs an unaligned message");
        List<Action> actions = feed(responder(), message(odd, 0, new byte[3]));
        assertEquals(1, actions.stream().filter(a -> a instanceof Action.Send).count(), "no MM2 for a padded MM1");
        assertRefused(message(odd, 0, new byte[] {0, 0, 1}), "3 bytes after its last payload");
        assertRefused(message(odd, 0, new byte[7]), "7 bytes after its last payload");
        assertRefused(message(odd, 0, new byte[1]), "1 bytes after its last payload");
    }

    @Test
    void twoSaPayloadsOrTheSaNotFirst() {
        assertRefused(message(List.of(sa(goodAttributes()), sa(goodAttributes())), 0, new byte[0]),
                "MM1 carries 2 or more SA payloads");
        assertRefused(message(List.of(VID, sa(goodAttributes())), 0, new byte[0]), "the SA payload must come first");
    }

    @Test
    void privatePayloadTypeAfterTheSaOrFirst() {
        assertRefused(message(List.of(sa(goodAttributes()), PRIVATE_200), 0, new byte[0]),
                "MM1 cannot carry a PRIV(200) payload");
        assertRefused(message(List.of(PRIVATE_200, sa(goodAttributes())), 0, new byte[0]),
                "the SA payload must come first");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 300})
    void variableLifeDurationOfZeroOrTooManyBytes(int bytes) {
        List<DataAttribute> attrs = goodAttributes();
        attrs.set(6, DataAttribute.variable(LIFE_DURATION, new byte[bytes]));
        assertRefused(message(List.of(sa(attrs)), 0, new byte[0]), "Life Duration of " + bytes + " bytes");
    }

    @Test
    void zeroKeyLength() {
        List<DataAttribute> attrs = goodAttributes();
        attrs.set(1, DataAttribute.basic(KEY_LENGTH, 0));
        assertRefused(message(List.of(sa(attrs)), 0, new byte[0]), "Key Length 0");
    }

    /** strongSwan's charon offers Life Duration 0 when it has no IKE lifetime configured (load-tester's default). */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void zeroLifeDurationIsNoLimitFromThePeerAndGetsItsMm2(boolean basic) {
        List<DataAttribute> attrs = goodAttributes();
        attrs.set(6, basic ? DataAttribute.basic(LIFE_DURATION, 0) : DataAttribute.variable(LIFE_DURATION, new byte[4]));
        List<Action> actions = feed(responder(), message(List.of(sa(attrs), VID), 0, new byte[0]));
        assertEquals(1, actions.stream().filter(a -> a instanceof Action.Send).count(), actions.toString());
    }

    @Test
    void encryptionAlgorithmAsAVariableAttribute() {
        List<DataAttribute> attrs = goodAttributes();
        attrs.set(0, DataAttribute.variable(ENCRYPTION_ALGORITHM, new byte[] {0, ENC_AES_CBC}));
        assertRefused(message(List.of(sa(attrs)), 0, new byte[0]),
                "attribute class 1 must be basic (RFC 2409 Appendix A)");
    }

    @Test
    void authenticationOnlyFlag() {
        assertRefused(message(List.of(sa(goodAttributes())), IsakmpHeader.FLAG_AUTH_ONLY, new byte[0]),
                "with the Authentication Only flag");
    }

    /**
     * Issue 10: an MM1 with 200 proposals (SaPayload.MAX_PROPOSALS is 64) was dropped without a
     * word; it is still not answered, but the log names the limit.
     */
    @Test
    void moreProposalsThanTheLimit() {
        byte[] one = message(List.of(sa(goodAttributes())), 0, new byte[0]);
        int proposalAt = IsakmpHeader.LENGTH + 12; // SA payload header, DOI, situation
        byte[] proposal = Arrays.copyOfRange(one, proposalAt, one.length);
        int count = 200;
        byte[] mm1 = Arrays.copyOf(one, proposalAt + count * proposal.length);
        for (int i = 0; i < count; i++) {
            int at = proposalAt + i * proposal.length;
            System.arraycopy(proposal, 0, mm1, at, proposal.length);
            mm1[at] = (byte) (i + 1 < count ? PayloadType.P.value() : 0);
            mm1[at + 4] = (byte) (i + 1); // proposal number
        }
        int saLength = mm1.length - IsakmpHeader.LENGTH;
        mm1[IsakmpHeader.LENGTH + 2] = (byte) (saLength >>> 8);
        mm1[IsakmpHeader.LENGTH + 3] = (byte) saLength;
        mm1[26] = (byte) (mm1.length >>> 8);
        mm1[27] = (byte) mm1.length;
        assertRefused(mm1, "exceed the limit of " + dev.isakmpd.core.wire.SaPayload.MAX_PROPOSALS);
    }

    /**
     * The shapes issue 10 left to a decision (docs/architecture.md, "A first message"): a Commit
     * flag, an 8-byte Life Duration and a vendor ID as large as a payload can be are answered.
     */
    @Test
    void theDebatableShapesAreAnswered() {
        List<DataAttribute> eightBytes = goodAttributes();
        eightBytes.set(6, DataAttribute.variable(LIFE_DURATION, new byte[] {0, 0, 0, 0, 0, 0, 0x70, (byte) 0x80}));
        VendorIdPayload largest = new VendorIdPayload(new byte[0xFFFF - 4]);
        for (byte[] mm1 : List.of(message(List.of(sa(goodAttributes()), VID), IsakmpHeader.FLAG_COMMIT, new byte[0]),
                message(List.of(sa(eightBytes), VID), 0, new byte[0]),
                message(List.of(sa(goodAttributes()), largest, VID), 0, new byte[0]))) {
            List<Action> actions = feed(responder(), mm1);
            assertEquals(1, actions.stream().filter(a -> a instanceof Action.Send).count(), actions::toString);
        }
    }

    /**
     * Random mutations of a valid MM1 never draw an MM2 unless the mutant still is a valid MM1:
     * it decodes to exactly its bytes, and passes the shape and syntax checks.
     */
    @Test
    void mutationsOfAValidMm1AreAnsweredOnlyWhenStillValid() {
        byte[] valid = message(List.of(sa(goodAttributes()), VID), 0, new byte[0]);
        Random random = new Random(2026);
        int answered = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] m = valid.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                int at = IsakmpHeader.LENGTH - 12 + random.nextInt(m.length - IsakmpHeader.LENGTH + 12);
                m[at] = (byte) random.nextInt(256);
            }
            boolean mm2 = feed(responder(), m).stream().anyMatch(a -> a instanceof Action.Send);
            if (mm2) {
                answered++;
                assertTrue(stillValid(m), () -> "answered an invalid MM1: " + java.util.HexFormat.of().formatHex(m));
            }
        }
        assertTrue(answered > 0, "some mutants (e.g. of the vendor ID) stay valid and are answered");
    }

    private static boolean stillValid(byte[] m) {
        try {
            IsakmpHeader h = IsakmpHeader.decode(m);
            Packet p = Packet.decode(h, Packet.body(h, m));
            MainMode.MM1.check(p.payloads());
            Phase1Sa.checkSyntax((SaPayload) p.payloads().get(0));
            return p.chainEnd() == p.plaintext().length && (h.flags() & IsakmpHeader.FLAG_AUTH_ONLY) == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
