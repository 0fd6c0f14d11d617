package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.A;
import static dev.isakmpd.core.exchange.EngineScenarioTest.B;
import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.PeerPolicy;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A flood of MM1s that spoof a configured peer's address (RFC 2408 s2.5.3 clogging): the responder
 * keeps at most {@link Engine#MAX_HALF_OPEN_PER_PEER} half-open exchanges for that peer, so
 * neither its memory nor the retransmitted MM2s it sends to the victim address grow with the
 * flood, it warns once, and it answers again once the half-open ones time out.
 */
class MainModeFloodTest {
    private static final InetSocketAddress ADDR_A = Addresses.parseEndpoint(A, 500);
    private static final InetSocketAddress ADDR_B = Addresses.parseEndpoint(B, 500);

    private static PeerPolicy side(String name, String local, String remote, boolean auto) {
        return policy(name, local, remote, "k", "aes128-sha256-modp2048", "aes128-sha1", null,
                "10.1.0.0/16", "10.2.0.0/16", auto);
    }

    /** One genuine MM1 from a real initiator engine, to be replayed with fresh initiator cookies. */
    private static byte[] realMm1() {
        SimulatedNetwork net = new SimulatedNetwork(1, SimulatedNetwork.Faults.NONE);
        SimulatedNetwork.Node a = new SimulatedNetwork.Node("a", ADDR_A, List.of(side("b", A, B, true)), 1);
        return a.engine.initiate("b", net.now).stream().filter(x -> x instanceof Action.Send)
                .map(x -> ((Action.Send) x).datagram().data()).findFirst().orElseThrow();
    }

    private static Datagram spoofed(byte[] mm1, int n) {
        byte[] d = mm1.clone();
        d[0] = (byte) (n >>> 24);
        d[1] = (byte) (n >>> 16);
        d[2] = (byte) (n >>> 8);
        d[3] = (byte) n;
        return new Datagram(ADDR_B, ADDR_A, d);
    }

    private static long count(List<Action> actions, Class<? extends Action> type) {
        return actions.stream().filter(type::isInstance).count();
    }

    @Test
    void halfOpenExchangesPerPeerAreBounded() {
        byte[] mm1 = realMm1();
        SimulatedNetwork.Node b = new SimulatedNetwork.Node("b", ADDR_B, List.of(side("a", B, A, false)), 2);
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        List<Action> all = new ArrayList<>();
        for (int i = 1; i <= 1000; i++) {
            all.addAll(b.engine.receive(spoofed(mm1, i), now));
        }
        assertEquals(Engine.MAX_HALF_OPEN_PER_PEER, count(all, Action.Send.class), "one MM2 per admitted MM1");
        assertEquals(Engine.MAX_HALF_OPEN_PER_PEER, b.engine.isakmpSas().size());
        List<String> warnings = all.stream().filter(x -> x instanceof Action.Log l && l.level() == Action.Log.Level.WARN)
                .map(x -> ((Action.Log) x).message()).toList();
        assertEquals(1, warnings.size(), warnings::toString);
        assertTrue(warnings.get(0).contains("peer a has 16 half-open Main Mode exchanges"), warnings.get(0));

        // retransmissions: only the admitted exchanges' MM2s, then they give up
        List<Action> later = new ArrayList<>();
        Instant t = now;
        while (b.engine.nextTimeout().isPresent()) {
            t = b.engine.nextTimeout().get();
            later.addAll(b.engine.timeout(t));
        }
        assertTrue(Duration.between(now, t).toSeconds() < 300, "half-open exchanges time out");
        assertTrue(b.engine.isakmpSas().isEmpty());
        long resent = count(later, Action.Send.class);
        assertTrue(resent > 0 && resent <= 8L * Engine.MAX_HALF_OPEN_PER_PEER, "retransmitted MM2s: " + resent);

        // with the clog gone a (possibly genuine) MM1 is answered again
        assertEquals(1, count(b.engine.receive(spoofed(mm1, 5000), t), Action.Send.class));
    }
}
