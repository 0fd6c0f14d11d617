package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.ha.HaRecord;
import dev.isakmpd.core.sa.IpsecSa;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A standby that takes a fresh snapshot of its active ({@link Engine#applySnapshot}; issue 15 s6
 * and s7): after a partition of the sync link, or at any instant while the active negotiates, its
 * standby table and its kernel's inbound SAs end up as the active's, nothing more and nothing less.
 */
class HaResyncScenarioTest {

    /** The records' SAs: "isakmp COOKIES" and "pair DESTINATION/SPI" (by the inbound SA). */
    private static Set<String> sas(List<HaRecord> records) {
        return records.stream().filter(r -> r instanceof HaRecord.IsakmpSa || r instanceof HaRecord.IpsecPair)
                .map(r -> (r instanceof HaRecord.IsakmpSa ? "isakmp " : "pair ") + r.saKey())
                .collect(Collectors.toSet());
    }

    private static Set<String> inbound(List<HaRecord> records) {
        return records.stream().filter(HaRecord.IpsecPair.class::isInstance)
                .map(r -> r.saKey().toString()).collect(Collectors.toSet());
    }

    /** The standby holds what the active's snapshot holds, and its kernel the inbound SA of each pair, only. */
    private static void assertStandbyMatches(SimulatedNetwork.Node active, SimulatedNetwork.Node standby) {
        List<HaRecord> want = active.engine.snapshot();
        assertEquals(sas(want), sas(standby.engine.standbyTable().records()), "the standby table");
        assertEquals(inbound(want), standby.kernel.list().stream()
                .map(sa -> new HaRecord.SpiKey(sa.destination(), sa.spi()).toString()).collect(Collectors.toSet()),
                "the standby's kernel");
        assertTrue(standby.kernel.list().stream().allMatch(sa -> sa.direction() == IpsecSa.Direction.IN));
    }

    /**
     * The sync link is down while the peer deletes its SAs with the active and negotiates new ones;
     * when it is back the standby takes a fresh snapshot. It drops the deleted ISAKMP SA and pair,
     * and the pair's inbound SA leaves its kernel; a takeover then installs the live pair only.
     * Before, the snapshot was applied over the old table: the deleted pair stayed, and a takeover
     * installed an outbound SA for a pair the peer no longer held.
     */
    @Test
    void aFreshSnapshotAfterAPartitionDropsWhatTheActiveDeletedMeanwhile() {
        HaReplicationScenarioTest.Ha ha = HaReplicationScenarioTest.ha(41, SimulatedNetwork.Faults.NONE, 0,
                Duration.ofMillis(1), Duration.ofMillis(5), false, false, false, false);
        SimulatedNetwork net = ha.net();
        SimulatedNetwork.Node active = ha.active();
        SimulatedNetwork.Node peer = ha.peer();
        SimulatedReplication link = ha.channel();
        assertTrue(net.runUntil(ha::bothUp, Duration.ofMinutes(1)));
        net.runUntil(() -> false, Duration.ofSeconds(1));
        Set<String> before = sas(link.standby.engine.standbyTable().records());

        link.partitioned = true;
        peer.observer = a -> { }; // the peer uses SAs the standby lacks now: the partition
        net.apply(peer, peer.engine.down("a", net.now));
        assertTrue(net.runUntil(() -> active.engine.ipsecSas().isEmpty() && active.engine.isakmpSas().isEmpty(),
                Duration.ofSeconds(10)), () -> String.join("\n", active.log));
        net.apply(peer, peer.engine.initiate("a", net.now));
        assertTrue(net.runUntil(ha::bothUp, Duration.ofMinutes(1)));
        assertEquals(before, sas(link.standby.engine.standbyTable().records()), "the standby heard nothing of it");

        link.partitioned = false;
        link.resync();
        net.runUntil(() -> false, Duration.ofSeconds(1));
        assertStandbyMatches(active, link.standby);
        assertTrue(link.standby.logged("dropped 1 ISAKMP SA(s) and 1 IPsec SA pair(s) the active no longer holds"),
                () -> String.join("\n", link.standby.log));

        SimulatedNetwork.Node taken = HaScenarios.takeOver(ha);
        assertEquals(2, taken.kernel.list().size(), "the live pair only: " + taken.kernel.list());
        HaTakeoverScenarioTest.checkOneKeyPerSpi(peer, taken, false);
    }

    /** A standby that holds what the active holds takes its snapshot: the kernel is not touched. */
    @Test
    void aSnapshotOfWhatTheStandbyHoldsChangesNothingInItsKernel() {
        HaReplicationScenarioTest.Ha ha = HaReplicationScenarioTest.ha(42, SimulatedNetwork.Faults.NONE, 0,
                Duration.ofMillis(1), Duration.ofMillis(5), true, false, false, false);
        assertTrue(ha.net().runUntil(ha::bothUp, Duration.ofMinutes(1)));
        ha.net().runUntil(() -> false, Duration.ofSeconds(1));
        SimulatedNetwork.Node standby = ha.channel().standby;
        int installs = standby.installs;
        ha.channel().resync();
        assertEquals(installs, standby.installs, "no inbound SA installed again");
        assertEquals(0, standby.deletes);
        assertStandbyMatches(ha.active(), standby);
    }

    /**
     * The standby takes a fresh snapshot at a random instant while the peer negotiates, under 10%
     * loss and reordering of IKE and replication: the records in flight around the snapshot point
     * (sent before it, which it holds already; sent after it) land after it, and once they have,
     * the standby holds what the active holds. The peer's check of the standby table
     * ({@link HaReplicationScenarioTest}) runs at each of its actions throughout.
     */
    @Test
    void aFreshSnapshotAtAnyInstantLeavesTheStandbyWithTheActivesState() {
        SimulatedNetwork.Faults faults = new SimulatedNetwork.Faults(0.1, 0, Duration.ofMillis(60));
        for (int seed = 0; seed < 40; seed++) {
            HaReplicationScenarioTest.Ha ha = HaReplicationScenarioTest.ha(9100 + seed, faults, 0,
                    Duration.ofMillis(1), Duration.ofMillis(30), seed % 2 == 0, false, false, false);
            SimulatedNetwork net = ha.net();
            net.runUntil(() -> false, Duration.ofMillis(new Random(seed).nextInt(2000)));
            ha.channel().resync();
            net.runUntil(ha::bothUp, Duration.ofMinutes(2));
            net.runUntil(() -> false, Duration.ofSeconds(5));
            assertStandbyMatches(ha.active(), ha.channel().standby);
        }
    }
}
