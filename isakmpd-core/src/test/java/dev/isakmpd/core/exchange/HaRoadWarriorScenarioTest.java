package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static dev.isakmpd.core.exchange.HaScenarios.cookies;
import static dev.isakmpd.core.exchange.HaScenarios.takeOver;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.kernel.SpdTunnel;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.IpsecMode;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.RemoteAccess;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.policy.XauthUsers;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.oakley.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * HA takeover (issue 15 s5) of a road warrior: a client from an address the gateway's policy
 * does not name (remote "any", narrowed to a range) connects to the active; the standby takes
 * over its ISAKMP SA and pair like a site-to-site peer's. A client under XAUTH or Mode-Config is
 * not taken over (its lease is not replicated) and leaves nothing behind on the new active.
 */
class HaRoadWarriorScenarioTest {
    private static final String GATEWAY = "192.0.2.1";
    private static final String CLIENT = "10.0.0.7";

    /**
     * The gateway's road-warrior policy (any client in 10.0.0.0/8), with DPD, as both nodes have
     * it; its tunnel leads to {@code clients} (the clients' own range, or the Mode-Config pool).
     */
    private static PeerPolicy gateway(String clients) {
        return RoadWarriorScenarioTest.roadWarrior(DeadPeerDetectionScenarioTest.withDpd(policy("rw", GATEWAY,
                "10.0.0.1", "k", "aes128-sha256-modp2048", "aes128-sha1", null, "198.51.100.0/24", clients,
                false)), "10.0.0.0/8");
    }

    /** The gateway active and standby, and a client that has connected to the active. */
    private static HaReplicationScenarioTest.Ha connected(long seed, PeerPolicy gateway, PeerPolicy client) {
        SimulatedNetwork net = new SimulatedNetwork(seed, SimulatedNetwork.Faults.NONE);
        SimulatedNetwork.Node active = net.add(new SimulatedNetwork.Node("gw-a", Addresses.parseEndpoint(GATEWAY, 500),
                List.of(gateway), seed + 1));
        SimulatedNetwork.Node standby = new SimulatedNetwork.Node("gw-b", Addresses.parseEndpoint(GATEWAY, 500),
                List.of(gateway), seed + 2);
        SimulatedNetwork.Node c = net.add(new SimulatedNetwork.Node("client", Addresses.parseEndpoint(CLIENT, 500),
                List.of(client), seed + 3));
        SimulatedReplication channel = new SimulatedReplication(net, active, standby, seed + 4, 0,
                Duration.ofMillis(1), Duration.ofMillis(5));
        net.apply(c, c.engine.initiate("gw", net.now));
        return new HaReplicationScenarioTest.Ha(net, active, c, channel, false);
    }

    private static long established(SimulatedNetwork.Node n) {
        return n.log.stream().filter(l -> l.contains("IPsec SAs established")).count();
    }

    private static Set<Integer> spis(SimulatedNetwork.Node n) {
        return n.engine.ipsecSas().stream().map(IpsecSa::spi).collect(Collectors.toSet());
    }

    @Test
    void theNewActiveGoesOnWithTheRoadWarrior() {
        PeerPolicy client = DeadPeerDetectionScenarioTest.withDpd(policy("gw", CLIENT, GATEWAY, "k",
                "aes128-sha256-modp2048", "aes128-sha1", null, "10.0.0.0/8", "198.51.100.0/24", true));
        HaReplicationScenarioTest.Ha ha = connected(151, gateway("10.0.0.0/8"), client);
        SimulatedNetwork net = ha.net();
        SimulatedNetwork.Node c = ha.peer();
        assertTrue(net.runUntil(ha::bothUp, Duration.ofMinutes(1)), () -> String.join("\n", ha.active().log));
        net.runUntil(() -> false, Duration.ofSeconds(1)); // the responder's went-live record lands
        Set<String> clientCookies = cookies(c);
        Set<Integer> clientSpis = spis(c);

        SimulatedNetwork.Node active = takeOver(ha);
        assertTrue(active.engine.standbyTable().records().isEmpty(), "the table went live");
        assertEquals(clientCookies, cookies(active), () -> String.join("\n", active.log));
        assertEquals(clientSpis, spis(active), "the same IPsec SAs");
        IpsecSa out = active.kernel.list().stream().filter(sa -> sa.direction() == IpsecSa.Direction.OUT)
                .findFirst().orElseThrow(() -> new AssertionError("no outbound SA: " + active.log));
        assertEquals(Addresses.parseLiteral(CLIENT), out.destination(), "to the client's address");
        assertEquals(2, active.kernel.list().size());
        HaTakeoverScenarioTest.checkOneKeyPerSpi(c, active, false);

        // the client's R-U-THERE is answered by the new active
        long alive = c.log.stream().filter(l -> l.contains("the peer is alive")).count();
        net.runUntil(() -> false, Duration.ofSeconds(25));
        assertTrue(c.log.stream().filter(l -> l.contains("the peer is alive")).count() > alive,
                () -> String.join("\n", c.log));

        // the client rekeys its tunnel under the taken-over ISAKMP SA
        net.apply(c, c.engine.rekey("gw", Optional.empty(), false, net.now));
        assertTrue(net.runUntil(() -> established(active) == 1 && established(c) == 2, Duration.ofSeconds(30)),
                () -> String.join("\n", active.log));
        HaTakeoverScenarioTest.checkOneKeyPerSpi(c, active, false);
        assertEquals(clientCookies, cookies(c), "no new ISAKMP SA");
        assertFalse(active.logged("Main Mode") || active.logged("INITIAL-CONTACT"), "no phase 1 with the client");
    }

