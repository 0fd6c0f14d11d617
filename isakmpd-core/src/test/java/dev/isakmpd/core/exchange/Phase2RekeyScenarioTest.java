package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.A;
import static dev.isakmpd.core.exchange.EngineScenarioTest.B;
import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.kernel.KernelEvent;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.core.sa.IpsecSa;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The engine replaces IPsec SAs before their lifetime ends by itself, with an in-memory kernel
 * that never sends an EXPIRE: make-before-break, so that each side always holds an outbound SA
 * the other can decrypt, and the old pair is deleted shortly after, not at its hard lifetime.
 */
class Phase2RekeyScenarioTest {
    private static final Duration LIFE = Duration.ofMinutes(2);

    static PeerPolicy espLifetime(PeerPolicy p, Duration life) {
        List<TunnelPolicy> tunnels = p.tunnels().stream().map(t -> new TunnelPolicy(t.name(), t.local(), t.remote(),
                t.proposals(), t.pfsGroup(), life)).toList();
        return p.withTunnels(tunnels);
    }

    private static EngineScenarioTest.Pair up(long seed, SimulatedNetwork.Faults faults) {
        SimulatedNetwork net = new SimulatedNetwork(seed, faults);
        SimulatedNetwork.Node a = net.add(new SimulatedNetwork.Node("a", Addresses.parseEndpoint(A, 500),
                List.of(espLifetime(policy("b", A, B, "k", "aes128-sha256-modp2048", "aes128-sha1", null,
                        "10.1.0.0/16", "10.2.0.0/16", true), LIFE)), seed + 1));
        SimulatedNetwork.Node b = net.add(new SimulatedNetwork.Node("b", Addresses.parseEndpoint(B, 500),
                List.of(espLifetime(policy("a", B, A, "k", "aes128-sha256-modp2048", "aes128-sha1", null,
                        "10.2.0.0/16", "10.1.0.0/16", false), LIFE)), seed + 2));
        net.apply(a, a.engine.initiate("b", net.now));
        EngineScenarioTest.Pair p = new EngineScenarioTest.Pair(net, a, b);
        assertTrue(net.runUntil(p::bothUp, Duration.ofMinutes(1)));
        return p;
    }

    private static Set<Integer> spis(SimulatedNetwork.Node n, IpsecSa.Direction dir) {
        return n.kernel.list().stream().filter(s -> s.direction() == dir).map(IpsecSa::spi)
                .collect(Collectors.toSet());
    }

    /** Every SA one side sends with is one the other side can receive with. */
    private static boolean carries(SimulatedNetwork.Node from, SimulatedNetwork.Node to) {
        Set<Integer> in = spis(to, IpsecSa.Direction.IN);
        return spis(from, IpsecSa.Direction.OUT).stream().anyMatch(in::contains);
    }

    @Test
    void pairsAreReplacedBeforeTheirLifetimeWithoutKernelEvents() {
        EngineScenarioTest.Pair p = up(61, SimulatedNetwork.Faults.NONE);
        int[] most = {0};
        boolean[] gap = {false};
        p.net().runUntil(() -> {
            gap[0] |= !carries(p.a(), p.b()) || !carries(p.b(), p.a());
            most[0] = Math.max(most[0], Math.max(p.a().kernel.list().size(), p.b().kernel.list().size()));
            return false;
        }, Duration.ofMinutes(10));
        assertFalse(gap[0], "traffic could flow both ways at every instant");
        assertTrue(p.a().installs >= 2 * 5, "rekeyed at least four times in 10 min: " + p.a().installs / 2);
        assertEquals(p.a().installs, p.b().installs, "each rekey installed on both sides");
        assertEquals(4, most[0], "at most the old and the new pair at once");
        assertFalse(p.a().logged("reached their lifetime"), "no pair lived to its hard lifetime");
        assertFalse(p.b().logged("reached their lifetime"));
        assertTrue(p.a().logged("reached their soft lifetime: rekeying tunnel net"));
        assertFalse(p.b().logged("rekeying tunnel"), "the initiator of each pair rekeys first; b never had to");
        assertTrue(p.a().logged("were replaced 10s ago or more; deleting them"), () -> String.join("\n", p.a().log));
        assertTrue(p.b().logged("peer deleted IPsec SA pair of tunnel net"), "a's Delete retired b's old pair");
    }

    @Test
    void autoStartTunnelIsRenegotiatedWhateverRemovedItsSas() throws Exception {
        EngineScenarioTest.Pair p = up(63, SimulatedNetwork.Faults.NONE);
        IpsecSa out = EngineScenarioTest.sa(p.a(), IpsecSa.Direction.OUT);
        p.a().kernel.delete(out.destination(), out.spi());
        p.net().apply(p.a(), p.a().engine.expired(new KernelEvent.Expire(out.destination(), out.spi(), true),
                p.net().now));
        assertTrue(p.a().logged("tunnel net has no IPsec SAs left; negotiating anew (auto = start)"));
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofSeconds(10)), () -> String.join("\n", p.a().log));
        assertFalse(p.a().kernel.list().contains(out));

        // when the peer deletes them, the engine reports it and leaves the restart to the runtime's
        // close-action (restart by default: PeerSupervisor calls up())
        int installs = p.a().installs;
        IpsecSa bOut = EngineScenarioTest.sa(p.b(), IpsecSa.Direction.OUT);
        p.b().kernel.delete(bOut.destination(), bOut.spi());
        p.net().apply(p.b(), p.b().engine.expired(new KernelEvent.Expire(bOut.destination(), bOut.spi(), true),
                p.net().now));
        boolean[] closed = {false};
        p.net().runUntil(() -> {
            closed[0] |= p.a().engine.peerEvents().contains(
                    new Engine.PeerEvent("b", Engine.PeerEvent.Kind.CLOSED_BY_PEER));
            return closed[0];
        }, Duration.ofSeconds(10));
        assertTrue(closed[0], () -> String.join("\n", p.a().log));
        assertEquals(installs, p.a().installs, "nothing renegotiated by the engine itself");
        p.net().apply(p.a(), p.a().engine.up("b", p.net().now));
        assertTrue(p.net().runUntil(() -> p.a().installs == installs + 2 && p.bothUp(), Duration.ofSeconds(10)),
                () -> String.join("\n", p.a().log));
    }
}
