package dev.isakmpd.daemon.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.XauthUsers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Road warriors behind one masquerading NAT against our gateway, in one kernel-lab boot
 * (scripts/interop/rw-clients.sh): two strongSwan 5.9.8 instances with their own certificates
 * (gw-b, carol) and XAUTH users (xauth-rsa), each gets its own virtual IP from our pool and pings
 * through ESP in UDP at the same time; then the NAT forgets its mappings and gives both new ports,
 * and our gateway follows each client once its DPD (an authenticated Informational) arrives from
 * the new port, so that both tunnels carry pings again.
 */
@Execution(ExecutionMode.CONCURRENT)
class RoadWarriorsInteropIT {
    static final Path ROOT = StrongSwanInteropIT.ROOT;
    static final Pattern MOVED = Pattern.compile(
            "IPsec SAs of tunnel \\S+ \\(in spi 0x\\p{XDigit}+, out spi 0x\\p{XDigit}+\\) follow the peer to "
                    + "198\\.51\\.100\\.2:(4\\d{4})");

    @Test
    void twoXauthRsaClientsBehindOneNatKeepTheirTunnelsWhenItsMappingsChange() throws Exception {
        String only = System.getProperty("interop.only");
        Assumptions.assumeTrue(only == null || "rw-two-clients".matches(only), "not selected");
        Path out = Path.of("target", "interop", "rw-two-clients").toAbsolutePath();
        Files.createDirectories(out);
        Files.writeString(out.resolve("xauth-users"),
                "alice:" + XauthUsers.hash("wonderland".toCharArray(), new byte[16], 4) + "\n"
                        + "bob:" + XauthUsers.hash("builder".toCharArray(), new byte[16], 4) + "\n",
                StandardCharsets.UTF_8);
        Files.writeString(out.resolve("ours.sh"), OurSide.script("xfrm", "add", String.join("\n",
                "xauth = \"server\"", "xauth-users = \"$out/xauth-users\"", "pool = \"$INTEROP_POOL\""), ""),
                StandardCharsets.UTF_8);
        List<String> cmd = List.of(ROOT.resolve("scripts/lab/run-in-uml.sh").toString(), "--timeout", "300", "--",
                ROOT.resolve("scripts/interop/rw-clients.sh").toString(), "--out", out.toString(), "--pki",
                StrongSwanInteropIT.PKI.toString(), "--ours-cmd", "bash " + out.resolve("ours.sh"),
                "--ours-ready-file", out.resolve("ready").toString(), "--ours-status-cmd",
                "cat " + out.resolve("ours.status"));
        Process p = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(out.resolve("harness.log").toFile()).start();
        assertTrue(p.waitFor(330, TimeUnit.SECONDS), "lab did not finish");
        String result = OurSide.read(out.resolve("result"));
        assertEquals("OK", result.trim(), () -> "scenario failed: " + result + "; see " + out);

        String ours = OurSide.read(out.resolve("ours.log"));
        String alice = OurSide.read(out.resolve("vip-sw.txt")).trim();
        String bob = OurSide.read(out.resolve("vip-sw2.txt")).trim();
        assertTrue(alice.startsWith("10.3.0.") && bob.startsWith("10.3.0."), alice + " " + bob);
        assertNotEquals(alice, bob, "each client its own virtual IP");
        for (String user : List.of("alice", "bob")) {
            assertTrue(ours.contains("XAUTH: user '" + user + "' authenticated"), "our XAUTH of " + user);
        }
        // xauth-rsa: strongSwan names XAUTHInitRSA (65005) and signs with its certificate
        for (String client : List.of("sw", "sw2")) {
            String charon = OurSide.read(out.resolve("charon-" + client + ".log"));
            assertTrue(charon.contains("authentication of 'C=XX, O=isakmpd test, CN=gw-a.example.org' with "
                    + "RSA_EMSA_PKCS1_NULL successful"), client + " verified our signature");
            assertTrue(charon.contains("XAuth authentication of '"), client + " did XAUTH");
        }
        String policies = OurSide.read(out.resolve("ip-xfrm-policy-us.txt"));
        for (String vip : List.of(alice, bob)) {
            assertTrue(policies.contains("src 10.1.0.0/16 dst " + vip + "/32"), "per-client policy for " + vip);
        }
        // the mapping change: both clients followed, each to a port of the NAT's new range
        Matcher m = MOVED.matcher(ours);
        int moves = 0;
        while (m.find()) {
            assertTrue(m.group(1).startsWith("41"), "moved to the new range: " + m.group());
            moves++;
        }
        assertTrue(moves >= 2, "both clients' IPsec SAs follow them:\n" + ours);
        String movedState = OurSide.read(out.resolve("ip-xfrm-state-stats-us-moved.txt"));
        assertTrue(Pattern.compile("encap type espinudp sport 4500 dport 41\\d{3}").matcher(movedState).find(),
                movedState);
        assertTrue(!movedState.contains("dport 40"), "no SA still sends to an old mapping:\n" + movedState);
    }
}
