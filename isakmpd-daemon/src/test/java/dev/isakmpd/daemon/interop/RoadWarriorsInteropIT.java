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
 * (gw-b, carol) and XAUTH users (xauth-rsa), and a third in hybrid mode (our certificate, its
 * XAUTH alone, Aggressive Mode), and libreswan 4.10's pluto as a Cisco-style client (group PSK in
 * Aggressive Mode, XAUTH, Mode-Config pull); each gets its own virtual IP from our pools and pings
 * through ESP in UDP at the same time. Then the NAT forgets its mappings and gives every client a new port,
 * and our gateway follows each once its DPD (an authenticated Informational) arrives from the new
 * port, so that every tunnel carries pings again.
 */
@Execution(ExecutionMode.CONCURRENT)
class RoadWarriorsInteropIT {
    static final Path ROOT = StrongSwanInteropIT.ROOT;
    static final Pattern MOVED = Pattern.compile(
            "IPsec SAs of tunnel \\S+ \\(in spi 0x\\p{XDigit}+, out spi 0x\\p{XDigit}+\\) follow the peer to "
                    + "198\\.51\\.100\\.2:(4\\d{4})");

    /**
     * Our gateway's second policy, after the tunnel table of OurSide's: hybrid authentication in
     * Aggressive Mode for the client whose ID is INTEROP_HYBRID_ID, with its own pool.
     */
    static final String HYBRID_PEER = String.join("\n", "", "[peers.hybrid]", "local = \"$local_ep\"",
            "remote = \"any\"", "auth = \"hybrid\"", "certificate = \"$INTEROP_PKI/$INTEROP_CERT_US.chain.pem\"",
            "private-key = \"$out/ours.key.pem\"", "ca = [\"$INTEROP_PKI/root.crt.pem\"]",
            "remote-id = \"$INTEROP_HYBRID_ID\"", "aggressive = true", "ike = [\"$INTEROP_IKE\"]",
            "xauth = \"server\"", "xauth-users = \"$out/xauth-users\"", "pool = \"$INTEROP_HYBRID_POOL\"", "",
            "[peers.hybrid.tunnels.net]", "local-subnet = \"$INTEROP_LOCAL_TS\"",
            "remote-subnet = \"$INTEROP_HYBRID_POOL\"", "esp = [\"$INTEROP_ESP\"]");

    /**
     * The third: a group PSK in Aggressive Mode for the Cisco-style client whose ID is
     * INTEROP_GROUP_ID (libreswan's pluto), with its own pool.
     */
    static final String CISCO_PEER = String.join("\n", "", "[peers.cisco]", "local = \"$local_ep\"",
            "remote = \"any\"", "psk = \"$INTEROP_GROUP_PSK\"", "remote-id = \"$INTEROP_GROUP_ID\"",
            "aggressive = true", "aggressive-exposes-psk = true", "ike = [\"$INTEROP_IKE\"]", "xauth = \"server\"",
            "xauth-users = \"$out/xauth-users\"", "pool = \"$INTEROP_CISCO_POOL\"", "",
            "[peers.cisco.tunnels.net]", "local-subnet = \"$INTEROP_LOCAL_TS\"",
            "remote-subnet = \"$INTEROP_CISCO_POOL\"", "esp = [\"$INTEROP_ESP\"]");

