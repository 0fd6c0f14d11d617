package dev.isakmpd.oakley;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Secret key material (SKEYID*, g^xy, KEYMAT, pre-shared keys). Holds its own copy so that
 * {@link #wipe()} really clears it; never renders the bytes in {@link #toString()}.
 *
 * <p>The fingerprint (first 4 bytes of SHA-256) lets two peers' logs be correlated without
 * revealing the secret. It is computed when first asked for, not per key made: a standby got
 * eleven keys per handshake, whose fingerprints only a log line or a status listing ever shows.
 * Once asked for, it stays available after {@link #wipe()}; a key wiped before shows
 * {@value #WIPED}.
 */
public final class SecretBytes {
    /** The fingerprint of a key wiped before anyone asked for it. */
    public static final String WIPED = "wiped";

    private final byte[] value;
    /** Null until first asked for; guarded by this, so that {@link #wipe()} cannot zero a key being hashed. */
    private String fingerprint;
    private volatile boolean wiped;

    private SecretBytes(byte[] owned) {
        this.value = owned;
    }

    /** Copies {@code b}; the caller keeps ownership of (and should wipe) its array. */
    public static SecretBytes copyOf(byte[] b) {
        return new SecretBytes(Objects.requireNonNull(b, "b").clone());
    }

    /** Takes ownership of {@code b} without copying; for freshly computed internal arrays. */
    static SecretBytes adopt(byte[] b) {
        return new SecretBytes(Objects.requireNonNull(b, "b"));
    }

    /** A copy of the secret. @throws IllegalStateException after {@link #wipe()} */
    public byte[] bytes() {
        checkNotWiped();
        return value.clone();
    }

    public int length() {
        return value.length;
    }

    /** First 4 bytes of SHA-256(secret) as 8 lowercase hex characters; {@value #WIPED} if wiped before. */
    public synchronized String fingerprint() {
        if (fingerprint == null) {
            fingerprint = wiped ? WIPED : fingerprintOf(value);
        }
        return fingerprint;
    }

    public boolean isWiped() {
        return wiped;
    }

    /** Zeroes the array; later {@link #bytes()} calls fail rather than silently yield zeros. */
    public synchronized void wipe() {
        Arrays.fill(value, (byte) 0);
        wiped = true;
    }

    @Override
    public String toString() {
        return "SecretBytes[" + value.length + " bytes, fp=" + fingerprint() + "]";
    }

    /** Constant-time content comparison. */
    @Override
    public boolean equals(Object o) {
        return o instanceof SecretBytes other && MessageDigest.isEqual(value, other.value);
    }

    /** Only the length: a content hash would be a (weak) oracle on the secret. */
    @Override
    public int hashCode() {
        return value.length;
    }

    private void checkNotWiped() {
        if (wiped) {
            throw new IllegalStateException("secret has been wiped");
        }
    }

    private static String fingerprintOf(byte[] b) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(b);
            return HexFormat.of().formatHex(h, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JRE", e);
        }
    }
}
