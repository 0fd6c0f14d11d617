package dev.isakmpd.core.wire;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * Mutation fuzzer for the decoder (issue 3). Seeds are real messages (the strongSwan vectors, their decrypted
 * bodies as plaintext messages), every {@link MessageCatalog} message and generated ones; mutations are truncation,
 * bit flips, random bytes, length lies (generic headers and the ISAKMP header), payload loops (a payload whose next
 * payload names itself or its predecessor, lengths of 0..4), huge counts (# of transforms, # of SPIs, SPI sizes),
 * insertions/deletions, splices of two messages and a payload repeated until it overflows the payload limit.
 *
 * <p>Allowed outcomes: a value or {@link WireException}. Any other throwable, a decode taking longer than
 * {@link #SLOW_NANOS}, or a decode allocating more than {@link #allocationBound} is a failure. What decodes must
 * re-encode to exactly the bytes it was decoded from (the decoder accepts only canonical encodings).
 *
 * <p>{@code FuzzTest} runs 10^5+ iterations in the build; {@code scripts/fuzz-wire.sh} runs this main for 10^7.
 */
public final class WireFuzzer {
    static final long SLOW_NANOS = 1_000_000_000L;

    /** Counters of one run. */
    public record Stats(long iterations, long accepted, long rejected, long maxAllocated, long nanos) {
        @Override
        public String toString() {
            return String.format("%d iterations: %d decoded, %d rejected with WireException; max %d bytes "
                    + "allocated by one decode; %.1f s (%.0f decodes/s)", iterations, accepted, rejected,
                    maxAllocated, nanos / 1e9, iterations / (nanos / 1e9));
        }
    }

    /** A failure: the input that caused it and what happened. */
    public static final class FuzzFailure extends AssertionError {
        FuzzFailure(long iteration, byte[] input, String what, Throwable cause) {
            super("iteration " + iteration + ": " + what + "\ninput " + HexFormat.of().formatHex(input), cause);
        }
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final List<byte[]> seeds = new ArrayList<>();
    private final Random rnd;

    public WireFuzzer(long seed) {
        this.rnd = new Random(seed);
        for (Vectors.Entry e : Vectors.all()) {
            seeds.add(e.datagram());
            if (e.decrypted() != null) {
                try {
                    IsakmpHeader h = e.header();
                    List<Payload> p = PayloadCodec.decode(h.nextPayload(), e.decrypted(), 0,
                            e.decrypted().length).payloads();
                    seeds.add(new IsakmpMessage(h.withFlags(0), p).encode());
                } catch (WireException x) {
                    throw new IllegalStateException(e + " does not decode", x);
                }
            }
        }
        new MessageCatalog().messages().values().forEach(m -> seeds.add(m.encode()));
        RandomMessages gen = new RandomMessages(seed ^ 0x5EED);
        for (int i = 0; i < 200; i++) {
            seeds.add(gen.message().encode());
        }
    }

    public int seedCount() {
        return seeds.size();
    }

    /** Allocation allowed for decoding n bytes: linear in the input, plus a constant for the fixed objects. */
    static long allocationBound(int n) {
        return 64L * n + 256 * 1024;
    }

    public Stats run(long iterations) {
        long accepted = 0;
        long rejected = 0;
        long maxAllocated = 0;
        long start = System.nanoTime();
        long tid = Thread.currentThread().getId();
        for (long i = 0; i < iterations; i++) {
            byte[] seed = seeds.get(rnd.nextInt(seeds.size()));
            byte[] input = mutate(seed, seeds.get(rnd.nextInt(seeds.size())), rnd);
            boolean dump = (i & 15) == 0;
            long allocBefore = THREADS.getThreadAllocatedBytes(tid);
            long t0 = System.nanoTime();
            boolean ok;
            try {
                ok = decodeAndCheck(input, dump);
            } catch (AssertionError e) {
                throw new FuzzFailure(i, input, e.getMessage(), e);
            } catch (Throwable e) {
                throw new FuzzFailure(i, input, "decoder threw " + e, e);
            }
            long took = System.nanoTime() - t0;
            long allocated = THREADS.getThreadAllocatedBytes(tid) - allocBefore;
            if (took > SLOW_NANOS) {
                throw new FuzzFailure(i, input, "decode took " + took / 1_000_000 + " ms", null);
            }
            if (!dump) {
                if (allocated > allocationBound(input.length)) {
                    // The first use of a code path initialises classes (java.util.Formatter for an error message,
                    // say), which counts as this thread's allocation: measure the same input again, warm.
                    long again = THREADS.getThreadAllocatedBytes(tid);
                    decodeAndCheck(input, false);
                    allocated = THREADS.getThreadAllocatedBytes(tid) - again;
                    if (allocated > allocationBound(input.length)) {
                        throw new FuzzFailure(i, input, "decode allocated " + allocated + " bytes for "
                                + input.length + " input bytes", null);
                    }
                }
                maxAllocated = Math.max(maxAllocated, allocated);
            }
            if (ok) {
                accepted++;
            } else {
                rejected++;
            }
        }
        return new Stats(iterations, accepted, rejected, maxAllocated, System.nanoTime() - start);
    }

    /** True if the input decoded (and re-encodes canonically), false if it was rejected with a WireException. */
    static boolean decodeAndCheck(byte[] input, boolean dump) {
        try {
            IsakmpHeader h = IsakmpHeader.decode(input);
            check(Arrays.equals(Arrays.copyOf(input, IsakmpHeader.LENGTH), h.encode()), "header re-encodes differently");
            // the path of encrypted messages after decryption: walk the chain in [28, length)
            DecodedPayloads d = PayloadCodec.decode(h.nextPayload(), input, IsakmpHeader.LENGTH,
                    h.length() - IsakmpHeader.LENGTH);
            byte[] chain = Arrays.copyOfRange(input, IsakmpHeader.LENGTH, IsakmpHeader.LENGTH + d.consumed());
            check(Arrays.equals(chain, PayloadCodec.encode(d.payloads())), "payload chain re-encodes differently");
            if (!h.encrypted()) {
                IsakmpMessage m = IsakmpMessage.decode(input);
                byte[] again = m.encode();
                check(again.length == IsakmpHeader.LENGTH + d.consumed(), "message re-encodes to another length");
                if (again.length == input.length) {
                    check(Arrays.equals(input, again), "message re-encodes differently");
                }
            }
            if (dump) {
                // the dump must cope with anything the decoder accepts
                check(!MessageDump.format(h, d.payloads()).contains("(dump failed"), "dump failed");
            }
            return true;
        } catch (WireException e) {
            check(e.notifyType() != null && e.field() != null, "exception without notify type or field");
            check(e.offset() >= 0 && e.offset() <= input.length, "offset out of range: " + e.getMessage());
            return false;
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    public static byte[] mutate(byte[] seed, byte[] other, Random rnd) {
        byte[] b = seed.clone();
        switch (rnd.nextInt(10)) {
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
                int lie = switch (rnd.nextInt(3)) {
                    case 0 -> old + rnd.nextInt(17) - 8;
                    case 1 -> rnd.nextInt(5); // 0..4: a payload that does not advance, the classic loop
                    default -> rnd.nextInt(0x10000);
                };
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
            case 5: { // payload loop: a next-payload field names the payload itself or an earlier one
                List<Integer> fields = lengthFields(seed);
                if (fields.size() < 1) {
                    return b;
                }
                int at = fields.get(rnd.nextInt(fields.size())) - 2; // its next payload byte
                int target = rnd.nextBoolean() ? b[16] & 0xFF : (rnd.nextBoolean() ? 1 : 2 + rnd.nextInt(2));
                b[at] = (byte) target;
                return b;
            }
            case 6: { // huge counts and sizes: # of transforms, SPI size, # of SPIs
                List<Integer> fields = lengthFields(seed);
                if (fields.isEmpty()) {
                    return b;
                }
                int at = fields.get(rnd.nextInt(fields.size())) + 2; // first body bytes of some payload
                for (int k = 0; k < 4 && at + k < b.length; k++) {
                    if (rnd.nextInt(3) == 0) {
                        b[at + k] = (byte) (rnd.nextBoolean() ? 0xFF : 0x7F);
                    }
                }
                return b;
            }
            case 7: { // splice: this message's header and start, another message's rest
                int cut = 28 + rnd.nextInt(Math.max(1, b.length - 27));
                int from = Math.min(other.length, 28 + rnd.nextInt(Math.max(1, other.length - 27)));
                byte[] out = new byte[Math.min(cut, b.length) + other.length - from];
                System.arraycopy(b, 0, out, 0, Math.min(cut, b.length));
                System.arraycopy(other, from, out, Math.min(cut, b.length), other.length - from);
                if (out.length >= 28) {
                    putInt(out, 24, out.length);
                }
                return out;
            }
            case 8: { // the first payload repeated many times (payload-count limit, chain walking)
                List<Integer> fields = lengthFields(seed);
                if (fields.isEmpty() || b.length < 32) {
                    return b;
                }
                int len = ((b[30] & 0xFF) << 8) | (b[31] & 0xFF);
                if (len < 4 || 28 + len > b.length) {
                    return b;
                }
                int copies = 1 + rnd.nextInt(Math.min(200, 60000 / len));
                byte[] out = new byte[28 + len * copies];
                System.arraycopy(b, 0, out, 0, 28);
                for (int k = 0; k < copies; k++) {
                    System.arraycopy(b, 28, out, 28 + k * len, len);
                    out[28 + k * len] = k + 1 < copies ? b[16] : 0;
                }
                putInt(out, 24, out.length);
                return out;
            }
            default: { // bytes inserted or removed in the middle, header length kept consistent
                int at = 28 + rnd.nextInt(Math.max(1, b.length - 27));
                at = Math.min(at, b.length);
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
                if (out.length >= 28) {
                    putInt(out, 24, out.length);
                }
                return out;
            }
        }
    }

    /** Offsets of every generic-header length field of a valid message, nested P and T included. */
    static List<Integer> lengthFields(byte[] valid) {
        List<Integer> out = new ArrayList<>();
        if (valid.length < 28) {
            return out;
        }
        int next = valid[16] & 0xFF;
        int pos = 28;
        if ((valid[19] & 1) != 0) {
            return out; // encrypted: the chain is ciphertext
        }
        while (next != 0 && pos + 4 <= valid.length) {
            int len = ((valid[pos + 2] & 0xFF) << 8) | (valid[pos + 3] & 0xFF);
            if (len < 4) {
                break;
            }
            out.add(pos + 2);
            if (next == 1 && pos + len <= valid.length) { // SA: walk proposals and transforms
                int p = pos + 12;
                while (p + 8 <= pos + len) {
                    int pLen = ((valid[p + 2] & 0xFF) << 8) | (valid[p + 3] & 0xFF);
                    if (pLen < 8) {
                        break;
                    }
                    out.add(p + 2);
                    int t = p + 8 + (valid[p + 6] & 0xFF);
                    while (t + 4 <= p + pLen) {
                        int tLen = ((valid[t + 2] & 0xFF) << 8) | (valid[t + 3] & 0xFF);
                        if (tLen < 4) {
                            break;
                        }
                        out.add(t + 2);
                        t += tLen;
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

    /** usage: WireFuzzer [iterations (default 10^7)] [seed] - prints progress every 10^6 and the totals. */
    public static void main(String[] args) {
        long total = args.length > 0 ? Long.parseLong(args[0].replace("_", "")) : 10_000_000L;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : System.nanoTime();
        System.out.println("wire fuzzer: seed " + seed + ", " + total + " iterations");
        WireFuzzer f = new WireFuzzer(seed);
        System.out.println("wire fuzzer: " + f.seedCount() + " seed messages");
        long done = 0;
        long accepted = 0;
        long rejected = 0;
        long maxAlloc = 0;
        long start = System.nanoTime();
        while (done < total) {
            long n = Math.min(1_000_000, total - done);
            Stats s = f.run(n);
            done += n;
            accepted += s.accepted();
            rejected += s.rejected();
            maxAlloc = Math.max(maxAlloc, s.maxAllocated());
            System.out.println("wire fuzzer: " + done + " done");
        }
        System.out.println("wire fuzzer: OK " + new Stats(done, accepted, rejected, maxAlloc,
                System.nanoTime() - start));
    }
}
