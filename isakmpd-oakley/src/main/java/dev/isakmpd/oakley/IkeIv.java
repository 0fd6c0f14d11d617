package dev.isakmpd.oakley;

import java.util.Arrays;
import java.util.Objects;

/** CBC IV derivation for ISAKMP messages (RFC 2409 Appendix B). */
public final class IkeIv {
    private IkeIv() {
    }

    /**
     * Phase-1 IV: hash(g^xi | g^xr) truncated to the block size. Used for the first encrypted
     * phase-1 message only; later messages chain from the previous last ciphertext block.
     */
    public static byte[] phase1Iv(HashAlgorithm hash, byte[] gxi, byte[] gxr, int blockSize) {
        Objects.requireNonNull(gxi, "gxi");
        Objects.requireNonNull(gxr, "gxr");
        return truncate(hash, hash.digest(gxi, gxr), blockSize);
    }

    /**
     * IV for the first message of a Quick Mode or of an Informational exchange: hash(last
     * phase-1 CBC output block | M-ID) truncated. The M-ID is the one in this exchange's own
     * ISAKMP header, as 4 big-endian bytes. Each exchange derives its own IV independently.
     */
    public static byte[] phase2Iv(HashAlgorithm hash, byte[] lastPhase1Block, int messageId, int blockSize) {
        Objects.requireNonNull(lastPhase1Block, "lastPhase1Block");
        if (lastPhase1Block.length != blockSize) {
            throw new IllegalArgumentException("last phase-1 block must be " + blockSize + " bytes, got "
                    + lastPhase1Block.length);
        }
        byte[] mid = {
            (byte) (messageId >>> 24), (byte) (messageId >>> 16), (byte) (messageId >>> 8), (byte) messageId
        };
        return truncate(hash, hash.digest(lastPhase1Block, mid), blockSize);
    }

    private static byte[] truncate(HashAlgorithm hash, byte[] digest, int blockSize) {
        if (blockSize <= 0 || blockSize > digest.length) {
            throw new IllegalArgumentException("block size " + blockSize + " not coverable by " + hash);
        }
        return Arrays.copyOf(digest, blockSize);
    }
}
