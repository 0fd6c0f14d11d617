package dev.isakmpd.core.exchange;

import dev.isakmpd.core.ha.HaCodec;
import dev.isakmpd.core.ha.HaCodecException;
import dev.isakmpd.core.ha.HaRecord;
import dev.isakmpd.core.sa.IpsecSa;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The replication channel between an active node and its standby, on the simulated network's
 * virtual clock: each record goes through the codec, is lost with probability {@code loss}, else
 * arrives after a random delay (so records overtake each other) and is applied to the standby;
 * the ack of a synchronous one comes back after another such delay. A crashed active neither
 * sends nor hears acks; what it sent before still lands.
 */
final class SimulatedReplication {
    static final Duration ACK_TIMEOUT = Duration.ofMillis(200);

    private final SimulatedNetwork net;
    final SimulatedNetwork.Node active;
    final SimulatedNetwork.Node standby;
    private final Random random;
    private final double loss;
    private final Duration minDelay;
    private final Duration maxDelay;
    int sent;
    int syncSent;
    int applied;
    /** The sync link is down: every record (and so every ack) is lost. */
    boolean partitioned;

    SimulatedReplication(SimulatedNetwork net, SimulatedNetwork.Node active, SimulatedNetwork.Node standby, long seed,
            double loss, Duration minDelay, Duration maxDelay) {
        this.net = net;
        this.active = active;
        this.standby = standby;
        this.random = new Random(seed);
        this.loss = loss;
        this.minDelay = minDelay;
        this.maxDelay = maxDelay;
        active.engine.replication(ACK_TIMEOUT);
        active.observer = a -> {
            if (a instanceof Action.Replicate r) {
                send(r);
            }
        };
    }

    private void send(Action.Replicate r) {
        sent++;
        syncSent += r.sync() ? 1 : 0;
        byte[] bytes = HaCodec.encode(r.record());
        if (random.nextDouble() < loss || partitioned) {
            return;
        }
        net.schedule(net.now.plus(delay()), () -> {
            try {
                List<Action> done = standby.engine.applyReplica(HaCodec.decode(bytes), net.now);
                assertStandbyOnly(done);
                net.apply(standby, done);
            } catch (HaCodecException e) {
                throw new AssertionError(e);
            }
            applied++;
            if (r.sync()) {
                net.schedule(net.now.plus(delay()), () -> {
                    if (!active.dead) {
                        net.apply(active, active.engine.replicated(r.id(), net.now));
                    }
                });
            }
        });
    }

    /**
     * The standby takes a fresh snapshot of the active now (the sync link is back after a
     * partition, or the standby synced alone), through the codec, after the active heard that the
     * standby is back. Records in flight land after it, as the sync link holds the live records
     * that arrive while a snapshot transfers.
     */
    void resync() {
        net.apply(active, active.engine.standbyBack(net.now));
        List<HaRecord> snapshot = new ArrayList<>();
        try {
            for (HaRecord r : active.engine.snapshot()) {
                snapshot.add(HaCodec.decode(HaCodec.encode(r)));
            }
        } catch (HaCodecException e) {
            throw new AssertionError(e);
        }
        List<Action> done = standby.engine.applySnapshot(snapshot, net.now);
        assertStandbyOnly(done);
        net.apply(standby, done);
    }

    /**
     * What a standby may do with a record (issue 15 s4): install or remove an inbound SA, log.
     * Never an outbound SA, never a datagram: it must not emit under a live key.
     */
    static void assertStandbyOnly(List<Action> done) {
        for (Action a : done) {
            boolean inbound = a instanceof Action.InstallSa i && i.sa().direction() == IpsecSa.Direction.IN
                    || a instanceof Action.DeleteSa d && d.sa().direction() == IpsecSa.Direction.IN;
            if (!inbound && !(a instanceof Action.Log)) {
                throw new AssertionError("a standby did " + a + " on a record");
            }
        }
    }

    private Duration delay() {
        long spread = maxDelay.toMillis() - minDelay.toMillis();
        return minDelay.plusMillis(spread <= 0 ? 0 : (long) (random.nextDouble() * (spread + 1)));
    }
}
