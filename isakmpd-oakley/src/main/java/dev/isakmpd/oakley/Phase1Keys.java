package dev.isakmpd.oakley;

import java.util.Arrays;
import java.util.Objects;

/**
 * Phase-1 (ISAKMP SA) keys: SKEYID for each authentication method of RFC 2409 s5, then
 * SKEYID_d/a/e, the encryption key (Appendix B expansion) and the first IV.
 * The returned {@link SecretBytes} are owned by this object and cleared by {@link #wipe()}.
 */
public final class Phase1Keys {
    private static final int COOKIE_LENGTH = 8;

    private final Prf prf;
    private final CbcCipher cipher;
    private final SecretBytes skeyid;
    private final SecretBytes skeyidD;
    private final SecretBytes skeyidA;
    private final SecretBytes skeyidE;
    private final SecretBytes encryptionKey;
    private final byte[] initialIv;

    private Phase1Keys(Prf prf, CbcCipher cipher, SecretBytes skeyid, SecretBytes skeyidD,
            SecretBytes skeyidA, SecretBytes skeyidE, SecretBytes encryptionKey, byte[] initialIv) {
        this.prf = prf;
        this.cipher = cipher;
        this.skeyid = skeyid;
        this.skeyidD = skeyidD;
        this.skeyidA = skeyidA;
        this.skeyidE = skeyidE;
        this.encryptionKey = encryptionKey;
        this.initialIv = initialIv;
    }

    /**
     * SKEYID = prf(pre-shared-key, Ni_b | Nr_b);
     * SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0);
     * SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1);
     * SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2), with 0/1/2 single octets.
     *
     * <p>Cookies are always in initiator-then-responder order of the phase-1 exchange (s4: they
     * MUST NOT swap); nonces are payload bodies (the "_b" notation, s3.2). g^xy must be the
     * zero-padded fixed-length encoding from {@link DhGroup#agree}.
     *
     * @param hash the negotiated hash, used for the IV (may differ from prf only if a prf is
     *     ever negotiated)
     */
    public static Phase1Keys derivePreSharedKey(Prf prf, HashAlgorithm hash, CbcCipher cipher,
            SecretBytes psk, byte[] niB, byte[] nrB, SecretBytes gxy, byte[] ckyI, byte[] ckyR,
            byte[] gxi, byte[] gxr) {
        return derive(AuthMethod.PRE_SHARED_KEY, prf, hash, cipher, psk, niB, nrB, gxy, ckyI, ckyR, gxi, gxr);
    }

    /**
     * The authentication methods of RFC 2409 s5, as far as key derivation is concerned. The
     * attribute values (class 4, App. A) are 1 (pre-shared key), 2 (DSS), 3 (RSA signatures),
     * 4 (RSA encryption) and 5 (revised RSA encryption).
     */
    public enum AuthMethod {
        /** SKEYID = prf(pre-shared-key, Ni_b | Nr_b). */
        PRE_SHARED_KEY,
        /** DSS and RSA signatures: SKEYID = prf(Ni_b | Nr_b, g^xy). */
        SIGNATURE,
        /**
         * Public key encryption and revised public key encryption (s5.2, s5.3):
         * SKEYID = prf(hash(Ni_b | Nr_b), CKY-I | CKY-R).
         */
        PUBLIC_KEY_ENCRYPTION
    }