    /**
     * A client under XAUTH and Mode-Config is not taken over: its lease is not replicated, so its
     * ISAKMP SA is refused (IsakmpSession.resume, warned) and it renegotiates. Its pair must not
     * go live without it either, nor its inbound SA, installed when the standby got the pair,
     * stay in the new active's kernel: the new active holds nothing of that client.
     */
    @Test
    void aRemoteAccessClientIsNotTakenOverAndLeavesNothingInstalled() {
        RemoteAccess server = new RemoteAccess(Optional.of(new RemoteAccess.XauthServer(new XauthUsers(Map.of("alice",
                XauthUsers.hash("alice-pw".toCharArray(), new byte[16], 4))), 3)),
                Optional.of(new RemoteAccess.ModeConfig(Subnet.parse("10.3.0.0/24"), List.of(), Optional.empty(),
                        List.of(Subnet.parse("198.51.100.0/24")), false)), Optional.empty());
        PeerPolicy client = policy("gw", CLIENT, GATEWAY, "k", "aes128-sha256-modp2048", "aes128-sha1", null,
                "10.3.0.1/32", "198.51.100.0/24", true).withRemoteAccess(new RemoteAccess(Optional.empty(),
                Optional.empty(), Optional.of(new RemoteAccess.XauthClient("alice",
                        SecretBytes.copyOf("alice-pw".getBytes(StandardCharsets.UTF_8)), true))));
        HaReplicationScenarioTest.Ha ha = connected(152, gateway("10.3.0.0/24").withRemoteAccess(server), client);
        SimulatedNetwork net = ha.net();
        assertTrue(net.runUntil(ha::bothUp, Duration.ofMinutes(1)), () -> String.join("\n", ha.active().log));
        net.runUntil(() -> false, Duration.ofSeconds(1));
        SimulatedNetwork.Node standby = ha.channel().standby;
        assertEquals(1, standby.engine.standbyTable().pairs(), "replicated like any pair");
        assertEquals(1, standby.kernel.list().size(), "its inbound SA, installed on receipt");

        SimulatedNetwork.Node active = takeOver(ha);
        assertTrue(active.logged("not taken over: XAUTH and Mode-Config state is not replicated"),
                () -> String.join("\n", active.log));
        assertTrue(active.engine.isakmpSas().isEmpty());
        assertTrue(active.engine.ipsecSas().isEmpty(), () -> "a pair went live without its lease: " + active.log);
        assertTrue(active.kernel.list().isEmpty(), () -> "left in the kernel: " + active.kernel.list());
        assertTrue(active.policies.isEmpty() && active.addresses.isEmpty());
        assertTrue(active.engine.standbyTable().records().isEmpty());
    }

    /**
     * A transport-mode road warrior (L2TP/IPsec) holds a per-client policy at the gateway, made for
     * its address when its Quick Mode completed (QuickMode, ChildSas.holdPolicy): without it the
     * gateway's replies to the client leave in the clear. The new active must install it with the
     * taken-over pair.
     */
    @Test
    void aTransportModeClientsOwnPolicyIsInstalledWithItsTakenOverPair() {
        PeerPolicy gateway = TransportModeScenarioTest.hosts(policy("rw", GATEWAY, "10.0.0.1", "k",
                "aes128-sha256-modp2048", "aes128-sha1", null, GATEWAY, "10.0.0.0/8", false), IpsecMode.TRANSPORT);
        PeerPolicy client = TransportModeScenarioTest.hosts(policy("gw", CLIENT, GATEWAY, "k",
                "aes128-sha256-modp2048", "aes128-sha1", null, CLIENT, GATEWAY, true), IpsecMode.TRANSPORT);
        HaReplicationScenarioTest.Ha ha = connected(153, RoadWarriorScenarioTest.roadWarrior(gateway, "10.0.0.0/8"),
                client);
        SimulatedNetwork net = ha.net();
        assertTrue(net.runUntil(ha::bothUp, Duration.ofMinutes(1)), () -> String.join("\n", ha.active().log));
        net.runUntil(() -> false, Duration.ofSeconds(1));
        List<SpdTunnel> ofClient = List.copyOf(ha.active().policies);
        assertEquals(1, ofClient.size(), "the client's own policy at the active");
        assertEquals(Subnet.parse(CLIENT + "/32"), ofClient.get(0).remote());

        SimulatedNetwork.Node active = takeOver(ha);
        assertEquals(2, active.kernel.list().size(), () -> String.join("\n", active.log));
        assertEquals(ofClient, active.policies, "the client's policy with its pair");

        // it goes with the client's last pair, as at the node that made it
        net.apply(ha.peer(), ha.peer().engine.down("gw", net.now));
        assertTrue(net.runUntil(() -> active.kernel.list().isEmpty(), Duration.ofSeconds(10)),
                () -> String.join("\n", active.log));
        assertTrue(active.policies.isEmpty(), active.policies::toString);
    }
}
