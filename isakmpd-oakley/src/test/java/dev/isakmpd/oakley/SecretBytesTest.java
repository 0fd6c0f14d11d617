package dev.isakmpd.oakley;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SecretBytesTest {
    private static final byte[] SECRET = Vectors.hex("8f3a61c2d4e5f60718293a4b5c6d7e8f90a1b2c3");

    @Test
    void copiesOnTheWayInAndOut() {
        byte[] input = SECRET.clone();
        SecretBytes s = SecretBytes.copyOf(input);
        input[0] ^= 1;
        byte[] out = s.bytes();
        assertArrayEquals(SECRET, out);
        out[1] ^= 1;
        assertArrayEquals(SECRET, s.bytes());
        assertEquals(SECRET.length, s.length());
    }

    @Test
    void fingerprintIsFirstFourBytesOfSha256() {
        // SHA-256("abc") = ba7816bf... (FIPS 180-2 Appendix B.1), so the fingerprint is ba7816bf.
        SecretBytes s = SecretBytes.copyOf("abc".getBytes(StandardCharsets.US_ASCII));
        assertEquals("ba7816bf", s.fingerprint());
        assertEquals("SecretBytes[3 bytes, fp=ba7816bf]", s.toString());
    }

    /** Computed when first asked for: kept through a wipe after that, never made from a wiped key. */
    @Test
    void aFingerprintAskedForBeforeTheWipeOutlivesIt() {
        SecretBytes asked = SecretBytes.copyOf("abc".getBytes(StandardCharsets.US_ASCII));
        assertEquals("ba7816bf", asked.fingerprint());
        asked.wipe();
        assertEquals("ba7816bf", asked.fingerprint());
        SecretBytes notAsked = SecretBytes.copyOf("abc".getBytes(StandardCharsets.US_ASCII));
        notAsked.wipe();
        assertEquals(SecretBytes.WIPED, notAsked.fingerprint(), "not the hash of zeros");
        assertEquals("SecretBytes[3 bytes, fp=wiped]", notAsked.toString());
    }

    @Test
    void toStringNeverShowsTheSecret() {
        SecretBytes s = SecretBytes.copyOf(SECRET);
        String text = s.toString();
        assertFalse(text.contains(Vectors.hex(SECRET)), text);
        assertFalse(text.toUpperCase().contains(Vectors.hex(SECRET).toUpperCase()), text);
        assertTrue(text.startsWith("SecretBytes[20 bytes, fp="), text);
    }

    @Test
    void wipeZeroesAndBlocksFurtherUse() {
        byte[] owned = SECRET.clone();
        SecretBytes s = SecretBytes.adopt(owned);
        s.wipe();
        assertArrayEquals(new byte[SECRET.length], owned);
        assertTrue(s.isWiped());
        assertThrows(IllegalStateException.class, s::bytes);
    }

    @Test
    void equalityIsByContent() {
        SecretBytes a = SecretBytes.copyOf(SECRET);
        SecretBytes b = SecretBytes.copyOf(SECRET);
        byte[] other = SECRET.clone();
        other[19] ^= 1;
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, SecretBytes.copyOf(other));
        assertNotEquals(a, SecretBytes.copyOf(new byte[3]));
    }
}
