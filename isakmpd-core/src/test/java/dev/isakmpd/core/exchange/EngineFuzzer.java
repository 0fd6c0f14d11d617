package dev.isakmpd.core.exchange;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.DeadPeerDetection;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.wire.IsakmpHeader;
import dev.isakmpd.core.wire.WireFuzzer;
import dev.isakmpd.oakley.IkeIv;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Mutation fuzzing through the engines' receive path (issue 10), not only the decoder. Four live
 * engines over a {@link SimulatedNetwork}: b answers a in Main Mode and c in Aggressive Mode, with
 * PFS and DPD, so the seeds hold every message of every exchange (MM1-MM6, AM1-AM3, QM1-QM3,
 * Informational Delete and DPD); d's Main Modes go unanswered. Each input is a seed mutated by
 * {@link WireFuzzer#mutate}, handed to its receiver's {@link Engine#receive}, either
 * <ul>
 * <li>after encryption: the datagram as it was on the wire, half of the time with its cookies
 * replaced by those of an SA the receiver holds now (so that it reaches live exchanges); or
 * <li>before encryption: the decrypted Quick Mode or Informational message is mutated, its HASH(1)
 * recomputed half of the time (so that the mutant is authentic and reaches the exchange's own
 * checks), and encrypted under a fresh message ID of the current ISAKMP SA between the two.
 * </ul>
 * Between inputs the network runs (answers, retransmissions, timers; hours of virtual time over a
 * long run, so SAs are rekeyed under fire), and the engines keep Quick Modes and Main Modes in
 * flight, as initiators (a, c, d: a quarter of what a hears goes to d) and responders (b). After
 * every {@code checkEvery} inputs: no exception escaped, every table is within its bound, and a
 * Quick Mode from a and one from c still complete.
 * Deterministic by seed. {@code scripts/fuzz-engine.sh} runs 10^7 inputs; EngineFuzzTest a few.
 */
final class EngineFuzzer {
    static final InetSocketAddress A = Addresses.parseEndpoint("127.0.0.1", 500);
    static final InetSocketAddress B = Addresses.parseEndpoint("127.0.0.2", 500);
    static final InetSocketAddress C = Addresses.parseEndpoint("127.0.0.3", 500);
    static final InetSocketAddress D = Addresses.parseEndpoint("127.0.0.4", 500);
    /** Inputs between two runs of the network. */
    private static final int BURST = 500;
    /** Spoofed MM1s from a's address after each check: half-open Main Modes in flight at b. */
    private static final int HALF_OPEN_IN_FLIGHT = 8;
    /** Pairs a node may hold: per tunnel the current one, its replacement and one being retired. */
    private static final int MAX_PAIRS = 3 * 2;

    /** A message of an encrypted exchange, decrypted: its header (encrypted flag clear) and plaintext. */
    private record Plain(InetSocketAddress to, InetSocketAddress from, byte[] message) {
    }

    /** What a run did. */
    record Report(long inputs, long beforeEncryption, long authentic, long checks, long nanos,
            Map<String, Integer> largest) {
    }

    private final SimulatedNetwork net;
    private final SimulatedNetwork.Node a;
    private final SimulatedNetwork.Node b;
    private final SimulatedNetwork.Node c;
    /** Starts Main Modes that b, which has no policy for it, never answers: an initiator in flight. */
    private final SimulatedNetwork.Node d;
    private final Map<InetSocketAddress, SimulatedNetwork.Node> nodes = new HashMap<>();
    private final Random rnd;
    private final List<Datagram> wire;
    private final List<Plain> plain = new ArrayList<>();
    private final byte[] mm1;
    private final Map<String, Integer> largest = new HashMap<>();
    private long beforeEncryption;
    private long authentic;
    private long checks;
    private int spoofed;
    /** The input being handed over, for the report of a fault. */
    private Datagram current;

    EngineFuzzer(long seed) {
        rnd = new Random(seed);
        net = new SimulatedNetwork(seed, SimulatedNetwork.Faults.NONE);
        DeadPeerDetection dpd = new DeadPeerDetection(Duration.ofSeconds(20), Duration.ofSeconds(60));
        a = node("a", A, seed + 1, dpd(main("b", A, B, "10.1.0.0/16", "10.2.0.0/16", true), dpd));
        b = node("b", B, seed + 2, dpd(main("a", B, A, "10.2.0.0/16", "10.1.0.0/16", false), dpd),
                aggressive("c", B, C, "10.2.0.0/16", "10.3.0.0/16", false));
        c = node("c", C, seed + 3, aggressive("b", C, B, "10.3.0.0/16", "10.2.0.0/16", true));
        d = node("d", D, seed + 4, main("b", D, B, "10.4.0.0/16", "10.2.0.0/16", true));
        // seeds: both phase-1 modes with their Quick Modes, a second Quick Mode (whose predecessor
        // is retired with a Delete) and DPD
        net.apply(a, a.engine.initiate("b", net.now));
        net.apply(c, c.engine.initiate("b", net.now));
        require(net.runUntil(() -> a.kernel.list().size() == 2 && c.kernel.list().size() == 2, Duration.ofMinutes(1)),
                "the seed exchanges did not come up");
        net.apply(a, a.engine.initiate("b", net.now));
        net.runUntil(() -> false, Duration.ofMinutes(2));
        wire = List.copyOf(net.delivered);
        require(wire.stream().filter(d -> d.data()[18] == 5).count() >= 4, "the seeds lack DPD or a Delete");
        mm1 = wire.stream().filter(d -> d.local().equals(B) && d.remote().equals(A)).findFirst().orElseThrow().data();
        net.forgetful = true;
        decryptSeeds();
        for (SimulatedNetwork.Node n : nodes.values()) {
            n.quiet = true;
            n.log.clear();
        }
    }

    private static PeerPolicy main(String name, InetSocketAddress local, InetSocketAddress remote, String localNet,
            String remoteNet, boolean auto) {
        return EngineScenarioTest.policy(name, local.getHostString(), remote.getHostString(), "fuzz", "aes128-sha256-ecp256",
                "aes128-sha1", "curve25519", localNet, remoteNet, auto);
    }

    private static PeerPolicy aggressive(String name, InetSocketAddress local, InetSocketAddress remote,
            String localNet, String remoteNet, boolean auto) {
        return AggressiveModeScenarioTest.aggressive(EngineScenarioTest.policy(name, local.getHostString(),
                remote.getHostString(), "fuzz aggressive", "aes256-sha1-ecp256", "aes128-sha256", null, localNet,
                remoteNet, auto), true);
    }

    private static PeerPolicy dpd(PeerPolicy p, DeadPeerDetection dpd) {
        return new PeerPolicy(p.name(), p.local(), p.remote(), p.auth(), p.ikeProposals(), p.ikeLifetime(),
                p.tunnels(), p.autoStart(), Optional.of(dpd), p.localId(), p.remoteId(), p.remoteRange(),
                p.aggressive());
    }

    private SimulatedNetwork.Node node(String name, InetSocketAddress address, long seed, PeerPolicy... peers) {
        SimulatedNetwork.Node n = net.add(new SimulatedNetwork.Node(name, address, List.of(peers), seed));
        // as the daemon does: a mangled NAT-D that reads as a NAT moves the exchange to port 4500
        net.listen(n, 4500);
        nodes.put(address, n);
        return n;
    }

    /**
     * The plaintext of every encrypted seed, decrypted as its receiver did (RFC 2409 Appendix B):
     * Main Mode from the initial IV, every other exchange from hash(last phase-1 block | M-ID), each
     * message chained to the previous one's last ciphertext block.
     */
    private void decryptSeeds() {
        Map<String, byte[]> chains = new HashMap<>();
        for (Datagram d : wire) {
            byte[] m = d.data();
            if ((m[19] & 1) == 0) {
                continue;
            }
            IsakmpSession s = nodes.get(d.local()).engine.session(cookies(m));
            if (s == null || s.keys() == null) {
                continue;
            }
            var cipher = s.keys().cipher();
            int mid = readInt(m, 20);
            String cookieHex = HexFormat.of().formatHex(m, 0, 16);
            byte[] phase1 = chains.getOrDefault(cookieHex + "/0", s.keys().initialIv());
            byte[] iv = chains.computeIfAbsent(cookieHex + "/" + mid,
                    k -> mid == 0 ? phase1 : IkeIv.phase2Iv(s.prf().hash(), phase1, mid, cipher.blockSize()));
            byte[] ct = Arrays.copyOfRange(m, IsakmpHeader.LENGTH, m.length);
            byte[] pt = cipher.decrypt(s.keys().encryptionKey().bytes(), iv, ct);
            chains.put(cookieHex + "/" + mid, cipher.lastBlock(ct));
            if (mid == 0) {
                continue; // MM5/MM6 go in mutated after encryption only: their chain belongs to the handshake
            }
            byte[] message = new byte[IsakmpHeader.LENGTH + pt.length];
            System.arraycopy(m, 0, message, 0, IsakmpHeader.LENGTH);
            System.arraycopy(pt, 0, message, IsakmpHeader.LENGTH, pt.length);
            message[19] &= (byte) ~1;
            putInt(message, 24, message.length);
            plain.add(new Plain(d.local(), d.remote(), message));
        }
        require(plain.size() >= 5, "too few decrypted seeds: " + plain.size());
    }

    Report run(long inputs, int checkEvery) {
        long start = System.nanoTime();
        for (long i = 1; i <= inputs; i++) {
            if (rnd.nextInt(4) < 3 || !beforeEncryption()) {
                afterEncryption();
            }
            if (i % BURST == 0) {
                net.runUntil(() -> false, Duration.ofSeconds(3));
            }
            if (i % checkEvery == 0 || i == inputs) {
                check(i);
            }
        }
        return new Report(inputs, beforeEncryption, authentic, checks, System.nanoTime() - start, Map.copyOf(largest));
    }

    /** A wire seed, mutated as a whole; half of the time under the cookies of an SA its receiver holds now. */
    private void afterEncryption() {
        Datagram seed = wire.get(rnd.nextInt(wire.size()));
        byte[] m = WireFuzzer.mutate(seed.data(), wire.get(rnd.nextInt(wire.size())).data(), rnd);
        SimulatedNetwork.Node to = nodes.get(seed.local());
        boolean toD = to == a && rnd.nextInt(4) == 0; // what a initiator hears, to d's Main Mode in flight
        if (toD) {
            to = d;
        }
        List<IsakmpSaInfo> held = to.engine.isakmpSas();
        if (m.length >= 16 && !held.isEmpty() && (toD || rnd.nextBoolean())) {
            IsakmpSaInfo sa = held.get(rnd.nextInt(held.size()));
            System.arraycopy(HexFormat.of().parseHex(sa.initiatorCookie()), 0, m, 0, 8);
            byte[] responder = HexFormat.of().parseHex(sa.responderCookie());
            if (!allZero(seed.data(), 8, 16) && !allZero(responder, 0, 8)) { // an MM1, AM1 or MM2 keeps its CKY-R
                System.arraycopy(responder, 0, m, 8, 8);
            }
        }
        deliver(to, new Datagram(to.address, seed.remote(), m));
    }

    /**
     * A decrypted seed, mutated, HASH(1) recomputed half of the time, encrypted under the current
     * ISAKMP SA between its sender and receiver with a fresh message ID; false if they hold none.
     */
    private boolean beforeEncryption() {
        Plain seed = plain.get(rnd.nextInt(plain.size()));
        SimulatedNetwork.Node to = nodes.get(seed.to());
        SimulatedNetwork.Node from = nodes.get(seed.from());
        IsakmpSession sender = null;
        for (IsakmpSaInfo sa : to.engine.isakmpSas()) {
            IsakmpSession s = from.engine.session(new Cookies(HexFormat.of().parseHex(sa.initiatorCookie()),
                    HexFormat.of().parseHex(sa.responderCookie())));
            if (s != null && s.state() == IsakmpSession.State.ESTABLISHED) {
                sender = s;
            }
        }
        if (sender == null) {
            return false;
        }
        byte[] m = WireFuzzer.mutate(seed.message(), plain.get(rnd.nextInt(plain.size())).message(), rnd);
        if (m.length < IsakmpHeader.LENGTH) {
            m = Arrays.copyOf(m, IsakmpHeader.LENGTH);
        }
        int mid;
        do {
            mid = rnd.nextInt();
        } while (mid == 0 || sender.quickModes().containsKey(mid));
        byte[] body = Arrays.copyOfRange(m, IsakmpHeader.LENGTH, m.length);
        if (rnd.nextBoolean() && authenticate(sender, m[16], mid, body)) {
            authentic++;
        }
        byte[] ct = sender.cbc().encrypt(mid, body);
        sender.cbc().forget(mid);
        byte[] out = Arrays.copyOf(m, IsakmpHeader.LENGTH + ct.length);
        System.arraycopy(sender.cookies().initiator(), 0, out, 0, 8);
        System.arraycopy(sender.cookies().responder(), 0, out, 8, 8);
        out[19] |= 1;
        putInt(out, 20, mid);
        putInt(out, 24, out.length);
        System.arraycopy(ct, 0, out, IsakmpHeader.LENGTH, ct.length);
        beforeEncryption++;
        deliver(to, new Datagram(seed.to(), seed.from(), out));
        return true;
    }

    /**
     * Writes HASH(1) = prf(SKEYID_a, M-ID | rest of the chain) (RFC 2409 s5.5, s5.7) into a body
     * whose payload chain still walks and starts with a HASH payload of the prf's size.
     */
    private static boolean authenticate(IsakmpSession s, byte firstType, int mid, byte[] body) {
        int size = s.prf().outputLength();
        if (firstType != (byte) PayloadType.HASH.value() || body.length < 4 + size
                || (((body[2] & 0xff) << 8) | (body[3] & 0xff)) != 4 + size) {
            return false;
        }
        int at = 0;
        int next = firstType;
        while (next != 0) {
            if (at + 4 > body.length) {
                return false;
            }
            int length = ((body[at + 2] & 0xff) << 8) | (body[at + 3] & 0xff);
            if (length < 4 || at + length > body.length) {
                return false;
            }
            next = body[at];
            at += length;
        }
        byte[] midBytes = new byte[4];
        putInt(midBytes, 0, mid);
        byte[] hash = s.prf().apply(s.keys().skeyidA().bytes(), midBytes,
                Arrays.copyOfRange(body, 4 + size, at));
        System.arraycopy(hash, 0, body, 4, size);
        return true;
    }

    private void deliver(SimulatedNetwork.Node to, Datagram d) {
        current = d;
        List<Action> actions;
        try {
            actions = to.engine.receive(d, net.now);
        } catch (RuntimeException e) {
            throw fault(to, "escaped Engine.receive", e);
        }
        net.apply(to, actions);
        current = null;
    }

    /**
     * Every table within its bound; a Quick Mode from a and one from c complete (over a new
     * ISAKMP SA if a mutant deleted the old one: it may, when authentic); then exchanges in flight
     * again for the next inputs: a Quick Mode from a, an Aggressive Mode or Quick Mode from c,
     * and half-open Main Modes at b.
     */
    private void check(long inputs) {
        checks++;
        for (SimulatedNetwork.Node n : nodes.values()) {
            Map<String, Integer> t = n.engine.tableSizes();
            t.forEach((k, v) -> largest.merge(k, v, Math::max));
            int halfOpen = t.get("half-open");
            bound(n, t, "half-open", HalfOpenLimits.DEFAULT.perAddress() * 2);
            bound(n, t, "half-open limited", HalfOpenLimits.DEFAULT.perAddress() * 2);
            bound(n, t, "ISAKMP SAs", halfOpen + 6);
            bound(n, t, "ISAKMP SA deadlines", t.get("ISAKMP SAs"));
            bound(n, t, "pairs", MAX_PAIRS);
            bound(n, t, "pair deadlines", t.get("pairs"));
            bound(n, t, "pairs removed", MAX_PAIRS);
            bound(n, t, "Quick Modes on one ISAKMP SA", IsakmpSession.MAX_QUICK_MODES);
            bound(n, t, "CBC chains", t.get("Quick Modes"));
            bound(n, t, "fragment octets", FragmentReassembler.Limits.DEFAULT.total());
        }
        for (SimulatedNetwork.Node n : List.of(a, c)) {
            int mine = n.installs;
            int theirs = b.installs;
            net.apply(n, n.engine.initiate("b", net.now));
            if (!net.runUntil(() -> n.installs >= mine + 2 && b.installs >= theirs + 2, Duration.ofMinutes(3))) {
                throw fault(n, "no Quick Mode completed after " + inputs + " inputs", null);
            }
        }
        for (SimulatedNetwork.Node n : nodes.values()) {
            n.log.clear();
        }
        net.apply(a, a.engine.initiate("b", net.now));
        net.apply(c, c.engine.initiate("b", net.now));
        net.apply(d, d.engine.initiate("b", net.now));
        for (int i = 0; i < HALF_OPEN_IN_FLIGHT; i++) {
            deliver(b, MainModeFloodTest.spoofed(mm1, 0x40000000 + spoofed++));
        }
    }

    private void bound(SimulatedNetwork.Node n, Map<String, Integer> t, String table, int max) {
        if (t.get(table) > max) {
            throw fault(n, table + ": " + t.get(table) + " entries, more than " + max + " (" + t + ")", null);
        }
    }

    private AssertionError fault(SimulatedNetwork.Node n, String what, Throwable cause) {
        String input = current == null ? "" : "\ninput to " + n.name + ": " + HexFormat.of().formatHex(current.data());
        return new AssertionError(n.name + ": " + what + input + "\nlast log lines:\n"
                + String.join("\n", n.log.subList(Math.max(0, n.log.size() - 20), n.log.size())), cause);
    }

    private static Cookies cookies(byte[] m) {
        return new Cookies(Arrays.copyOfRange(m, 0, 8), Arrays.copyOfRange(m, 8, 16));
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }

    /** usage: EngineFuzzer [INPUTS [SEED [CHECK_EVERY]]] (defaults 10^7, random, 10^5). */
    public static void main(String[] args) {
        long inputs = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : new Random().nextLong();
        int every = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        System.out.println("engine fuzz: " + inputs + " inputs, seed " + seed + ", checks every " + every);
        EngineFuzzer f = new EngineFuzzer(seed);
        long done = 0;
        long nanos = 0;
        while (done < inputs) { // progress once per check
            long n = Math.min(every, inputs - done);
            Report r = f.run(n, every);
            done += n;
            nanos += r.nanos();
            System.out.printf("%d inputs, %.0f/s, %d before encryption (%d authentic), checks passed: %d, largest %s%n",
                    done, done * 1e9 / nanos, r.beforeEncryption(), r.authentic(), r.checks(), r.largest());
        }
    }
}
