package dev.isakmpd.daemon.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The end-to-end proof inside the kernel lab, for one kernel back-end: our daemon in netns "us",
 * an unmodified strongSwan 5.9.8 (charon-systemd) in netns "sw", a veth between them. Our daemon
 * installs the tunnel's policies and does not initiate by itself; a ping 10.1.0.1 -> 10.2.0.1
 * hits the policy, the kernel ACQUIREs, Main Mode + Quick Mode run, our SAs go in through the
 * back-end, and then "ping -c 3" gets all its replies through ESP, with packet counters on all
 * four SAs. Then rekeying under load: the tunnel lifetime is 30 s, and for 90 s numbered UDP
 * datagrams go both ways at 200/s (run-scenario.sh --stream-for). Our daemon rekeys on its soft
 * deadline or the kernel's soft EXPIRE (85-90 % of 30 s on pairs we negotiated, 92-96 % on those
 * strongSwan did), strongSwan at 25 s and 55 s into the stream (swanctl --rekey): about 3 rekeys
 * by each side. Make-before-break must lose and duplicate none of the 36,000 datagrams, counted
 * at the receivers. (With 20 s, the pairs strongSwan negotiated leave our late rekey under a
 * second before they end, too little for a delayed switch: see QuickMode.OUTBOUND_SWITCH_DELAY.)
 * Afterwards a second ping must work over SAs none of which is from the first negotiation
 * (--ping-again-after).
 */
final class EndToEnd {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** What the scenario left for back-end specific checks. */
    record Result(Path out, String ours, String usState, String swState) {
    }

    private EndToEnd() {
    }

    /**
     * @param kernel daemon.kernel of our side
     * @param esp the ESP proposal both sides are configured with
     * @param policiesLogged the line our daemon logs when it has installed the tunnel's policies
     */
    static Result pingRekeyPing(String kernel, String esp, String policiesLogged) throws Exception {
        Path out = Path.of("target", "interop", kernel + "-ping").toAbsolutePath();
        Files.createDirectories(out);
        Files.writeString(out.resolve("ours.sh"), OurSide.script(kernel, "add", "lifetime = \"30s\""),
                StandardCharsets.UTF_8);
        Files.deleteIfExists(out.resolve("ready"));
        List<String> cmd = List.of(ROOT.resolve("scripts/interop/in-lab.sh").toString(), "--lab-timeout", "400",
                "--out", out.toString(), "--psk", kernel + " end-to-end", "--ike", "aes128-sha256-modp2048",
                "--esp", esp, "--pfs", "modp2048", "--initiator", "us", "--ping", "--stream-for", "90",
                "--sw-rekey-at", "25 55", "--ping-again-after", "1",
                "--timeout", "150",
                "--ours-cmd", "bash " + out.resolve("ours.sh"), "--ours-ready-file", out.resolve("ready").toString());
        Process p = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(out.resolve("harness.log").toFile()).start();
        assertTrue(p.waitFor(460, TimeUnit.SECONDS), "lab did not finish");
        String result = OurSide.read(out.resolve("result"));
        assertEquals(0, p.exitValue(), () -> "scenario failed: " + result + "; see " + out);

        // the negotiation was started by the kernel's ACQUIRE, not by the configuration
        String ours = OurSide.read(out.resolve("ours.log"));
        assertTrue(ours.contains("ACQUIRE 198.51.100.1 -> 198.51.100.2 (10.1.0.0/16 -> 10.2.0.0/16): negotiating"
                + " tunnel net"), "no ACQUIRE-driven negotiation in ours.log");
        assertTrue(ours.contains(policiesLogged), "no policies installed");
        assertFalse(ours.contains("cannot install"), "an SA failed to install");
        // Dead Peer Detection (RFC 3706) with strongSwan, every 2 s throughout: it answers, nobody dies
        assertTrue(Pattern.compile("DPD: R-U-THERE-ACK \\d+: the peer is alive").matcher(ours).find(), "no DPD answer");
        assertFalse(ours.contains("it is dead"), "DPD declared strongSwan dead");
        assertTrue(OurSide.read(out.resolve("ping-trigger.txt")).contains("1 packets transmitted"));
        assertTrue(OurSide.read(out.resolve("ping.txt")).contains("3 packets transmitted, 3 received"));

        // both kernels count the 3 echo requests and 3 replies on their ESP SAs, and the SPIs match up
        String us = OurSide.read(out.resolve("ip-xfrm-state-stats-us.txt"));
        String sw = OurSide.read(out.resolve("ip-xfrm-state-stats-sw.txt"));
        List<String> usSpis = spis(us);
        assertEquals(2, usSpis.size(), us);
        assertEquals(usSpis.stream().sorted().toList(), spis(sw).stream().sorted().toList(), sw);
        for (String side : List.of(us, sw)) {
            Matcher m = Pattern.compile("(\\d+)\\(bytes\\), (\\d+)\\(packets\\)").matcher(side);
            int n = 0;
            while (m.find()) {
                assertTrue(Integer.parseInt(m.group(2)) >= 3, side);
                n++;
            }
            assertEquals(2, n, side);
        }
        assertTrue(OurSide.read(out.resolve("ip-xfrm-policy-us.txt")).contains("tmpl src 198.51.100.1 dst 198.51.100.2"));

        // the rekey: the engine's soft deadline (85-90%) or the kernel's soft EXPIRE (90%), whichever
        // comes first, starts a new Quick Mode; the other trigger finds the rekey under way
        assertTrue(Pattern.compile("(soft EXPIRE for ESP SA [0-9.]+/0x[0-9a-f]{8}|reached their soft lifetime): "
                + "rekeying tunnel net").matcher(ours).find(), "no rekey before the hard lifetime");
        // the first pair goes 10 s after its replacement (make-before-break) or at 30 s, by the
        // kernel's hard EXPIRE or the engine's lifetime timer, whichever comes first
        assertTrue(Pattern.compile("hard EXPIRE for ESP SA [0-9.]+/0x[0-9a-f]{8} \\(tunnel net\\): deleting the pair")
                .matcher(ours).find() || ours.contains("reached their lifetime 30s; deleting them")
                || ours.contains("were replaced 10s ago or more; deleting them"),
                "the first pair was not deleted");
        // rekeys under load, started by either side (run-scenario.sh already failed on a lost datagram)
        for (String dir : List.of("us-sw", "sw-us")) {
            String stream = OurSide.read(out.resolve("stream-" + dir + ".txt"));
            assertTrue(stream.contains("received 18000 duplicated 0") && stream.contains("sent 18000 lost 0"), stream);
        }
        assertTrue(count(QM_REKEY, ours) >= 2, "we started fewer than 2 rekeys during the stream:\n" + ours);
        assertTrue(count("IPsec SAs established for tunnel net", ours) >= 1 + count(QM_REKEY, ours) + 2,
                "the two Quick Modes strongSwan started are missing");
        assertTrue(OurSide.read(out.resolve("ping-again.txt")).contains("3 packets transmitted, 3 received"));
        List<String> again = spis(OurSide.read(out.resolve("ip-xfrm-state-stats-us-again.txt")));
        assertFalse(again.isEmpty());
        assertTrue(again.stream().noneMatch(usSpis::contains), "first SAs still there: " + again + " vs " + usSpis);

        // kernel messages carry keys: none may reach the log
        Matcher keys = Pattern.compile("0x([0-9a-f]{32,})").matcher(OurSide.read(out.resolve("ip-xfrm-state.txt")));
        int seen = 0;
        while (keys.find()) {
            assertFalse(ours.contains(keys.group(1)), "a key is in ours.log");
            seen++;
        }
        assertTrue(seen >= 4, "expected the keys of both SAs in strongSwan's ip xfrm state");
        return new Result(out, ours, us, sw);
    }

