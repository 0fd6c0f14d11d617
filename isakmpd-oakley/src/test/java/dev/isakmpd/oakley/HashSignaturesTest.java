package dev.isakmpd.oakley;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * IKEv1 signatures against OpenSSL's (vectors in resources/signatures, README there) and the
 * JDK's own DSA/ECDSA ({@code NONEwith...}), two implementations independent of Bouncy Castle;
 * each test once per {@link IkeCrypto} implementation.
 */
class HashSignaturesTest {
    static Stream<Arguments> dsaFamily() {
        return Implementations.names().flatMap(impl -> Stream.of(Arguments.of(impl, "p256", "EC", 9, 32),
                Arguments.of(impl, "p384", "EC", 10, 48), Arguments.of(impl, "p521", "EC", 11, 66),
                Arguments.of(impl, "dsa1024", "DSA", 2, 20)));
    }

    @ParameterizedTest
    @MethodSource("dev.isakmpd.oakley.Implementations#names")
    void rsaSignatureIsPkcs1TypeOneOverTheRawHashByteForByteAsOpenssl(String impl) throws Exception {
        IkeCrypto crypto = Implementations.crypto(impl);
        IkeSigner signer = crypto.signer(privateKey("rsa2048", "RSA"));
        assertEquals(3, signer.authMethod());
        byte[] hash = resource("hash20.bin");
        byte[] sig = signer.sign(hash);
        assertArrayEquals(resource("rsa2048-hash20.sig"), sig);
        IkeVerifier v = crypto.verifier(publicKey("rsa2048", "RSA"));
        assertTrue(v.verify(hash, sig));
        hash[0] ^= 1;
        assertFalse(v.verify(hash, sig));
        assertFalse(v.verify(resource("hash20.bin"), Arrays.copyOf(sig, sig.length - 1)));
    }

    @ParameterizedTest
    @MethodSource("dsaFamily")
    void dsaFamilyAcceptsOpensslSignaturesAndTheJdkAcceptsOurs(String impl, String key, String alg, int method,
            int half) throws Exception {
        IkeCrypto crypto = Implementations.crypto(impl);
        byte[] hash = resource("hash32.bin");
        IkeVerifier v = crypto.verifier(publicKey(key, alg));
        assertEquals(method, v.authMethod());
        byte[] openssl = rawSignature(resource(key + "-hash32.der"), half);
        assertTrue(v.verify(hash, openssl), "OpenSSL's signature");

        IkeSigner signer = crypto.signer(privateKey(key, alg));
        byte[] ours = signer.sign(hash);
        assertEquals(2 * half, ours.length, "r | s, each padded to the order's size (RFC 4754 s7)");
        assertTrue(v.verify(hash, ours));
        Signature jdk = Signature.getInstance(alg.equals("EC") ? "NONEwithECDSA" : "NONEwithDSA");
        jdk.initVerify(publicKey(key, alg));
        jdk.update(alg.equals("DSA") ? Arrays.copyOf(hash, 20) : hash);
        assertTrue(jdk.verify(der(ours, half)), "the JDK verifies our signature");

        ours[ours.length - 1] ^= 1;
        assertFalse(v.verify(hash, ours));
        assertFalse(v.verify(hash, new byte[2 * half + 1]));
        assertFalse(v.verify(hash, new byte[0]));
    }

    @ParameterizedTest
    @MethodSource("dev.isakmpd.oakley.Implementations#names")
    void curvesIkeV1CannotNameAreRefused(String impl) throws GeneralSecurityException {
        IkeCrypto crypto = Implementations.crypto(impl);
        // brainpoolP256r1 has the field size of P-256 but is not the curve of ECDSA-256.
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC", new BouncyCastleProvider());
        g.initialize(new ECGenParameterSpec("brainpoolP256r1"));
        PublicKey bp256 = g.generateKeyPair().getPublic();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> crypto.verifier(bp256));
        assertTrue(e.getMessage().contains("no IKEv1 authentication method"), e.getMessage());
    }

    private static byte[] rawSignature(byte[] der, int half) {
        ASN1Sequence seq = ASN1Sequence.getInstance(der);
        byte[] out = new byte[2 * half];
        put(ASN1Integer.getInstance(seq.getObjectAt(0)).getValue(), out, 0, half);
        put(ASN1Integer.getInstance(seq.getObjectAt(1)).getValue(), out, half, half);
        return out;
    }

    private static byte[] der(byte[] raw, int half) throws IOException {
        return new DERSequence(new ASN1Integer[] {
            new ASN1Integer(new BigInteger(1, Arrays.copyOfRange(raw, 0, half))),
            new ASN1Integer(new BigInteger(1, Arrays.copyOfRange(raw, half, raw.length)))}).getEncoded();
    }

    private static void put(BigInteger v, byte[] out, int offset, int length) {
        byte[] b = v.toByteArray();
        int skip = Math.max(0, b.length - length);
        System.arraycopy(b, skip, out, offset + length - (b.length - skip), b.length - skip);
    }

    private static PrivateKey privateKey(String name, String alg) throws Exception {
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(pem(name + ".pem")));
    }

    private static PublicKey publicKey(String name, String alg) throws Exception {
        return KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(pem(name + ".pub.pem")));
    }

    private static byte[] pem(String name) throws IOException {
        String text = new String(resource(name), StandardCharsets.US_ASCII);
        return Base64.getMimeDecoder().decode(text.replaceAll("-----[A-Z ]+-----", ""));
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = HashSignaturesTest.class.getResourceAsStream("/signatures/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource " + name);
            }
            return in.readAllBytes();
        }
    }
}
