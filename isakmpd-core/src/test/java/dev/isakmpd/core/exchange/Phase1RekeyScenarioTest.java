package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.A;
import static dev.isakmpd.core.exchange.EngineScenarioTest.B;
import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.sa.IpsecSa;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * ISAKMP SAs are replaced before they expire, make-before-break: a new Main Mode while the old SA
 * still serves, later exchanges under the new one, then a Delete for the old ISAKMP SA only. The
 * IPsec SAs never notice.
 */
class Phase1RekeyScenarioTest {
    private static PeerPolicy ikeLifetime(PeerPolicy p, Duration life) {
        return new PeerPolicy(p.name(), p.local(), p.remote(), p.auth(), p.ikeProposals(), life, p.tunnels(),
                p.autoStart(), p.dpd(), p.localId(), p.remoteId(), p.remoteRange(), p.aggressive());
    }

    private static EngineScenarioTest.Pair up(long seed, SimulatedNetwork.Faults faults, Duration lifeA,
            Duration lifeB) {
        SimulatedNetwork net = new SimulatedNetwork(seed, faults);
        SimulatedNetwork.Node a = net.add(new SimulatedNetwork.Node("a", Addresses.parseEndpoint(A, 500),
                List.of(ikeLifetime(policy("b", A, B, "k", "aes128-sha256-modp2048", "aes128-sha1", null,
                        "10.1.0.0/16", "10.2.0.0/16", true), lifeA)), seed + 1));
        SimulatedNetwork.Node b = net.add(new SimulatedNetwork.Node("b", Addresses.parseEndpoint(B, 500),
                List.of(ikeLifetime(policy("a", B, A, "k", "aes128-sha256-modp2048", "aes128-sha1", null,
                        "10.2.0.0/16", "10.1.0.0/16", false), lifeB)), seed + 2));
        net.apply(a, a.engine.initiate("b", net.now));
        EngineScenarioTest.Pair p = new EngineScenarioTest.Pair(net, a, b);
        assertTrue(net.runUntil(p::bothUp, Duration.ofMinutes(2)), () -> String.join("\n", a.log));
        return p;
    }

    private static Set<Integer> spis(SimulatedNetwork.Node n) {
        return n.kernel.list().stream().map(IpsecSa::spi).collect(Collectors.toSet());
    }

    private static long count(SimulatedNetwork.Node n, String fragment) {
        return n.log.stream().filter(l -> l.contains(fragment)).count();
    }

    private static long established(SimulatedNetwork.Node n) {
        return n.engine.isakmpSas().stream().filter(s -> s.state().equals("ESTABLISHED")).count();
    }

    @Test
    void isakmpSasAreReplacedUnderLossWhileTheIpsecSasStay() {
        EngineScenarioTest.Pair p = up(71, new SimulatedNetwork.Faults(0.1, 0.1, Duration.ofMillis(200)),
                Duration.ofMinutes(2), Duration.ofMinutes(2));
        Set<Integer> spisA = spis(p.a());
        Set<Integer> spisB = spis(p.b());
        int[] most = {0};
        p.net().runUntil(() -> {
            most[0] = (int) Math.max(most[0], Math.max(p.a().engine.isakmpSas().size(), p.b().engine.isakmpSas().size()));
            return false;
        }, Duration.ofMinutes(10));
        assertTrue(p.net().runUntil(() -> established(p.a()) == 1 && established(p.b()) == 1
                && p.a().engine.isakmpSas().size() == 1 && p.b().engine.isakmpSas().size() == 1, Duration.ofMinutes(1)));

        long rekeys = count(p.a(), "negotiating a new ISAKMP SA") + count(p.b(), "negotiating a new ISAKMP SA");
        assertTrue(rekeys >= 5, "a new ISAKMP SA about every 102-108 s: " + rekeys);
        assertFalse(p.a().logged("ISAKMP SA lifetime 120s expired"), () -> String.join("\n", p.a().log));
        assertFalse(p.b().logged("ISAKMP SA lifetime 120s expired"), () -> String.join("\n", p.b().log));
        assertTrue(most[0] <= 3, "old, new and at most one duplicate at once: " + most[0]);
        assertEquals(spisA, spis(p.a()), "a's IPsec SAs survived every ISAKMP SA deletion");
        assertEquals(spisB, spis(p.b()), "b's IPsec SAs survived every ISAKMP SA deletion");
        assertTrue(p.a().logged("replaced by a newer ISAKMP SA with the peer; deleting this one")
                || p.b().logged("replaced by a newer ISAKMP SA with the peer; deleting this one"));
        assertEquals(p.a().engine.isakmpSas().get(0).responderCookie(), p.b().engine.isakmpSas().get(0).responderCookie());

        // a later Quick Mode runs under the newest ISAKMP SA
        IsakmpSaInfo newest = p.a().engine.isakmpSas().get(0);
        int installs = p.a().installs;
        p.net().apply(p.a(), p.a().engine.initiate("b", p.net().now));
        assertTrue(p.net().runUntil(() -> p.a().installs == installs + 2, Duration.ofMinutes(1)));
        String qm = p.a().log.stream().filter(l -> l.contains("Quick Mode") && l.contains("initiating"))
                .reduce((x, y) -> y).orElseThrow();
        assertTrue(qm.contains(newest.initiatorCookie() + ":" + newest.responderCookie()), qm);
    }

    @Test
    void aResponderThatShortenedTheLifetimeRekeysBeforeItEnds() {
        // a offers 8 h; b keeps its 2 min (RFC 2407 s4.5.4), which a never learns (MM2 echoes a's
        // transform): b must rekey, or the SA would lapse while a holds it
        EngineScenarioTest.Pair p = up(72, SimulatedNetwork.Faults.NONE, Duration.ofHours(8), Duration.ofMinutes(2));
        Set<Integer> spisB = spis(p.b());
        p.net().runUntil(() -> false, Duration.ofMinutes(6));
        assertFalse(p.b().logged("ISAKMP SA lifetime 120s expired"), () -> String.join("\n", p.b().log));
        assertEquals(0, count(p.a(), "negotiating a new ISAKMP SA"), "a thinks it has 8 h");
        assertTrue(count(p.b(), "negotiating a new ISAKMP SA") >= 3, () -> String.join("\n", p.b().log));
        assertEquals(spisB, spis(p.b()));
        assertTrue(p.net().runUntil(() -> established(p.a()) == 1 && established(p.b()) == 1, Duration.ofMinutes(1)),
                "one current ISAKMP SA each");
    }
}