    /** How often {@code regex} matches in a log. */
    static long count(String regex, String log) {
        return Pattern.compile(regex).matcher(log).results().count();
    }

    /** The ESP SAs in an {@code ip -s xfrm state} dump that are not in {@code old} and counted packets. */
    static int newSasCountingPackets(String state, java.util.Set<String> old) {
        int counting = 0;
        for (String sa : state.split("(?m)^(?=src )")) {
            Matcher spi = Pattern.compile("spi (0x[0-9a-f]{8})").matcher(sa);
            Matcher packets = Pattern.compile("(\\d+)\\(packets\\)\\s*\\n\\s*add").matcher(sa);
            if (spi.find() && !old.contains(spi.group(1)) && packets.find() && Long.parseLong(packets.group(1)) > 0) {
                counting++;
            }
        }
        return counting;
    }

    /** The SPIs (in, out) of every pair our daemon logged as established. */
    static java.util.Set<String> establishedSpis(String ours) {
        return Pattern.compile("IPsec SAs established for tunnel net: [^,]+, in spi (0x[0-9a-f]{8}), out spi "
                + "(0x[0-9a-f]{8})").matcher(ours).results().flatMap(r -> java.util.stream.Stream.of(r.group(1),
                r.group(2))).collect(java.util.stream.Collectors.toSet());
    }

    /**
     * Our Quick Modes that rekey a pair: its soft lifetime (the engine's deadline or the kernel's soft
     * EXPIRE), or a pair negotiated while a phase-1 rekey was in flight, moved at once to the new
     * ISAKMP SA (Engine.rekeyOrphans; happens when the two rekeys meet, as they can in any run).
     */
    static final String QM_REKEY = "(soft EXPIRE for ESP SA \\S+|reached their soft lifetime"
            + "|was being set up \\(the peer may delete them with it\\)): rekeying tunnel net";

    /**
     * One negotiation started by a ping, then "ping -c 3" through it with packet counters on every
     * ESP SA of both kernels (checked by run-scenario.sh); no rekey. For transforms and modes that
     * need no lifetime run.
     *
     * @param tunnelExtra extra TOML lines for our tunnel table, may be empty
     * @param harnessArgs extra run-scenario.sh arguments, e.g. --transport
     */
    static Result pingOnce(String name, String kernel, String esp, String tunnelExtra, List<String> harnessArgs)
            throws Exception {
        Result r = pingOnceAnyProtocol(name, kernel, esp, tunnelExtra, harnessArgs);
        assertEquals(spis(r.usState()).stream().sorted().toList(), spis(r.swState()).stream().sorted().toList(),
                r.swState());
        assertEquals(2, spis(r.usState()).size(), r.usState());
        return r;
    }

