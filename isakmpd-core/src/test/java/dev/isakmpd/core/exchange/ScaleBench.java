package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.PeerPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Issue 11's flat-cost and memory measurements, run by scripts/bench-engine-scale.sh (not a
 * test: it takes minutes). One responder engine, initiator engines over the simulated network
 * (no loss), curve25519 Main Mode + Quick Mode without PFS:
 * <ol>
 * <li>the responder's CPU time per handshake for a batch with no SAs held;
 * <li>then HELD more handshakes, and the same for a batch with those SAs held;
 * <li>the responder's heap per ISAKMP SA + IPsec SA pair, with every initiator taken away (one
 *     road-warrior policy serves them all, so the heap is the SAs').
 * </ol>
 * Arguments: HELD (default 50000) and BATCH (default 2000).
 * <p>
 * With {@code memory COUNT [BATCH]} instead: COUNT handshakes (default 100000), every batch's
 * initiators taken off the network once it is up, so that the heap holds little but the
 * responder; then the responder's live heap after a full GC, for the heap limit the JVM was given
 * (issue 11: 100,000 ISAKMP SAs and 200,000 IPsec SAs in at most 2 GiB).
 */
final class ScaleBench {
    private static final String RESPONDER = "192.0.2.1";
    private static final String IKE = "aes128-sha256-curve25519";

    private ScaleBench() {
    }

    private static String address(int i) {
        return "10." + (i >> 16 & 0xff) + "." + (i >> 8 & 0xff) + "." + (i & 0xff);
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("memory")) {
            memory(args.length > 1 ? Integer.parseInt(args[1]) : 100_000,
                    args.length > 2 ? Integer.parseInt(args[2]) : 2_000);
            return;
        }
        int held = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        run(batch, batch, false); // warm-up: the JIT compiles the paths before anything is measured
        run(held, batch, true);
    }

    private static void run(int held, int batch, boolean report) {
        System.gc();
        long heapBefore = usedHeap();

        SimulatedNetwork net = new SimulatedNetwork(1, SimulatedNetwork.Faults.NONE);
        net.forgetful = true;
        SimulatedNetwork.Node r = responder(net);

        int[] next = {0};
        List<SimulatedNetwork.Node> initiators = new ArrayList<>();
        double empty = round(net, r, initiators, next, batch);
        round(net, r, initiators, next, held);
        double full = round(net, r, initiators, next, batch);
        if (!report) {
            return;
        }
        System.out.printf("responder CPU per handshake: %.0f us with no SAs held, %.0f us with %d held "
                + "(ratio %.2f)%n", empty, full, held + batch, full / empty);

        initiators.forEach(net::remove);
        initiators.clear();
        System.gc();
        long heapAfter = usedHeap();
        int isakmp = r.engine.isakmpSas().size();
        int ipsec = r.engine.ipsecSas().size();
        System.out.printf("responder holds %d ISAKMP SAs and %d IPsec SAs in %.1f MiB of heap "
                + "(policies included): %.0f bytes per ISAKMP SA + IPsec SA pair%n", isakmp, ipsec,
                (heapAfter - heapBefore) / 1048576.0, (heapAfter - heapBefore) / (double) isakmp);
    }

    private static void memory(int count, int batch) {
        System.gc();
        long heapBefore = usedHeap();
        SimulatedNetwork net = new SimulatedNetwork(1, SimulatedNetwork.Faults.NONE);
        net.forgetful = true;
        SimulatedNetwork.Node r = responder(net);
        int[] next = {0};
        List<SimulatedNetwork.Node> initiators = new ArrayList<>();
        while (next[0] < count) {
            round(net, r, initiators, next, Math.min(batch, count - next[0]));
            initiators.forEach(net::remove);
            initiators.clear();
            r.timeline.clear(); // the harness's record of sends and installs, not the engine's
        }
        System.gc();
        long live = usedHeap() - heapBefore;
        int isakmp = r.engine.isakmpSas().size();
        int ipsec = r.engine.ipsecSas().size();
        System.out.printf("heap limit %.0f MiB; the responder holds %d ISAKMP SAs and %d IPsec SAs; live heap "
                + "after a full GC %.1f MiB (its in-memory kernel's table and the harness's list of the %d "
                + "removed addresses included): %.0f bytes per ISAKMP SA with its two IPsec SAs%n",
                Runtime.getRuntime().maxMemory() / 1048576.0, isakmp, ipsec, live / 1048576.0, next[0],
                live / (double) isakmp);
    }

    /** One road-warrior policy for every initiator, so that the heap measured is the SAs'. */
    private static SimulatedNetwork.Node responder(SimulatedNetwork net) {
        PeerPolicy fixed = policy("rw", RESPONDER, "10.0.0.1", "group key", IKE, "aes128-sha1", null,
                "198.51.100.0/24", "10.0.0.0/8", false);
        PeerPolicy rw = RoadWarriorScenarioTest.roadWarrior(fixed, "10.0.0.0/8");
        SimulatedNetwork.Node r = net.add(new SimulatedNetwork.Node("r", Addresses.parseEndpoint(RESPONDER, 500),
                List.of(rw), 7));
        r.quiet = true;
        r.timed = true;
        r.engine.debugLogging(false);
        return r;
    }

    /** Brings up {@code n} more initiators; the responder's CPU microseconds per handshake. */
    private static double round(SimulatedNetwork net, SimulatedNetwork.Node r, List<SimulatedNetwork.Node> initiators,
            int[] next, int n) {
        long cpu = r.cpuNanos;
        bringUp(net, r, initiators, next, n);
        return (r.cpuNanos - cpu) / 1000.0 / n;
    }

    /**
     * Starts {@code n} more initiators (addresses 10.x.y.z numbered from {@code next[0]}) against
     * {@code r}, adds them to {@code initiators} and waits until each has its IPsec SA pair at {@code r}.
     */
    static void bringUp(SimulatedNetwork net, SimulatedNetwork.Node r, List<SimulatedNetwork.Node> initiators,
            int[] next, int n) {
        int installs = r.installs;
        String responder = r.address.getAddress().getHostAddress();
        for (int k = 0; k < n; k++) {
            int i = next[0]++;
            String a = address(i);
            SimulatedNetwork.Node node = net.add(new SimulatedNetwork.Node("i" + i, Addresses.parseEndpoint(a, 500),
                    List.of(policy("r", a, responder, "group key", IKE, "aes128-sha1", null, "10.0.0.0/8",
                            "198.51.100.0/24", true)), 1000 + i));
            node.quiet = true;
            node.engine.debugLogging(false);
            initiators.add(node);
            net.apply(node, node.engine.initiate("r", net.now));
            if (k % 200 == 199) {
                net.runUntil(() -> false, Duration.ofSeconds(1));
            }
        }
        if (!net.runUntil(() -> r.installs == installs + 2 * n, Duration.ofMinutes(10))) {
            throw new IllegalStateException("only " + (r.installs - installs) / 2 + " of " + n + " came up at "
                    + r.name);
        }
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
