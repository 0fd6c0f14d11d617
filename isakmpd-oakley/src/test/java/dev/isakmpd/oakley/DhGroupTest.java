package dev.isakmpd.oakley;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DhGroupTest {
    /** RFC 2409 s6.2, hex text as printed in the RFC. */
    private static final String RFC2409_GROUP2 = """
            FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1
            29024E08 8A67CC74 020BBEA6 3B139B22 514A0879 8E3404DD
            EF9519B3 CD3A431B 302B0A6D F25F1437 4FE1356D 6D51C245
            E485B576 625E7EC6 F44C42E9 A637ED6B 0BFF5CB6 F406B7ED
            EE386BFB 5A899FA5 AE9F2411 7C4B1FE6 49286651 ECE65381
            FFFFFFFF FFFFFFFF
            """;

    /** RFC 3526 s3, hex text as printed in the RFC. */
    private static final String RFC3526_GROUP14 = """
            FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1
            29024E08 8A67CC74 020BBEA6 3B139B22 514A0879 8E3404DD
            EF9519B3 CD3A431B 302B0A6D F25F1437 4FE1356D 6D51C245
            E485B576 625E7EC6 F44C42E9 A637ED6B 0BFF5CB6 F406B7ED
            EE386BFB 5A899FA5 AE9F2411 7C4B1FE6 49286651 ECE45B3D
            C2007CB8 A163BF05 98DA4836 1C55D39A 69163FA8 FD24CF5F
            83655D23 DCA3AD96 1C62F356 208552BB 9ED52907 7096966D
            670C354E 4ABC9804 F1746C08 CA18217C 32905E46 2E36CE3B
            E39E772C 180E8603 9B2783A2 EC07A28F B5C55DF0 6F4C52C9
            DE2BCBF6 95581718 3995497C EA956AE5 15D22618 98FA0510
            15728E5A 8AACAA68 FFFFFFFF FFFFFFFF
            """;

    private static ModpGroup group(int id) {
        return (ModpGroup) DhGroup.byId(id).orElseThrow();
    }

    private static BigInteger rfcHex(String text) {
        return new BigInteger(text.replaceAll("\\s+", ""), 16);
    }

    @Test
    void group2MatchesRfc2409() {
        ModpGroup g = group(2);
        assertEquals(rfcHex(RFC2409_GROUP2), g.prime());
        assertEquals(1024, g.prime().bitLength());
        assertEquals(BigInteger.TWO, g.generator());
        assertEquals(128, g.publicValueLength());
        assertEquals("modp1024", g.name());
        assertEquals(2, g.id());
    }

    @Test
    void group14MatchesRfc3526() {
        ModpGroup g = group(14);
        assertEquals(rfcHex(RFC3526_GROUP14), g.prime());
        assertEquals(2048, g.prime().bitLength());
        assertEquals(BigInteger.TWO, g.generator());
        assertEquals(256, g.publicValueLength());
        assertEquals("modp2048", g.name());
        assertEquals(14, g.id());
    }

    /** The range-only peer check in DhGroup relies on p = 2q + 1 with q prime. */
    @ParameterizedTest
    @ValueSource(ints = {2, 14})
    void primesAreSafePrimes(int id) {
        BigInteger p = group(id).prime();
        assertTrue(p.isProbablePrime(64));
        assertTrue(p.shiftRight(1).isProbablePrime(64));
    }

    @Test
    void unsupportedGroups() {
        for (int id : new int[] {0, 6, 7, 8, 9, 10, 11, 12, 13, 33, 1024, 65535}) {
            assertTrue(DhGroup.byId(id, true).isEmpty(), "group " + id);
        }
        // EC2N groups 3 and 4 only on explicit request.
        for (int id : new int[] {3, 4}) {
            assertTrue(DhGroup.byId(id).isEmpty(), "group " + id);
            assertTrue(DhGroup.byId(id, true).orElseThrow().isLegacy(), "group " + id);
        }
    }

    /** Group sections of the vector file were printed by scripts/oakley-vectors.py. */
    @ParameterizedTest
    @ValueSource(ints = {2, 14})
    void primesMatchVectorScript(int id) {
        Vectors v = Vectors.section("group " + id);
        assertEquals(v.bigHex("p"), group(id).prime());
        assertEquals(v.integer("bits"), group(id).prime().bitLength());
        assertEquals(v.integer("g"), group(id).generator().intValueExact());
    }

    static List<String> scenarios() {
        return List.of("scenario A", "scenario B", "scenario C", "scenario D");
    }

    // Known answers from scripts/oakley-vectors.py (Python pow()); fixed private exponents.
    @ParameterizedTest
    @MethodSource("scenarios")
    void knownAnswerPhase1(String scenario) throws Exception {
        Vectors v = Vectors.section(scenario);
        assertKnownAnswer(group(v.integer("group")), v.bigHex("xi"), v.bigHex("xr"),
                v.bytes("gxi"), v.bytes("gxr"), v.bytes("gxy"));
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void knownAnswerQuickModePfs(String scenario) throws Exception {
        Vectors v = Vectors.section(scenario);
        assertKnownAnswer(group(v.integer("group")), v.bigHex("qm_xi"), v.bigHex("qm_xr"),
                v.bytes("qm_gxi"), v.bytes("qm_gxr"), v.bytes("qm_gxy"));
    }

    /** Scenario A's exponents were chosen so that g^xr and g^xy need a leading zero byte. */
    @Test
    void knownAnswerKeepsLeadingZeros() throws Exception {
        Vectors v = Vectors.section("scenario A");
        assertEquals(0, v.bytes("gxr")[0]);
        assertEquals(0, v.bytes("gxy")[0]);
        ModpGroup g = group(2);
        DhKeyPair r = g.keyPairFromPrivate(v.bigHex("xr"));
        assertEquals(128, r.publicValue().length);
        assertEquals(128, g.agree(r, v.bytes("gxi")).length());
    }

    private static void assertKnownAnswer(ModpGroup g, BigInteger xi, BigInteger xr,
            byte[] gxi, byte[] gxr, byte[] gxy) throws Exception {
        DhKeyPair i = g.keyPairFromPrivate(xi);
        DhKeyPair r = g.keyPairFromPrivate(xr);
        assertArrayEquals(gxi, i.publicValue());
        assertArrayEquals(gxr, r.publicValue());
        assertArrayEquals(gxy, g.agree(i, gxr).bytes());
        assertArrayEquals(gxy, g.agree(r, gxi).bytes());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 14})
    void generatedPairsAgree(int id) throws Exception {
        ModpGroup g = group(id);
        SecureRandom rnd = new SecureRandom();
        DhKeyPair a = g.generateKeyPair(rnd);
        DhKeyPair b = g.generateKeyPair(rnd);
        assertEquals(g.publicValueLength(), a.publicValue().length);
        assertFalse(Arrays.equals(a.publicValue(), b.publicValue()));
        SecretBytes ab = g.agree(a, b.publicValue());
        SecretBytes ba = g.agree(b, a.publicValue());
        assertEquals(g.publicValueLength(), ab.length());
        assertArrayEquals(ab.bytes(), ba.bytes());
        g.validatePeerPublic(a.publicValue());
    }

    /** Peer values RFC-invalid by value: 0, 1, p-1, p, p+1, 2^bits - 1; encoded at full length. */
    @ParameterizedTest
    @ValueSource(ints = {2, 14})
    void rejectsDegenerateAndOutOfRangeValues(int id) throws Exception {
        ModpGroup g = group(id);
        BigInteger p = g.prime();
        DhKeyPair own = g.generateKeyPair(new SecureRandom());
        List<BigInteger> bad = List.of(BigInteger.ZERO, BigInteger.ONE, p.subtract(BigInteger.ONE), p,
                p.add(BigInteger.ONE), BigInteger.ONE.shiftLeft(p.bitLength()).subtract(BigInteger.ONE));
        for (BigInteger y : bad) {
            byte[] encoded = fixed(y, g.publicValueLength());
            InvalidKeyInformationException e = assertThrows(InvalidKeyInformationException.class,
                    () -> g.validatePeerPublic(encoded), "value " + y.toString(16));
            assertEquals(17, e.notifyType());
            assertThrows(InvalidKeyInformationException.class, () -> g.agree(own, encoded));
        }
        // Boundaries that must pass: 2 and p-2.
        g.validatePeerPublic(fixed(BigInteger.TWO, g.publicValueLength()));
        g.validatePeerPublic(fixed(p.subtract(BigInteger.TWO), g.publicValueLength()));
    }

    /** RFC 2409 s5: KE data is exactly the group length, zero-padded. */
    @ParameterizedTest
    @ValueSource(ints = {2, 14})
    void rejectsWrongLength(int id) throws Exception {
        ModpGroup g = group(id);
        DhKeyPair own = g.generateKeyPair(new SecureRandom());
        byte[] good = g.generateKeyPair(new SecureRandom()).publicValue();
        byte[] stripped = new BigInteger(1, good).shiftRight(8).toByteArray();  // a valid value, short
        byte[] short1 = Arrays.copyOfRange(fixed(new BigInteger(1, stripped), g.publicValueLength()), 1,
                g.publicValueLength());
        byte[] long1 = new byte[good.length + 1];
        System.arraycopy(good, 0, long1, 1, good.length);                     // same value, extra zero
        for (byte[] bad : List.of(short1, long1, new byte[0], new byte[g.publicValueLength() / 2])) {
            assertThrows(InvalidKeyInformationException.class, () -> g.validatePeerPublic(bad));
            assertThrows(InvalidKeyInformationException.class, () -> g.agree(own, bad));
        }
        g.validatePeerPublic(good);
    }

    @Test
    void exceptionMessageDoesNotContainThePeerValue() {
        ModpGroup g = group(2);
        byte[] bad = fixed(g.prime().add(BigInteger.valueOf(0x1234567)), 128);
        InvalidKeyInformationException e = assertThrows(InvalidKeyInformationException.class,
                () -> g.validatePeerPublic(bad));
        String hex = Vectors.hex(bad);
        assertFalse(e.getMessage().contains(hex.substring(hex.length() - 16)), e.getMessage());
    }

    @Test
    void keyPairToStringIsRedacted() throws Exception {
        Vectors v = Vectors.section("scenario B");
        DhKeyPair pair = group(14).keyPairFromPrivate(v.bigHex("xi"));
        String text = pair.toString();
        String x = v.get("xi");
        assertFalse(text.toLowerCase().contains(x.substring(0, 16)), text);
        assertFalse(text.contains(new BigInteger(x, 16).toString()), text);
        assertTrue(text.contains("redacted"), text);
        SecretBytes gxy = group(14).agree(pair, v.bytes("gxr"));
        assertFalse(gxy.toString().contains(v.get("gxy").substring(0, 16)), gxy.toString());
    }

    @Test
    void wipedKeyPairCannotAgree() throws Exception {
        ModpGroup g = group(2);
        DhKeyPair a = g.generateKeyPair(new SecureRandom());
        byte[] peer = g.generateKeyPair(new SecureRandom()).publicValue();
        a.wipe();
        assertTrue(a.isWiped());
        assertThrows(IllegalStateException.class, () -> g.agree(a, peer));
    }

    @Test
    void keyPairMustBelongToTheGroup() {
        DhKeyPair a = group(2).generateKeyPair(new SecureRandom());
        assertSame(group(2), a.group());
        assertThrows(IllegalArgumentException.class, () -> group(14).agree(a, new byte[256]));
    }

    @Test
    void fixedExponentMustBeInRange() {
        ModpGroup g = group(2);
        assertThrows(IllegalArgumentException.class, () -> g.keyPairFromPrivate(BigInteger.ONE));
        assertThrows(IllegalArgumentException.class, () -> g.keyPairFromPrivate(g.prime().subtract(BigInteger.ONE)));
        assertNotEquals(null, g.keyPairFromPrivate(BigInteger.TWO));
    }

    private static byte[] fixed(BigInteger v, int len) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[len];
        int n = Math.min(raw.length, len);
        System.arraycopy(raw, raw.length - n, out, len - n, n);
        return out;
    }
}
