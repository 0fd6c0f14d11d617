package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.kernel.KernelEvent;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.sa.IpsecSa;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The kernel's ACQUIRE and EXPIRE driving two engines over a simulated network. */
class KernelEventScenarioTest {
    static final InetAddress A = Addresses.parseLiteral(EngineScenarioTest.A);
    static final InetAddress B = Addresses.parseLiteral(EngineScenarioTest.B);
    static final Subnet NET_A = Subnet.parse("10.1.0.0/16");
    static final Subnet NET_B = Subnet.parse("10.2.0.0/16");

    record Two(SimulatedNetwork net, SimulatedNetwork.Node a, SimulatedNetwork.Node b) {
        boolean pairs(int n) {
            return a.kernel.list().size() == 2 * n && b.kernel.list().size() == 2 * n;
        }
    }

    /** Neither side starts by itself: a negotiates only when its kernel asks. */
    static Two idle(long seed) {
        SimulatedNetwork net = new SimulatedNetwork(seed, SimulatedNetwork.Faults.NONE);
        SimulatedNetwork.Node a = net.add(new SimulatedNetwork.Node("a", Addresses.parseEndpoint(EngineScenarioTest.A, 500),
                List.of(EngineScenarioTest.policy("b", EngineScenarioTest.A, EngineScenarioTest.B, "psk",
                        "aes128-sha256-modp2048", "aes128-sha1", null, "10.1.0.0/16", "10.2.0.0/16", false)),
                seed + 1));
        SimulatedNetwork.Node b = net.add(new SimulatedNetwork.Node("b", Addresses.parseEndpoint(EngineScenarioTest.B, 500),
                List.of(EngineScenarioTest.policy("a", EngineScenarioTest.B, EngineScenarioTest.A, "psk",
                        "aes128-sha256-modp2048", "aes128-sha1", null, "10.2.0.0/16", "10.1.0.0/16", false)),
                seed + 2));
        return new Two(net, a, b);
    }

    static KernelEvent.Acquire acquire(InetAddress dst, Subnet local, Subnet remote) {
        return new KernelEvent.Acquire(A, dst, Optional.ofNullable(local), Optional.ofNullable(remote));
    }

    static Two up(long seed) {
        Two t = idle(seed);
        t.net.apply(t.a, t.a.engine.acquire(acquire(B, NET_A, NET_B), t.net.now));
        assertTrue(t.net.runUntil(() -> t.pairs(1), Duration.ofMinutes(1)), () -> String.join("\n", t.a.log));
        return t;
    }

    static IpsecSa sa(SimulatedNetwork.Node n, IpsecSa.Direction dir) {
        return n.kernel.list().stream().filter(s -> s.direction() == dir).findFirst().orElseThrow();
    }

    @Test
    void acquireNegotiatesTheMatchingTunnel() {
        Two t = up(1);
        assertEquals(5, t.a.sent, "MM1, MM3, MM5, QM1, QM3");
        assertEquals(NET_A, sa(t.a, IpsecSa.Direction.OUT).sourceSelector());
        assertTrue(t.a.logged("ACQUIRE 127.0.0.1 -> 127.0.0.2 (10.1.0.0/16 -> 10.2.0.0/16): negotiating tunnel net"));
    }

    @Test
    void acquireWithoutSelectorsUsesThePeersTunnel() {
        Two t = idle(2);
        t.net.apply(t.a, t.a.engine.acquire(acquire(B, null, null), t.net.now));
        assertTrue(t.net.runUntil(() -> t.pairs(1), Duration.ofMinutes(1)));
    }

    @Test
    void repeatedAcquiresDuringANegotiationStartNothingMore() {
        Two t = idle(3);
        for (int i = 0; i < 3; i++) {
            t.net.apply(t.a, t.a.engine.acquire(acquire(B, NET_A, NET_B), t.net.now));
        }
        assertTrue(t.net.runUntil(() -> t.pairs(1), Duration.ofMinutes(1)));
        // between MM and QM, and while QM runs, further ACQUIREs are ignored too
        t.net.apply(t.a, t.a.engine.acquire(acquire(B, NET_A, NET_B), t.net.now));
        assertTrue(t.net.runUntil(() -> t.pairs(2), Duration.ofMinutes(1)), "a new ACQUIRE after the SAs are up");
        t.net.runUntil(() -> false, Duration.ofMinutes(2));
        assertEquals(2, t.a.engine.isakmpSas().size() + t.b.engine.isakmpSas().size(), "one ISAKMP SA each");
        assertEquals(8, t.a.sent, "one Main Mode, two Quick Modes, the Delete that retires the superseded pair");
        assertTrue(t.pairs(1));
    }