    /** SKEYID for {@code method} (RFC 2409 s5); {@code psk} only for pre-shared keys. */
    public static SecretBytes skeyid(AuthMethod method, Prf prf, HashAlgorithm hash, SecretBytes psk,
            byte[] niB, byte[] nrB, SecretBytes gxy, byte[] ckyI, byte[] ckyR) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(niB, "niB");
        Objects.requireNonNull(nrB, "nrB");
        return switch (method) {
            case PRE_SHARED_KEY -> SecretBytes.adopt(prf.apply(Objects.requireNonNull(psk, "psk"), niB, nrB));
            case SIGNATURE -> {
                byte[] key = concat(niB, nrB);
                byte[] g = Objects.requireNonNull(gxy, "gxy").bytes();
                try {
                    yield SecretBytes.adopt(prf.apply(key, g));
                } finally {
                    Arrays.fill(key, (byte) 0);
                    Arrays.fill(g, (byte) 0);
                }
            }
            case PUBLIC_KEY_ENCRYPTION -> {
                byte[] key = hash.digest(niB, nrB);
                try {
                    yield SecretBytes.adopt(prf.apply(key, ckyI, ckyR));
                } finally {
                    Arrays.fill(key, (byte) 0);
                }
            }
        };
    }

    /**
     * Revised public key encryption (RFC 2409 s5.3): the symmetric key Ke_i (from Ni_b and
     * CKY-I) or Ke_r (from Nr_b and CKY-R). Ne = prf(N_b, CKY); the key is the first
     * {@code keyLength} bytes of Ne, or of K1 | K2 | ... with K1 = prf(Ne, 0), Kn = prf(Ne, Kn-1)
     * when Ne is too short (the Appendix B rule).
     */
    public static SecretBytes revisedModeKey(Prf prf, byte[] nonceB, byte[] cookie, int keyLength) {
        Objects.requireNonNull(nonceB, "nonceB");
        checkCookie(cookie, "cookie");
        byte[] ne = prf.apply(nonceB, cookie);
        try {
            return SecretBytes.adopt(encryptionKey(prf, ne, keyLength));
        } finally {
            Arrays.fill(ne, (byte) 0);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * SKEYID by {@code method}, then SKEYID_d/a/e, the encryption key and the first IV as in
     * {@link #derivePreSharedKey}. {@code psk} may be null except for pre-shared keys.
     */
    public static Phase1Keys derive(AuthMethod method, Prf prf, HashAlgorithm hash, CbcCipher cipher,
            SecretBytes psk, byte[] niB, byte[] nrB, SecretBytes gxy, byte[] ckyI, byte[] ckyR,
            byte[] gxi, byte[] gxr) {
        Objects.requireNonNull(prf, "prf");
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(cipher, "cipher");
        Objects.requireNonNull(niB, "niB");
        Objects.requireNonNull(nrB, "nrB");
        Objects.requireNonNull(gxy, "gxy");
        checkCookie(ckyI, "ckyI");
        checkCookie(ckyR, "ckyR");

        SecretBytes sk = skeyid(method, prf, hash, psk, niB, nrB, gxy, ckyI, ckyR);
        byte[] skeyid = sk.bytes();
        sk.wipe();
        byte[] g = gxy.bytes();
        try {
            byte[] d = prf.apply(skeyid, g, ckyI, ckyR, new byte[] {0});
            byte[] a = prf.apply(skeyid, d, g, ckyI, ckyR, new byte[] {1});
            byte[] e = prf.apply(skeyid, a, g, ckyI, ckyR, new byte[] {2});
            byte[] key = encryptionKey(prf, e, cipher.keyLength());
            byte[] iv = IkeIv.phase1Iv(hash, gxi, gxr, cipher.blockSize());
            return new Phase1Keys(prf, cipher, SecretBytes.adopt(skeyid), SecretBytes.adopt(d),
                    SecretBytes.adopt(a), SecretBytes.adopt(e), SecretBytes.adopt(key), iv);
        } finally {
            Arrays.fill(g, (byte) 0);
        }
    }

    /**
     * An established ISAKMP SA's keys as a standby received them (HA takeover, issue 15):
     * SKEYID_d/a/e are copied, the encryption key is expanded again from SKEYID_e (Appendix B).
     * SKEYID itself is not replicated: it only proves phase 1 (HASH_I/HASH_R), which a resumed SA
     * never runs again, so {@link #hashI} and {@link #hashR} refuse.
     */
    public static Phase1Keys resumed(Prf prf, CbcCipher cipher, SecretBytes skeyidD, SecretBytes skeyidA,
            SecretBytes skeyidE) {
        byte[] e = skeyidE.bytes();
        try {
            return new Phase1Keys(prf, cipher, null, SecretBytes.copyOf(skeyidD.bytes()),
                    SecretBytes.copyOf(skeyidA.bytes()), SecretBytes.adopt(e.clone()),
                    SecretBytes.adopt(encryptionKey(prf, e, cipher.keyLength())), new byte[cipher.blockSize()]);
        } finally {
            Arrays.fill(e, (byte) 0);
        }
    }

    /**
     * Appendix B: the key is the first bytes of SKEYID_e when it is long enough; otherwise the
     * first bytes of Ka = K1 | K2 | ..., K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1). Ka
     * replaces SKEYID_e entirely (it is not appended to it).
     */
    static byte[] encryptionKey(Prf prf, byte[] skeyidE, int keyLength) {
        if (skeyidE.length >= keyLength) {
            return Arrays.copyOf(skeyidE, keyLength);
        }
        int n = prf.outputLength();
        byte[] ka = new byte[(keyLength + n - 1) / n * n];
        try {
            byte[] k = new byte[0];
            for (int off = 0; off < keyLength; off += n) {
                byte[] next = prf.apply(skeyidE, off == 0 ? new byte[] {0} : k);
                Arrays.fill(k, (byte) 0);
                k = next;
                System.arraycopy(k, 0, ka, off, n);
            }
            Arrays.fill(k, (byte) 0);
            return Arrays.copyOf(ka, keyLength);
        } finally {
            Arrays.fill(ka, (byte) 0);
        }
    }

    private static void checkCookie(byte[] cookie, String name) {
        Objects.requireNonNull(cookie, name);
        if (cookie.length != COOKIE_LENGTH) {
            throw new IllegalArgumentException(name + " must be 8 bytes, got " + cookie.length);
        }
    }

    /**
     * HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b) (RFC 2409 s5), the same
     * for every authentication method; only SKEYID differs.
     */
    public byte[] hashI(byte[] gxi, byte[] gxr, byte[] ckyI, byte[] ckyR, byte[] saiB, byte[] idiiB) {
        return prf.apply(skeyid().bytes(), gxi, gxr, ckyI, ckyR, saiB, idiiB);
    }

    /** HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b) (RFC 2409 s5). */
    public byte[] hashR(byte[] gxi, byte[] gxr, byte[] ckyI, byte[] ckyR, byte[] saiB, byte[] idirB) {
        return prf.apply(skeyid().bytes(), gxr, gxi, ckyR, ckyI, saiB, idirB);
    }

    /** @throws IllegalStateException for {@link #resumed} keys, which have no SKEYID */
    public SecretBytes skeyid() {
        if (skeyid == null) {
            throw new IllegalStateException("SKEYID is not replicated: a resumed ISAKMP SA runs no phase 1");
        }
        return skeyid;
    }

    public SecretBytes skeyidD() {
        return skeyidD;
    }

    public SecretBytes skeyidA() {
        return skeyidA;
    }

    public SecretBytes skeyidE() {
        return skeyidE;
    }

    /** The first {@code cipher.keyLength()} bytes of SKEYID_e, or of its Appendix B expansion. */
    public SecretBytes encryptionKey() {
        return encryptionKey;
    }

    /** IV of the first encrypted phase-1 message; a copy. */
    public byte[] initialIv() {
        return initialIv.clone();
    }

    public Prf prf() {
        return prf;
    }

    public CbcCipher cipher() {
        return cipher;
    }

    public void wipe() {
        if (skeyid != null) {
            skeyid.wipe();
        }
        skeyidD.wipe();
        skeyidA.wipe();
        skeyidE.wipe();
        encryptionKey.wipe();
    }

    @Override
    public String toString() {
        return "Phase1Keys[prf=" + prf + ", cipher=" + cipher
                + ", skeyid fp=" + (skeyid == null ? "none" : skeyid.fingerprint())
                + ", d fp=" + skeyidD.fingerprint()
                + ", a fp=" + skeyidA.fingerprint()
                + ", e fp=" + skeyidE.fingerprint()
                + ", key fp=" + encryptionKey.fingerprint() + "]";
    }
}
