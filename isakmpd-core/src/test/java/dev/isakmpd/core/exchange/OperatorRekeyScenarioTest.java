package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.A;
import static dev.isakmpd.core.exchange.EngineScenarioTest.B;
import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.core.sa.IpsecSa;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code isakmpctl rekey}: new SAs on request, make-before-break, the old ones deleted after the overlap. */
class OperatorRekeyScenarioTest {
    private static EngineScenarioTest.Pair up(long seed) {
        SimulatedNetwork net = new SimulatedNetwork(seed, SimulatedNetwork.Faults.NONE);
        SimulatedNetwork.Node a = net.add(new SimulatedNetwork.Node("a", Addresses.parseEndpoint(A, 500),
                List.of(policy("b", A, B, "k", "aes128-sha256-modp2048", "aes128-sha1", null,
                        "10.1.0.0/16", "10.2.0.0/16", true)), seed + 1));
        SimulatedNetwork.Node b = net.add(new SimulatedNetwork.Node("b", Addresses.parseEndpoint(B, 500),
                List.of(policy("a", B, A, "k", "aes128-sha256-modp2048", "aes128-sha1", null,
                        "10.2.0.0/16", "10.1.0.0/16", false)), seed + 2));
        net.apply(a, a.engine.initiate("b", net.now));
        EngineScenarioTest.Pair p = new EngineScenarioTest.Pair(net, a, b);
        assertTrue(net.runUntil(p::bothUp, Duration.ofMinutes(1)));
        return p;
    }

    private static Set<Integer> spis(SimulatedNetwork.Node n) {
        return n.kernel.list().stream().map(IpsecSa::spi).collect(Collectors.toSet());
    }

    private static Set<String> cookies(SimulatedNetwork.Node n) {
        return n.engine.isakmpSas().stream().map(IsakmpSaInfo::initiatorCookie).collect(Collectors.toSet());
    }

    @Test
    void aTunnelIsRekeyedUnderTheCurrentIsakmpSaAndTheOldPairDeletedAfterTheOverlap() {
        EngineScenarioTest.Pair p = up(71);
        Set<Integer> before = spis(p.a());
        Set<String> isakmp = cookies(p.a());
        p.net().apply(p.a(), p.a().engine.rekey("b", Optional.of("net"), false, p.net().now));
        assertTrue(p.a().logged("rekeying tunnel(s) net on request"));
        assertTrue(p.net().runUntil(() -> p.a().installs == 4 && p.b().installs == 4, Duration.ofSeconds(10)));
        assertEquals(4, p.a().kernel.list().size(), "old and new pair during the overlap");
        p.net().runUntil(() -> false, ChildSas.OVERLAP.plusSeconds(5));
        Set<Integer> after = spis(p.a());
        assertEquals(2, after.size(), "the old pair is gone");
        assertTrue(after.stream().noneMatch(before::contains), "new SPIs");
        assertEquals(after, spis(p.b()), "both sides hold the same new pair");
        assertEquals(isakmp, cookies(p.a()), "the ISAKMP SA is untouched");
    }

