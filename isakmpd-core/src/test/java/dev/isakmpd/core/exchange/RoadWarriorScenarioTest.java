package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.Subnet;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Many clients under one road-warrior policy: each one's SAs are its own. */
class RoadWarriorScenarioTest {
    private static final String GATEWAY = "192.0.2.1";

    /** {@code fixed} accepting any client from {@code range} (remote = "any" narrowed to a subnet). */
    static PeerPolicy roadWarrior(PeerPolicy fixed, String range) {
        return new PeerPolicy(fixed.name(), fixed.local(),
                new InetSocketAddress(Addresses.parseLiteral("0.0.0.0"), 500), fixed.auth(), fixed.ikeProposals(),
                fixed.ikeLifetime(), fixed.tunnels(), false, Optional.empty(), fixed.localId(), Optional.empty(),
                Optional.of(Subnet.parse(range)), false);
    }

    @Test
    void aClientComingUpLeavesTheOtherClientsIsakmpSasAlone() {
        SimulatedNetwork net = new SimulatedNetwork(61, SimulatedNetwork.Faults.NONE);
        PeerPolicy fixed = policy("rw", GATEWAY, "10.0.0.1", "k", "aes128-sha256-modp2048", "aes128-sha1", null,
                "198.51.100.0/24", "10.0.0.0/8", false);
        SimulatedNetwork.Node gw = net.add(new SimulatedNetwork.Node("gw", Addresses.parseEndpoint(GATEWAY, 500),
                List.of(roadWarrior(fixed, "10.0.0.0/8")), 62));
        for (int i = 1; i <= 3; i++) {
            String address = "10.0.0." + i;
            SimulatedNetwork.Node client = net.add(new SimulatedNetwork.Node("c" + i,
                    Addresses.parseEndpoint(address, 500), List.of(policy("gw", address, GATEWAY, "k",
                            "aes128-sha256-modp2048", "aes128-sha1", null, "10.0.0.0/8", "198.51.100.0/24",
                            true)), 70 + i));
            net.apply(client, client.engine.initiate("gw", net.now));
            int clients = i;
            assertTrue(net.runUntil(() -> gw.kernel.list().size() == 2 * clients, Duration.ofMinutes(1)),
                    () -> String.join("\n", gw.log));
        }
        net.runUntil(() -> false, ChildSas.OVERLAP.plusSeconds(30));

        assertEquals(3, gw.engine.isakmpSas().stream().filter(s -> s.state().equals("ESTABLISHED")).count(),
                () -> String.join("\n", gw.log));
        assertEquals(6, gw.kernel.list().size());
        assertFalse(gw.logged("superseded"), () -> String.join("\n", gw.log));
    }

    @Test
    void withoutAnIsakmpSaTheGatewayLeavesTheRekeyToTheClientAndThePairServesItsLifetime() {
        SimulatedNetwork net = new SimulatedNetwork(63, SimulatedNetwork.Faults.NONE);
        PeerPolicy rw = roadWarrior(policy("rw", GATEWAY, "10.0.0.1", "k", "aes128-sha256-modp2048", "aes128-sha1",
                null, "198.51.100.0/24", "10.0.0.0/8", false), "10.0.0.0/8");
        PeerPolicy shortPhase1 = new PeerPolicy(rw.name(), rw.local(), rw.remote(), rw.auth(), rw.ikeProposals(),
                Duration.ofMinutes(10), rw.tunnels(), false, rw.dpd(), rw.localId(), rw.remoteId(), rw.remoteRange(),
                false, rw.natTraversal(), rw.fragmentation(), rw.remoteAccess());
        SimulatedNetwork.Node gw = net.add(new SimulatedNetwork.Node("gw", Addresses.parseEndpoint(GATEWAY, 500),
                List.of(shortPhase1), 64));
        SimulatedNetwork.Node client = net.add(new SimulatedNetwork.Node("c1", Addresses.parseEndpoint("10.0.0.1", 500),
                List.of(policy("gw", "10.0.0.1", GATEWAY, "k", "aes128-sha256-modp2048", "aes128-sha1", null,
                        "10.0.0.0/8", "198.51.100.0/24", true)), 65));
        net.apply(client, client.engine.initiate("gw", net.now));
        assertTrue(net.runUntil(() -> gw.kernel.list().size() == 2, Duration.ofMinutes(1)),
                () -> String.join("\n", gw.log));
        Duration lifetime = Duration.ofHours(1); // the tunnel's
        net.remove(client); // gone without a word; its ISAKMP SA ends with its 10 minutes
        assertTrue(net.runUntil(() -> gw.logged("its client rekeys tunnel net or lets it expire"),
                lifetime), () -> String.join("\n", gw.log));
        assertTrue(gw.engine.isakmpSas().isEmpty(), () -> String.join("\n", gw.log));
        assertEquals(2, gw.kernel.list().size(), "no black hole: the pair serves until its hard lifetime");
        assertTrue(net.runUntil(() -> gw.kernel.list().isEmpty(), lifetime), () -> String.join("\n", gw.log));
        assertFalse(gw.log.stream().anyMatch(l -> l.startsWith("WARN")), () -> String.join("\n", gw.log));
    }
}
