package dev.isakmpd.oakley;

import java.util.Optional;

/**
 * IKEv1 phase-1 "Encryption Algorithm" attribute (class 1), RFC 2409 Appendix A: DES-CBC = 1,
 * Blowfish-CBC = 3, 3DES-CBC = 5, CAST-CBC = 6; AES-CBC = 7 (RFC 3602 s5.1); Camellia-CBC = 8
 * (RFC 4312 s4). IDEA (2) and RC5 (4) are not supported.
 *
 * <p>DES is legacy (56-bit keys): {@link #fromIke(int)} does not return it, only
 * {@link #fromIke(int, boolean)} with {@code allowLegacy}.
 */
public enum EncryptionAlgorithm {
    DES_CBC(1, 8, 64, 64, 64, true),
    BLOWFISH_CBC(3, 8, 128, 40, 448, false),
    DES3_CBC(5, 8, 192, 192, 192, false),
    CAST_CBC(6, 8, 128, 40, 128, false),
    AES_CBC(7, 16, 128, 128, 256, false),
    CAMELLIA_CBC(8, 16, 128, 128, 256, false);

    private final int ikeValue;
    private final int blockSize;
    private final int defaultKeyBits;
    private final int minKeyBits;
    private final int maxKeyBits;
    private final boolean legacy;

    EncryptionAlgorithm(int ikeValue, int blockSize, int defaultKeyBits, int minKeyBits, int maxKeyBits,
            boolean legacy) {
        this.ikeValue = ikeValue;
        this.blockSize = blockSize;
        this.defaultKeyBits = defaultKeyBits;
        this.minKeyBits = minKeyBits;
        this.maxKeyBits = maxKeyBits;
        this.legacy = legacy;
    }

    public int ikeValue() {
        return ikeValue;
    }

    /** Block size in bytes. */
    public int blockSize() {
        return blockSize;
    }

    /**
     * Key size when no Key Length attribute was negotiated. RFC 3602 s5.3 (AES) and RFC 4312
     * (Camellia) say the attribute MUST be sent; 128 is the common lenient fallback. For
     * Blowfish and CAST the RFC 2451 s2.2 default of 128 bits applies.
     */
    public int defaultKeyBits() {
        return defaultKeyBits;
    }

    /** True for the variable-length ciphers whose transform carries a Key Length attribute. */
    public boolean hasKeyLengthAttribute() {
        return minKeyBits != maxKeyBits;
    }

    /** True for algorithms that must be enabled explicitly (DES). */
    public boolean isLegacy() {
        return legacy;
    }

    /**
     * DES: 64 (56 key bits plus parity); 3DES: 192; AES and Camellia: 128/192/256; Blowfish
     * 40-448 and CAST-128 40-128 in steps of 8 (RFC 2451 s2.2).
     */
    public boolean isValidKeyBits(int bits) {
        return switch (this) {
            case DES_CBC, DES3_CBC -> bits == minKeyBits;
            case AES_CBC, CAMELLIA_CBC -> bits == 128 || bits == 192 || bits == 256;
            case BLOWFISH_CBC, CAST_CBC -> bits >= minKeyBits && bits <= maxKeyBits && bits % 8 == 0;
        };
    }

    /** The algorithm for an attribute value, legacy ones (DES) excluded. */
    public static Optional<EncryptionAlgorithm> fromIke(int v) {
        return fromIke(v, false);
    }

    public static Optional<EncryptionAlgorithm> fromIke(int v, boolean allowLegacy) {
        for (EncryptionAlgorithm a : values()) {
            if (a.ikeValue == v && (allowLegacy || !a.legacy)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