    /**
     * Make-before-break without loss: each side installs its inbound SA before the message after
     * which the other may send on it (the responder before QM2, the initiator before QM3), and the
     * initiator of the rekey moves its outbound traffic only {@link QuickMode#OUTBOUND_SWITCH_DELAY}
     * after QM3, when the responder has installed its inbound SA.
     */
    @Test
    void inboundSasGoInBeforeThePeerCanUseThemAndTheInitiatorSwitchesOutboundAfterTheDelay() {
        EngineScenarioTest.Pair p = up(77);
        p.a().timeline.clear();
        p.b().timeline.clear();
        p.net().apply(p.a(), p.a().engine.rekey("b", Optional.of("net"), false, p.net().now));
        assertTrue(p.net().runUntil(() -> p.a().installs == 4 && p.b().installs == 4, Duration.ofSeconds(10)));
        List<String> a = p.a().timeline;
        List<String> b = p.b().timeline;
        // the responder: install in, then QM2, then (on QM3) install out
        int bIn = indexOf(b, " install in ");
        assertTrue(bIn >= 0 && b.get(bIn + 1).endsWith(" send") && b.get(bIn + 2).contains(" install out "),
                () -> "responder: " + b);
        assertEquals(time(b.get(bIn)), time(b.get(bIn + 1)), "in the same step as QM2");
        // the initiator: QM1, then (on QM2) install in, QM3; the outbound SA one delay later
        int aIn = indexOf(a, " install in ");
        assertTrue(aIn >= 1 && a.get(aIn + 1).endsWith(" send"), () -> "initiator: " + a);
        int aOut = indexOf(a, " install out ");
        assertTrue(aOut > aIn + 1, () -> "initiator: " + a);
        assertEquals(QuickMode.OUTBOUND_SWITCH_DELAY,
                Duration.between(java.time.Instant.parse(time(a.get(aIn + 1))), java.time.Instant.parse(time(a.get(aOut)))),
                () -> "initiator: " + a);
        assertTrue(p.a().logged("sending on the new outbound SA"), () -> String.join("\n", p.a().log));
    }

    /**
     * The pairs are taken down (by us, or by the peer's Deletes) after QM3 of a rekey we started
     * but before the delayed outbound switch: the new outbound SA is not in the kernel yet, so
     * nothing deletes it there (the in-memory kernel would say "no SA"), and the cancelled switch
     * installs nothing afterwards.
     */
    @ParameterizedTest(name = "taken down by the peer: {0}")
    @ValueSource(booleans = {false, true})
    void downBeforeTheDelayedOutboundSwitchDeletesOnlyWhatIsInstalled(boolean byPeer) {
        EngineScenarioTest.Pair p = up(byPeer ? 83 : 85);
        p.net().apply(p.a(), p.a().engine.rekey("b", Optional.of("net"), false, p.net().now));
        // the old pair and the new inbound SA at a; b has had QM3 and holds both pairs
        assertTrue(p.net().runUntil(() -> p.a().installs == 3 && p.b().installs == 4, Duration.ofSeconds(10)));
        assertFalse(p.a().logged("sending on the new outbound SA"), "still before the switch");
        SimulatedNetwork.Node down = byPeer ? p.b() : p.a();
        p.net().apply(down, down.engine.down(byPeer ? "a" : "b", p.net().now));
        p.net().runUntil(() -> false, QuickMode.OUTBOUND_SWITCH_DELAY.multipliedBy(3));
        assertTrue(p.a().kernel.list().isEmpty(), () -> String.join("\n", p.a().log));
        assertEquals(3, p.a().deletes, "the old pair and the new inbound SA");
        assertEquals(3, p.a().installs, "the cancelled switch installs nothing");
        assertTrue(p.a().engine.ipsecSas().isEmpty());
    }

