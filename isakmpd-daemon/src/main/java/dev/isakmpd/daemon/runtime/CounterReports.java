package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.exchange.Action;
import dev.isakmpd.core.exchange.Engine;
import dev.isakmpd.core.kernel.KernelEvent;
import dev.isakmpd.core.registry.ProtocolId;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * HA: the kernel's counter reports (XFRM_MSG_NEWAE, issue 15 s4) on their way to the engine,
 * coalesced per SA: of the reports that queued up while the loop was busy, only each SA's newest
 * goes on, so a backlog costs one record per SA, not one per report (docs/ha.md "What is synced").
 */
final class CounterReports {
    private record Sa(InetAddress destination, int spi, ProtocolId protocol) {
    }

    private final Engine engine;
    /** The active replicates what it hands on; false only for the lab's negative control ([ha] sync-counters). */
    private final boolean replicate;
    private final LinkedHashMap<Sa, KernelEvent.Counters> pending = new LinkedHashMap<>();

    CounterReports(Engine engine, boolean replicate) {
        this.engine = engine;
        this.replicate = replicate;
    }

    /** A newer report of an SA replaces the one waiting, in its place. */
    void add(KernelEvent.Counters c) {
        pending.put(new Sa(c.destination(), c.spi(), c.protocol()), c);
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    /** Drops what waits: a standby's reports are of inbound SAs that carry nothing to hand on. */
    void clear() {
        pending.clear();
    }

    /**
     * The engine's answers to each SA's newest report, which are then forgotten. A report that
     * shows traffic (a sequence number or bytes) on the inbound SA of a taken-over pending pair
     * makes the engine install its outbound SA ({@link Engine#inboundTraffic}, issue 15 s5); with
     * replication, each report then goes to the standby ({@link Engine#counters}).
     */
    List<Action> drain(Instant now) {
        List<Action> actions = new ArrayList<>();
        for (KernelEvent.Counters c : pending.values()) {
            if (c.replay().inbound() > 0 || c.bytes() > 0) {
                actions.addAll(engine.inboundTraffic(c.destination(), c.spi(), now));
            }
            if (replicate) {
                actions.addAll(engine.counters(c, now));
            }
        }
        pending.clear();
        return actions;
    }
}
