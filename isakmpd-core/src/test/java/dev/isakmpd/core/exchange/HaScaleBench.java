package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;

import dev.isakmpd.core.ha.HaCodec;
import dev.isakmpd.core.ha.HaCodecException;
import dev.isakmpd.core.ha.HaRecord;
import dev.isakmpd.core.kernel.KernelEvent;
import dev.isakmpd.core.kernel.ReplayState;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.registry.ProtocolId;
import dev.isakmpd.core.sa.IpsecSa;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Issue 15's scale numbers on the engine side, run by scripts/bench-ha.sh (not a test: it takes a
 * minute or more). Two responders over the simulated network, one with HA replication off, one
 * with it on through a channel that encodes every record (HaCodec, as the daemon does) and acks
 * it at once; both filled to PAIRS ISAKMP SAs + IPsec SA pairs by curve25519 Main Mode + Quick
 * Mode handshakes from road-warrior initiators (as ScaleBench):
 * <ol>
 * <li>the responders' CPU time per handshake, off and on, over the filled tables (issue 15: the
 *     load with HA on at least 90% of the handshakes/s with it off);
 * <li>the active's CPU time per kernel counter report of 1,000 pairs (Engine.counters + encode);
 * <li>the active's snapshot for a joining standby (Engine.snapshot + HaCodec.encode), written to
 *     OUT for SnapshotBench (isakmpd-ha), which sends it over the real JGroups channel;
 * <li>a fresh standby applying it (HaCodec.decode + Engine.applyReplica + the inbound SA into an
 *     in-memory kernel): the part of "snapshot applied" after the transfer;
 * <li>the standby's Engine.takeover until its actions are produced, then those actions through
 *     the in-memory kernel (outbound SAs installed, counters set).
 * </ol>
 * Arguments: PAIRS (default 10000), BATCH (default 1000), OUT (default target/bench-ha/snapshot.bin).
 */
final class HaScaleBench {
    private static final String OFF = "192.0.2.1";
    private static final String ON = "192.0.2.2";
    private static final String IKE = "aes128-sha256-curve25519";
    /** 2 x the default replay-threshold, as HaTakeoverScenarioTest. */
    private static final long MARGIN = 2048;
    /** Measured batches per responder, alternating off and on; the table grows by one batch each. */
    private static final int ROUNDS = 2;

    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private HaScaleBench() {
    }

    public static void main(String[] args) throws Exception {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        Path out = Path.of(args.length > 2 ? args[2] : "target/bench-ha/snapshot.bin");

        SimulatedNetwork net = new SimulatedNetwork(1, SimulatedNetwork.Faults.NONE);
        net.forgetful = true;
        SimulatedNetwork.Node off = responder(net, "off", OFF);
        SimulatedNetwork.Node on = responder(net, "on", ON);
        int[] acked = {0};
        replicateAndAckAtOnce(net, on, acked);
        int[] next = {0};

        round(net, off, next, batch); // warm-up: the JIT compiles both paths before anything is measured
        round(net, on, next, batch);
        int prefill = pairs - batch - ROUNDS * batch;
        for (int done = 0; done < prefill; done += batch) {
            round(net, off, next, Math.min(batch, prefill - done));
            round(net, on, next, Math.min(batch, prefill - done));
        }
        double offUs = 0;
        double onUs = 0;
        for (int i = 0; i < ROUNDS; i++) {
            offUs += round(net, off, next, batch) / ROUNDS;
            onUs += round(net, on, next, batch) / ROUNDS;
        }
        System.out.printf("responder CPU per handshake over %d-%d held pairs: %.0f us with HA off, %.0f us with HA "
                + "on (records encoded, acked at once; %d sync records acked): on/off handshakes/s = %.2f%n",
                pairs - ROUNDS * batch, pairs, offUs, onUs, acked[0], offUs / onUs);

        counterStream(net, on, 1_000, 10);

        long start = System.nanoTime();
        List<byte[]> snapshot = on.engine.snapshot().stream().map(HaCodec::encode).toList();
        double snapshotMs = (System.nanoTime() - start) / 1e6;
        long bytes = snapshot.stream().mapToLong(r -> r.length).sum();
        System.out.printf("active: snapshot of %d ISAKMP SAs and %d IPsec SAs: %d records, %d bytes, taken and "
                + "encoded in %.0f ms%n", on.engine.isakmpSas().size(), on.engine.ipsecSas().size(), snapshot.size(),
                bytes, snapshotMs);
        write(out, snapshot);

        net.remove(on);
        SimulatedNetwork.Node standby = new SimulatedNetwork.Node("standby", Addresses.parseEndpoint(ON, 500),
                List.of(roadWarrior(ON)), 11);
        standby.quiet = true;
        standby.engine.debugLogging(false);
        start = System.nanoTime();
        apply(net, standby, snapshot);
        double applyMs = (System.nanoTime() - start) / 1e6;
        System.out.printf("standby: snapshot decoded and applied in %.0f ms: %d ISAKMP SAs and %d pairs held, "
                + "%d inbound SAs in its kernel%n", applyMs, standby.engine.standbyTable().isakmpSas(),
                standby.engine.standbyTable().pairs(), standby.kernel.list().size());

        net.add(standby);
        start = System.nanoTime();
        List<Action> actions = standby.engine.takeover(net.now, MARGIN);
        double takeoverMs = (System.nanoTime() - start) / 1e6;
        net.apply(standby, actions);
        double kernelMs = (System.nanoTime() - start) / 1e6;
        long outbound = standby.kernel.list().stream().filter(sa -> sa.direction() == IpsecSa.Direction.OUT).count();
        System.out.printf("takeover: Engine.takeover produced %d actions in %.0f ms; through the in-memory kernel "
                + "%.0f ms in all: %d ISAKMP SAs live, %d outbound SAs installed with %d counters set%n",
                actions.size(), takeoverMs, kernelMs, standby.engine.isakmpSas().size(), outbound,
                standby.outboundSequences.size());
        if (outbound != pairs || standby.engine.isakmpSas().size() != pairs) {
            throw new IllegalStateException("expected " + pairs + " of each taken over");
        }
    }

