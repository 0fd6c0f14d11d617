package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.exchange.Engine;
import dev.isakmpd.core.ha.HaCodec;
import dev.isakmpd.core.ha.HaCodecException;
import dev.isakmpd.core.ha.HaRecord;
import dev.isakmpd.daemon.ha.EngineSide;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine as the HA channel sees it (issue 15): records go in and out as {@link HaCodec}
 * bytes; every call arrives on the event loop's thread (HaNode hands them over), so the engine
 * stays single-threaded and its answers run through {@link EventLoop#dispatch}.
 */
final class ReplicatedEngine implements EngineSide {
    private static final Logger LOG = LoggerFactory.getLogger("isakmpd.daemon");

    private final Engine engine;
    private final EventLoop loop;
    private final Clock clock;
    /** TEST ONLY: halts after QM2/QM3 when the control socket armed it (never otherwise). */
    private final CrashHook crash;
    // for status(), which other threads call: refreshed on the loop thread
    private volatile int standbyIsakmpSas;
    private volatile int standbyPairs;

    ReplicatedEngine(Engine engine, EventLoop loop, Clock clock, CrashHook crash) {
        this.engine = engine;
        this.loop = loop;
        this.clock = clock;
        this.crash = crash;
    }

    @Override
    public void apply(byte[] record) {
        // on the loop's thread already: the inbound SA of a pair goes into the kernel now
        decode(record).ifPresent(r -> loop.dispatch("applying a record from the active",
                () -> engine.applyReplica(r, clock.instant())));
        counted();
    }

    /**
     * One dispatch for the whole snapshot, which replaces the standby table (Engine.applySnapshot:
     * a fresh snapshot after a partition or a lost split brain drops what the active deleted
     * meanwhile): the kernel back-end gets its inbound SAs as one run of writes, which XFRM sends
     * in batches (one record at a time, a 10,000-pair snapshot took 14-40 s of netlink round trips
     * in the lab). The live records held while it transferred are handed over after this call.
     */
    @Override
    public void applySnapshot(List<byte[]> records) {
        List<HaRecord> decoded = records.stream().map(this::decode).flatMap(Optional::stream).toList();
        loop.dispatch("applying the active's snapshot", () -> engine.applySnapshot(decoded, clock.instant()));
        counted();
        LOG.info("HA: took the active's snapshot of {} record(s)", records.size());
    }

    private Optional<HaRecord> decode(byte[] record) {
        try {
            return Optional.of(HaCodec.decode(record));
        } catch (HaCodecException e) {
            LOG.warn("HA: dropped a {}-byte record from the active: {}", record.length, e.getMessage());
            return Optional.empty();
        }
    }

    private void counted() {
        standbyIsakmpSas = engine.standbyTable().isakmpSas();
        standbyPairs = engine.standbyTable().pairs();
    }

    /** An unacknowledged record needs nothing here: the engine's ack timeout makes it go on degraded. */
    @Override
    public void replicated(long id, boolean acked) {
        if (acked) {
            loop.dispatch("taking the standby's ack", () -> crash.acknowledged(id, engine.replicated(id,
                    clock.instant())));
            crash.haltIfDue();
        }
    }

    @Override
    public List<byte[]> snapshot() {
        return engine.snapshot().stream().map(HaCodec::encode).toList();
    }

    @Override
    public Map<String, Object> status() {
        return Map.of("ha-standby-isakmp-sas", standbyIsakmpSas, "ha-standby-pairs", standbyPairs);
    }

    @Override
    public void demote() {
        loop.dispatch("demoting after a split brain", () -> engine.demote(clock.instant()));
        standbyIsakmpSas = 0;
        standbyPairs = 0;
    }

    @Override
    public void standDown() {
        loop.dispatch("standing down to standby", () -> engine.standDown(clock.instant()));
        standbyIsakmpSas = engine.standbyTable().isakmpSas();
        standbyPairs = engine.standbyTable().pairs();
    }

    @Override
    public void standbyBack() {
        loop.dispatch("the standby is back", () -> engine.standbyBack(clock.instant()));
    }
}
