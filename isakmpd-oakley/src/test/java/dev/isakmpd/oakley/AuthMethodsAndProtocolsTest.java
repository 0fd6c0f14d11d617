package dev.isakmpd.oakley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.isakmpd.oakley.Phase1Keys.AuthMethod;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SKEYID for every authentication method of RFC 2409 s5, the revised-mode keys of s5.3 and
 * KEYMAT for AH and IPComp (s5.5), against scripts/oakley-vectors.py (Python hmac/hashlib).
 */
class AuthMethodsAndProtocolsTest {
    private static Phase1Keys derive(Vectors v, AuthMethod method) throws InvalidKeyInformationException {
        HashAlgorithm hash = HashAlgorithm.valueOf(v.get("hash"));
        CbcCipher cipher = new CbcCipher(EncryptionAlgorithm.valueOf(v.get("cipher")), v.integer("key_bits"));
        DhGroup group = DhGroup.byId(v.integer("group")).orElseThrow();
        SecretBytes gxy = group.agree(group.keyPairFromPrivate(v.bigHex("xi")), v.bytes("gxr"));
        SecretBytes psk = method == AuthMethod.PRE_SHARED_KEY ? SecretBytes.copyOf(v.bytes("psk")) : null;
        return Phase1Keys.derive(method, Prf.hmac(hash), hash, cipher, psk, v.bytes("ni_b"), v.bytes("nr_b"), gxy,
                v.bytes("cky_i"), v.bytes("cky_r"), v.bytes("gxi"), v.bytes("gxr"));
    }

    @ParameterizedTest(name = "scenario {0}, {1}")
    @CsvSource({"A, SIGNATURE, sig", "B, SIGNATURE, sig", "C, SIGNATURE, sig", "D, SIGNATURE, sig",
        "A, PUBLIC_KEY_ENCRYPTION, pke", "B, PUBLIC_KEY_ENCRYPTION, pke", "C, PUBLIC_KEY_ENCRYPTION, pke",
        "D, PUBLIC_KEY_ENCRYPTION, pke"})
    void skeyidFamilyPerMethod(String scenario, AuthMethod method, String prefix) throws Exception {
        Vectors v = Vectors.section("scenario " + scenario);
        Phase1Keys k = derive(v, method);
        assertEquals(v.get(prefix + "_skeyid"), Vectors.hex(k.skeyid().bytes()));
        assertEquals(v.get(prefix + "_skeyid_d"), Vectors.hex(k.skeyidD().bytes()));
        assertEquals(v.get(prefix + "_skeyid_a"), Vectors.hex(k.skeyidA().bytes()));
        assertEquals(v.get(prefix + "_skeyid_e"), Vectors.hex(k.skeyidE().bytes()));
        assertEquals(v.get(prefix + "_enc_key"), Vectors.hex(k.encryptionKey().bytes()));
        assertEquals(v.get("iv1"), Vectors.hex(k.initialIv()));
        assertNotEquals(v.get("skeyid"), Vectors.hex(k.skeyid().bytes()));
    }

    /** HASH_I and HASH_R, which the pre-shared key proves as they are and signatures sign. */
    @ParameterizedTest(name = "scenario {0}, {1}")
    @CsvSource({"A, PRE_SHARED_KEY, psk", "B, PRE_SHARED_KEY, psk", "C, SIGNATURE, sig", "D, SIGNATURE, sig",
        "A, PUBLIC_KEY_ENCRYPTION, pke", "D, PUBLIC_KEY_ENCRYPTION, pke", "B, SIGNATURE, sig"})
    void hashIAndHashRPerMethod(String scenario, AuthMethod method, String prefix) throws Exception {
        Vectors v = Vectors.section("scenario " + scenario);
        Phase1Keys k = derive(v, method);
        assertEquals(v.get(prefix + "_hash_i"), Vectors.hex(k.hashI(v.bytes("gxi"), v.bytes("gxr"), v.bytes("cky_i"),
                v.bytes("cky_r"), v.bytes("sai_b"), v.bytes("idii_b"))));
        assertEquals(v.get(prefix + "_hash_r"), Vectors.hex(k.hashR(v.bytes("gxi"), v.bytes("gxr"), v.bytes("cky_i"),
                v.bytes("cky_r"), v.bytes("sai_b"), v.bytes("idir_b"))));
    }

    @ParameterizedTest(name = "scenario {0}")
    @ValueSource(strings = {"A", "B", "C", "D"})
    void preSharedKeyViaGenericEntryPoint(String scenario) throws Exception {
        Vectors v = Vectors.section("scenario " + scenario);
        assertEquals(v.get("skeyid_e"), Vectors.hex(derive(v, AuthMethod.PRE_SHARED_KEY).skeyidE().bytes()));
    }

    @ParameterizedTest(name = "scenario {0}")
    @ValueSource(strings = {"A", "B", "C", "D"})
    void revisedModeKeys(String scenario) {
        Vectors v = Vectors.section("scenario " + scenario);
        Prf prf = Prf.hmac(HashAlgorithm.valueOf(v.get("hash")));
        int len = v.integer("key_bits") / 8;
        assertEquals(v.get("rpke_ke_i"),
                Vectors.hex(Phase1Keys.revisedModeKey(prf, v.bytes("ni_b"), v.bytes("cky_i"), len).bytes()));
        assertEquals(v.get("rpke_ke_r"),
                Vectors.hex(Phase1Keys.revisedModeKey(prf, v.bytes("nr_b"), v.bytes("cky_r"), len).bytes()));
    }

    /** AH (protocol 2, 4-byte SPI) and IPComp (protocol 4, 2-byte CPI), with and without PFS. */
    @ParameterizedTest(name = "scenario {0} {1}")
    @CsvSource({"A, ah, 2", "A, ipcomp, 4", "B, ah, 2", "B, ipcomp, 4", "C, ah, 2", "D, ipcomp, 4"})
    void keymatForAhAndIpcomp(String scenario, String name, int protocol) throws Exception {
        Vectors v = Vectors.section("scenario " + scenario);
        Prf prf = Prf.hmac(HashAlgorithm.valueOf(v.get("hash")));
        SecretBytes d = SecretBytes.copyOf(v.bytes("skeyid_d"));
        SecretBytes qgxy = SecretBytes.copyOf(v.bytes("qm_gxy"));
        for (String l : v.get("keymat_lengths").split(",")) {
            int len = Integer.parseInt(l);
            assertEquals(v.get("keymat_" + name + "_nopfs_" + len), Vectors.hex(Keymat.derive(prf, d, null, protocol,
                    v.bytes(name + "_spi"), v.bytes("qm_ni_b"), v.bytes("qm_nr_b"), len).bytes()));
            assertEquals(v.get("keymat_" + name + "_pfs_" + len), Vectors.hex(Keymat.derive(prf, d, qgxy, protocol,
                    v.bytes(name + "_spi"), v.bytes("qm_ni_b"), v.bytes("qm_nr_b"), len).bytes()));
        }
    }
}
