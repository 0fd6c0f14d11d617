package dev.isakmpd.daemon.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Issue 15 "What it must show", failover in the kernel lab: two of our daemons ([ha]
 * active-standby on XFRM) with keepalived each, strongSwan 5.9.8 as the IKEv1 peer, numbered UDP
 * streams both ways at 200/s through two tunnels (AES-GCM-16 and AES-CBC with HMAC-SHA-256), and
 * gateway A dying as a node dies 20 s into them, then, after it returned as standby, gateway B
 * (scripts/interop/ha-failover-scenario.sh; its header has the topology), then the crashes just
 * after QM2 and QM3 (scripts/interop/ha-crash-phase.sh) and a split brain
 * (scripts/interop/ha-splitbrain-phase.sh), all under a capture of the outside bridge. One lab
 * boot runs every case; each test checks part of the result block, and judges its phase only
 * when keepalived moved the addresses in it as planned (a starved guest that misses 100 ms
 * adverts moves them between live nodes; see {@link #assumeStableVrrp(Map, String)}).
 */
@Execution(ExecutionMode.CONCURRENT)
class HaFailoverIT {
    static final Path OUT = Path.of("target", "interop", "ha-failover").toAbsolutePath();
    /** 1 s of one stream: what may be lost while VRRP moves the addresses and gw-b takes over. */
    static final int MAX_LOST = 200;
    /** The negative control's [ha] line: the standby gets no ESP counters (a test-only setting). */
    static final String NO_COUNTER_SYNC = "sync-counters = false";
    /** The peer's DPD interval in the lab (strongSwan's dpd_delay): a crash may stop a stream at most that long. */
    static final long DPD_INTERVAL_MS = 2000;
    /** Issue 15's split-brain target: two actives, then exactly one within 1 s. */
    static final long MAX_BOTH_ACTIVE_MS = 1000;

    /**
     * The crashes at the worst moments and the split brain, after the failback: on by default (CI
     * runs them); -Dha.lab.phases=false leaves them out, about 90 s less.
     */
    static final boolean PHASES = Boolean.parseBoolean(System.getProperty("ha.lab.phases", "true"));

    private static Map<String, Map<String, String>> results;

    @BeforeAll
    static void runTheLab() throws Exception {
        Files.createDirectories(OUT);
        List<String> cmd = List.of(EndToEnd.ROOT.resolve("scripts/lab/run-in-uml.sh").toString(), "--timeout", "720",
                "--", EndToEnd.ROOT.resolve("scripts/interop/ha-failover-scenario.sh").toString(), "--out",
                OUT.toString(), "--jar", OurSide.JAR.toString(), "--phases", PHASES ? "yes" : "no", "--run", "pair",
                "--run",
                "control:" + NO_COUNTER_SYNC + ":control");
        Process p = new ProcessBuilder(cmd).directory(EndToEnd.ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(OUT.resolve("harness.log").toFile()).start();
        assertTrue(p.waitFor(780, TimeUnit.SECONDS), "lab did not finish");
        String result = read(OUT.resolve("result"));
        assertEquals(0, p.exitValue(), () -> "scenario failed: " + result + "; see " + OUT);
        results = new LinkedHashMap<>();
        for (String run : List.of("pair", "control")) {
            results.put(run, parse(read(OUT.resolve(run).resolve("result.txt"))));
        }
    }

    /** AES-GCM-16 (tunnel gcm): the targets of issue 15 when gw-a dies. */
    @Test
    void aesGcmFailsOverWithinTheTargets() {
        assertFailover("pair", "", "gcm");
    }

    /** AES-CBC with HMAC-SHA-256 (tunnel cbc), in the same failover: the same targets. */
    @Test
    void aesCbcSha256FailsOverWithinTheTargets() {
        assertFailover("pair", "", "cbc");
    }

    /** Failback: gw-a returns as standby, takes the snapshot, leaves the addresses; gw-b dies; the targets hold again. */
    @Test
    void failbackToTheReturnedNodeMeetsTheTargetsAgain() {
        Map<String, String> r = results.get("pair");
        assumeStableVrrp(r, "failback");
        assertEquals(null, r.get("failback-returned-node-took-the-addresses"), "gw-a took the addresses back: " + r);
        assertFailover("pair", "failback-", "gcm");
        assertFailover("pair", "failback-", "cbc");
    }

    /** After the takeover: the peer's DPD is answered, Quick Mode rekeys by either side complete, its Delete is processed. */
    @Test
    void theSurvivorAnswersDpdRekeysAndProcessesTheDelete() {
        Map<String, String> r = results.get("pair");
        assumeStableVrrp(r, "failback");
        for (String check : List.of("dpd-answered", "peer-rekey-on-survivor", "our-rekey-on-survivor",
                "peer-delete-on-survivor")) {
            assertEquals("yes", r.get(check), check + " in " + r);
        }
    }

    /**
     * The negative control: the same failover without counter sync (10 s into the streams, so that
     * the peer's counters are above the takeover margin of 1200) must show SeqErrors or loss
     * beyond the target, which proves the checks above can fail.
     */
    @Test
    void withoutCounterSyncThePeerDropsTheNewActivesPackets() {
        Map<String, String> r = results.get("control");
        // a VRRP flap before the kill makes a takeover, a stand-down and a second takeover, each
        // adding the margin: the new active ends up above the dead node's counters even without sync
        assumeStableVrrp(r);
        long lost = 0;
        for (String tunnel : List.of("gcm", "cbc")) {
            lost = Math.max(lost, num(r, tunnel + "-lost-inside-peer"));
        }
        assertTrue(num(r, "seq-errors-peer") > 0 || lost > MAX_LOST, "no SeqErrors and no loss without counter sync: " + r);
    }

    /**
     * Issue 15 "Crash at the worst moments" (scripts/interop/ha-crash-phase.sh, after the checks
     * above): the active halts through the test hook right after it sent QM2 as responder (the
     * peer's rekey of tunnel cbc). The tunnels regain traffic within one DPD interval, every ESP
     * SA the peer holds is held by the survivor and the other way round, the new pair carries
     * traffic both ways on both kernels, and the survivor installed the pending pair's outbound
     * SA on the peer's traffic. The hook fires only on a guarded message: when the freshly
     * returned standby acked it too late, the script rekeyed again (crash-qm2-tries, at most 4).
     */
    @Test
    void aCrashJustAfterQm2AsResponderLeavesNoSaBlackHoled() {
        Map<String, String> r = results.get("pair");
        assumeCrashPhase(r, "crash-qm2");
        assertCrash(r, "crash-qm2-");
        assertTrue(num(r, "crash-qm2-pending-promoted") >= 1, "QM2: the pending pair never got its outbound SA: " + r);
    }

    /**
     * The same just after QM3 as initiator (our rekey of tunnel gcm), once the node that died
     * after QM2 returned as standby (crash-qm3-tries).
     */
    @Test
    void aCrashJustAfterQm3AsInitiatorLeavesNoSaBlackHoled() {
        Map<String, String> r = results.get("pair");
        assumeCrashPhase(r, "crash-qm3");
        assertCrash(r, "crash-qm3-");
    }

    /**
     * The crash {@code phase} ran with its premises: the phases are on, the failback left the
     * addresses where planned, and keepalived moved them in the phase only for the crash (a
     * starved guest that misses 100 ms adverts moves them between live nodes: no crash to judge).
     */
    private static void assumeCrashPhase(Map<String, String> r, String phase) {
        assumeTrue(PHASES, "the crash and split-brain phases are off (-Dha.lab.phases=false)");
        assertEquals(null, r.get("failback-returned-node-took-the-addresses"), "no failback, no crash phase: " + r);
        // the QM3 crash follows the QM2 one, which stops the phases when it cannot run
        assumeTrue(r.containsKey("transitions-" + phase), phase + " did not run: " + r.get("crash-stopped") + " in " + r);
        assumeStableVrrp(r, phase);
    }

    private static void assertCrash(Map<String, String> r, String p) {
        String all = "pair: " + r;
        assertTrue(r.containsKey(p + "halted"), p + " stopped: " + r.get("crash-stopped") + " in " + all);
        assertEquals("yes", r.get(p + "halted"), p + "halted: the test hook did not halt the daemon ("
                + r.get(p + "not-halted") + ") in " + all);
        assertEquals(137, num(r, p + "halt-status"), all);
        assertEquals("yes", r.get(p + "takeover"), all);
        assertEquals("none", r.get(p + "peer-sas-missing-on-survivor"), "SAs the peer holds and the survivor lacks in "
                + all);
        assertEquals("none", r.get(p + "survivor-outbound-missing-on-peer"), "outbound SAs of the survivor the peer "
                + "lacks in " + all);
        assertTrue(!r.getOrDefault(p + "newest-pair", "none").contains("none"), p + "newest-pair in " + all);
        for (String counter : List.of("peer-out", "survivor-in", "survivor-out", "peer-in")) {
            assertTrue(num(r, p + "newest-packets-" + counter) > 0, "no traffic on the new pair: " + p
                    + "newest-packets-" + counter + " in " + all);
        }
        assertEquals(0, num(r, p + "main-mode-after-kill"), all);
        for (String tunnel : List.of("gcm", "cbc")) {
            for (String dir : List.of("peer-inside", "inside-peer")) {
                assertTrue(num(r, p + tunnel + "-sent-" + dir) > 0, all);
                assertEquals(0, num(r, p + tunnel + "-duplicates-" + dir), all);
            }
        }
        for (String tunnel : List.of("gcm", "cbc")) {
            for (String dir : List.of("peer-inside", "inside-peer")) {
                String k = p + tunnel + "-longest-gap-ms-" + dir;
                assertTrue(num(r, k) <= DPD_INTERVAL_MS, k + " > one DPD interval (" + DPD_INTERVAL_MS + " ms) in " + all);
            }
        }
        assertEquals(0, num(r, p + "seq-errors-peer"), all);
        assertEquals(0, num(r, p + "seq-errors-survivor"), all);
    }

    /**
     * Split brain (issue 15 s6), the full run's last phase: gw-b returns as standby, VRRP (IP
     * protocol 112) between the gateways is dropped while the sync link stays up, and gw-b's
     * keepalived turns MASTER too. The role announcements leave exactly one active within 1 s:
     * gw-b, the later takeover (higher epoch); gw-a demotes and gives up the addresses, and the
     * datagrams that crossed either gateway arrived once.
     */
    @Test
    void ofTwoActivesOneDemotesWithinASecond() {
        Map<String, String> r = results.get("pair");
        assumeTrue(PHASES, "the crash and split-brain phases are off (-Dha.lab.phases=false)");
        String all = "pair: " + r;
        // it follows the crash phases, which stop when keepalived moved the addresses between live nodes
        assumeTrue(r.get("crash-stopped") == null, "the crash phase stopped, so no split brain ran: " + all);
        assumeStableVrrp(r, "splitbrain");
        assertEquals("yes", r.get("splitbrain-second-active"), "gw-b did not turn active with VRRP dropped: " + all);
        assertEquals("gwa", r.get("splitbrain-demoted"), "the earlier takeover did not demote: " + all);
        long both = num(r, "splitbrain-both-active-ms");
        assertTrue(both >= 0 && both <= MAX_BOTH_ACTIVE_MS, "two actives for " + both + " ms in " + all);
        assertEquals(1, num(r, "splitbrain-active-count"), "not exactly one active at the end: " + all);
        assertEquals("gwb", r.get("splitbrain-vip-holders"), "the outside address is not on gw-b alone: " + all);
        for (String tunnel : List.of("gcm", "cbc")) {
            for (String dir : List.of("peer-inside", "inside-peer")) {
                String k = "splitbrain-" + tunnel + "-duplicates-" + dir;
                assertEquals(0, num(r, k), k + " in " + all);
            }
        }
    }

    /**
     * The capture of the outside bridge over the whole full run (both failovers and the split
     * brain): no (destination, SPI, ESP sequence number) was sent twice, which for AES-GCM would be
     * a repeated nonce under one key, and nothing from the inside crossed it in clear.
     */
    @Test
    void noEspSequenceNumberIsSentTwiceOnTheOutside() {
        Map<String, String> r = results.get("pair");
        assertTrue(num(r, "esp-packets-captured") > 0, "no ESP captured: " + r);
        assertEquals(0, num(r, "esp-duplicate-spi-seq"), "(SPI, sequence number) sent twice (see esp-seq-check.txt): " + r);
        assertEquals(0, num(r, "outside-cleartext-from-inside"), "inside traffic in clear on the outside: " + r);
    }

    /**
     * The capture check's negative control: without counter sync the new active starts its
     * outbound SAs at the margin, below what the dead node sent under the same SPIs. Judged only
     * when the standby took the SAs over (no Main Mode after the kill): a lab guest starved long
     * enough to split the sync link leaves it nothing to take over.
     */
    @Test
    void withoutCounterSyncTheCaptureShowsSequenceNumbersSentTwice() {
        Map<String, String> r = results.get("control");
        assumeTrue(num(r, "main-mode-after-kill") == 0, "the standby had no SAs to take over: " + r);
        assumeStableVrrp(r);
        assertTrue(num(r, "esp-duplicate-spi-seq") > 0, "no (SPI, sequence number) sent twice without counter sync: " + r);
    }

    /**
     * What a failover must keep whatever the lab's load: no duplicates, the peer's cookies and SPIs,
     * no Main Mode. Loss and SeqErrors are judged only when keepalived moved the addresses exactly
     * as planned in that failover's phase: a guest starved long enough to miss 100 ms adverts moves them between live nodes
     * (split brain, issue 15 item 6), which no counter sync can make lossless.
     */
    private static void assertFailover(String run, String prefix, String tunnel) {
        Map<String, String> r = results.get(run);
        String all = run + ": " + r;
        String k = prefix + tunnel + "-";
        for (String dir : List.of("peer-inside", "inside-peer")) {
            assertTrue(num(r, k + "sent-" + dir) > 0, all);
            assertEquals(0, num(r, k + "duplicates-" + dir), k + "duplicates-" + dir + " in " + all);
        }
        assertEquals("yes", r.get(prefix + "ids-unchanged"), "the peer's cookies or SPIs changed in " + all);
        assertEquals(0, num(r, prefix + "main-mode-after-kill"), "Main Mode after the kill in " + all);
        assumeStableVrrp(r, prefix.isEmpty() ? "failover" : "failback");
        for (String dir : List.of("peer-inside", "inside-peer")) {
            assertTrue(num(r, k + "lost-" + dir) <= MAX_LOST, k + "lost-" + dir + " > " + MAX_LOST + " in " + all);
        }
        // Issue 15's target. Before the counter went into the NEWSA itself (it was a NEWAE after it), the
        // packets sent in between carried numbers the dead node used: 2 to 13 per failover.
        assertEquals(0, num(r, prefix + "seq-errors-peer"), "XfrmInStateSeqError on the peer in " + all);
        assertEquals(0, num(r, prefix + "seq-errors-survivor"), "XfrmInStateSeqError on the survivor in " + all);
    }

    private static void assumeStableVrrp(Map<String, String> r) {
        assumeTrue(num(r, "active-transitions") == num(r, "expected-active-transitions"),
                "keepalived moved the addresses between live nodes (the lab guest missed 100 ms adverts); the targets "
                        + "are not judged on this run: " + r);
    }

    /**
     * The full run's {@code phase} (failover, failback, crash-qm2, crash-qm3, splitbrain) saw the
     * role changes it planned and no more; a move in another phase leaves this one judged.
     */
    private static void assumeStableVrrp(Map<String, String> r, String phase) {
        assumeTrue(num(r, "transitions-" + phase) == num(r, "expected-transitions-" + phase),
                "keepalived moved the addresses between live nodes in the " + phase + " phase (the lab guest missed "
                        + "100 ms adverts); its targets are not judged on this run: " + r);
    }

    private static long num(Map<String, String> r, String key) {
        String v = r.get(key);
        assertTrue(v != null && v.matches("-?\\d+"), key + " is not a number in " + r);
        return Long.parseLong(v);
    }

    /** result.txt: key=value lines. */
    static Map<String, String> parse(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                m.put(line.substring(0, eq), line.substring(eq + 1).trim());
            }
        }
        return m;
    }

    private static String read(Path p) throws IOException {
        return OurSide.read(p);
    }
}
