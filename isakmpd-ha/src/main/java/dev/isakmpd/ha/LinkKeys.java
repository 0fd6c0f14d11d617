package dev.isakmpd.ha;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The two keys of the sync link, derived from the shared {@code key-file} secret: one for
 * JGroups' SYM_ENCRYPT (AES-256-CBC over every message), one for the HMAC-SHA-256 each envelope
 * carries, because CBC alone does not authenticate. Distinct labels keep the keys independent
 * (HKDF-Expand, RFC 5869 s2.3, one block). Never printed: no toString.
 */
final class LinkKeys {
    /** The shortest secret accepted: 128 bits. */
    static final int MIN_SECRET = 16;
    private static final String HMAC = "HmacSHA256";

    private final byte[] encryption;
    private final byte[] authentication;
    /**
     * One keyed HMAC per thread that signs or checks envelopes (the event loop, JGroups' threads):
     * a Mac is not thread-safe, and getting and keying one per message (a provider lookup, reflection,
     * the key schedule) cost more than the HMAC itself and kept the JIT busy on both nodes.
     */
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

    private LinkKeys(byte[] encryption, byte[] authentication) {
        this.encryption = encryption;
        this.authentication = authentication;
    }

    /** Derives the keys; the caller keeps (and wipes) {@code secret}. */
    static LinkKeys derive(byte[] secret) {
        if (secret.length < MIN_SECRET) {
            throw new IllegalArgumentException("the HA key must have at least " + MIN_SECRET + " bytes, it has "
                    + secret.length);
        }
        return new LinkKeys(expand(secret, "isakmpd-ha sync-link encryption"),
                expand(secret, "isakmpd-ha record authentication"));
    }

    SecretKeySpec encryptionKey() {
        return new SecretKeySpec(encryption, "AES");
    }

    /** This thread's HMAC-SHA-256 under the authentication key, reset: for one message, then doFinal. */
    Mac mac() {
        Mac mac = macs.get();
        mac.reset(); // a use that threw between update and doFinal leaves no input behind
        return mac;
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(authentication, HMAC));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 is not available in this JVM", e);
        }
    }

    void wipe() {
        Arrays.fill(encryption, (byte) 0);
        Arrays.fill(authentication, (byte) 0);
    }

    private static byte[] expand(byte[] secret, String label) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(secret, HMAC));
            mac.update(label.getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) 1);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 is not available in this JVM", e);
        }
    }
}
