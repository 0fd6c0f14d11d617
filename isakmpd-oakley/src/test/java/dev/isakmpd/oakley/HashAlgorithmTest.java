package dev.isakmpd.oakley;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class HashAlgorithmTest {
    private static final byte[] ABC = "abc".getBytes(StandardCharsets.US_ASCII);

    // Digests of "abc": MD5 from RFC 1321 A.5; SHA-1/256/384/512 from FIPS 180-2 Appendices
    // A.1, B.1, D.1, C.1 (also re-checked with Python hashlib on this machine).
    @ParameterizedTest
    @CsvSource({
        "MD5, 900150983cd24fb0d6963f7d28e17f72",
        "SHA1, a9993e364706816aba3e25717850c26c9cd0d89d",
        "SHA2_256, ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "SHA2_384, cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
                + "8086072ba1e7cc2358baeca134c825a7",
        "SHA2_512, ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    })
    void digestOfAbc(HashAlgorithm h, String expected) {
        byte[] d = h.digest(ABC);
        assertEquals(expected, Vectors.hex(d));
        assertEquals(h.outputLength(), d.length);
    }

    @ParameterizedTest
    @CsvSource({"MD5", "SHA1", "SHA2_256", "SHA2_384", "SHA2_512"})
    void digestHashesTheConcatenation(HashAlgorithm h) {
        assertArrayEquals(h.digest(ABC), h.digest(new byte[] {'a'}, new byte[0], new byte[] {'b', 'c'}));
    }

    // RFC 2409 Appendix A (1, 2) and RFC 4868 s4 (4, 5, 6).
    @ParameterizedTest
    @CsvSource({"1, MD5", "2, SHA1", "4, SHA2_256", "5, SHA2_384", "6, SHA2_512"})
    void ikeValues(int value, HashAlgorithm h) {
        assertEquals(value, h.ikeValue());
        assertEquals(Optional.of(h), HashAlgorithm.fromIke(value));
    }

    @Test
    void unknownIkeValues() {
        assertTrue(HashAlgorithm.fromIke(0).isEmpty());
        assertTrue(HashAlgorithm.fromIke(3).isEmpty());   // Tiger: not supported
        assertTrue(HashAlgorithm.fromIke(7).isEmpty());
    }
}
