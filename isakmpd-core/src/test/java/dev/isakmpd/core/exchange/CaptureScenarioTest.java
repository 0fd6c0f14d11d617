package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.wire.IsakmpHeader;
import dev.isakmpd.core.wire.IsakmpMessage;
import dev.isakmpd.core.wire.KeyExchangePayload;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The engine's side of a decrypted capture (issue 13 item 6): the plaintext of every encrypted
 * message, and a phase-1 key that decrypts the raw capture the way Wireshark's IKEv1 decryption
 * table does (IV = hash(g^xi | g^xr), RFC 2409 Appendix B).
 */
class CaptureScenarioTest {

    private static EngineScenarioTest.Pair capturedPair() {
        EngineScenarioTest.Pair p = EngineScenarioTest.standard(41, SimulatedNetwork.Faults.NONE, "modp2048");
        p.a().engine.capture(true);
        p.b().engine.capture(true);
        return p;
    }

    private static List<Action.Plaintext> plaintexts(SimulatedNetwork.Node n, boolean received) {
        return n.captured.stream().filter(a -> a instanceof Action.Plaintext pt && pt.received() == received)
                .map(Action.Plaintext.class::cast).toList();
    }

    private static List<Action.DecryptionKey> keys(SimulatedNetwork.Node n) {
        return n.captured.stream().filter(Action.DecryptionKey.class::isInstance).map(Action.DecryptionKey.class::cast)
                .toList();
    }

    @Test
    void everyEncryptedMessageComesOutAsPlaintextOnBothSides() throws Exception {
        EngineScenarioTest.Pair p = capturedPair();
        // standard() already sent MM1 before capture was switched on: it is unencrypted anyway
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)), () -> String.join("\n", p.a().log));

        long encryptedOnWire = p.net().delivered.stream().filter(d -> (d.data()[19] & 1) != 0).count();
        List<Action.Plaintext> sentA = plaintexts(p.a(), false);
        List<Action.Plaintext> sentB = plaintexts(p.b(), false);
        assertEquals(3, sentA.size(), "MM5, QM1, QM3");
        assertEquals(2, sentB.size(), "MM6, QM2");
        assertEquals(encryptedOnWire, sentA.size() + sentB.size());
        // what one side encrypted is what the other decrypted, byte for byte
        assertEquals(bytes(sentA), bytes(plaintexts(p.b(), true)));
        assertEquals(bytes(sentB), bytes(plaintexts(p.a(), true)));

        for (Action.Plaintext pt : sentA) {
            byte[] m = pt.message().data();
            IsakmpMessage decoded = IsakmpMessage.decode(m); // strict: lengths must add up exactly
            assertFalse(decoded.header().encrypted(), "encryption flag cleared");
            assertEquals(m.length, decoded.header().length(), "header length is that of the plaintext");
            assertEquals(p.a().address, pt.message().local());
            assertEquals(p.b().address, pt.message().remote());
        }
        assertEquals(p.b().address, plaintexts(p.a(), true).get(0).message().remote());
    }

    @Test
    void thePhase1KeyDecryptsTheRawCaptureAsWiresharkWould() throws Exception {
        EngineScenarioTest.Pair p = capturedPair();
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)), () -> String.join("\n", p.a().log));

        assertEquals(1, keys(p.a()).size());
        assertEquals(1, keys(p.b()).size());
        Action.DecryptionKey ka = keys(p.a()).get(0);
        Action.DecryptionKey kb = keys(p.b()).get(0);
        assertArrayEquals(ka.initiatorCookie(), kb.initiatorCookie());
        assertArrayEquals(ka.encryptionKey().bytes(), kb.encryptionKey().bytes());
        assertEquals(32, ka.encryptionKey().length(), "aes256: the cipher key, not SKEYID_e");
        String hex = HexFormat.of().formatHex(ka.encryptionKey().bytes());
        assertFalse(ka.toString().contains(hex), "no key in toString: " + ka);
        assertTrue(ka.toString().contains("enc-key-fp="), ka.toString());

        // Wireshark's way: g^xi and g^xr from the KE payloads of MM3 and MM4, IV = SHA-256(g^xi | g^xr)
        List<IsakmpMessage> plain = p.net().delivered.stream().filter(d -> (d.data()[19] & 1) == 0)
                .map(d -> decode(d.data())).filter(m -> m.first(KeyExchangePayload.class).isPresent()).toList();
        byte[] gxi = plain.get(0).first(KeyExchangePayload.class).orElseThrow().keyData();
        byte[] gxr = plain.get(1).first(KeyExchangePayload.class).orElseThrow().keyData();
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        sha256.update(gxi);
        byte[] iv = Arrays.copyOf(sha256.digest(gxr), 16);
        byte[] mm5 = p.net().delivered.stream().map(Datagram::data).filter(d -> (d[19] & 1) != 0).findFirst()
                .orElseThrow();
        Cipher aes = Cipher.getInstance("AES/CBC/NoPadding");
        aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(ka.encryptionKey().bytes(), "AES"), new IvParameterSpec(iv));
        byte[] body = aes.doFinal(mm5, IsakmpHeader.LENGTH, mm5.length - IsakmpHeader.LENGTH);
        byte[] captured = plaintexts(p.a(), false).get(0).message().data();
        assertArrayEquals(Arrays.copyOfRange(captured, IsakmpHeader.LENGTH, captured.length),
                Arrays.copyOf(body, captured.length - IsakmpHeader.LENGTH), "MM5 decrypted with the key-table key");
    }

    @Test
    void nothingIsCapturedUnlessAsked() {
        EngineScenarioTest.Pair p = EngineScenarioTest.standard(42, SimulatedNetwork.Faults.NONE, null);
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)), () -> String.join("\n", p.a().log));
        assertEquals(List.of(), p.a().captured);
        assertEquals(List.of(), p.b().captured);
    }

    private static List<String> bytes(List<Action.Plaintext> l) {
        return l.stream().map(pt -> HexFormat.of().formatHex(pt.message().data())).toList();
    }

    private static IsakmpMessage decode(byte[] d) {
        try {
            return IsakmpMessage.decode(d);
        } catch (dev.isakmpd.core.wire.WireException e) {
            throw new AssertionError(e);
        }
    }
}
