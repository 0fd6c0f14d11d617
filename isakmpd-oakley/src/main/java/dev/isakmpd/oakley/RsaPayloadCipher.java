package dev.isakmpd.oakley;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.Optional;
import javax.crypto.Cipher;

/** RSA PKCS#1 v1.5 encryption of payload bodies (RFC 2409 s5.2: "MUST be encoded in PKCS #1 format"). */
final class RsaPayloadCipher {
    private static final String RSA_PKCS1 = "RSA/ECB/PKCS1Padding";

    private RsaPayloadCipher() {
    }

    static byte[] encrypt(PublicKey key, byte[] data, SecureRandom random) {
        try {
            Cipher c = Cipher.getInstance(RSA_PKCS1);
            c.init(Cipher.ENCRYPT_MODE, key, random);
            return c.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("RSA encryption failed: " + e.getClass().getSimpleName());
        }
    }

    static Optional<byte[]> decrypt(PrivateKey key, byte[] ciphertext) {
        try {
            Cipher c = Cipher.getInstance(RSA_PKCS1);
            c.init(Cipher.DECRYPT_MODE, key);
            return Optional.of(c.doFinal(ciphertext));
        } catch (GeneralSecurityException | RuntimeException e) {
            return Optional.empty(); // why is not told: the caller answers every failure alike
        }
    }
}