    @Test
    void xauthRsaAndHybridClientsBehindOneNatKeepTheirTunnelsWhenItsMappingsChange() throws Exception {
        String only = System.getProperty("interop.only");
        Assumptions.assumeTrue(only == null || "rw-two-clients".matches(only), "not selected");
        Path out = Path.of("target", "interop", "rw-two-clients").toAbsolutePath();
        Files.createDirectories(out);
        Files.writeString(out.resolve("xauth-users"),
                "alice:" + XauthUsers.hash("wonderland".toCharArray(), new byte[16], 4) + "\n"
                        + "bob:" + XauthUsers.hash("builder".toCharArray(), new byte[16], 4) + "\n"
                        + "carol:" + XauthUsers.hash("hybrid-pw".toCharArray(), new byte[16], 4) + "\n"
                        + "dave:" + XauthUsers.hash("dave-pw".toCharArray(), new byte[16], 4) + "\n",
                StandardCharsets.UTF_8);
        Files.writeString(out.resolve("ours.sh"), OurSide.script("xfrm", "add", String.join("\n",
                "xauth = \"server\"", "xauth-users = \"$out/xauth-users\"", "pool = \"$INTEROP_POOL\""),
                HYBRID_PEER + "\n" + CISCO_PEER),
                StandardCharsets.UTF_8);
        List<String> cmd = List.of(ROOT.resolve("scripts/lab/run-in-uml.sh").toString(), "--timeout", "300", "--",
                ROOT.resolve("scripts/interop/rw-clients.sh").toString(), "--out", out.toString(), "--pki",
                StrongSwanInteropIT.PKI.toString(), "--lsw", LibreswanInteropIT.LIBRESWAN.toString(),
                "--ours-cmd", "bash " + out.resolve("ours.sh"),
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
        assertTrue(OurSide.read(out.resolve("vip-sw3.txt")).startsWith("10.4.0."), "the hybrid client from its pool");
        assertTrue(OurSide.read(out.resolve("vip-sw4.txt")).startsWith("10.5.0."), "libreswan from its pool");
        for (String user : List.of("alice", "bob", "carol", "dave")) {
            assertTrue(ours.contains("XAUTH: user '" + user + "' authenticated"), "our XAUTH of " + user);
        }
        // xauth-rsa: strongSwan names XAUTHInitRSA (65005) and signs with its certificate
        // the methods in the clients' proposals (our debug dump of each SA): strongSwan's xauth-rsa,
        // pluto's XAUTH with the group PSK, strongSwan's hybrid
        for (String method : List.of("XAUTHInitRSA (65005)", "XAUTHInitPreShared (65001)", "HybridInitRSA (64221)")) {
            assertTrue(ours.contains("Authentication Method = " + method), method);
        }
        // hybrid: strongSwan names HybridInitRSA, sends its plain HASH_I, checks our signature
        assertTrue(ours.contains("Aggressive Mode: peer authenticated as '@hybrid.example.org' (HybridInitRSA: its ID "
                + "is unproven until XAUTH authenticates the user)"), "our hybrid gateway");
        for (String client : List.of("sw", "sw2", "sw3")) {
            String charon = OurSide.read(out.resolve("charon-" + client + ".log"));
            assertTrue(charon.contains("authentication of 'C=XX, O=isakmpd test, CN=gw-a.example.org' with "
                    + "RSA_EMSA_PKCS1_NULL successful"), client + " verified our signature");
            assertTrue(charon.contains("XAuth authentication of '"), client + " did XAUTH");
        }
        // libreswan as a Cisco-style client: Aggressive Mode with the group PSK, XAUTH, Mode-Config pull
        String pluto = OurSide.read(out.resolve("pluto.log"));
        assertTrue(pluto.contains("\"cisco\" #1: XAUTH: Successfully Authenticated"), "pluto's XAUTH");
        assertTrue(pluto.contains("\"cisco\" #1: Received IPv4 address: 10.5.0."), "pluto pulled its address");
        assertTrue(pluto.contains("IPsec SA established tunnel mode {ESPinUDP=>"), "pluto's ESP in UDP");
        String policies = OurSide.read(out.resolve("ip-xfrm-policy-us.txt"));
        for (String vip : List.of(alice, bob)) {
            assertTrue(policies.contains("src 10.1.0.0/16 dst " + vip + "/32"), "per-client policy for " + vip);
        }
        // the mapping change: every client followed, each to a port of the NAT's new range
        Matcher m = MOVED.matcher(ours);
        int moves = 0;
        while (m.find()) {
            assertTrue(m.group(1).startsWith("41"), "moved to the new range: " + m.group());
            moves++;
        }
        assertTrue(moves >= 4, "every client's IPsec SAs follow it:\n" + ours);
        String movedState = OurSide.read(out.resolve("ip-xfrm-state-stats-us-moved.txt"));
        assertTrue(Pattern.compile("encap type espinudp sport 4500 dport 41\\d{3}").matcher(movedState).find(),
                movedState);
        assertTrue(!movedState.contains("dport 40"), "no SA still sends to an old mapping:\n" + movedState);
    }
}
