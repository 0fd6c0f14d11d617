package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.oakley.CbcCipher;
import dev.isakmpd.oakley.EncryptionAlgorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 2409 s5.3 payload encryption: zero IV for the first body, the previous body's last block
 * for the next, and "always padding" (zeros, then a count byte). Decrypted by OpenSSL's
 * {@code enc -nopad}, an independent CBC.
 */
class RevisedModeCipherTest {
    @TempDir
    Path dir;

    @Test
    void chainedBodiesAsOpenSslSeesThem() throws Exception {
        CbcCipher aes = new CbcCipher(EncryptionAlgorithm.AES_CBC, 128);
        byte[] key = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");
        byte[] first = new byte[32];
        Arrays.fill(first, (byte) 7);
        byte[] second = {1, 0, 0, 0, (byte) 198, 51, 100, 1};
        List<byte[]> sealed = RevisedModeCipher.seal(aes, key, List.of(first, second));
        assertEquals(48, sealed.get(0).length, "a whole block of padding after 32 bytes");
        assertEquals(16, sealed.get(1).length);

        byte[] iv2 = Arrays.copyOfRange(sealed.get(0), 32, 48);
        byte[] plain1 = opensslDecrypt(sealed.get(0), key, new byte[16]);
        byte[] plain2 = opensslDecrypt(sealed.get(1), key, iv2);
        assertArrayEquals(first, Arrays.copyOf(plain1, 32));
        assertEquals(15, plain1[47], "last byte: the padding bytes before it");
        assertArrayEquals(second, Arrays.copyOf(plain2, 8));
        assertEquals(7, plain2[15]);

        List<java.util.Optional<byte[]>> opened = RevisedModeCipher.open(aes, key, sealed);
        assertArrayEquals(first, opened.get(0).orElseThrow());
        assertArrayEquals(second, opened.get(1).orElseThrow());
        assertTrue(RevisedModeCipher.open(aes, key, List.of(new byte[15])).get(0).isEmpty(), "not whole blocks");
    }

    private byte[] opensslDecrypt(byte[] ct, byte[] key, byte[] iv) throws Exception {
        Path in = dir.resolve("ct");
        Path out = dir.resolve("pt");
        Files.write(in, ct);
        Process p = new ProcessBuilder("openssl", "enc", "-d", "-aes-128-cbc", "-nopad", "-K",
                HexFormat.of().formatHex(key), "-iv", HexFormat.of().formatHex(iv), "-in", in.toString(), "-out",
                out.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
        return Files.readAllBytes(out);
    }
}
