package dev.isakmpd.core.exchange;

import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.wire.IsakmpHeader;
import dev.isakmpd.core.wire.WireException;
import dev.isakmpd.oakley.CbcCipher;
import dev.isakmpd.oakley.HashAlgorithm;
import dev.isakmpd.oakley.IkeIv;
import dev.isakmpd.oakley.SecretBytes;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The CBC state of one ISAKMP SA (RFC 2409 Appendix B). Phase 1 (message ID 0) chains one IV
 * through the encrypted Main Mode messages, starting at hash(g^xi | g^xr). Every later exchange
 * has its own chain, keyed by message ID, starting at hash(last phase-1 CBC block | M-ID).
 * The chain only advances after a message was accepted, so garbage cannot desynchronise it.
 */
final class CbcState {
    private final CbcCipher cipher;
    private final SecretBytes key;
    private final HashAlgorithm hash;
    private byte[] phase1Iv;
    private byte[] lastPhase1Block;
    private final Map<Integer, byte[]> phase2Ivs = new HashMap<>();

    CbcState(CbcCipher cipher, SecretBytes key, HashAlgorithm hash, byte[] initialIv) {
        this.cipher = cipher;
        this.key = key;
        this.hash = hash;
        this.phase1Iv = initialIv.clone();
    }

    int blockSize() {
        return cipher.blockSize();
    }

    /** Encrypts a payload chain, padded with zeros to the block size, and advances the chain. */
    byte[] encrypt(int messageId, byte[] plaintext) {
        int bs = cipher.blockSize();
        int padded = (plaintext.length + bs - 1) / bs * bs;
        byte[] in = Arrays.copyOf(plaintext, Math.max(padded, bs));
        byte[] out = cipher.encrypt(key.bytes(), iv(messageId), in);
        advance(messageId, out);
        return out;
    }

    /**
     * Decrypts without advancing; call {@link #advance} once the message is accepted.
     *
     * @throws WireException PAYLOAD-MALFORMED unless the body is a whole, non-zero number of blocks
     */
    byte[] decrypt(int messageId, byte[] ciphertext) throws WireException {
        if (ciphertext.length == 0 || ciphertext.length % cipher.blockSize() != 0) {
            throw new WireException(NotifyType.PAYLOAD_MALFORMED, IsakmpHeader.LENGTH, "encrypted body",
                    ciphertext.length + " bytes is not a whole number of " + cipher.blockSize() + "-byte blocks");
        }
        return cipher.decrypt(key.bytes(), iv(messageId), ciphertext);
    }

    void advance(int messageId, byte[] ciphertext) {
        byte[] last = Arrays.copyOfRange(ciphertext, ciphertext.length - cipher.blockSize(), ciphertext.length);
        if (messageId == 0) {
            phase1Iv = last;
        } else {
            phase2Ivs.put(messageId, last);
        }
    }

    /** Main Mode is over: its last CBC block seeds every phase-2 and informational IV. */
    void endPhase1() {
        lastPhase1Block = phase1Iv.clone();
    }

    /** The last phase-1 CBC block (a copy), which seeds every phase-2 IV; null before phase 1 ended. */
    byte[] lastPhase1Block() {
        return lastPhase1Block == null ? null : lastPhase1Block.clone();
    }

    void forget(int messageId) {
        phase2Ivs.remove(messageId);
    }

    /** Phase-2 and informational chains held, for tests that bound them. */
    int chains() {
        return phase2Ivs.size();
    }

    private byte[] iv(int messageId) {
        if (messageId == 0) {
            return phase1Iv;
        }
        if (lastPhase1Block == null) {
            throw new IllegalStateException("phase-2 IV requested before phase 1 completed");
        }
        return phase2Ivs.computeIfAbsent(messageId,
                id -> IkeIv.phase2Iv(hash, lastPhase1Block, id, cipher.blockSize()));
    }

    void wipe() {
        key.wipe();
    }
}
