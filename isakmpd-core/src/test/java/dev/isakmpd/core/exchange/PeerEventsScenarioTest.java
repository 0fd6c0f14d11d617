package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.A;
import static dev.isakmpd.core.exchange.EngineScenarioTest.B;
import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.exchange.EngineScenarioTest.Pair;
import dev.isakmpd.core.exchange.Engine.PeerEvent;
import dev.isakmpd.core.policy.Addresses;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The operator's up and down, and the events the runtime's restart policy acts on. */
class PeerEventsScenarioTest {

    private static Pair pair(long seed) {
        SimulatedNetwork net = new SimulatedNetwork(seed, SimulatedNetwork.Faults.NONE);
        SimulatedNetwork.Node a = net.add(new SimulatedNetwork.Node("a", Addresses.parseEndpoint(A, 500),
                List.of(policy("b", A, B, "k", "aes128-sha256-modp2048", "aes128-sha1", null, "10.1.0.0/16",
                        "10.2.0.0/16", true)), seed + 1));
        SimulatedNetwork.Node b = net.add(new SimulatedNetwork.Node("b", Addresses.parseEndpoint(B, 500),
                List.of(policy("a", B, A, "k", "aes128-sha256-modp2048", "aes128-sha1", null, "10.2.0.0/16",
                        "10.1.0.0/16", false)), seed + 2));
        return new Pair(net, a, b);
    }

    private static Pair established(long seed) {
        Pair p = pair(seed);
        p.net().apply(p.a(), p.a().engine.initiate("b", p.net().now));
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)));
        return p;
    }

    @Test
    void upStartsNothingWhileTheTunnelIsUp() {
        Pair p = established(301);
        List<Action> again = p.a().engine.up("b", p.net().now);
        assertTrue(again.stream().noneMatch(x -> x instanceof Action.Send), again.toString());
        assertEquals(2, p.a().kernel.list().size());
    }

    @Test
    void downDeletesThePeersSasAndTellsIt() {
        Pair p = established(302);
        p.net().apply(p.a(), p.a().engine.down("b", p.net().now));
        assertTrue(p.a().kernel.list().isEmpty());
        assertTrue(p.a().engine.isakmpSas().isEmpty());
        assertTrue(p.net().runUntil(() -> p.b().kernel.list().isEmpty() && p.b().engine.isakmpSas().isEmpty(),
                Duration.ofSeconds(5)), () -> String.join("\n", p.b().log));
        // b took the Deletes as the peer closing its SAs
        p.net().apply(p.a(), p.a().engine.up("b", p.net().now));
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)), "up again after down");
    }

    @Test
    void theRespondersDeletesReachTheInitiatorAsClosedByPeer() {
        Pair p = established(303);
        p.net().apply(p.b(), p.b().engine.down("a", p.net().now));
        assertTrue(p.net().runUntil(() -> p.a().engine.peerEvents()
                .contains(new PeerEvent("b", PeerEvent.Kind.CLOSED_BY_PEER)), Duration.ofSeconds(5)),
                () -> String.join("\n", p.a().log));
    }

    @Test
    void anUnansweredMainModeIsReportedAsGivenUp() {
        Pair p = pair(304);
        p.net().replace(p.b(), new SimulatedNetwork.Node("b", Addresses.parseEndpoint(B, 500), List.of(), 305));
        p.net().apply(p.a(), p.a().engine.initiate("b", p.net().now));
        assertTrue(p.net().runUntil(() -> p.a().engine.peerEvents()
                .contains(new PeerEvent("b", PeerEvent.Kind.GAVE_UP)), Duration.ofMinutes(3)),
                () -> String.join("\n", p.a().log));
        assertTrue(p.a().engine.isakmpSas().isEmpty());
    }
}
