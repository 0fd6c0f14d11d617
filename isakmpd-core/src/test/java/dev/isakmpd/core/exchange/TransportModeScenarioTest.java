package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.A;
import static dev.isakmpd.core.exchange.EngineScenarioTest.B;
import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static dev.isakmpd.core.exchange.EngineScenarioTest.sa;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.IpsecMode;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.core.sa.IpsecSa;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Transport mode (RFC 2407 s4.5 Encapsulation Mode 2): the two hosts' addresses are the
 * selectors, both sides install transport-mode SAs; a tunnel-only policy refuses the offer with
 * NO-PROPOSAL-CHOSEN and a line that says what was offered and what it accepts.
 */
class TransportModeScenarioTest {

    static PeerPolicy hosts(PeerPolicy p, IpsecMode mode) {
        List<TunnelPolicy> tunnels = p.tunnels().stream().map(t -> new TunnelPolicy(t.name(), t.local(), t.remote(),
                t.proposals(), t.pfsGroup(), t.lifetime(), mode, 0)).toList();
        return p.withTunnels(tunnels);
    }

    static EngineScenarioTest.Pair pair(long seed, boolean aInitiates, IpsecMode modeA, IpsecMode modeB) {
        return EngineScenarioTest.start(seed,
                hosts(policy("b", A, B, "k", "aes128-sha256-modp2048", "aes128gcm16", null, A, B, aInitiates), modeA),
                hosts(policy("a", B, A, "k", "aes128-sha256-modp2048", "aes128gcm16", null, B, A, !aInitiates), modeB),
                aInitiates);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void bothSidesInstallTransportModeSasBetweenTheHosts(boolean aInitiates) {
        EngineScenarioTest.Pair p = pair(31, aInitiates, IpsecMode.TRANSPORT, IpsecMode.TRANSPORT);
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)), () -> String.join("\n", p.a().log));
        for (SimulatedNetwork.Node n : List.of(p.a(), p.b())) {
            for (IpsecSa s : n.kernel.list()) {
                assertEquals(IpsecMode.TRANSPORT, s.mode(), n.name);
                assertEquals(Subnet.host(s.source()), s.sourceSelector());
                assertEquals(Subnet.host(s.destination()), s.destinationSelector());
            }
            assertTrue(n.logged("aes128gcm16 transport mode"), () -> String.join("\n", n.log));
        }
        assertEquals(sa(p.a(), IpsecSa.Direction.OUT).spi(), sa(p.b(), IpsecSa.Direction.IN).spi());
    }

    @Test
    void aTunnelOnlyPolicyRefusesTransportAndSaysWhy() {
        EngineScenarioTest.Pair p = pair(32, true, IpsecMode.TRANSPORT, IpsecMode.TUNNEL);
        p.net().runUntil(() -> p.a().logged("NO-PROPOSAL-CHOSEN"), Duration.ofMinutes(1));
        assertTrue(p.b().logged("proposal 1 transform 1: encapsulation mode Transport (2) offered; tunnel net accepts "
                + "tunnel mode only; ours: [aes128gcm16]"), () -> String.join("\n", p.b().log));
        assertTrue(p.a().logged("peer notifies NO-PROPOSAL-CHOSEN"), () -> String.join("\n", p.a().log));
        assertTrue(p.a().kernel.list().isEmpty() && p.b().kernel.list().isEmpty());
    }

    @Test
    void aTransportPolicyRefusesTunnel() {
        EngineScenarioTest.Pair p = pair(33, false, IpsecMode.TRANSPORT, IpsecMode.TUNNEL);
        p.net().runUntil(() -> p.b().logged("NO-PROPOSAL-CHOSEN"), Duration.ofMinutes(1));
        assertTrue(p.a().logged("encapsulation mode Tunnel (1) offered; tunnel net accepts transport mode only"),
                () -> String.join("\n", p.a().log));
    }
}