    /**
     * {@link #pingOnce} without its ESP checks, for AH alone (run-scenario.sh --ah), whose
     * SAs' counters run-scenario.sh checks by protocol.
     */
    static Result pingOnceAnyProtocol(String name, String kernel, String esp, String tunnelExtra,
            List<String> harnessArgs) throws Exception {
        Path out = Path.of("target", "interop", name).toAbsolutePath();
        Files.createDirectories(out);
        Files.writeString(out.resolve("ours.sh"), OurSide.script(kernel, "add", tunnelExtra), StandardCharsets.UTF_8);
        Files.deleteIfExists(out.resolve("ready"));
        List<String> cmd = new java.util.ArrayList<>(List.of(ROOT.resolve("scripts/interop/in-lab.sh").toString(),
                "--lab-timeout", "200", "--out", out.toString(), "--psk", name, "--ike", "aes128-sha256-modp2048",
                "--esp", esp, "--pfs", "none", "--initiator", "us", "--ping", "--timeout", "100",
                "--ours-cmd", "bash " + out.resolve("ours.sh"), "--ours-ready-file", out.resolve("ready").toString()));
        cmd.addAll(harnessArgs);
        Process p = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(out.resolve("harness.log").toFile()).start();
        assertTrue(p.waitFor(260, TimeUnit.SECONDS), "lab did not finish");
        String result = OurSide.read(out.resolve("result"));
        assertEquals(0, p.exitValue(), () -> "scenario failed: " + result + "; see " + out);
        String ours = OurSide.read(out.resolve("ours.log"));
        assertTrue(ours.contains("negotiating tunnel net"), "no ACQUIRE-driven negotiation in ours.log");
        assertFalse(ours.contains("cannot install"), "an SA failed to install");
        assertTrue(OurSide.read(out.resolve("ping.txt")).contains("3 packets transmitted, 3 received"));
        String us = OurSide.read(out.resolve("ip-xfrm-state-stats-us.txt"));
        String sw = OurSide.read(out.resolve("ip-xfrm-state-stats-sw.txt"));
        return new Result(out, ours, us, sw);
    }

    /**
     * Both kernels hold the pair with {@code algorithm} (as `ip xfrm state` prints it) in mode
     * transport, and our policies carry the IKE bypasses and transport templates.
     */
    static void assertTransport(Result r, Pattern algorithm) throws Exception {
        for (String side : List.of(r.usState(), r.swState())) {
            assertEquals(2, algorithm.matcher(side).results().count(), side);
            assertEquals(2, Pattern.compile("mode transport").matcher(side).results().count(), side);
        }
        String policy = OurSide.read(r.out().resolve("ip-xfrm-policy-us.txt"));
        assertTrue(policy.contains("proto udp sport 500") && policy.contains("proto udp dport 500"), policy);
        assertTrue(policy.contains("mode transport"), policy);
    }

    /**
     * A 100 KB lifetime (RFC 2407 s4.5) reached by the long ping (--ping-for): agreed, installed
     * as the kernel's byte limits (soft: the pair's share, 85-90 % where we negotiated it), and the
     * kernel's byte EXPIRE started a rekey whose new SAs were in place before the ping ended.
     */
    static void assertByteLifetimeRekey(Result r) throws Exception {
        assertTrue(r.ours().contains("lifetime 3600s or 100 KB"), "the kilobyte lifetime was agreed");
        List<Long> soft = softByteLimits(r.usState());
        assertTrue(soft.size() == 2 && soft.stream().allMatch(b -> b >= 87040 && b <= 92160)
                && r.usState().contains("hard 102400(bytes)"), r.usState());
        assertTrue(Pattern.compile("soft EXPIRE for ESP SA [0-9.]+/0x[0-9a-f]{8}[^\\n]*: rekeying tunnel net")
                .matcher(r.ours()).find(), "the byte limit started a rekey");
        String long1 = OurSide.read(r.out().resolve("ip-xfrm-state-stats-us-long.txt"));
        assertTrue(spis(long1).stream().anyMatch(s -> !spis(r.usState()).contains(s)),
                "new SAs after the rekey:\n" + long1);
    }

    /** The soft byte limits in an {@code ip xfrm state} dump ("limit: soft N(bytes), hard M(bytes)"). */
    static List<Long> softByteLimits(String xfrm) {
        return Pattern.compile("limit: soft (\\d+)\\(bytes\\)").matcher(xfrm).results()
                .map(m -> Long.parseLong(m.group(1))).toList();
    }

    static List<String> spis(String xfrm) {
        return Pattern.compile("proto esp spi (0x[0-9a-f]{8})").matcher(xfrm).results().map(r -> r.group(1)).toList();
    }
}
