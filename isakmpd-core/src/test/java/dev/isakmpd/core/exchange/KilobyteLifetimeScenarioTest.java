package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.A;
import static dev.isakmpd.core.exchange.EngineScenarioTest.B;
import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.core.sa.IpsecSa;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Lifetimes in kilobytes (RFC 2407 s4.5 SA Life Type 2) beside seconds: offered by the initiator,
 * the responder keeps the smaller and says so with RESPONDER-LIFETIME (s4.5.4, s4.6.3.1), a limit
 * on one side only is the limit; both kernels get the same figure.
 */
class KilobyteLifetimeScenarioTest {
    private static PeerPolicy kilobytes(PeerPolicy p, long kb) {
        List<TunnelPolicy> tunnels = p.tunnels().stream().map(t -> new TunnelPolicy(t.name(), t.local(), t.remote(),
                t.proposals(), t.pfsGroup(), t.lifetime(), t.mode(), kb)).toList();
        return p.withTunnels(tunnels);
    }

    @ParameterizedTest(name = "initiator {0} KB, responder {1} KB -> {2} KB")
    @CsvSource({"100, 50, 50, true", "0, 80, 80, true", "100, 0, 100, false", "100, 200, 100, false",
        "0, 0, 0, false"})
    void theSmallerLimitWinsOnBothSides(long initiatorKb, long responderKb, long agreed, boolean notified) {
        EngineScenarioTest.Pair p = EngineScenarioTest.start(91,
                kilobytes(policy("b", A, B, "k", "aes128-sha256-modp2048", "aes128-sha1", null, "10.1.0.0/16",
                        "10.2.0.0/16", true), initiatorKb),
                kilobytes(policy("a", B, A, "k", "aes128-sha256-modp2048", "aes128-sha1", null, "10.2.0.0/16",
                        "10.1.0.0/16", false), responderKb), true);
        SimulatedNetwork.Node a = p.a();
        SimulatedNetwork.Node b = p.b();
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)), () -> String.join("\n", b.log));
        for (SimulatedNetwork.Node n : List.of(a, b)) {
            for (IpsecSa sa : n.kernel.list()) {
                assertEquals(agreed, sa.lifeKilobytes(), n.name + " " + sa.direction());
                assertEquals(Duration.ofHours(1), sa.lifetime(), "seconds as before");
            }
        }
        String adopted = "responder keeps its SAs for " + agreed + " KB, not "
                + (initiatorKb == 0 ? "unlimited" : initiatorKb + " KB") + " (RESPONDER-LIFETIME); so do we";
        assertEquals(notified, a.logged(adopted), () -> String.join("\n", a.log));
        assertEquals(notified, a.logged("RESPONDER-LIFETIME"), "QM2 as dumped");
        if (agreed > 0) {
            assertTrue(a.logged("lifetime 3600s or " + agreed + " KB"), () -> String.join("\n", a.log));
        } else {
            assertFalse(a.logged(" KB,"), () -> String.join("\n", a.log));
        }
    }
}
