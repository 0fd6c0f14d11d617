package dev.isakmpd.daemon.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * streams both ways at 200/s, and gateway A dying as a node dies 20 s into them
 * (scripts/interop/ha-failover-scenario.sh; its header has the topology). One lab boot runs every
 * case; each test checks one run's result block.
 */
@Execution(ExecutionMode.CONCURRENT)
class HaFailoverIT {
    static final Path OUT = Path.of("target", "interop", "ha-failover").toAbsolutePath();
    /** 1 s of one stream: what may be lost while VRRP moves the addresses and gw-b takes over. */
    static final int MAX_LOST = 200;

    private static Map<String, Map<String, String>> results;

    @BeforeAll
    static void runTheLab() throws Exception {
        Files.createDirectories(OUT);
        List<String> cmd = List.of(EndToEnd.ROOT.resolve("scripts/lab/run-in-uml.sh").toString(), "--timeout", "480",
                "--", EndToEnd.ROOT.resolve("scripts/interop/ha-failover-scenario.sh").toString(), "--out",
                OUT.toString(), "--jar", OurSide.JAR.toString(), "--run", "gcm:aes128gcm16", "--run",
                "cbc:aes128-sha256");
        Process p = new ProcessBuilder(cmd).directory(EndToEnd.ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(OUT.resolve("harness.log").toFile()).start();
        assertTrue(p.waitFor(540, TimeUnit.SECONDS), "lab did not finish");
        assertEquals(0, p.exitValue(), () -> "scenario failed: " + read(OUT.resolve("result")) + "; see " + OUT);
        results = new LinkedHashMap<>();
        for (String run : List.of("gcm", "cbc")) {
            results.put(run, parse(read(OUT.resolve(run).resolve("result.txt"))));
        }
    }

    /** AES-GCM-16: the targets of issue 15. */
    @Test
    void aesGcmFailsOverWithinTheTargets() {
        assertTargets("gcm");
    }

    /** AES-CBC with HMAC-SHA-256: the same targets. */
    @Test
    void aesCbcSha256FailsOverWithinTheTargets() {
        assertTargets("cbc");
    }

    private static void assertTargets(String run) {
        Map<String, String> r = results.get(run);
        String all = run + ": " + r;
        for (String dir : List.of("peer-inside", "inside-peer")) {
            assertTrue(num(r, "lost-" + dir) <= MAX_LOST, "lost " + dir + " > " + MAX_LOST + " in " + all);
            assertEquals(0, num(r, "duplicates-" + dir), "duplicates " + dir + " in " + all);
            assertTrue(num(r, "sent-" + dir) > 0, all);
        }
        assertEquals(0, num(r, "seq-errors-peer"), "XfrmInStateSeqError on the peer in " + all);
        assertEquals(0, num(r, "seq-errors-gwb"), "XfrmInStateSeqError on gw-b in " + all);
        assertEquals("yes", r.get("ids-unchanged"), "the peer's cookies or SPIs changed in " + all);
        assertEquals(0, num(r, "main-mode-after-kill"), "Main Mode after the kill in " + all);
        for (String check : List.of("dpd-answered", "peer-rekey-on-gwb", "our-rekey-on-gwb", "peer-delete-on-gwb")) {
            assertEquals("yes", r.get(check), check + " in " + all);
        }
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