    /**
     * A rekey late in the old pair's life (a 10 s lifetime, rekeyed by the soft deadline at
     * 8.5-9 s): the switch comes early enough that the old pair is still there a whole kernel
     * second later, since kernels count lifetimes in whole seconds.
     */
    @Test
    void theSwitchIsEarlierWhenTheOldPairEndsSoon() {
        SimulatedNetwork net = new SimulatedNetwork(79, SimulatedNetwork.Faults.NONE);
        SimulatedNetwork.Node a = net.add(new SimulatedNetwork.Node("a", Addresses.parseEndpoint(A, 500),
                List.of(shortLived(policy("b", A, B, "k", "aes128-sha256-modp2048", "aes128-sha1", null,
                        "10.1.0.0/16", "10.2.0.0/16", true))), 80));
        SimulatedNetwork.Node b = net.add(new SimulatedNetwork.Node("b", Addresses.parseEndpoint(B, 500),
                List.of(shortLived(policy("a", B, A, "k", "aes128-sha256-modp2048", "aes128-sha1", null,
                        "10.2.0.0/16", "10.1.0.0/16", false))), 81));
        net.apply(a, a.engine.initiate("b", net.now));
        assertTrue(net.runUntil(() -> a.installs == 4, Duration.ofSeconds(20)), () -> String.join("\n", a.log));
        java.time.Instant firstOut = java.time.Instant.parse(time(a.timeline.get(indexOf(a.timeline, " install out "))));
        List<String> rest = a.timeline.subList(indexOf(a.timeline, " install out ") + 1, a.timeline.size());
        java.time.Instant secondIn = java.time.Instant.parse(time(rest.get(indexOf(rest, " install in "))));
        java.time.Instant secondOut = java.time.Instant.parse(time(rest.get(indexOf(rest, " install out "))));
        assertTrue(!secondOut.isAfter(firstOut.plusSeconds(9)) && secondOut.isAfter(secondIn),
                () -> "old pair ends at " + firstOut.plusSeconds(10) + ": " + a.timeline);
        assertTrue(Duration.between(secondIn, secondOut).compareTo(QuickMode.OUTBOUND_SWITCH_DELAY) < 0, a.timeline::toString);
    }

    private static PeerPolicy shortLived(PeerPolicy p) {
        TunnelPolicy t = p.tunnels().get(0);
        return p.withTunnels(List.of(new TunnelPolicy(t.name(), t.local(), t.remote(), t.proposals(), t.pfsGroup(),
                Duration.ofSeconds(10))));
    }

    private static int indexOf(List<String> timeline, String what) {
        for (int i = 0; i < timeline.size(); i++) {
            if (timeline.get(i).contains(what)) {
                return i;
            }
        }
        return -1;
    }

    private static String time(String event) {
        return event.substring(0, event.indexOf(' '));
    }

    @Test
    void withIsakmpANewMainModeSupersedesTheOldSaAndCarriesTheQuickModes() {
        EngineScenarioTest.Pair p = up(73);
        Set<Integer> before = spis(p.a());
        Set<String> isakmp = cookies(p.a());
        p.net().apply(p.a(), p.a().engine.rekey("b", Optional.empty(), true, p.net().now));
        assertTrue(p.a().logged("negotiating a new ISAKMP SA on request (make-before-break), then rekeying tunnel(s) net"));
        p.net().runUntil(() -> false, ChildSas.OVERLAP.plusSeconds(15));
        Set<String> now = cookies(p.a());
        assertEquals(1, now.size(), () -> String.join("\n", p.a().log));
        assertNotEquals(isakmp, now, "a new ISAKMP SA");
        assertEquals(now, cookies(p.b()));
        assertTrue(spis(p.a()).stream().noneMatch(before::contains), "new IPsec SAs");
        assertEquals(spis(p.a()), spis(p.b()));
    }

    @Test
    void aSecondRequestWhileTheFirstRunsStartsNothingAndUnknownNamesAreRefused() {
        EngineScenarioTest.Pair p = up(75);
        p.net().apply(p.a(), p.a().engine.rekey("b", Optional.of("net"), false, p.net().now));
        List<Action> again = p.a().engine.rekey("b", Optional.of("net"), false, p.net().now);
        assertTrue(again.stream().noneMatch(x -> x instanceof Action.Send), "no second Quick Mode");
        p.net().apply(p.a(), again);
        assertTrue(p.a().logged("tunnel net is already being negotiated"), () -> String.join("\n", p.a().log));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.a().engine.rekey("b", Optional.of("nope"), false, p.net().now));
        assertEquals("peer b has no tunnel nope (known: net)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> p.a().engine.rekey("x", Optional.empty(), false, p.net().now));
        assertTrue(p.net().runUntil(() -> p.a().installs == 4, Duration.ofSeconds(10)));
        assertFalse(p.a().logged("reached their lifetime"));
    }
}
