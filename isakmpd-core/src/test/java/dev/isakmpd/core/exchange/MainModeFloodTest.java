package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.A;
import static dev.isakmpd.core.exchange.EngineScenarioTest.B;
import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.wire.KeyExchangePayload;
import dev.isakmpd.core.wire.NoncePayload;
import dev.isakmpd.core.wire.Payload;
import dev.isakmpd.core.wire.PayloadCodec;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * MM1s that spoof a configured peer's address (RFC 2408 s2.5.3 clogging): the responder keeps at
 * most {@link HalfOpenLimits#perAddress()} half-open exchanges for that address, displacing the
 * oldest, warns once, logs nothing per MM1 at INFO, answers each MM1 with one MM2 and never
 * resends an MM2 on its own timer, so a spoofed MM1 costs us one reply of about its own size.
 */
class MainModeFloodTest {
    static final InetSocketAddress ADDR_A = Addresses.parseEndpoint(A, 500);
    static final InetSocketAddress ADDR_B = Addresses.parseEndpoint(B, 500);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static PeerPolicy side(String name, String local, String remote, boolean auto) {
        return policy(name, local, remote, "k", "aes128-sha256-modp2048", "aes128-sha1", null,
                "10.1.0.0/16", "10.2.0.0/16", auto);
    }

    /** One genuine MM1 from a real initiator engine, to be replayed with fresh initiator cookies. */
    static byte[] realMm1() {
        SimulatedNetwork.Node a = new SimulatedNetwork.Node("a", ADDR_A, List.of(side("b", A, B, true)), 1);
        return sent(a.engine.initiate("b", T0)).get(0).data();
    }

    /** The MM1 with initiator cookie {@code n}, from a's address to b's. */
    static Datagram spoofed(byte[] mm1, int n) {
        byte[] d = mm1.clone();
        d[0] = (byte) (n >>> 24);
        d[1] = (byte) (n >>> 16);
        d[2] = (byte) (n >>> 8);
        d[3] = (byte) n;
        return new Datagram(ADDR_B, ADDR_A, d);
    }

    private static List<Datagram> sent(List<Action> actions) {
        return actions.stream().filter(x -> x instanceof Action.Send).map(x -> ((Action.Send) x).datagram()).toList();
    }

    private static List<String> warnings(List<Action> actions) {
        return actions.stream().filter(x -> x instanceof Action.Log l && l.level() == Action.Level.WARN)
                .map(x -> ((Action.Log) x).message()).toList();
    }

    /** Runs the engine's timers until it has none; returns what they sent. */
    private static List<Action> drain(Engine e) {
        List<Action> later = new ArrayList<>();
        while (e.nextTimeout().isPresent()) {
            later.addAll(e.timeout(e.nextTimeout().get()));
        }
        return later;
    }

    @Test
    void halfOpenExchangesPerAddressAreBoundedAndEachMm1GetsOneMm2() {
        byte[] mm1 = realMm1();
        SimulatedNetwork.Node b = new SimulatedNetwork.Node("b", ADDR_B, List.of(side("a", B, A, false)), 2);
        List<Action> all = new ArrayList<>();
        for (int i = 1; i <= 1000; i++) {
            all.addAll(b.engine.receive(spoofed(mm1, i), T0));
        }
        assertEquals(1000, sent(all).size(), "one MM2 per MM1, none refused");
        assertEquals(HalfOpenLimits.DEFAULT.perAddress(), b.engine.isakmpSas().size());
        List<String> warnings = warnings(all);
        assertEquals(1, warnings.size(), warnings::toString);
        assertTrue(warnings.get(0).contains("half-open Main Mode limit reached (64 per address, 4096 in all): "
                + "forgetting the oldest"), warnings.get(0));
        List<String> infos = all.stream().filter(x -> x instanceof Action.Log l && l.level() == Action.Level.INFO)
                .map(x -> ((Action.Log) x).message()).toList();
        assertEquals(0, infos.size(), () -> "no INFO line per unauthenticated MM1 (a flood would flood the log): "
                + infos.size() + " lines, e.g. " + infos.get(0));

        List<Action> later = drain(b.engine);
        assertEquals(List.of(), sent(later), "no MM2 is resent on a timer");
        assertTrue(b.engine.isakmpSas().isEmpty(), "the half-open exchanges were forgotten");
        assertTrue(b.engine.tableSizes().values().stream().allMatch(v -> v == 0), b.engine.tableSizes()::toString);
    }

    @Test
    void anUnauthenticatedMm1IsWorthOneMm2NoLargerThanItself() {
        byte[] mm1 = realMm1();
        SimulatedNetwork.Node b = new SimulatedNetwork.Node("b", ADDR_B, List.of(side("a", B, A, false)), 3);
        List<Datagram> replies = new ArrayList<>(sent(b.engine.receive(spoofed(mm1, 7), T0)));
        replies.addAll(sent(drain(b.engine)));
        assertEquals(1, replies.size(), "one MM2 and no retransmission of it");
        assertTrue(replies.get(0).length() <= mm1.length, replies.get(0).length() + " bytes for " + mm1.length);

        // a replayed MM1 (or the initiator's retransmission) gets the same MM2 again, a bounded number of times
        SimulatedNetwork.Node c = new SimulatedNetwork.Node("c", ADDR_B, List.of(side("a", B, A, false)), 4);
        List<Datagram> answers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            answers.addAll(sent(c.engine.receive(spoofed(mm1, 7), T0.plusMillis(i))));
        }
        assertEquals(1 + 2 * RetransmitPolicy.DEFAULT.retries(), answers.size());
        assertTrue(answers.stream().allMatch(d -> Arrays.equals(d.data(), answers.get(0).data())), "the same MM2");
    }

    @Test
    void mm2IsNotSentAgainOnceWhatAnsweredItWasRejected() {
        byte[] mm1 = realMm1();
        SimulatedNetwork.Node b = new SimulatedNetwork.Node("b", ADDR_B, List.of(side("a", B, A, false)), 5);
        Datagram mm2 = sent(b.engine.receive(spoofed(mm1, 9), T0)).get(0);
        // a crafted MM3 under the right cookies: its KE has the wrong length for MODP-2048
        Cookies cookies = new Cookies(Arrays.copyOfRange(mm2.data(), 0, 8), Arrays.copyOfRange(mm2.data(), 8, 16));
        List<Payload> payloads = List.of(new KeyExchangePayload(new byte[10]), new NoncePayload(new byte[32]));
        byte[] body = PayloadCodec.encode(payloads);
        byte[] mm3 = Packet.concat(Packet.header(cookies, ExchangeType.IDENTITY_PROTECTION, payloads, false, 0,
                body.length).encode(), body);
        List<Action> rejected = b.engine.receive(new Datagram(ADDR_B, ADDR_A, mm3), T0.plusSeconds(1));
        assertEquals(1, sent(rejected).size(), "the INVALID-KEY-INFORMATION notify, once");
        assertTrue(warnings(rejected).get(0).contains("INVALID-KEY-INFORMATION"), warnings(rejected).toString());
        assertEquals(List.of(), sent(b.engine.receive(spoofed(mm1, 9), T0.plusSeconds(2))), "MM1 again: no MM2");
        assertEquals(List.of(), sent(b.engine.receive(new Datagram(ADDR_B, ADDR_A, mm3), T0.plusSeconds(3))));
        assertEquals(List.of(), sent(drain(b.engine)));
        assertTrue(b.engine.isakmpSas().isEmpty());
    }
}
