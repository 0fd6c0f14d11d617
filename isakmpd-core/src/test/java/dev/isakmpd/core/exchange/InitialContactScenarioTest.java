package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.A;
import static dev.isakmpd.core.exchange.EngineScenarioTest.B;
import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.exchange.EngineScenarioTest.Pair;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.Identity;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.core.sa.IpsecSa;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * INITIAL-CONTACT (RFC 2407 s4.6.3.3): an initiator that holds no SA with the peer says so in
 * MM5, and the receiver drops every older SA it has with that peer, which a crashed and restarted
 * initiator can no longer use.
 */
class InitialContactScenarioTest {
    private static PeerPolicy toB() {
        return policy("b", A, B, "k", "aes128-sha256-modp2048", "aes128-sha1", null, "10.1.0.0/16", "10.2.0.0/16",
                true);
    }

    private static SimulatedNetwork.Node nodeA(long seed) {
        return new SimulatedNetwork.Node("a", Addresses.parseEndpoint(A, 500), List.of(toB()), seed);
    }

    private static Pair established(long seed) {
        SimulatedNetwork net = new SimulatedNetwork(seed, SimulatedNetwork.Faults.NONE);
        SimulatedNetwork.Node a = net.add(nodeA(seed + 1));
        SimulatedNetwork.Node b = net.add(new SimulatedNetwork.Node("b", Addresses.parseEndpoint(B, 500),
                List.of(policy("a", B, A, "k", "aes128-sha256-modp2048", "aes128-sha1", null, "10.2.0.0/16",
                        "10.1.0.0/16", false)),
                seed + 2));
        net.apply(a, a.engine.initiate("b", net.now));
        assertTrue(net.runUntil(() -> a.kernel.list().size() == 2 && b.kernel.list().size() == 2,
                Duration.ofMinutes(1)), () -> String.join("\n", b.log));
        return new Pair(net, a, b);
    }

    private static Set<Integer> spis(SimulatedNetwork.Node n) {
        return n.kernel.list().stream().map(IpsecSa::spi).collect(Collectors.toSet());
    }

    @Test
    void restartedInitiatorMakesTheResponderDropTheSasItLost() {
        Pair p = established(41);
        assertTrue(p.b().logged("sent INITIAL-CONTACT (it has restarted); we hold no other SA with it"), "the first contact carried INITIAL-CONTACT");
        Set<Integer> before = spis(p.b());

        SimulatedNetwork.Node a2 = p.net().replace(p.a(), nodeA(141));
        p.net().apply(a2, a2.engine.initiate("b", p.net().now));
        assertTrue(p.net().runUntil(() -> a2.kernel.list().size() == 2 && p.b().kernel.list().size() == 2
                && p.b().engine.isakmpSas().size() == 1, Duration.ofMinutes(1)), () -> String.join("\n", p.b().log));

        assertTrue(p.b().logged("sent INITIAL-CONTACT (it has restarted): forgetting 1 ISAKMP SA(s) and 1 IPsec SA"
                + " pair(s)"), () -> String.join("\n", p.b().log));
        assertEquals(spis(a2), spis(p.b()), "b holds exactly the new pair, mirrored");
        assertFalse(spis(p.b()).stream().anyMatch(before::contains), "the old SPIs are gone from b's kernel");
        assertEquals("ESTABLISHED", p.b().engine.isakmpSas().get(0).state());
    }

    private static PeerPolicy withLocalId(PeerPolicy p, String id) {
        return new PeerPolicy(p.name(), p.local(), p.remote(), p.auth(), p.ikeProposals(), p.ikeLifetime(),
                p.tunnels(), p.autoStart(), p.dpd(), Identity.parse(id), p.remoteId(), p.remoteRange(),
                p.aggressive());
    }

    /**
     * Two identities behind one address (a NAT, a load generator) under one responder policy:
     * the second one's INITIAL-CONTACT speaks for itself only, and the first keeps its SAs.
     */
    @Test
    void initialContactOfOneIdentityLeavesAnotherIdentityAtTheSameAddressAlone() {
        SimulatedNetwork net = new SimulatedNetwork(51, SimulatedNetwork.Faults.NONE);
        PeerPolicy one = withLocalId(policy("b1", A, B, "k", "aes128-sha256-modp2048", "aes128-sha1", null,
                "10.1.1.0/24", "10.2.0.0/16", true), "@one.example.org");
        PeerPolicy two = withLocalId(policy("b2", A, B, "k", "aes128-sha256-modp2048", "aes128-sha1", null,
                "10.1.2.0/24", "10.2.0.0/16", true), "@two.example.org");
        SimulatedNetwork.Node a = net.add(new SimulatedNetwork.Node("a", Addresses.parseEndpoint(A, 500),
                List.of(one, two), 52));
        PeerPolicy forA = policy("a", B, A, "k", "aes128-sha256-modp2048", "aes128-sha1", null, "10.2.0.0/16",
                "10.1.1.0/24", false);
        TunnelPolicy second = new TunnelPolicy("net2", forA.tunnels().get(0).local(), Subnet.parse("10.1.2.0/24"),
                forA.tunnels().get(0).proposals(), Optional.empty(), forA.tunnels().get(0).lifetime());
        SimulatedNetwork.Node b = net.add(new SimulatedNetwork.Node("b", Addresses.parseEndpoint(B, 500),
                List.of(forA.withTunnels(List.of(forA.tunnels().get(0), second))), 53));
        net.apply(a, a.engine.initiate("b1", net.now));
        assertTrue(net.runUntil(() -> b.kernel.list().size() == 2, Duration.ofMinutes(1)), () -> String.join("\n", b.log));
        net.apply(a, a.engine.initiate("b2", net.now));
        assertTrue(net.runUntil(() -> b.kernel.list().size() == 4 && a.kernel.list().size() == 4,
                Duration.ofMinutes(1)), () -> String.join("\n", b.log));
        assertTrue(b.logged("peer a sent INITIAL-CONTACT (it has restarted); we hold no other SA with it"),
                () -> String.join("\n", b.log));
        assertEquals(2, b.engine.isakmpSas().size(), "both identities keep their ISAKMP SA");
        net.runUntil(() -> false, ChildSas.OVERLAP.plusSeconds(30));
        assertEquals(2, b.engine.isakmpSas().size(), "neither superseded the other");

        // each pair's Delete goes under the ISAKMP SA of the identity that negotiated it, not under
        // the policy's newest (the other identity's): there the peer does not know the SPI
        net.apply(b, b.engine.down("a", net.now));
        assertTrue(net.runUntil(() -> a.kernel.list().isEmpty(), Duration.ofSeconds(30)),
                () -> "a still holds " + a.kernel.list() + "\n" + String.join("\n", a.log));
    }
}
