package dev.isakmpd.oakley;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 2409 Appendix B IVs; known answers from scripts/oakley-vectors.py. */
class IkeIvTest {
    private static int blockSize(Vectors v) {
        return EncryptionAlgorithm.valueOf(v.get("cipher")).blockSize();
    }

    @ParameterizedTest(name = "scenario {0}")
    @ValueSource(strings = {"A", "B", "C", "D"})
    void phase1Iv(String scenario) {
        Vectors v = Vectors.section("scenario " + scenario);
        byte[] iv = IkeIv.phase1Iv(HashAlgorithm.valueOf(v.get("hash")), v.bytes("gxi"), v.bytes("gxr"),
                blockSize(v));
        assertEquals(v.get("iv1"), Vectors.hex(iv));
    }

    @ParameterizedTest(name = "scenario {0}")
    @ValueSource(strings = {"A", "B", "C", "D"})
    void phase2Iv(String scenario) {
        Vectors v = Vectors.section("scenario " + scenario);
        int messageId = Integer.parseUnsignedInt(v.get("msg_id"), 16);
        assertTrue(messageId < 0, "vector M-ID has the high bit set, to catch sign bugs");
        byte[] iv = IkeIv.phase2Iv(HashAlgorithm.valueOf(v.get("hash")), v.bytes("last_phase1_block"),
                messageId, blockSize(v));
        assertEquals(v.get("iv2"), Vectors.hex(iv));
    }

    /** Cross-check with the JDK's own SHA-1 (not Bouncy Castle): hash(block | M-ID) truncated. */
    @Test
    void phase2IvByHand() throws Exception {
        byte[] last = Vectors.hex("00112233445566778899aabbccddeeff");
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        sha1.update(last);
        sha1.update(new byte[] {0x01, 0x02, 0x03, 0x04});
        byte[] expected = Arrays.copyOf(sha1.digest(), 16);
        assertArrayEquals(expected, IkeIv.phase2Iv(HashAlgorithm.SHA1, last, 0x01020304, 16));
    }

    @Test
    void rejectsBadSizes() {
        assertThrows(IllegalArgumentException.class,
                () -> IkeIv.phase2Iv(HashAlgorithm.SHA1, new byte[8], 1, 16));
        assertThrows(IllegalArgumentException.class,
                () -> IkeIv.phase2Iv(HashAlgorithm.MD5, new byte[32], 1, 32));
        assertThrows(IllegalArgumentException.class,
                () -> IkeIv.phase1Iv(HashAlgorithm.MD5, new byte[128], new byte[128], 0));
    }
}
