package dev.isakmpd.oakley;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** HMAC known answers, each on both implementations (Bouncy Castle's HMac, AWS-LC's through ACCP). */
class PrfTest {
    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] repeat(int b, int n) {
        byte[] out = new byte[n];
        Arrays.fill(out, (byte) b);
        return out;
    }

    private static byte[] counting(int from, int to) {
        byte[] out = new byte[to - from + 1];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (from + i);
        }
        return out;
    }

    /** Keys and data of the RFC 2202 / RFC 4231 test cases, by case number. */
    private static byte[][] rfc2202Case(int n, int shortKeyLen) {
        return switch (n) {
            case 1 -> new byte[][] {repeat(0x0b, shortKeyLen), ascii("Hi There")};
            case 2 -> new byte[][] {ascii("Jefe"), ascii("what do ya want for nothing?")};
            case 3 -> new byte[][] {repeat(0xaa, shortKeyLen), repeat(0xdd, 50)};
            case 4 -> new byte[][] {counting(1, 25), repeat(0xcd, 50)};
            default -> throw new IllegalArgumentException();
        };
    }

    static Stream<Arguments> rfc2202() {
        return cross(RFC2202);
    }

    static Stream<Arguments> rfc4868() {
        return cross(RFC4868);
    }

    /** Every row of {@code rows} ("a, b, c") once per implementation, the implementation first. */
    private static Stream<Arguments> cross(String[] rows) {
        return Implementations.names().flatMap(impl -> Arrays.stream(rows).map(row -> {
            String[] f = row.split(",\\s*");
            Object[] args = new Object[f.length + 1];
            args[0] = impl;
            System.arraycopy(f, 0, args, 1, f.length);
            return Arguments.of(args);
        }));
    }

    // RFC 2202 s2 (HMAC-MD5, 16-byte keys in cases 1 and 3) and s3 (HMAC-SHA-1, 20-byte keys).
    private static final String[] RFC2202 = {
        "MD5, 1, 16, 9294727a3638bb1c13f48ef8158bfc9d",
        "MD5, 2, 16, 750c783e6ab0b503eaa86e310a5db738",
        "MD5, 3, 16, 56be34521d144c88dbb8c733f0e8b3f6",
        "MD5, 4, 16, 697eaf0aca3a3aea3a75164746ffaa79",
        "SHA1, 1, 20, b617318655057264e28bc0b6fb378c8ef146be00",
        "SHA1, 2, 20, effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
        "SHA1, 3, 20, 125d7342b9ac11cd91a39af48aa17b4f63f175d3",
        "SHA1, 4, 20, 4c9007f4026250c6bc8414f9bf50c86c2d7235da",
    };

    @ParameterizedTest(name = "{0}: RFC 2202 {1} case {2}")
    @MethodSource
    void rfc2202(String impl, HashAlgorithm h, int testCase, int keyLen, String expected) {
        byte[][] kd = rfc2202Case(testCase, keyLen);
        assertEquals(expected, Vectors.hex(Implementations.crypto(impl).prf(h).apply(kd[0], kd[1])));
    }

    private static final byte[] KEY_131 = repeat(0xaa, 131);

    /** Keys and data of RFC 4231 cases 1, 2, 3, 4, 6, 7 = RFC 4868 s2.7.1 PRF-1 .. PRF-6. */
    private static byte[][] rfc4868Case(int n) {
        return switch (n) {
            case 1, 2, 3, 4 -> rfc2202Case(n, 20);
            case 5 -> new byte[][] {KEY_131, ascii("Test Using Larger Than Block-Size Key - Hash Key First")};
            case 6 -> new byte[][] {KEY_131, ascii("This is a test using a larger than block-size key and a larger t"
                    + "han block-size data. The key needs to be hashed before being used by the HMAC algorithm.")};
            default -> throw new IllegalArgumentException();
        };
    }

    // RFC 4868 s2.7.1, PRF test vectors (borrowed from RFC 4231), untruncated output.
    private static final String[] RFC4868 = {
        "SHA2_256, 1, b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        "SHA2_256, 2, 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        "SHA2_256, 3, 773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
        "SHA2_256, 4, 82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
        "SHA2_256, 5, 60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        "SHA2_256, 6, 9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
        "SHA2_384, 1, afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
                + "faea9ea9076ede7f4af152e8b2fa9cb6",
        "SHA2_384, 2, af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
                + "8e2240ca5e69e2c78b3239ecfab21649",
        "SHA2_384, 3, 88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
                + "2a5ab39dc13814b94e3ab6e101a34f27",
        "SHA2_384, 4, 3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e"
                + "6801dd23c4a7d679ccf8a386c674cffb",
        "SHA2_384, 5, 4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
                + "0c2ef6ab4030fe8296248df163f44952",
        "SHA2_384, 6, 6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5"
                + "a678cc31e799176d3860e6110c46523e",
        "SHA2_512, 1, 87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
                + "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
        "SHA2_512, 2, 164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
                + "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
        "SHA2_512, 3, fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
                + "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb",
        "SHA2_512, 4, b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
                + "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd",
        "SHA2_512, 5, 80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
                + "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
        "SHA2_512, 6, e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
                + "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58",
    };

    @ParameterizedTest(name = "{0}: RFC 4868 PRF-{2} {1}")
    @MethodSource
    void rfc4868(String impl, HashAlgorithm h, int testCase, String expected) {
        byte[][] kd = rfc4868Case(testCase);
        Prf prf = Implementations.crypto(impl).prf(h);
        byte[] out = prf.apply(kd[0], kd[1]);
        assertEquals(expected, Vectors.hex(out));
        assertEquals(prf.outputLength(), out.length);
    }

    @ParameterizedTest
    @MethodSource("dev.isakmpd.oakley.Implementations#names")
    void dataPartsAreConcatenated(String impl) {
        // RFC 2202 s3 case 2, split across three parts.
        byte[] out = Implementations.crypto(impl).prf(HashAlgorithm.SHA1).apply(ascii("Jefe"),
                ascii("what do ya"), new byte[0], ascii(" want for nothing?"));
        assertEquals("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79", Vectors.hex(out));
    }

    @ParameterizedTest
    @MethodSource("dev.isakmpd.oakley.Implementations#names")
    void secretKeyOverloadMatchesByteKey(String impl) {
        SecretBytes key = SecretBytes.copyOf(ascii("Jefe"));
        Prf prf = Implementations.crypto(impl).prf(HashAlgorithm.SHA2_256);
        assertArrayEquals(prf.apply(ascii("Jefe"), ascii("x")), prf.apply(key, ascii("x")));
    }

    @ParameterizedTest
    @MethodSource("dev.isakmpd.oakley.Implementations#names")
    void accessors(String impl) {
        for (HashAlgorithm h : HashAlgorithm.values()) {
            Prf prf = Implementations.crypto(impl).prf(h);
            assertSame(h, prf.hash());
            assertEquals(h.outputLength(), prf.outputLength());
        }
    }
}
