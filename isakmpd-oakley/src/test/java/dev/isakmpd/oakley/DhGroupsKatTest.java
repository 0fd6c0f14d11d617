package dev.isakmpd.oakley;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Known answers for every group, and rejection of degenerate peer values.
 *
 * <p>Sources: rfc-dh-vectors.txt holds the published vectors of RFC 5903 s8 (19-21), RFC 5114
 * App. A (22-26), RFC 6932 App. A (27-30), RFC 7748 s6 and RFC 8031 App. A (31, 32), extracted
 * from the RFC texts by scripts/oakley-vectors.py --rfc. oakley-kat.txt holds the MODP and EC2N
 * exchanges computed by scripts/oakley-vectors.py with Python's pow() and a stdlib GF(2^m)
 * implementation, and the MODP primes recomputed from their pi closed forms.
 */
class DhGroupsKatTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    static Stream<Arguments> publishedVectors() {
        return Implementations.names().flatMap(impl -> rfcSections().map(section -> Arguments.of(impl, section)));
    }

    static Stream<String> rfcSections() {
        return Stream.of("rfc5903 group 19", "rfc5903 group 20", "rfc5903 group 21", "rfc5114 group 22",
                "rfc5114 group 23", "rfc5114 group 24", "rfc5114 group 25", "rfc5114 group 26",
                "rfc6932 group 27", "rfc6932 group 28", "rfc6932 group 29", "rfc6932 group 30",
                "rfc7748 group 31", "rfc8031 group 31", "rfc7748 group 32");
    }

    private static DhGroup group(int id) {
        return DhGroup.byId(id, true).orElseThrow();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource
    void publishedVectors(String impl, String section) throws Exception {
        IkeCrypto crypto = Implementations.crypto(impl);
        Vectors v = Vectors.section(section);
        DhGroup g = group(Integer.parseInt(section.substring(section.lastIndexOf(' ') + 1)));
        byte[] gi = g.kind() == DhGroup.Kind.ECP ? concat(v.bytes("gix"), v.bytes("giy")) : v.bytes("gi");
        byte[] gr = g.kind() == DhGroup.Kind.ECP ? concat(v.bytes("grx"), v.bytes("gry")) : v.bytes("gr");
        DhKeyPair i = Implementations.pairFromPrivate(crypto, g, v.bytes("di"));
        DhKeyPair r = Implementations.pairFromPrivate(crypto, g, v.bytes("dr"));
        assertEquals(Vectors.hex(gi), Vectors.hex(i.publicValue()));
        assertEquals(Vectors.hex(gr), Vectors.hex(r.publicValue()));
        assertEquals(g.publicValueLength(), gi.length);
        assertEquals(v.get("shared"), Vectors.hex(g.agree(i, gr).bytes()));
        assertEquals(v.get("shared"), Vectors.hex(g.agree(r, gi).bytes()));
        assertEquals(g.sharedSecretLength(), v.bytes("shared").length);
        g.validatePeerPublic(gi);
        g.validatePeerPublic(gr);
    }

    @ParameterizedTest(name = "group {0}")
    @ValueSource(ints = {1, 2, 5, 14, 15, 16, 17, 18, 22, 23, 24})
    void modpKnownAnswers(int id) throws Exception {
        Vectors v = Vectors.section("modp-kat " + id);
        ModpGroup g = (ModpGroup) group(id);
        DhKeyPair i = g.keyPairFromPrivate(v.bigHex("xi"));
        DhKeyPair r = g.keyPairFromPrivate(v.bigHex("xr"));
        assertEquals(v.get("gxi"), Vectors.hex(i.publicValue()));
        assertEquals(v.get("gxr"), Vectors.hex(r.publicValue()));
        assertEquals(v.get("gxy"), Vectors.hex(g.agree(i, v.bytes("gxr")).bytes()));
        assertEquals(v.get("gxy"), Vectors.hex(g.agree(r, v.bytes("gxi")).bytes()));
    }

    @ParameterizedTest(name = "group {0}")
    @ValueSource(ints = {1, 2, 5, 14, 15, 16, 17, 18})
    void safePrimesMatchTheirClosedForm(int id) {
        Vectors v = Vectors.section("group " + id);
        ModpGroup g = (ModpGroup) group(id);
        assertEquals(v.bigHex("p"), g.prime(), "RFC hex vs 2^n - 2^(n-64) - 1 + 2^64 * ([2^(n-130) pi] + c)");
        assertEquals(v.integer("bits"), g.prime().bitLength());
        assertEquals(BigInteger.TWO, g.generator());
        assertEquals(v.integer("exponent_bits"), g.exponentBits());
        if (g.prime().bitLength() <= 3072) {                      // larger ones: too slow for CI
            assertTrue(g.prime().isProbablePrime(40));
            assertTrue(g.prime().shiftRight(1).isProbablePrime(40));
        }
    }

    @ParameterizedTest(name = "group {0}")
    @ValueSource(ints = {22, 23, 24})
    void rfc5114GroupsAreWhatTheySayTheyAre(int id) {
        Vectors v = Vectors.section("group " + id);
        ModpGroup g = (ModpGroup) group(id);
        assertEquals(v.bigHex("p"), g.prime());
        assertEquals(v.bigHex("g"), g.generator());
        assertEquals(v.bigHex("q"), g.subgroupOrder());
        BigInteger p = g.prime();
        BigInteger q = g.subgroupOrder();
        assertTrue(q.isProbablePrime(40));
        assertEquals(BigInteger.ZERO, p.subtract(BigInteger.ONE).mod(q));
        assertEquals(BigInteger.ONE, g.generator().modPow(q, p));
    }

    /** The fixed-base table must agree with plain modPow, including exponents with zero windows. */
    @ParameterizedTest(name = "group {0}")
    @ValueSource(ints = {1, 2, 5, 14, 15, 16, 22, 23, 24})
    void fixedBaseCombMatchesModPow(int id) {
        ModpGroup g = (ModpGroup) group(id);
        List<BigInteger> xs = new ArrayList<>(List.of(BigInteger.TWO, BigInteger.valueOf(255),
                BigInteger.ONE.shiftLeft(g.exponentBits() - 1),
                BigInteger.ONE.shiftLeft(g.exponentBits() - 1).add(BigInteger.valueOf(0x80))));
        for (int n = 0; n < 4; n++) {
            xs.add(new BigInteger(g.exponentBits(), RANDOM).max(BigInteger.TWO));
        }
        for (BigInteger x : xs) {
            assertEquals(g.generator().modPow(x, g.prime()), g.powG(x), "x = " + x.toString(16));
        }
    }

    @ParameterizedTest(name = "group {0}")
    @ValueSource(ints = {3, 4})
    void ec2nKnownAnswers(int id) throws Exception {
        Vectors v = Vectors.section("ec2n " + id);
        Ec2nGroup g = (Ec2nGroup) group(id);
        assertTrue(g.generatorPoint().multiply(g.generatorOrder()).isInfinity());
        DhKeyPair i = g.keyPairFromPrivate(v.bigHex("di"));
        DhKeyPair r = g.keyPairFromPrivate(v.bigHex("dr"));
        assertEquals(v.get("xi"), Vectors.hex(i.publicValue()));
        assertEquals(v.get("xr"), Vectors.hex(r.publicValue()));
        assertEquals(v.get("shared"), Vectors.hex(g.agree(i, v.bytes("xr")).bytes()));
        assertEquals(v.get("shared"), Vectors.hex(g.agree(r, v.bytes("xi")).bytes()));
        assertThrows(InvalidKeyInformationException.class, () -> g.validatePeerPublic(v.bytes("order2_x")));
        // Some x values have no point on the curve (half of them do not).
        int offCurve = 0;
        for (int x = 1; x < 64; x++) {
            byte[] enc = new BigInteger(1, new byte[] {(byte) x}).toByteArray();
            byte[] ke = new byte[g.publicValueLength()];
            System.arraycopy(enc, 0, ke, ke.length - enc.length, enc.length);
            try {
                g.validatePeerPublic(ke);
            } catch (InvalidKeyInformationException e) {
                offCurve++;
            }
        }
        assertTrue(offCurve > 10, "off-curve x values found: " + offCurve);
    }

    @ParameterizedTest
    @MethodSource("dev.isakmpd.oakley.Implementations#names")
    void everyGroupAgreesWithFreshKeys(String impl) throws Exception {
        IkeCrypto crypto = Implementations.crypto(impl);
        for (DhGroup g : DhGroup.all()) {
            DhKeyPair a = crypto.generateKeyPair(g);
            DhKeyPair b = crypto.generateKeyPair(g);
            assertEquals(g.publicValueLength(), a.publicValue().length, g.name());
            byte[] ab = g.agree(a, b.publicValue()).bytes();
            assertArrayEquals(ab, g.agree(b, a.publicValue()).bytes(), g.name());
            assertEquals(g.sharedSecretLength(), ab.length, g.name());
            assertFalse(Arrays.equals(a.publicValue(), b.publicValue()), g.name());
        }
    }

    @Test
    void namesFollowStrongSwan() {
        Map<Integer, String> expected = Map.ofEntries(Map.entry(1, "modp768"), Map.entry(2, "modp1024"),
                Map.entry(3, "ec2n155"), Map.entry(4, "ec2n185"), Map.entry(5, "modp1536"),
                Map.entry(14, "modp2048"), Map.entry(15, "modp3072"), Map.entry(16, "modp4096"),
                Map.entry(17, "modp6144"), Map.entry(18, "modp8192"), Map.entry(19, "ecp256"),
                Map.entry(20, "ecp384"), Map.entry(21, "ecp521"), Map.entry(22, "modp1024s160"),
                Map.entry(23, "modp2048s224"), Map.entry(24, "modp2048s256"), Map.entry(25, "ecp192"),
                Map.entry(26, "ecp224"), Map.entry(27, "ecp224bp"), Map.entry(28, "ecp256bp"),
                Map.entry(29, "ecp384bp"), Map.entry(30, "ecp512bp"), Map.entry(31, "curve25519"),
                Map.entry(32, "curve448"));
        assertEquals(expected.size(), DhGroup.all().size());
        for (Map.Entry<Integer, String> e : expected.entrySet()) {
            DhGroup g = group(e.getKey());
            assertEquals(e.getValue(), g.name());
            assertEquals(g, DhGroup.byName(e.getValue(), true).orElseThrow());
            assertEquals(g.isLegacy(), DhGroup.byName(e.getValue(), false).isEmpty());
        }
    }

    // ---- degenerate peer values -------------------------------------------------------------

    private static void assertRejected(DhGroup g, byte[] peer, String what) {
        assertRejected(IkeCrypto.bouncyCastle(RANDOM, true), g, peer, what);
    }

    private static void assertRejected(IkeCrypto crypto, DhGroup g, byte[] peer, String what) {
        DhKeyPair own = crypto.generateKeyPair(g);
        InvalidKeyInformationException e = assertThrows(InvalidKeyInformationException.class,
                () -> g.validatePeerPublic(peer), g.name() + ": " + what);
        assertEquals(17, e.notifyType());
        assertThrows(InvalidKeyInformationException.class, () -> g.agree(own, peer), g.name() + ": " + what);
    }

    private static byte[] fixed(BigInteger v, int len) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[len];
        int n = Math.min(raw.length, len);
        System.arraycopy(raw, raw.length - n, out, len - n, n);
        return out;
    }

    @ParameterizedTest(name = "group {0}")
    @ValueSource(ints = {1, 2, 5, 14, 15, 22, 23, 24})
    void modpDegenerateValuesRejected(int id) {
        ModpGroup g = (ModpGroup) group(id);
        BigInteger p = g.prime();
        int n = g.publicValueLength();
        for (BigInteger y : List.of(BigInteger.ZERO, BigInteger.ONE, p.subtract(BigInteger.ONE), p,
                p.add(BigInteger.ONE), BigInteger.ONE.shiftLeft(8 * n).subtract(BigInteger.ONE))) {
            assertRejected(g, fixed(y, n), y.toString(16));
        }
        if (g.subgroupOrder() != null) {
            // -g has order 2q: on the range check's good side, outside the subgroup.
            assertRejected(g, Vectors.section("modp-kat " + id).bytes("outside_subgroup"), "-g");
            assertRejected(g, fixed(BigInteger.TWO, n), "2 (not in the subgroup)");
        }
    }

    static Stream<Arguments> ecpDegenerateValuesRejected() {
        return Implementations.names().flatMap(impl -> Stream.of(19, 20, 21, 25, 26, 27, 28, 29, 30)
                .map(id -> Arguments.of(impl, id)));
    }

    @ParameterizedTest(name = "{0}: group {1}")
    @MethodSource
    void ecpDegenerateValuesRejected(String impl, int id) {
        IkeCrypto crypto = Implementations.crypto(impl);
        EcpGroup g = (EcpGroup) group(id);
        int f = g.sharedSecretLength();
        byte[] good = crypto.generateKeyPair(g).publicValue();
        assertRejected(crypto, g, new byte[2 * f], "all zeros (identity has no encoding)");
        byte[] offCurve = good.clone();
        offCurve[2 * f - 1] ^= 1;
        assertRejected(crypto, g, offCurve, "y + 1: off the curve");
        byte[] xTooBig = good.clone();
        System.arraycopy(fixed(g.fieldPrime().add(new BigInteger(1, Arrays.copyOf(good, f))), f + 1), 1,
                xTooBig, 0, f);
        byte[] pAsX = concat(fixed(g.fieldPrime(), f), Arrays.copyOfRange(good, f, 2 * f));
        assertRejected(crypto, g, pAsX, "x = p");
        byte[] allOnes = new byte[2 * f];
        Arrays.fill(allOnes, (byte) 0xff);
        assertRejected(crypto, g, allOnes, "coordinates >= p");
        assertRejected(crypto, g, Arrays.copyOf(good, 2 * f - 1), "short");
        assertRejected(crypto, g, Arrays.copyOf(good, f), "x only");
        assertRejected(crypto, g, concat(new byte[] {4}, good), "SEC1 uncompressed prefix");
    }

    /** Small-order u-coordinates (Bernstein's list for curve25519; 0, 1 and p-1 for curve448). */
    @Test
    void montgomerySmallOrderValuesRejected() {
        BigInteger p25519 = BigInteger.ONE.shiftLeft(255).subtract(BigInteger.valueOf(19));
        List<BigInteger> small25519 = List.of(BigInteger.ZERO, BigInteger.ONE,
                new BigInteger("325606250916557431795983626356110631294008115727848805560023387167927233504"),
                new BigInteger("39382357235489614581723060781553021112529911719440698176882885853963445705823"),
                p25519.subtract(BigInteger.ONE), p25519, p25519.add(BigInteger.ONE));
        for (BigInteger u : small25519) {
            assertRejected(group(31), littleEndian(u, 32), u.toString());
        }
        BigInteger p448 = BigInteger.ONE.shiftLeft(448).subtract(BigInteger.ONE.shiftLeft(224)).subtract(BigInteger.ONE);
        for (BigInteger u : List.of(BigInteger.ZERO, BigInteger.ONE, p448.subtract(BigInteger.ONE))) {
            assertRejected(group(32), littleEndian(u, 56), u.toString());
        }
        assertRejected(group(31), new byte[31], "short");
        assertRejected(group(32), new byte[57], "long");
    }

    private static byte[] littleEndian(BigInteger u, int len) {
        byte[] be = fixed(u, len);
        byte[] le = new byte[len];
        for (int i = 0; i < len; i++) {
            le[i] = be[len - 1 - i];
        }
        return le;
    }

    @Test
    void privateValuesNeverInStrings() throws Exception {
        for (DhGroup g : DhGroup.all()) {
            DhKeyPair a = g.generateKeyPair(RANDOM);
            byte[] priv = a.privateBytes();
            String hex = Vectors.hex(priv);
            String s = a.toString().toLowerCase();
            assertFalse(s.contains(hex.substring(hex.length() - 16)), g.name());
            SecretBytes z = g.agree(a, g.generateKeyPair(RANDOM).publicValue());
            assertFalse(z.toString().contains(Vectors.hex(z.bytes()).substring(0, 16)), g.name());
        }
    }
}
