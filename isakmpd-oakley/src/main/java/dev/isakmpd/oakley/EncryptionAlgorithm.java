package dev.isakmpd.oakley;

import java.util.Optional;

/**
 * IKEv1 phase-1 "Encryption Algorithm" attribute (class 1): 3DES-CBC = 5 (RFC 2409 Appendix A),
 * AES-CBC = 7 (RFC 3602 s5.1).
 */
public enum EncryptionAlgorithm {
    DES3_CBC(5, 8, 192),
    AES_CBC(7, 16, 128);

    private final int ikeValue;
    private final int blockSize;
    private final int defaultKeyBits;

    EncryptionAlgorithm(int ikeValue, int blockSize, int defaultKeyBits) {
        this.ikeValue = ikeValue;
        this.blockSize = blockSize;
        this.defaultKeyBits = defaultKeyBits;
    }

    public int ikeValue() {
        return ikeValue;
    }

    /** Block size in bytes. */
    public int blockSize() {
        return blockSize;
    }

    /**
     * Key size when no Key Length attribute was negotiated. RFC 3602 s5.3 says the attribute
     * MUST be sent for AES; 128 is the common lenient fallback for peers that omit it.
     */
    public int defaultKeyBits() {
        return defaultKeyBits;
    }

    /** 3DES: 192 only (three independent keys, parity bits included); AES: 128/192/256. */
    public boolean isValidKeyBits(int bits) {
        return switch (this) {
            case DES3_CBC -> bits == 192;
            case AES_CBC -> bits == 128 || bits == 192 || bits == 256;
        };
    }

    public static Optional<EncryptionAlgorithm> fromIke(int v) {
        for (EncryptionAlgorithm a : values()) {
            if (a.ikeValue == v) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
