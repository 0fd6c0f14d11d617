package dev.isakmpd.oakley;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;
import javax.crypto.Cipher;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.crypto.CipherParameters;
import org.bouncycastle.crypto.DSA;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.DSAKeyParameters;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECKeyParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.signers.DSASigner;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PublicKeyFactory;

/**
 * The signatures of IKEv1 phase 1 (RFC 2409 s5.1): the signer signs HASH_I or HASH_R itself,
 * which the prf has already made, so no further digest is applied.
 * <ul>
 * <li>RSA (method 3): PKCS#1 v1.5 block type 1 over the raw HASH, without a DigestInfo, as
 *     strongSwan ({@code SIGN_RSA_EMSA_PKCS1_NULL}) and libreswan make and expect them.
 * <li>ECDSA (methods 9/10/11, RFC 4754): r | s, each zero-padded to the curve's size (s7). The
 *     HASH is the digest that ECDSA signs: strongSwan 5.9 signs it so ({@code SIGN_ECDSA_WITH_NULL})
 *     rather than hashing it once more with SHA-2, and interoperating with it decides the question.
 * <li>DSS (method 2, FIPS 186): r | s over the HASH, 20 bytes each for the 160-bit q of classic DSS.
 * </ul>
 * Nonces for (EC)DSA are deterministic (RFC 6979), so a weak random source cannot leak the key.
 */
final class HashSignatures {
    /**
     * RSA through the JDK: with a private key, PKCS1Padding is block type 1 over the data as given
     * (the bytes of OpenSSL's pkeyutl -sign, checked by the known-answer test), and the JDK's
     * blinded CRT is about 4x faster here than Bouncy Castle's RSA engine.
     */
    private static final String RSA_PKCS1 = "RSA/ECB/PKCS1Padding";
    /** The curves of ECDSA-256, -384 and -521, auth methods 9, 10 and 11 (RFC 4754 s4). */
    private static final String[] ECDSA_CURVES = {"P-256", "P-384", "P-521"};

    private HashSignatures() {
    }

    static IkeSigner signer(PrivateKey key) {
        AsymmetricKeyParameter k = privateParameters(key);
        int method = method(k);
        if (k instanceof RSAKeyParameters) {
            return IkeSigner.of(method, hash -> {
                try {
                    Cipher rsa = Cipher.getInstance(RSA_PKCS1);
                    rsa.init(Cipher.ENCRYPT_MODE, key);
                    return rsa.doFinal(hash);
                } catch (GeneralSecurityException e) {
                    throw new IllegalArgumentException("RSA signing failed: " + e.getClass().getSimpleName());
                }
            });
        }
        DSA dsa = k instanceof ECKeyParameters ? new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()))
                : new DSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        int half = halfLength(k);
        return IkeSigner.of(method, hash -> {
            synchronized (dsa) {
                dsa.init(true, k);
                BigInteger[] rs = dsa.generateSignature(hash);
                byte[] out = new byte[2 * half];
                put(rs[0], out, 0, half);
                put(rs[1], out, half, half);
                return out;
            }
        });
    }

    static IkeVerifier verifier(PublicKey key) {
        AsymmetricKeyParameter k = publicParameters(key);
        int method = method(k);
        if (k instanceof RSAKeyParameters rsaKey) {
            return IkeVerifier.of(method, (hash, signature) -> {
                if (signature.length != (rsaKey.getModulus().bitLength() + 7) / 8) {
                    return false;
                }
                try {
                    Cipher rsa = Cipher.getInstance(RSA_PKCS1);
                    rsa.init(Cipher.DECRYPT_MODE, key);
                    return MessageDigest.isEqual(hash, rsa.doFinal(signature));
                } catch (GeneralSecurityException | RuntimeException e) {
                    return false;
                }
            });
        }
        int half = halfLength(k);
        return IkeVerifier.of(method, (hash, signature) -> {
            if (signature.length != 2 * half) {
                return false;
            }
            DSA dsa = k instanceof ECKeyParameters ? new ECDSASigner() : new DSASigner();
            dsa.init(false, k);
            BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, half));
            BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, half, 2 * half));
            return dsa.verifySignature(hash, r, s);
        });
    }

    /**
     * The auth method a key signs with (RFC 2409 App. A; RFC 4754 s4): RSA 3, DSS 2, ECDSA on
     * P-256/P-384/P-521 9/10/11.
     *
     * @throws IllegalArgumentException for other key types and curves, which IKEv1 cannot name
     */
    static int method(PublicKey key) {
        return method(publicParameters(key));
    }

    private static int method(CipherParameters k) {
        if (k instanceof RSAKeyParameters) {
            return 3;
        }
        if (k instanceof DSAKeyParameters) {
            return 2;
        }
        if (k instanceof ECKeyParameters ec) {
            for (int i = 0; i < ECDSA_CURVES.length; i++) {
                if (CustomNamedCurves.getByName(ECDSA_CURVES[i]).getCurve().equals(ec.getParameters().getCurve())) {
                    return 9 + i;
                }
            }
            throw new IllegalArgumentException("ECDSA on this " + ec.getParameters().getCurve().getFieldSize()
                    + "-bit curve has no IKEv1 authentication method (RFC 4754 names P-256, P-384, P-521)");
        }
        throw new IllegalArgumentException("unsupported key type " + k.getClass().getSimpleName());
    }

    /** Bytes of r (and of s): the order's size, as RFC 4754 s7 pads them (66 for P-521). */
    private static int halfLength(AsymmetricKeyParameter k) {
        BigInteger order = k instanceof ECKeyParameters ec ? ec.getParameters().getN()
                : ((DSAKeyParameters) k).getParameters().getQ();
        return (order.bitLength() + 7) / 8;
    }

    /** {@code v} big-endian in {@code length} bytes at {@code offset}, zero-padded on the left. */
    static void put(BigInteger v, byte[] out, int offset, int length) {
        byte[] b = v.toByteArray();
        int skip = b.length > length ? b.length - length : 0;
        System.arraycopy(b, skip, out, offset + length - (b.length - skip), b.length - skip);
    }

    private static AsymmetricKeyParameter privateParameters(PrivateKey key) {
        try {
            AsymmetricKeyParameter k = PrivateKeyFactory.createKey(key.getEncoded());
            if (k instanceof ECPrivateKeyParameters ec) {
                ECDomainParameters fast = fastDomain(ec.getParameters());
                return new ECPrivateKeyParameters(ec.getD(), fast);
            }
            return k;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("unsupported private key (" + key.getAlgorithm() + ")");
        }
    }

    private static AsymmetricKeyParameter publicParameters(PublicKey key) {
        try {
            AsymmetricKeyParameter k = PublicKeyFactory.createKey(key.getEncoded());
            if (k instanceof ECPublicKeyParameters ec) {
                ECDomainParameters fast = fastDomain(ec.getParameters());
                return new ECPublicKeyParameters(fast.getCurve().decodePoint(ec.getQ().getEncoded(false)), fast);
            }
            return k;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("unsupported public key (" + key.getAlgorithm() + ")");
        }
    }

    /**
     * The same NIST curve in Bouncy Castle's specialised field arithmetic (CustomNamedCurves),
     * several times faster than the generic curve a decoded key comes with; others unchanged.
     */
    private static ECDomainParameters fastDomain(ECDomainParameters generic) {
        for (String name : ECDSA_CURVES) {
            if (ECNamedCurveTable.getByName(name).getCurve().equals(generic.getCurve())) {
                return new ECDomainParameters(CustomNamedCurves.getByName(name));
            }
        }
        return generic;
    }
}
