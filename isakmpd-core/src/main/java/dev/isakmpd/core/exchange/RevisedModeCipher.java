package dev.isakmpd.core.exchange;

import dev.isakmpd.oakley.CbcCipher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The symmetric encryption of payload bodies in the revised public key encryption mode (RFC 2409
 * s5.3): CBC with Ke; the IV of the first body after the nonce is zero, each later one's is the
 * last ciphertext block of the body before; every body is padded to the block size with zero
 * bytes and a last byte that counts the padding bytes before it, so there is always padding.
 */
final class RevisedModeCipher {
    private RevisedModeCipher() {
    }

    static List<byte[]> seal(CbcCipher cipher, byte[] key, List<byte[]> bodies) {
        int bs = cipher.blockSize();
        byte[] iv = new byte[bs];
        List<byte[]> out = new ArrayList<>();
        for (byte[] body : bodies) {
            int padded = (body.length / bs + 1) * bs;
            byte[] in = Arrays.copyOf(body, padded);
            in[padded - 1] = (byte) (padded - body.length - 1);
            byte[] ct = cipher.encrypt(key, iv, in);
            out.add(ct);
            iv = Arrays.copyOfRange(ct, ct.length - bs, ct.length);
        }
        return out;
    }

    /** Each body decrypted and unpadded, or empty where its length or padding is not valid. */
    static List<Optional<byte[]>> open(CbcCipher cipher, byte[] key, List<byte[]> bodies) {
        int bs = cipher.blockSize();
        byte[] iv = new byte[bs];
        List<Optional<byte[]>> out = new ArrayList<>();
        for (byte[] ct : bodies) {
            if (ct.length == 0 || ct.length % bs != 0) {
                out.add(Optional.empty());
                continue;
            }
            byte[] plain = cipher.decrypt(key, iv, ct);
            int pad = (plain[plain.length - 1] & 0xff) + 1;
            out.add(pad <= bs && pad <= plain.length ? Optional.of(Arrays.copyOf(plain, plain.length - pad))
                    : Optional.empty());
            iv = Arrays.copyOfRange(ct, ct.length - bs, ct.length);
        }
        return out;
    }
}
