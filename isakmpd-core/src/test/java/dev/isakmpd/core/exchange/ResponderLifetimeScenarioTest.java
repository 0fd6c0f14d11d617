package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.A;
import static dev.isakmpd.core.exchange.EngineScenarioTest.B;
import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.core.sa.IpsecSa;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 2407 s4.5.4 / s4.6.3.1: a responder that keeps a shorter IPsec SA lifetime than offered says
 * so with RESPONDER-LIFETIME in QM2, and the initiator adopts it, so that both sides expire
 * (and rekey) the pair at the same time.
 */
class ResponderLifetimeScenarioTest {
    private static PeerPolicy espLifetime(PeerPolicy p, Duration life) {
        List<TunnelPolicy> tunnels = p.tunnels().stream().map(t -> new TunnelPolicy(t.name(), t.local(), t.remote(),
                t.proposals(), t.pfsGroup(), life)).toList();
        return p.withTunnels(tunnels);
    }

    private static EngineScenarioTest.Pair pair(Duration initiatorLife, Duration responderLife) {
        SimulatedNetwork net = new SimulatedNetwork(81, SimulatedNetwork.Faults.NONE);
        SimulatedNetwork.Node a = net.add(new SimulatedNetwork.Node("a", Addresses.parseEndpoint(A, 500),
                List.of(espLifetime(policy("b", A, B, "k", "aes128-sha256-modp2048", "aes128-sha1", null,
                        "10.1.0.0/16", "10.2.0.0/16", true), initiatorLife)), 82));
        SimulatedNetwork.Node b = net.add(new SimulatedNetwork.Node("b", Addresses.parseEndpoint(B, 500),
                List.of(espLifetime(policy("a", B, A, "k", "aes128-sha256-modp2048", "aes128-sha1", null,
                        "10.2.0.0/16", "10.1.0.0/16", false), responderLife)), 83));
        net.apply(a, a.engine.initiate("b", net.now));
        EngineScenarioTest.Pair p = new EngineScenarioTest.Pair(net, a, b);
        assertTrue(net.runUntil(p::bothUp, Duration.ofMinutes(1)), () -> String.join("\n", b.log));
        return p;
    }

    private static void assertLifetimes(SimulatedNetwork.Node n, Duration expected) {
        for (IpsecSa sa : n.kernel.list()) {
            assertEquals(expected, sa.lifetime(), n.name + " " + sa.direction());
        }
    }

    @Test
    void initiatorAdoptsTheResponderShorterLifetime() {
        EngineScenarioTest.Pair p = pair(Duration.ofHours(2), Duration.ofMinutes(20));
        assertLifetimes(p.b(), Duration.ofMinutes(20));
        assertLifetimes(p.a(), Duration.ofMinutes(20));
        assertTrue(p.a().logged("responder keeps its SAs 1200s, not 7200s (RESPONDER-LIFETIME)"),
                () -> String.join("\n", p.a().log));
        assertTrue(p.a().logged("RESPONDER-LIFETIME"), "QM2 as dumped");
    }

    @Test
    void noNotifyWhenTheResponderAcceptsTheOffer() {
        EngineScenarioTest.Pair p = pair(Duration.ofMinutes(20), Duration.ofHours(2));
        assertLifetimes(p.a(), Duration.ofMinutes(20));
        assertLifetimes(p.b(), Duration.ofMinutes(20));
        assertFalse(p.a().logged("RESPONDER-LIFETIME"), () -> String.join("\n", p.a().log));
    }
}
