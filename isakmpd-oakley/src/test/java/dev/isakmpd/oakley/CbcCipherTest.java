package dev.isakmpd.oakley;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CbcCipherTest {
    private static final String SP800_38A_PLAIN = "6bc1bee22e409f96e93d7e117393172a"
            + "ae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52ef"
            + "f69f2445df4f9b17ad2b417be66c3710";
    private static final String SP800_38A_IV = "000102030405060708090a0b0c0d0e0f";

    private static void assertKat(CbcCipher c, byte[] key, byte[] iv, byte[] plain, String expected) {
        byte[] ct = c.encrypt(key, iv, plain);
        assertEquals(expected, Vectors.hex(ct));
        assertArrayEquals(plain, c.decrypt(key, iv, ct));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    // RFC 3602 s4, Cases #1 .. #4 (AES-128-CBC).
    @Test
    void rfc3602Case1() {
        assertKat(new CbcCipher(EncryptionAlgorithm.AES_CBC, 128),
                Vectors.hex("06a9214036b8a15b512e03d534120006"), Vectors.hex("3dafba429d9eb430b422da802c9fac41"),
                ascii("Single block msg"), "e353779c1079aeb82708942dbe77181a");
    }

    @Test
    void rfc3602Case2() {
        assertKat(new CbcCipher(EncryptionAlgorithm.AES_CBC, 128),
                Vectors.hex("c286696d887c9aa0611bbb3e2025a45a"), Vectors.hex("562e17996d093d28ddb3ba695a2e6f58"),
                Vectors.hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"),
                "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1");
    }

    @Test
    void rfc3602Case3() {
        assertKat(new CbcCipher(EncryptionAlgorithm.AES_CBC, 128),
                Vectors.hex("6c3ea0477630ce21a2ce334aa746c2cd"), Vectors.hex("c782dc4c098c66cbd9cd27d825682c81"),
                ascii("This is a 48-byte message (exactly 3 AES blocks)"),
                "d0a02b3836451753d493665d33f0e8862dea54cdb293abc7506939276772f8d5"
                        + "021c19216bad525c8579695d83ba2684");
    }

    @Test
    void rfc3602Case4() {
        assertKat(new CbcCipher(EncryptionAlgorithm.AES_CBC, 128),
                Vectors.hex("56e47a38c5598974bc46903dba290349"), Vectors.hex("8ce82eefbea0da3c44699ed7db51b7d9"),
                Vectors.hex("a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
                        + "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"),
                "c30e32ffedc0774e6aff6af0869f71aa0f3af07a9a31a9c684db207eb0ef8e4e"
                        + "35907aa632c3ffdf868bb7b29d3d46ad83ce9f9a102ee99d49a53e87f4c3da55");
    }

    // NIST SP 800-38A Appendix F.2.1/F.2.2 (AES-128), F.2.3/F.2.4 (AES-192), F.2.5/F.2.6
    // (AES-256), CBC encrypt and decrypt; confirmed with `openssl enc -aes-N-cbc -nopad` here.
    @ParameterizedTest(name = "SP 800-38A CBC-AES{0}")
    @CsvSource({
        "128, 2b7e151628aed2a6abf7158809cf4f3c, 7649abac8119b246cee98e9b12e9197d"
                + "5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7",
        "192, 8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b, 4f021db243bc633d7178183a9fa071e8"
                + "b4d9ada9ad7dedf4e5e738763f69145a571b242012fb7ae07fa9baac3df102e008b0e27988598881d920a9e64f5615cd",
        "256, 603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4, f58c4c04d6e5f1ba779eabfb5f7bfbd6"
                + "9cfc4e967edb808d679f777bc6702c7d39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b",
    })
    void sp800_38a(int bits, String key, String expected) {
        CbcCipher c = new CbcCipher(EncryptionAlgorithm.AES_CBC, bits);
        assertEquals(bits / 8, c.keyLength());
        assertKat(c, Vectors.hex(key), Vectors.hex(SP800_38A_IV), Vectors.hex(SP800_38A_PLAIN), expected);
    }

    // 3DES-CBC: computed on this machine with
    //   printf 'Now is the time for all good men' | openssl enc -des-ede3-cbc -nopad \
    //     -K 0123456789abcdeffedcba987654321089abcdef01234567 -iv 1234567890abcdef | xxd -p
    // (OpenSSL 3.0.19).
    @Test
    void des3OpensslVector() {
        assertKat(new CbcCipher(EncryptionAlgorithm.DES3_CBC, 192),
                Vectors.hex("0123456789abcdeffedcba987654321089abcdef01234567"), Vectors.hex("1234567890abcdef"),
                ascii("Now is the time for all good men"),
                "204011f986e35647199e47af391620c5bb9a5bcfc86db0bb2c577d7322162509");
    }

    // NIST SP 800-67 Rev. 1 Appendix B TDEA example (ECB): keys 0123456789ABCDEF,
    // 23456789ABCDEF01, 456789ABCDEF0123; "The qufck brown fox jump" -> A826FD8CE53B855F
    // CCE21C8112256FE6 68D5C05DD9B6B900 (also confirmed with openssl -des-ede3-ecb here).
    // With IV 0 and P'i = Pi xor C(i-1), CBC must reproduce the ECB blocks C1, C2, C3.
    @Test
    void des3Sp800_67ThroughCbcChaining() {
        byte[] key = Vectors.hex("0123456789abcdef23456789abcdef01456789abcdef0123");
        byte[] plain = ascii("The qufck brown fox jump");
        byte[] ecb = Vectors.hex("a826fd8ce53b855fcce21c8112256fe668d5c05dd9b6b900");
        byte[] chained = plain.clone();
        for (int i = 8; i < chained.length; i++) {
            chained[i] ^= ecb[i - 8];
        }
        assertKat(new CbcCipher(EncryptionAlgorithm.DES3_CBC, 192), key, new byte[8], chained, Vectors.hex(ecb));
    }

    // RFC 2451 s2.3: K1 == K2 or K2 == K3 MUST be rejected (parity bits ignored).
    @Test
    void des3DegenerateKeysRejected() {
        CbcCipher c = new CbcCipher(EncryptionAlgorithm.DES3_CBC, 192);
        byte[] k1EqK2 = Vectors.hex("0123456789abcdef0123456789abcdef89abcdef01234567");
        byte[] k2EqK3ParityDiff = Vectors.hex("0123456789abcdeffedcba9876543210fedcba9876543211");
        byte[] k1EqK3 = Vectors.hex("0123456789abcdeffedcba98765432100123456789abcdef"); // allowed (2-key 3DES)
        assertTrue(c.isWeakKey(k1EqK2));
        assertTrue(c.isWeakKey(k2EqK3ParityDiff));
        assertFalse(c.isWeakKey(k1EqK3));
        assertThrows(IllegalArgumentException.class, () -> c.encrypt(k1EqK2, new byte[8], new byte[8]));
        assertThrows(IllegalArgumentException.class, () -> c.decrypt(k2EqK3ParityDiff, new byte[8], new byte[8]));
        assertFalse(new CbcCipher(EncryptionAlgorithm.AES_CBC, 128).isWeakKey(new byte[16]));
    }

    @Test
    void rejectsPartialBlocksAndWrongSizes() {
        CbcCipher aes = new CbcCipher(EncryptionAlgorithm.AES_CBC, 128);
        byte[] key = new byte[16];
        byte[] iv = new byte[16];
        assertThrows(IllegalArgumentException.class, () -> aes.encrypt(key, iv, new byte[15]));
        assertThrows(IllegalArgumentException.class, () -> aes.decrypt(key, iv, new byte[17]));
        assertThrows(IllegalArgumentException.class, () -> aes.encrypt(new byte[24], iv, new byte[16]));
        assertThrows(IllegalArgumentException.class, () -> aes.encrypt(key, new byte[8], new byte[16]));
        assertEquals(0, aes.encrypt(key, iv, new byte[0]).length);
        CbcCipher des3 = new CbcCipher(EncryptionAlgorithm.DES3_CBC, 192);
        byte[] k3 = Vectors.hex("0123456789abcdeffedcba987654321089abcdef01234567");
        assertThrows(IllegalArgumentException.class, () -> des3.encrypt(k3, new byte[8], new byte[12]));
        assertThrows(IllegalArgumentException.class, () -> des3.encrypt(new byte[16], new byte[8], new byte[8]));
    }

    @Test
    void invalidKeySizes() {
        assertThrows(IllegalArgumentException.class, () -> new CbcCipher(EncryptionAlgorithm.AES_CBC, 64));
        assertThrows(IllegalArgumentException.class, () -> new CbcCipher(EncryptionAlgorithm.AES_CBC, 129));
        assertThrows(IllegalArgumentException.class, () -> new CbcCipher(EncryptionAlgorithm.DES3_CBC, 128));
        assertThrows(IllegalArgumentException.class, () -> new CbcCipher(EncryptionAlgorithm.DES3_CBC, 168));
    }

    @Test
    void lastBlock() {
        CbcCipher aes = new CbcCipher(EncryptionAlgorithm.AES_CBC, 256);
        byte[] ct = Vectors.hex(SP800_38A_PLAIN);
        assertEquals("f69f2445df4f9b17ad2b417be66c3710", Vectors.hex(aes.lastBlock(ct)));
        assertThrows(IllegalArgumentException.class, () -> aes.lastBlock(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> aes.lastBlock(new byte[20]));
    }

    // RFC 2409 Appendix A (3DES-CBC = 5), RFC 3602 s5.1 (AES-CBC = 7) and s2.2 (key sizes).
    @Test
    void algorithmAttributes() {
        EncryptionAlgorithm des3 = EncryptionAlgorithm.DES3_CBC;
        EncryptionAlgorithm aes = EncryptionAlgorithm.AES_CBC;
        assertEquals(5, des3.ikeValue());
        assertEquals(7, aes.ikeValue());
        assertEquals(8, des3.blockSize());
        assertEquals(16, aes.blockSize());
        assertEquals(192, des3.defaultKeyBits());
        assertEquals(128, aes.defaultKeyBits());
        assertTrue(des3.isValidKeyBits(192));
        assertFalse(des3.isValidKeyBits(128));
        for (int bits : new int[] {128, 192, 256}) {
            assertTrue(aes.isValidKeyBits(bits));
        }
        assertFalse(aes.isValidKeyBits(0));
        assertFalse(aes.isValidKeyBits(512));
        assertEquals(Optional.of(des3), EncryptionAlgorithm.fromIke(5));
        assertEquals(Optional.of(aes), EncryptionAlgorithm.fromIke(7));
        assertTrue(EncryptionAlgorithm.fromIke(1).isEmpty());   // DES: not supported
        assertTrue(EncryptionAlgorithm.fromIke(0).isEmpty());
        CbcCipher c = new CbcCipher(aes, 192);
        assertEquals(aes, c.algorithm());
        assertEquals(192, c.keyBits());
        assertEquals(16, c.blockSize());
        assertEquals(24, c.keyLength());
    }
}
