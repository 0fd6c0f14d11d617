package dev.isakmpd.daemon.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * AH (RFC 4302) and IPComp (RFC 3173) through the XFRM back-end against strongSwan 5.9.8, one
 * lab boot each ({@link EndToEnd#pingOnce}): a ping starts the negotiation, "ping -c 3" gets its
 * replies and run-scenario.sh checks that every SA of the protocol counted packets on both sides.
 * strongSwan negotiates no AH+ESP bundle (it skips proposals of two protocols), so the bundle runs
 * between two of our daemons here, beside the engine-to-engine AhIpcompScenarioTest.
 */
@Execution(ExecutionMode.CONCURRENT)
class AhIpcompEndToEndIT {
    /** AH alone with hmac(sha256) truncated to 128 bits (RFC 4868) in both kernels. */
    @Test
    void pingThroughAhSha256() throws Exception {
        EndToEnd.Result r = EndToEnd.pingOnceAnyProtocol("xfrm-ah-sha256", "xfrm", "sha256", "", List.of("--ah"));
        for (String side : List.of(r.usState(), r.swState())) {
            assertEquals(2, Pattern.compile("proto ah spi 0x[0-9a-f]{8}").matcher(side).results().count(), side);
            assertEquals(2, Pattern.compile("auth-trunc hmac\\(sha256\\) 0x[0-9a-f]{64} \\(256 bits\\) 128")
                    .matcher(side).results().count(), side);
            assertTrue(!side.contains("proto esp"), "an ESP SA beside AH alone:\n" + side);
        }
        assertTrue(r.ours().contains("IPsec SAs established for tunnel net: ah-sha256,"), "our log names AH");
    }

    /**
     * ESP with IPComp (deflate): the compressible pings (1000 zero bytes) go through the IPComp
     * SAs, which count them on both sides (tunnel mode, with the kernel's IPIP helper beside them),
     * under ESP SAs in transport mode; the CPIs are 16-bit.
     */
    @Test
    void pingThroughEspWithIpcomp() throws Exception {
        EndToEnd.Result r = EndToEnd.pingOnce("xfrm-esp-ipcomp", "xfrm", "aes128-sha256", "compress = true",
                List.of("--compress"));
        for (String side : List.of(r.usState(), r.swState())) {
            // ip -s xfrm state: "proto comp spi 0x00006800(26624) reqid 362807297(0x15a00001) mode tunnel"
            assertEquals(2, Pattern.compile("proto comp spi 0x0000[0-9a-f]{4}\\(\\d+\\) reqid \\d+\\(0x[0-9a-f]+\\) "
                    + "mode tunnel").matcher(side).results().count(), side);
            assertEquals(2, Pattern.compile("proto esp spi 0x[0-9a-f]{8}\\(\\d+\\) reqid \\d+\\(0x[0-9a-f]+\\) "
                    + "mode transport").matcher(side).results().count(), side);
            assertTrue(side.contains("comp deflate"), side);
            // deflate shrank the zeros: ESP carried fewer bytes than the IPComp SAs were given
            assertTrue(bytes(side, "esp") * 4 < bytes(side, "comp"), side);
        }
        assertTrue(r.ours().contains("aes128-sha256+deflate"), "our log names IPComp");
    }

    /**
     * An AH+ESP bundle (one proposal of two protocols, RFC 2408 s4.2) carrying traffic, between two
     * of our daemons in one boot (scripts/interop/two-daemons-scenario.sh), as no peer here
     * negotiates one: A on the XFRM back-end starts on the kernel's ACQUIRE, B answers on PF_KEY
     * (which offers AH only with sha1 on Linux, see PfKeyKernel). Each kernel holds an AH and an
     * ESP SA per direction under one bundle, and all eight count the pings.
     */
    @Test
    void pingThroughAnAhEspBundleBetweenTwoOfOurDaemons() throws Exception {
        Path out = Path.of("target", "interop", "ah-esp-bundle").toAbsolutePath();
        Files.createDirectories(out);
        String env = "INTEROP_PSK='bundle in the lab' INTEROP_IKE=aes128-sha256-modp2048 INTEROP_ESP=aes128-sha1"
                + " INTEROP_PFS=none ";
        Files.writeString(out.resolve("ours.sh"), OurSide.script("xfrm", "add", "ah = [\"sha1\"]"));
        Files.writeString(out.resolve("peer.sh"), OurSide.script("pfkey", "add", "ah = [\"sha1\"]"));
        List<String> cmd = List.of(EndToEnd.ROOT.resolve("scripts/lab/run-in-uml.sh").toString(), "--timeout", "200",
                "--", EndToEnd.ROOT.resolve("scripts/interop/two-daemons-scenario.sh").toString(), "--out",
                out.toString(), "--us-cmd", env + "bash " + out.resolve("ours.sh"),
                "--sw-cmd", env + "bash " + out.resolve("peer.sh"));
        Process p = new ProcessBuilder(cmd).directory(EndToEnd.ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(out.resolve("harness.log").toFile()).start();
        assertTrue(p.waitFor(260, TimeUnit.SECONDS), "lab did not finish");
        String result = read(out.resolve("result"));
        assertEquals(0, p.exitValue(), () -> "scenario failed: " + result + "; see " + out);
        String ours = read(out.resolve("ours.log"));
        String peer = read(out.resolve("peer.log"));
        assertTrue(ours.contains("negotiating tunnel net"), "no ACQUIRE-driven negotiation in ours.log");
        for (String log : List.of(ours, peer)) {
            assertTrue(log.contains("IPsec SAs established for tunnel net: ah-sha1+aes128-sha1, in spi"),
                    "no bundle named in\n" + log);
            assertFalse(log.contains("cannot install"), "an SA failed to install");
        }
        assertTrue(read(out.resolve("ping.txt")).contains("3 packets transmitted, 3 received"));
        for (String side : List.of("us", "sw")) {
            String state = read(out.resolve("ip-xfrm-state-stats-" + side + ".txt"));
            for (String proto : List.of("ah", "esp")) {
                List<Long> packets = packets(state, proto);
                assertEquals(2, packets.size(), proto + " SAs in " + side + ":\n" + state);
                assertTrue(packets.stream().allMatch(n -> n >= 3), proto + " SAs that counted no ping:\n" + state);
            }
        }
    }

    private static String read(Path p) throws IOException {
        return OurSide.read(p);
    }

    /** The packets each SA of one protocol counted, in an ip -s xfrm state dump. */
    static List<Long> packets(String state, String proto) {
        List<Long> counts = new ArrayList<>();
        for (String sa : state.split("(?m)^(?=src )")) {
            Matcher m = Pattern.compile("lifetime current:\\s*\\n\\s*\\d+\\(bytes\\), (\\d+)\\(packets\\)").matcher(sa);
            if (sa.contains("proto " + proto + " ") && m.find()) {
                counts.add(Long.parseLong(m.group(1)));
            }
        }
        return counts;
    }

    /** The bytes the SAs of one protocol counted, in an ip -s xfrm state dump. */
    static long bytes(String state, String proto) {
        long sum = 0;
        for (String sa : state.split("(?m)^(?=src )")) {
            Matcher m = Pattern.compile("lifetime current:\\s*\\n\\s*(\\d+)\\(bytes\\)").matcher(sa);
            if (sa.contains("proto " + proto + " ") && m.find()) {
                sum += Long.parseLong(m.group(1));
            }
        }
        return sum;
    }
}