    @Test
    void acquireForAnUnknownTunnelIsIgnored() {
        Two t = idle(4);
        List<Action> actions = t.a.engine.acquire(acquire(B, NET_A, Subnet.parse("10.9.0.0/16")), t.net.now);
        t.net.apply(t.a, actions);
        assertTrue(actions.stream().noneMatch(x -> x instanceof Action.Send));
        assertTrue(t.a.logged("matches no configured tunnel"));
        actions = t.a.engine.acquire(acquire(Addresses.parseLiteral("127.0.0.9"), null, null), t.net.now);
        assertTrue(actions.stream().noneMatch(x -> x instanceof Action.Send));
        assertTrue(t.a.engine.isakmpSas().isEmpty());
    }

    @Test
    void softExpireRekeysOnceUnderTheExistingIsakmpSa() {
        Two t = up(5);
        IpsecSa oldOut = sa(t.a, IpsecSa.Direction.OUT);
        IpsecSa oldIn = sa(t.a, IpsecSa.Direction.IN);
        int sent = t.a.sent;
        t.net.apply(t.a, t.a.engine.expired(new KernelEvent.Expire(oldOut.destination(), oldOut.spi(), false),
                t.net.now));
        // the inbound SA's soft EXPIRE comes a moment later: no second rekey
        t.net.apply(t.a, t.a.engine.expired(new KernelEvent.Expire(oldIn.destination(), oldIn.spi(), false),
                t.net.now));
        assertTrue(t.net.runUntil(() -> t.pairs(2), Duration.ofMinutes(1)), () -> String.join("\n", t.a.log));
        t.net.runUntil(() -> false, Duration.ofMinutes(2));
        assertEquals(sent + 3, t.a.sent, "QM1, QM3 and the Delete for the old pair: no new Main Mode, no second rekey");
        assertTrue(t.a.logged("soft EXPIRE for ESP SA 127.0.0.2/0x" + oldOut.spiHex() + ": rekeying tunnel net"));
        assertFalse(t.a.kernel.list().contains(oldOut), "the old pair is retired once the new one is up");
        assertTrue(t.pairs(1), "on both sides");
    }

    @Test
    void hardExpireDropsThePairAndTellsThePeer() throws Exception {
        Two t = up(6);
        IpsecSa out = sa(t.a, IpsecSa.Direction.OUT);
        IpsecSa in = sa(t.a, IpsecSa.Direction.IN);
        t.a.kernel.delete(out.destination(), out.spi()); // the kernel removed it before telling us
        List<Action> actions = t.a.engine.expired(new KernelEvent.Expire(out.destination(), out.spi(), true),
                t.net.now);
        assertEquals(List.of(in), actions.stream().filter(x -> x instanceof Action.DeleteSa)
                .map(x -> ((Action.DeleteSa) x).sa()).toList(), "only the SA the kernel still has");
        t.net.apply(t.a, actions);
        assertTrue(t.net.runUntil(() -> t.a.kernel.list().isEmpty() && t.b.kernel.list().isEmpty(),
                Duration.ofMinutes(1)), "the peer deletes its side on our Delete");
        assertTrue(t.a.engine.ipsecSas().isEmpty());
        // expired again (e.g. the inbound SA's own hard EXPIRE): nothing left to do
        assertTrue(t.a.engine.expired(new KernelEvent.Expire(in.destination(), in.spi(), true), t.net.now).stream()
                .noneMatch(x -> x instanceof Action.DeleteSa || x instanceof Action.Send));
        // and the next packet's ACQUIRE brings the tunnel back with Quick Mode alone
        int sent = t.a.sent;
        t.net.apply(t.a, t.a.engine.acquire(acquire(B, NET_A, NET_B), t.net.now));
        assertTrue(t.net.runUntil(() -> t.pairs(1), Duration.ofMinutes(1)));
        assertEquals(sent + 2, t.a.sent);
        assertFalse(t.a.kernel.list().contains(out));
    }
}
