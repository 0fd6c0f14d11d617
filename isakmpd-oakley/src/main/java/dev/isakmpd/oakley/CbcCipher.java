package dev.isakmpd.oakley;

import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.engines.BlowfishEngine;
import org.bouncycastle.crypto.engines.CAST5Engine;
import org.bouncycastle.crypto.engines.CamelliaEngine;
import org.bouncycastle.crypto.engines.DESEngine;
import org.bouncycastle.crypto.engines.DESedeEngine;
import org.bouncycastle.crypto.params.DESParameters;
import org.bouncycastle.crypto.modes.CBCBlockCipher;
import org.bouncycastle.crypto.modes.CBCModeCipher;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * Raw CBC encryption for ISAKMP payloads. No padding is added or removed here: RFC 2409
 * Appendix B pads messages at the ISAKMP layer, so the caller supplies whole blocks. Stateless;
 * IV chaining (last ciphertext block, see {@link #lastBlock}) is the caller's business.
 */
public final class CbcCipher {
    private final EncryptionAlgorithm alg;
    private final int keyBits;

    /** @throws IllegalArgumentException if {@code keyBits} is not valid for {@code alg} */
    public CbcCipher(EncryptionAlgorithm alg, int keyBits) {
        this.alg = Objects.requireNonNull(alg, "alg");
        if (!alg.isValidKeyBits(keyBits)) {
            throw new IllegalArgumentException("invalid key size " + keyBits + " bits for " + alg);
        }
        this.keyBits = keyBits;
    }

    public EncryptionAlgorithm algorithm() {
        return alg;
    }

    public int keyBits() {
        return keyBits;
    }

    public int blockSize() {
        return alg.blockSize();
    }

    /** Key length in bytes. */
    public int keyLength() {
        return keyBits / 8;
    }

    public byte[] encrypt(byte[] key, byte[] iv, byte[] plaintext) {
        return process(true, key, iv, plaintext);
    }

    public byte[] decrypt(byte[] key, byte[] iv, byte[] ciphertext) {
        return process(false, key, iv, ciphertext);
    }

    /**
     * The last ciphertext block of a message: the IV for the next message of the same exchange,
     * and (for the final phase-1 message) the input to {@link IkeIv#phase2Iv} (RFC 2409 App. B).
     */
    public byte[] lastBlock(byte[] ciphertext) {
        int bs = blockSize();
        if (ciphertext.length < bs || ciphertext.length % bs != 0) {
            throw new IllegalArgumentException("ciphertext length " + ciphertext.length
                    + " is not a positive multiple of the block size " + bs);
        }
        return Arrays.copyOfRange(ciphertext, ciphertext.length - bs, ciphertext.length);
    }

    /**
     * RFC 2451 s2.3: a 3DES key with K1 == K2 or K2 == K3 degenerates to single DES and MUST be
     * rejected. Parity bits (the low bit of each byte) are ignored because DES ignores them.
     * DES: the 4 weak and 12 semi-weak keys (FIPS 74 s3.6, RFC 2405 s5). Always false for AES
     * (RFC 3602 s2.3), Camellia (RFC 4312 s5), CAST-128 and Blowfish (RFC 2451 s2.3: the
     * Blowfish weak keys cannot be detected before key setup and are not a practical risk).
     */
    public boolean isWeakKey(byte[] key) {
        checkKey(key);
        return switch (alg) {
            case DES3_CBC -> sameDesKey(key, 0, 8) || sameDesKey(key, 8, 16);
            case DES_CBC -> DESParameters.isWeakKey(key, 0);
            default -> false;
        };
    }

    @Override
    public String toString() {
        return alg + "-" + keyBits;
    }

    private static boolean sameDesKey(byte[] key, int a, int b) {
        int diff = 0;
        for (int i = 0; i < 8; i++) {
            diff |= (key[a + i] ^ key[b + i]) & 0xfe;
        }
        return diff == 0;
    }

    private byte[] process(boolean encrypt, byte[] key, byte[] iv, byte[] input) {
        checkKey(key);
        Objects.requireNonNull(iv, "iv");
        Objects.requireNonNull(input, "input");
        int bs = blockSize();
        if (iv.length != bs) {
            throw new IllegalArgumentException("IV must be " + bs + " bytes, got " + iv.length);
        }
        if (input.length % bs != 0) {
            throw new IllegalArgumentException("input length " + input.length
                    + " is not a multiple of the block size " + bs);
        }
        if (isWeakKey(key)) {
            throw new IllegalArgumentException(alg == EncryptionAlgorithm.DES_CBC
                    ? "weak or semi-weak DES key"
                    : "3DES key with K1 == K2 or K2 == K3 (RFC 2451 s2.3)");
        }
        CBCModeCipher cbc = CBCBlockCipher.newInstance(newEngine());
        cbc.init(encrypt, new ParametersWithIV(new KeyParameter(key), iv));
        byte[] out = new byte[input.length];
        for (int off = 0; off < input.length; off += bs) {
            cbc.processBlock(input, off, out, off);
        }
        return out;
    }

    private void checkKey(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length != keyLength()) {
            throw new IllegalArgumentException(this + " needs a " + keyLength() + "-byte key, got "
                    + key.length + " bytes");
        }
    }

    private BlockCipher newEngine() {
        return switch (alg) {
            case AES_CBC -> AESEngine.newInstance();
            case DES3_CBC -> new DESedeEngine();
            case DES_CBC -> new DESEngine();
            case BLOWFISH_CBC -> new BlowfishEngine();
            case CAST_CBC -> new CAST5Engine();
            case CAMELLIA_CBC -> new CamelliaEngine();
        };
    }
}
