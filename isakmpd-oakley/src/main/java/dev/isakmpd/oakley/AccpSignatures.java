package dev.isakmpd.oakley;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;

/**
 * The IKEv1 phase-1 signatures of {@link HashSignatures} computed by AWS-LC through ACCP, with
 * the same bytes on the wire:
 * <ul>
 * <li>RSA: ACCP's {@code RSA/ECB/Pkcs1Padding} with the private key pads with block type 1 and
 *     no DigestInfo, byte for byte what the JDK's cipher and OpenSSL's pkeyutl -sign make; verify
 *     is the public-key operation and a constant-time compare with HASH.
 * <li>ECDSA: {@code NONEwithECDSA} signs HASH as the digest (strongSwan's ECDSA_WITH_NULL);
 *     its DER (r, s) is converted to and from the r | s of RFC 4754 s7. Nonces come from
 *     AWS-LC's DRBG mixed with the key and the digest, not from RFC 6979, so two signatures of
 *     the same HASH differ; both verify everywhere.
 * </ul>
 * DSS stays on Bouncy Castle, and so does a key AWS-LC will not import (an EC key whose curve
 * is spelled out as explicit parameters rather than named, which certificates may carry). Keys
 * are imported into ACCP once, when the signer or verifier is made; each signature uses its own
 * Cipher or Signature object, so both are thread-safe.
 */
final class AccpSignatures {
    private static final String RSA_PKCS1 = "RSA/ECB/Pkcs1Padding";
    private static final String ECDSA = "NONEwithECDSA";

    private AccpSignatures() {
    }

    /** @throws IllegalArgumentException as {@link HashSignatures#signer} */
    static IkeSigner signer(PrivateKey key) {
        IkeSigner bc = HashSignatures.signer(key);          // checks the key type and curve
        int method = bc.authMethod();
        if (method == 2) {
            return bc;
        }
        Provider accp = Accp.provider();
        PrivateKey imported;
        try {
            imported = KeyFactory.getInstance(key.getAlgorithm(), accp)
                    .generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
        } catch (GeneralSecurityException | RuntimeException e) {
            return bc;                              // e.g. a curve given by explicit parameters
        }
        int half = ecdsaHalf(method);
        return IkeSigner.of(method, hash -> {
            try {
                if (method == 3) {
                    Cipher rsa = Cipher.getInstance(RSA_PKCS1, accp);
                    rsa.init(Cipher.ENCRYPT_MODE, imported);
                    return rsa.doFinal(hash);
                }
                Signature ecdsa = Signature.getInstance(ECDSA, accp);
                ecdsa.initSign(imported);
                ecdsa.update(hash);
                return raw(ecdsa.sign(), half);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("signing failed: " + e.getClass().getSimpleName());
            }
        });
    }

    /** @throws IllegalArgumentException as {@link HashSignatures#verifier} */
    static IkeVerifier verifier(PublicKey key) {
        IkeVerifier bc = HashSignatures.verifier(key);
        int method = bc.authMethod();
        if (method == 2) {
            return bc;
        }
        Provider accp = Accp.provider();
        PublicKey imported;
        try {
            imported = KeyFactory.getInstance(key.getAlgorithm(), accp)
                    .generatePublic(new X509EncodedKeySpec(key.getEncoded()));
        } catch (GeneralSecurityException | RuntimeException e) {
            return bc;                              // e.g. a curve given by explicit parameters
        }
        int sigLength = method == 3 ? (((RSAKey) key).getModulus().bitLength() + 7) / 8
                : 2 * ecdsaHalf(method);
        return IkeVerifier.of(method, (hash, signature) -> {
            if (signature.length != sigLength) {
                return false;
            }
            try {
                if (method == 3) {
                    Cipher rsa = Cipher.getInstance(RSA_PKCS1, accp);
                    rsa.init(Cipher.DECRYPT_MODE, imported);
                    return MessageDigest.isEqual(hash, rsa.doFinal(signature));
                }
                Signature ecdsa = Signature.getInstance(ECDSA, accp);
                ecdsa.initVerify(imported);
                ecdsa.update(hash);
                return ecdsa.verify(der(signature));
            } catch (GeneralSecurityException | IOException | RuntimeException e) {
                return false;
            }
        });
    }

    /** Bytes of r and of s for ECDSA-256/384/521 (RFC 4754 s7); unused for RSA. */
    private static int ecdsaHalf(int method) {
        return switch (method) {
            case 9 -> 32;
            case 10 -> 48;
            case 11 -> 66;
            default -> 0;
        };
    }

    private static byte[] raw(byte[] der, int half) {
        ASN1Sequence seq = ASN1Sequence.getInstance(der);
        byte[] out = new byte[2 * half];
        HashSignatures.put(ASN1Integer.getInstance(seq.getObjectAt(0)).getValue(), out, 0, half);
        HashSignatures.put(ASN1Integer.getInstance(seq.getObjectAt(1)).getValue(), out, half, half);
        return out;
    }

    private static byte[] der(byte[] raw) throws IOException {
        int half = raw.length / 2;
        return new DERSequence(new ASN1Integer[] {
            new ASN1Integer(new BigInteger(1, Arrays.copyOfRange(raw, 0, half))),
            new ASN1Integer(new BigInteger(1, Arrays.copyOfRange(raw, half, raw.length)))}).getEncoded();
    }
}