    /**
     * The active's share of the counter stream: issue 15 asks for the NEWAE event rate with 1,000
     * busy SAs, which the kernel sets at max(packets / replay-threshold, 1 / replay-interval) per
     * SA; here each SA of {@code pairs} pairs is reported {@code rounds} times through
     * Engine.counters, every record encoded (the observer), as the daemon does with each
     * coalesced report.
     */
    private static void counterStream(SimulatedNetwork net, SimulatedNetwork.Node r, int pairs, int rounds) {
        List<IpsecSa> sas = r.engine.ipsecSas().stream().limit(2L * pairs).toList();
        int records = 0;
        long before = THREADS.getCurrentThreadCpuTime();
        for (int k = 1; k <= rounds; k++) {
            for (IpsecSa sa : sas) {
                ReplayState replay = sa.direction() == IpsecSa.Direction.OUT ? new ReplayState(1024L * k, 0, 0)
                        : new ReplayState(0, 1024L * k, -1);
                List<Action> done = r.engine.counters(new KernelEvent.Counters(sa.destination(), sa.spi(),
                        ProtocolId.IPSEC_ESP, replay, 100_000L * k, 1024L * k), net.now);
                records += (int) done.stream().filter(Action.Replicate.class::isInstance).count();
                net.apply(r, done);
            }
        }
        double us = (THREADS.getCurrentThreadCpuTime() - before) / 1000.0 / (rounds * sas.size());
        System.out.printf("active: %d counter reports of %d SAs (%d pairs) became %d records: %.1f us CPU each, so "
                + "%d busy SAs reporting once a second (replay-interval) cost %.2f%% of a core%n", rounds * sas.size(),
                sas.size(), pairs, records, us, sas.size(), us * sas.size() / 1e4);
    }

    /** One road-warrior policy for every initiator, so that the heap and lookups are the SAs'. */
    private static PeerPolicy roadWarrior(String address) {
        PeerPolicy fixed = policy("rw", address, "10.0.0.1", "group key", IKE, "aes128-sha1", null,
                "198.51.100.0/24", "10.0.0.0/8", false);
        return RoadWarriorScenarioTest.roadWarrior(fixed, "10.0.0.0/8");
    }

    private static SimulatedNetwork.Node responder(SimulatedNetwork net, String name, String address) {
        SimulatedNetwork.Node r = net.add(new SimulatedNetwork.Node(name, Addresses.parseEndpoint(address, 500),
                List.of(roadWarrior(address)), 7));
        r.quiet = true;
        r.timed = true;
        r.engine.debugLogging(false);
        return r;
    }

    /**
     * The channel of the "on" responder: each record is encoded as the daemon encodes it for the
     * sync link, and a sync one is acked at the same virtual instant; the CPU time of both counts
     * as the responder's.
     */
    private static void replicateAndAckAtOnce(SimulatedNetwork net, SimulatedNetwork.Node r, int[] acked) {
        r.engine.replication(SimulatedReplication.ACK_TIMEOUT);
        r.observer = a -> {
            if (a instanceof Action.Replicate rep) {
                long before = THREADS.getCurrentThreadCpuTime();
                HaCodec.encode(rep.record());
                r.cpuNanos += THREADS.getCurrentThreadCpuTime() - before;
                if (rep.sync()) {
                    net.schedule(net.now, () -> {
                        long t = THREADS.getCurrentThreadCpuTime();
                        List<Action> done = r.engine.replicated(rep.id(), net.now);
                        r.cpuNanos += THREADS.getCurrentThreadCpuTime() - t;
                        acked[0]++;
                        net.apply(r, done);
                    });
                }
            }
        };
    }

    /** Brings up {@code n} more initiators against {@code r}; its CPU microseconds per handshake. */
    private static double round(SimulatedNetwork net, SimulatedNetwork.Node r, int[] next, int n) {
        long cpu = r.cpuNanos;
        List<SimulatedNetwork.Node> initiators = new ArrayList<>();
        ScaleBench.bringUp(net, r, initiators, next, n);
        double us = (r.cpuNanos - cpu) / 1000.0 / n;
        initiators.forEach(net::remove); // the heap holds the responders' SAs, not thousands of initiators
        r.timeline.clear();
        return us;
    }

    /** What ReplicatedEngine.applySnapshot does on the daemon's loop, into the node's in-memory kernel. */
    private static void apply(SimulatedNetwork net, SimulatedNetwork.Node standby, List<byte[]> snapshot)
            throws HaCodecException {
        for (byte[] record : snapshot) {
            HaRecord r = HaCodec.decode(record);
            net.apply(standby, standby.engine.applyReplica(r, net.now));
        }
    }

    /** The records as SnapshotBench reads them: a count, then each record's length and bytes. */
    private static void write(Path out, List<byte[]> records) throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (DataOutputStream data = new DataOutputStream(new java.io.BufferedOutputStream(
                Files.newOutputStream(out)))) {
            data.writeInt(records.size());
            for (byte[] r : records) {
                data.writeInt(r.length);
                data.write(r);
            }
        }
    }
}
