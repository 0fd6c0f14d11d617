package dev.isakmpd.oakley;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ACCP implementation against the Bouncy Castle one: what one makes, the other accepts,
 * and the deterministic results (RSA signatures, HMAC, DH secrets) are the same bytes.
 */
class AccpInteropTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** HASH lengths of the five phase-1 hashes: MD5, SHA-1, SHA2-256/384/512. */
    private static final int[] HASH_LENGTHS = {16, 20, 32, 48, 64};
    private static IkeCrypto bc;
    private static IkeCrypto accp;

    @BeforeAll
    static void both() {
        bc = Implementations.crypto(Implementations.BC);
        accp = Implementations.crypto(Implementations.ACCP);
    }

    @Test
    void rsaSignaturesAreByteIdenticalAndVerifyAcross() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair kp = g.generateKeyPair();
        IkeSigner a = accp.signer(kp.getPrivate());
        IkeSigner b = bc.signer(kp.getPrivate());
        IkeVerifier va = accp.verifier(kp.getPublic());
        IkeVerifier vb = bc.verifier(kp.getPublic());
        for (int len : HASH_LENGTHS) {
            byte[] hash = random(len);
            byte[] sig = a.sign(hash);
            assertArrayEquals(b.sign(hash), sig, len + "-byte HASH");
            assertTrue(vb.verify(hash, sig));
            assertTrue(va.verify(hash, sig));
            hash[len - 1] ^= 1;
            assertFalse(va.verify(hash, sig));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"secp256r1", "secp384r1", "secp521r1"})
    void ecdsaSignaturesVerifyAcross(String curve) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(curve));
        KeyPair kp = g.generateKeyPair();
        IkeSigner a = accp.signer(kp.getPrivate());
        IkeSigner b = bc.signer(kp.getPrivate());
        IkeVerifier va = accp.verifier(kp.getPublic());
        IkeVerifier vb = bc.verifier(kp.getPublic());
        assertEquals(b.authMethod(), a.authMethod());
        assertEquals(vb.authMethod(), va.authMethod());
        for (int len : HASH_LENGTHS) {              // 64 bytes on P-256: both truncate to the order
            byte[] hash = random(len);
            byte[] byAccp = a.sign(hash);
            byte[] byBc = b.sign(hash);
            assertEquals(byBc.length, byAccp.length, "r | s padded alike");
            assertTrue(vb.verify(hash, byAccp), "Bouncy Castle verifies ACCP's, " + len + "-byte HASH");
            assertTrue(va.verify(hash, byBc), "ACCP verifies Bouncy Castle's, " + len + "-byte HASH");
            assertTrue(va.verify(hash, byAccp));
            byte[] bad = byAccp.clone();
            bad[bad.length / 2 - 1] ^= 1;
            assertFalse(va.verify(hash, bad), "r changed");
            byte[] zeroS = byAccp.clone();
            Arrays.fill(zeroS, zeroS.length / 2, zeroS.length, (byte) 0);
            assertFalse(va.verify(hash, zeroS), "s = 0");
            assertFalse(va.verify(hash, Arrays.copyOf(byAccp, byAccp.length + 1)), "too long");
        }
    }

    /** AWS-LC refuses a curve spelled out as explicit parameters; Bouncy Castle's code then serves. */
    @Test
    void keysAccpWillNotImportStayOnBouncyCastle() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        ECParameterSpec named = ((ECPublicKey) kp.getPublic()).getParams();
        ECParameterSpec explicit = new ECParameterSpec(named.getCurve(), named.getGenerator(), named.getOrder(),
                named.getCofactor());
        KeyFactory bcKeys = KeyFactory.getInstance("EC", new BouncyCastleProvider());
        PublicKey pub = bcKeys.generatePublic(new ECPublicKeySpec(((ECPublicKey) kp.getPublic()).getW(), explicit));
        PrivateKey priv = bcKeys.generatePrivate(new ECPrivateKeySpec(((ECPrivateKey) kp.getPrivate()).getS(),
                explicit));
        IkeVerifier v = accp.verifier(pub);
        IkeSigner s = accp.signer(priv);
        assertEquals(9, v.authMethod());
        byte[] hash = random(32);
        assertTrue(v.verify(hash, s.sign(hash)));
        assertTrue(bc.verifier(kp.getPublic()).verify(hash, s.sign(hash)));
    }

    @ParameterizedTest(name = "group {0}")
    @ValueSource(ints = {19, 20, 21})
    void ecdhPairsOfEitherImplementationAgree(int id) throws Exception {
        DhGroup g = DhGroup.byId(id).orElseThrow();
        DhKeyPair a = accp.generateKeyPair(g);
        DhKeyPair b = bc.generateKeyPair(g);
        assertThrows(IllegalStateException.class, a::privateBytes, "the scalar stays in AWS-LC");
        byte[] ab = g.agree(a, b.publicValue()).bytes();
        assertArrayEquals(g.agree(b, a.publicValue()).bytes(), ab);
        assertEquals(g.sharedSecretLength(), ab.length);
        g.validatePeerPublic(a.publicValue());
        a.wipe();
        assertThrows(IllegalStateException.class, () -> g.agree(a, b.publicValue()));
        a.wipe();                                   // as an SA's several owners do at shutdown
        assertTrue(a.isWiped());
    }

    @Test
    void groupsAccpLacksStayOnBouncyCastle() throws Exception {
        for (int id : new int[] {14, 28, 31}) {
            DhGroup g = DhGroup.byId(id).orElseThrow();
            DhKeyPair a = accp.generateKeyPair(g);
            assertEquals(g.publicValueLength(), a.publicValue().length);
            assertNotEquals(0, a.privateBytes().length, g.name() + " is held by Bouncy Castle");
        }
    }

    @Test
    void hmacIsTheSameForEveryHashAndLength() {
        for (HashAlgorithm h : HashAlgorithm.values()) {
            for (int keyLen : new int[] {0, 1, 20, 64, 129, 200}) {
                byte[] key = random(keyLen);
                byte[] d1 = random(RANDOM.nextInt(300));
                byte[] d2 = random(RANDOM.nextInt(3));
                assertArrayEquals(bc.prf(h).apply(key, d1, d2), accp.prf(h).apply(key, d1, d2), h + " key " + keyLen);
            }
        }
    }

    @Test
    void namesAndVersion() {
        assertEquals("bouncycastle", bc.name());
        assertEquals("accp", accp.name());
        assertTrue(IkeCrypto.accpVersion().matches("ACCP 2\\.\\d+\\.\\d+ on AWS-LC v\\d.*"), IkeCrypto.accpVersion());
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
