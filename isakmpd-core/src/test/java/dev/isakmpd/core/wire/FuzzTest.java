package dev.isakmpd.core.wire;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Mutation fuzzing: damaged messages may only decode to a value or raise WireException. Whatever decodes must also
 * re-encode to exactly the bytes it was decoded from, i.e. the decoder accepts only canonical encodings.
 */
class FuzzTest {
    private static final int ITERATIONS = 20_000;

    @Test
    void mutatedMessagesYieldValueOrWireException() {
        Random rnd = new Random(0x15A4D);
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(MainModeMessageTest.mm1());
        RandomMessages gen = new RandomMessages(99);
        for (int i = 0; i < 300; i++) {
            seeds.add(gen.message().encode());
        }
        int accepted = 0;
        int rejected = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] seed = seeds.get(rnd.nextInt(seeds.size()));
            byte[] input = mutate(seed, rnd);
            try {
                if (decodeAndCheckCanonical(input)) {
                    accepted++;
                } else {
                    rejected++;
                }
            } catch (RuntimeException | AssertionError e) {
                fail("iteration " + i + " input " + HexFormat.of().formatHex(input), e);
            }
        }
        // both outcomes must actually occur, or the mutations are too weak / too destructive
        assertTrue(accepted > ITERATIONS / 50, "accepted " + accepted);
        assertTrue(rejected > ITERATIONS / 2, "rejected " + rejected);
    }

    /** True if the input decoded, false if it was rejected with a WireException. */
    private static boolean decodeAndCheckCanonical(byte[] input) {
        try {
            IsakmpHeader h = IsakmpHeader.decode(input);
            assertArrayEquals(Arrays.copyOf(input, IsakmpHeader.LENGTH), h.encode());
            DecodedPayloads d = PayloadCodec.decode(h.nextPayload(), input, IsakmpHeader.LENGTH,
                    h.length() - IsakmpHeader.LENGTH);
            byte[] chain = Arrays.copyOfRange(input, IsakmpHeader.LENGTH, IsakmpHeader.LENGTH + d.consumed());
            assertArrayEquals(chain, PayloadCodec.encode(d.payloads()));
            MessageDump.format(h, d.payloads()); // the dump must cope with anything the decoder accepts
            if (!h.encrypted()) {
                IsakmpMessage.decode(input);
            }
            return true;
        } catch (WireException e) {
            assertNotNull(e.notifyType());
            assertNotNull(e.field());
            assertTrue(e.offset() >= 0 && e.offset() <= input.length, e.getMessage());
            return false;
        }
    }

    static byte[] mutate(byte[] seed, Random rnd) {
        byte[] b = seed.clone();
        switch (rnd.nextInt(6)) {
            case 0: // bit flips
                for (int n = 1 + rnd.nextInt(4); n > 0; n--) {
                    int at = rnd.nextInt(b.length);
                    b[at] ^= (byte) (1 << rnd.nextInt(8));
                }
                return b;
            case 1: // truncation, header length adjusted half of the time
                b = Arrays.copyOf(b, rnd.nextInt(b.length + 1));
                if (b.length >= 28 && rnd.nextBoolean()) {
                    putInt(b, 24, b.length);
                }
                return b;
            case 2: { // a generic-header length field lies
                List<Integer> fields = lengthFields(seed);
                if (fields.isEmpty()) {
                    return b;
                }
                int at = fields.get(rnd.nextInt(fields.size()));
                int old = ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
                int lie = rnd.nextBoolean() ? old + rnd.nextInt(17) - 8 : rnd.nextInt(0x10000);
                b[at] = (byte) (lie >>> 8);
                b[at + 1] = (byte) lie;
                return b;
            }
            case 3: // the header length lies
                putInt(b, 24, rnd.nextBoolean() ? b.length + rnd.nextInt(9) - 4 : rnd.nextInt());
                return b;
            case 4: // one random byte anywhere after the cookies (count, size and type fields)
                b[16 + rnd.nextInt(b.length - 16)] = (byte) rnd.nextInt(256);
                return b;
            default: { // bytes inserted or removed in the middle, header length kept consistent
                int at = 28 + rnd.nextInt(b.length - 27);
                byte[] out;
                if (rnd.nextBoolean() || at == b.length) {
                    byte[] extra = new byte[1 + rnd.nextInt(8)];
                    rnd.nextBytes(extra);
                    out = new byte[b.length + extra.length];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(extra, 0, out, at, extra.length);
                    System.arraycopy(b, at, out, at + extra.length, b.length - at);
                } else {
                    int cut = Math.min(1 + rnd.nextInt(8), b.length - at);
                    out = new byte[b.length - cut];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(b, at + cut, out, at, b.length - at - cut);
                }
                putInt(out, 24, out.length);
                return out;
            }
        }
    }

    /** Offsets of every generic-header length field of a valid message, nested P and T included. */
    static List<Integer> lengthFields(byte[] valid) {
        List<Integer> out = new ArrayList<>();
        int next = valid[16] & 0xFF;
        int pos = 28;
        while (next != 0 && pos + 4 <= valid.length) {
            int len = ((valid[pos + 2] & 0xFF) << 8) | (valid[pos + 3] & 0xFF);
            out.add(pos + 2);
            if (next == 1) { // SA: walk proposals and transforms
                int p = pos + 12;
                while (p < pos + len) {
                    int pLen = ((valid[p + 2] & 0xFF) << 8) | (valid[p + 3] & 0xFF);
                    out.add(p + 2);
                    int t = p + 8 + (valid[p + 6] & 0xFF);
                    while (t < p + pLen) {
                        out.add(t + 2);
                        t += ((valid[t + 2] & 0xFF) << 8) | (valid[t + 3] & 0xFF);
                    }
                    p += pLen;
                }
            }
            next = valid[pos] & 0xFF;
            pos += len;
        }
        return out;
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
