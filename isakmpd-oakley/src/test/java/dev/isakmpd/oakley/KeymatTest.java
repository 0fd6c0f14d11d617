package dev.isakmpd.oakley;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 2409 s5.5 KEYMAT; known answers from scripts/oakley-vectors.py. */
class KeymatTest {
    static Stream<Arguments> cases() {
        return Implementations.names().flatMap(impl -> Stream.of("A", "B", "C", "D").flatMap(s -> {
            Vectors v = Vectors.section("scenario " + s);
            return Arrays.stream(v.get("keymat_lengths").split(","))
                    .flatMap(len -> Stream.of(Arguments.of(impl, s, Integer.parseInt(len), false),
                            Arguments.of(impl, s, Integer.parseInt(len), true)));
        }));
    }

    private static SecretBytes derive(Vectors v, boolean pfs, int length) {
        return derive(Implementations.crypto(Implementations.BC), v, pfs, length);
    }

    private static SecretBytes derive(IkeCrypto crypto, Vectors v, boolean pfs, int length) {
        Prf prf = crypto.prf(HashAlgorithm.valueOf(v.get("hash")));
        SecretBytes skeyidD = SecretBytes.copyOf(v.bytes("skeyid_d"));
        SecretBytes gxyQm = pfs ? SecretBytes.copyOf(v.bytes("qm_gxy")) : null;
        return Keymat.derive(prf, skeyidD, gxyQm, v.integer("qm_protocol"), v.bytes("qm_spi"),
                v.bytes("qm_ni_b"), v.bytes("qm_nr_b"), length);
    }

    @ParameterizedTest(name = "{0}: scenario {1}, {2} bytes, pfs={3}")
    @MethodSource("cases")
    void knownAnswers(String impl, String scenario, int length, boolean pfs) {
        Vectors v = Vectors.section("scenario " + scenario);
        String key = "keymat_" + (pfs ? "pfs" : "nopfs") + "_" + length;
        SecretBytes km = derive(Implementations.crypto(impl), v, pfs, length);
        assertEquals(length, km.length());
        assertEquals(v.get(key), Vectors.hex(km.bytes()));
    }

    /** Scenario A: 36 bytes (AES-128 + HMAC-SHA1 keys) needs K1 | K2 from a 20-byte prf. */
    @Test
    void expansionByHand() {
        Vectors v = Vectors.section("scenario A");
        Prf prf = Prf.hmac(HashAlgorithm.SHA1);
        byte[] d = v.bytes("skeyid_d");
        byte[] seed = concat(new byte[] {3}, v.bytes("qm_spi"), v.bytes("qm_ni_b"), v.bytes("qm_nr_b"));
        byte[] k1 = prf.apply(d, seed);
        byte[] k2 = prf.apply(d, k1, seed);
        byte[] expected = Arrays.copyOf(concat(k1, k2), 36);
        assertArrayEquals(expected, derive(v, false, 36).bytes());
        byte[] g = v.bytes("qm_gxy");
        byte[] p1 = prf.apply(d, g, seed);
        byte[] p2 = prf.apply(d, p1, g, seed);
        assertArrayEquals(Arrays.copyOf(concat(p1, p2), 36), derive(v, true, 36).bytes());
    }

    @Test
    void shorterKeymatIsAPrefixAndPfsChangesIt() {
        Vectors v = Vectors.section("scenario A");
        byte[] k64 = derive(v, false, 64).bytes();
        assertArrayEquals(Arrays.copyOf(k64, 36), derive(v, false, 36).bytes());
        assertNotEquals(Vectors.hex(k64), Vectors.hex(derive(v, true, 64).bytes()));
    }

    @Test
    void rejectsBadArguments() {
        Vectors v = Vectors.section("scenario A");
        assertThrows(IllegalArgumentException.class, () -> derive(v, false, 0));
        Prf prf = Prf.hmac(HashAlgorithm.SHA1);
        SecretBytes d = SecretBytes.copyOf(v.bytes("skeyid_d"));
        assertThrows(IllegalArgumentException.class,
                () -> Keymat.derive(prf, d, null, 256, new byte[4], new byte[16], new byte[16], 20));
        assertThrows(IllegalArgumentException.class,
                () -> Keymat.derive(prf, d, null, -1, new byte[4], new byte[16], new byte[16], 20));
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }
}
