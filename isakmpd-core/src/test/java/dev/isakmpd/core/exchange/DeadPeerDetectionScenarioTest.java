package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.A;
import static dev.isakmpd.core.exchange.EngineScenarioTest.B;
import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.exchange.EngineScenarioTest.Pair;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.DeadPeerDetection;
import dev.isakmpd.core.policy.PeerPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** RFC 3706 between two engines: probes answered keep the SAs; a vanished peer is declared dead. */
class DeadPeerDetectionScenarioTest {
    private static final DeadPeerDetection DPD = new DeadPeerDetection(Duration.ofSeconds(10), Duration.ofSeconds(45));

    static PeerPolicy withDpd(PeerPolicy p) {
        return new PeerPolicy(p.name(), p.local(), p.remote(), p.auth(), p.ikeProposals(), p.ikeLifetime(),
                p.tunnels(), p.autoStart(), Optional.of(DPD), p.localId(), p.remoteId(), p.remoteRange(),
                p.aggressive());
    }

    private static Pair established(long seed) {
        SimulatedNetwork net = new SimulatedNetwork(seed, SimulatedNetwork.Faults.NONE);
        SimulatedNetwork.Node a = net.add(new SimulatedNetwork.Node("a", Addresses.parseEndpoint(A, 500),
                List.of(withDpd(policy("b", A, B, "k", "aes128-sha256-modp2048", "aes128-sha1", null, "10.1.0.0/16",
                        "10.2.0.0/16", true))), seed + 1));
        SimulatedNetwork.Node b = net.add(new SimulatedNetwork.Node("b", Addresses.parseEndpoint(B, 500),
                List.of(policy("a", B, A, "k", "aes128-sha256-modp2048", "aes128-sha1", null, "10.2.0.0/16",
                        "10.1.0.0/16", false)), seed + 2));
        net.apply(a, a.engine.initiate("b", net.now));
        Pair p = new Pair(net, a, b);
        assertTrue(net.runUntil(p::bothUp, Duration.ofMinutes(1)));
        return p;
    }

    private static long count(SimulatedNetwork.Node n, String fragment) {
        return n.log.stream().filter(l -> l.contains(fragment)).count();
    }

    @Test
    void answeredProbesKeepTheSas() {
        Pair p = established(91);
        p.net().runUntil(() -> false, Duration.ofMinutes(5));
        assertTrue(count(p.a(), "DPD: R-U-THERE ") >= 25, "a probes every 10 s of silence");
        assertEquals(count(p.a(), "DPD: R-U-THERE "), count(p.a(), "the peer is alive"), "every probe answered");
        assertEquals(count(p.a(), "DPD: R-U-THERE "), count(p.b(), "answering"), "b (no dpd-delay) only answers");
        assertFalse(p.a().logged("it is dead"));
        assertEquals(2, p.a().kernel.list().size());
        assertEquals(2, p.b().kernel.list().size());
    }

    @Test
    void aVanishedPeerIsDeclaredDeadAndRenegotiatedOnRequest() {
        Pair p = established(92);
        // b's host goes away: its address now answers nothing (an engine without peers ignores everything)
        p.net().replace(p.b(), new SimulatedNetwork.Node("b", Addresses.parseEndpoint(B, 500), List.of(), 192));
        assertTrue(p.net().runUntil(() -> p.a().kernel.list().isEmpty(), Duration.ofSeconds(60)),
                () -> String.join("\n", p.a().log));
        assertEquals(List.of(new Engine.PeerEvent("b", Engine.PeerEvent.Kind.DEAD)), p.a().engine.peerEvents());
        assertEquals(1, count(p.a(), "Main Mode: initiating"), "restarting is the caller's decision (dpd-action)");
        p.net().apply(p.a(), p.a().engine.up("b", p.net().now));
        assertTrue(p.a().logged("despite R-U-THERE probes (DPD, RFC 3706): it is dead"), () -> String.join("\n", p.a().log));
        assertTrue(p.a().logged("did not answer Dead Peer Detection: forgetting 0 ISAKMP SA(s) and 1 IPsec SA pair(s)"),
                () -> String.join("\n", p.a().log));
        assertEquals(2, count(p.a(), "Main Mode: initiating"), "a new Main Mode towards b");
    }
}
