package dev.isakmpd.core.wire;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property-based round-trip tests over generated messages of every payload type ({@link RandomMessages}: all
 * payload classes, nested proposals/transforms with TV and TLV attributes, unknown registry values, fragments).
 * Each property runs for 64 seeds x 100 messages; a failure names the seed so the case can be replayed.
 */
class WirePropertiesTest {
    private static final int PER_SEED = 100;

    static LongStream seeds() {
        return LongStream.range(0, 64).map(i -> 0x9E3779B97F4A7C15L * (i + 1));
    }

    /** decode(encode(m)) == m, and encode of that is the same bytes (encode(decode(x)) == x). */
    @ParameterizedTest
    @MethodSource("seeds")
    void decodeInvertsEncode(long seed) throws WireException {
        RandomMessages gen = new RandomMessages(seed);
        for (int i = 0; i < PER_SEED; i++) {
            IsakmpMessage m = gen.message();
            byte[] bytes = m.encode();
            IsakmpMessage back = IsakmpMessage.decode(bytes);
            assertEquals(m.payloads(), back.payloads(), "seed " + seed + " #" + i);
            assertEquals(m.payloads().hashCode(), back.payloads().hashCode());
            assertArrayEquals(bytes, back.encode(), "seed " + seed + " #" + i);
            assertEquals(bytes.length, back.header().length());
        }
    }

    /** Each payload's generic-header length is 4 + its encoded body (what IKE hashes cover, RFC 2409 s5). */
    @ParameterizedTest
    @MethodSource("seeds")
    void payloadLengthsMatchBodies(long seed) {
        RandomMessages gen = new RandomMessages(seed);
        for (int i = 0; i < PER_SEED; i++) {
            IsakmpMessage m = gen.message();
            byte[] bytes = m.encode();
            int pos = IsakmpHeader.LENGTH;
            for (Payload p : m.payloads()) {
                int len = ((bytes[pos + 2] & 0xFF) << 8) | (bytes[pos + 3] & 0xFF);
                byte[] body = PayloadCodec.encodeBody(p);
                assertEquals(4 + body.length, len, p.toString());
                assertArrayEquals(body, Arrays.copyOfRange(bytes, pos + 4, pos + len));
                pos += len;
            }
            assertEquals(bytes.length, pos);
        }
    }

    /**
     * Every strict prefix of a valid message is rejected with WireException, whether the header length still
     * claims the whole message or is adjusted to the prefix: the decoder never accepts a cut message.
     */
    @ParameterizedTest
    @MethodSource("seeds")
    void everyTruncationIsRejected(long seed) {
        RandomMessages gen = new RandomMessages(seed);
        Random rnd = new Random(seed);
        for (int i = 0; i < PER_SEED / 4; i++) {
            byte[] bytes = gen.message().encode();
            if (bytes.length == IsakmpHeader.LENGTH) {
                continue; // no payloads: no non-trivial prefix to cut
            }
            for (int k = 0; k < 8; k++) {
                int cut = rnd.nextInt(bytes.length);
                byte[] prefix = Arrays.copyOf(bytes, cut);
                assertThrows(WireException.class, () -> IsakmpMessage.decode(prefix), "seed " + seed);
                if (cut >= IsakmpHeader.LENGTH) {
                    byte[] adjusted = prefix.clone();
                    putInt(adjusted, 24, cut);
                    assertThrows(WireException.class, () -> IsakmpMessage.decode(adjusted), "seed " + seed
                            + " cut " + cut + " of " + bytes.length);
                }
            }
        }
    }

    /** Accepted inputs re-encode exactly (the decoder accepts only canonical encodings), over single-byte edits. */
    @ParameterizedTest
    @MethodSource("seeds")
    void acceptedEditsReencodeExactly(long seed) {
        RandomMessages gen = new RandomMessages(seed);
        Random rnd = new Random(~seed);
        int accepted = 0;
        for (int i = 0; i < PER_SEED; i++) {
            byte[] bytes = gen.message().encode();
            byte[] edited = bytes.clone();
            int at = IsakmpHeader.LENGTH + (bytes.length > IsakmpHeader.LENGTH
                    ? rnd.nextInt(bytes.length - IsakmpHeader.LENGTH) : 0);
            if (at < edited.length) {
                edited[at] = (byte) rnd.nextInt(256);
            }
            if (WireFuzzer.decodeAndCheck(edited, true)) {
                accepted++;
            }
        }
        assertTrue(accepted > 0, "no edit was accepted: the property would be vacuous");
    }

    /** The one-line summary and the dump name every payload, in order. */
    @ParameterizedTest
    @MethodSource("seeds")
    void dumpsNameEveryPayload(long seed) {
        RandomMessages gen = new RandomMessages(seed);
        for (int i = 0; i < PER_SEED / 4; i++) {
            IsakmpMessage m = gen.message();
            String dump = MessageDump.format(m);
            List<String> lines = new ArrayList<>();
            for (String l : dump.split("\n")) {
                if (l.startsWith("  Payload: ")) {
                    lines.add(l);
                }
            }
            assertEquals(m.payloads().size(), lines.size(), dump);
            for (int k = 0; k < lines.size(); k++) {
                assertTrue(lines.get(k).startsWith("  Payload: " + m.payloads().get(k).type()), lines.get(k));
            }
            assertFalse(dump.contains("\r"));
            assertFalse(dump.contains("(dump failed"), dump);
        }
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
