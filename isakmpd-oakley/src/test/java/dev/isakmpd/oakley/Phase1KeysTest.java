package dev.isakmpd.oakley;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Known answers from scripts/oakley-vectors.py (Python hmac/hashlib), RFC 2409 s5 + App. B. */
class Phase1KeysTest {
    private static final List<String> SECRETS = List.of("psk", "gxy", "skeyid", "skeyid_d", "skeyid_a",
            "skeyid_e", "enc_key", "xi", "xr");

    static Phase1Keys derive(Vectors v) throws InvalidKeyInformationException {
        return derive(v, Implementations.crypto(Implementations.BC));
    }

    static Phase1Keys derive(Vectors v, IkeCrypto crypto) throws InvalidKeyInformationException {
        HashAlgorithm hash = HashAlgorithm.valueOf(v.get("hash"));
        CbcCipher cipher = new CbcCipher(EncryptionAlgorithm.valueOf(v.get("cipher")), v.integer("key_bits"));
        DhGroup group = DhGroup.byId(v.integer("group")).orElseThrow();
        // g^xy computed by our DH code from the fixed exponent, not read from the file.
        SecretBytes gxy = group.agree(Implementations.pairFromPrivate(crypto, group, v.bytes("xi")), v.bytes("gxr"));
        return Phase1Keys.derivePreSharedKey(crypto.prf(hash), hash, cipher, SecretBytes.copyOf(v.bytes("psk")),
                v.bytes("ni_b"), v.bytes("nr_b"), gxy, v.bytes("cky_i"), v.bytes("cky_r"),
                v.bytes("gxi"), v.bytes("gxr"));
    }

    static Stream<Arguments> knownAnswers() {
        return Implementations.names().flatMap(impl -> Stream.of("A", "B", "C", "D").map(s -> Arguments.of(impl, s)));
    }

    @ParameterizedTest(name = "{0}: scenario {1}")
    @MethodSource
    void knownAnswers(String impl, String scenario) throws Exception {
        Vectors v = Vectors.section("scenario " + scenario);
        Phase1Keys keys = derive(v, Implementations.crypto(impl));
        assertEquals(v.get("skeyid"), Vectors.hex(keys.skeyid().bytes()));
        assertEquals(v.get("skeyid_d"), Vectors.hex(keys.skeyidD().bytes()));
        assertEquals(v.get("skeyid_a"), Vectors.hex(keys.skeyidA().bytes()));
        assertEquals(v.get("skeyid_e"), Vectors.hex(keys.skeyidE().bytes()));
        assertEquals(v.get("enc_key"), Vectors.hex(keys.encryptionKey().bytes()));
        assertEquals(v.get("iv1"), Vectors.hex(keys.initialIv()));
        assertEquals(v.integer("key_bits") / 8, keys.encryptionKey().length());
    }

    /** Guards the vectors themselves: each scenario must hit the case it is meant to cover. */
    @Test
    void scenariosCoverExpansionTruncationAndBoundary() {
        int[][] expect = {{'A', -1}, {'B', 1}, {'C', -1}, {'D', 0}};   // sign of |SKEYID_e| - keyLength
        for (int[] e : expect) {
            Vectors v = Vectors.section("scenario " + (char) e[0]);
            int cmp = Integer.signum(v.bytes("skeyid_e").length - v.integer("key_bits") / 8);
            assertEquals(e[1], cmp, "scenario " + (char) e[0]);
        }
        // With expansion the key is Ka = K1 | K2 ..., not SKEYID_e-prefixed.
        Vectors a = Vectors.section("scenario A");
        assertFalse(a.get("enc_key").startsWith(a.get("skeyid_e")));
    }

    /** App. B expansion checked against a hand-written K1 | K2 (SHA-1, 32-byte key). */
    @Test
    void expansionFollowsAppendixB() {
        Prf prf = Prf.hmac(HashAlgorithm.SHA1);
        byte[] e = Vectors.section("scenario A").bytes("skeyid_e");
        byte[] k1 = prf.apply(e, new byte[] {0});
        byte[] k2 = prf.apply(e, k1);
        byte[] expected = new byte[32];
        System.arraycopy(k1, 0, expected, 0, 20);
        System.arraycopy(k2, 0, expected, 20, 12);
        assertArrayEquals(expected, Phase1Keys.encryptionKey(prf, e, 32));
    }

    @ParameterizedTest(name = "scenario {0}")
    @ValueSource(strings = {"A", "B"})
    void toStringShowsNoSecrets(String scenario) throws Exception {
        Vectors v = Vectors.section("scenario " + scenario);
        Phase1Keys keys = derive(v);
        String text = keys.toString().toLowerCase();
        for (String name : SECRETS) {
            String hex = v.get(name);
            assertFalse(text.contains(hex.substring(0, 16)), name + " leaked: " + text);
        }
        assertTrue(text.contains(keys.skeyid().fingerprint()), text);
    }

    /** A standby's copy (SKEYID_d/a/e only) yields the same encryption key, Appendix B expansion included. */
    @ParameterizedTest
    @ValueSource(strings = {"A", "B", "C", "D"})
    void resumedKeysMatchTheDerivedOnes(String scenario) throws Exception {
        Vectors v = Vectors.section("scenario " + scenario);
        Phase1Keys keys = derive(v);
        Phase1Keys resumed = Phase1Keys.resumed(keys.prf(), keys.cipher(), keys.skeyidD(), keys.skeyidA(),
                keys.skeyidE());
        keys.wipe();
        assertEquals(v.get("skeyid_d"), Vectors.hex(resumed.skeyidD().bytes()));
        assertEquals(v.get("skeyid_e"), Vectors.hex(resumed.skeyidE().bytes()));
        assertEquals(v.get("enc_key"), Vectors.hex(resumed.encryptionKey().bytes()));
        assertThrows(IllegalStateException.class, resumed::skeyid);
        assertFalse(resumed.toString().toLowerCase().contains(v.get("skeyid_e").substring(0, 16)));
        resumed.wipe();
        assertTrue(resumed.encryptionKey().isWiped() && resumed.skeyidA().isWiped());
    }

    @Test
    void wipeClearsEverything() throws Exception {
        Phase1Keys keys = derive(Vectors.section("scenario A"));
        keys.wipe();
        for (SecretBytes s : List.of(keys.skeyid(), keys.skeyidD(), keys.skeyidA(), keys.skeyidE(),
                keys.encryptionKey())) {
            assertTrue(s.isWiped());
        }
    }

    @Test
    void cookiesMustBeEightBytes() {
        Vectors v = Vectors.section("scenario A");
        HashAlgorithm hash = HashAlgorithm.SHA1;
        CbcCipher cipher = new CbcCipher(EncryptionAlgorithm.AES_CBC, 128);
        SecretBytes psk = SecretBytes.copyOf(v.bytes("psk"));
        SecretBytes gxy = SecretBytes.copyOf(v.bytes("gxy"));
        assertThrows(IllegalArgumentException.class, () -> Phase1Keys.derivePreSharedKey(Prf.hmac(hash), hash,
                cipher, psk, v.bytes("ni_b"), v.bytes("nr_b"), gxy, new byte[7], v.bytes("cky_r"),
                v.bytes("gxi"), v.bytes("gxr")));
        assertThrows(IllegalArgumentException.class, () -> Phase1Keys.derivePreSharedKey(Prf.hmac(hash), hash,
                cipher, psk, v.bytes("ni_b"), v.bytes("nr_b"), gxy, v.bytes("cky_i"), new byte[9],
                v.bytes("gxi"), v.bytes("gxr")));
    }
}
