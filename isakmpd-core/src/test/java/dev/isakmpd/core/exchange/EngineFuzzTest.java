package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.exchange.EngineScenarioTest.Pair;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.core.wire.WireFuzzer;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Mangled datagrams (the wire fuzzer's mutations of real Main Mode, Quick Mode and Informational
 * messages, cookies and all) fed to the engines themselves rather than to the decoder: no
 * exception may escape {@link Engine#receive}, and no SA may be lost to them.
 */
class EngineFuzzTest {
    private static final int MANGLED = 20_000;

    private static Set<Integer> spis(SimulatedNetwork.Node n) {
        return n.kernel.list().stream().map(IpsecSa::spi).collect(Collectors.toSet());
    }

    @Test
    void establishedSasSurviveMangledTraffic() {
        Pair p = EngineScenarioTest.standard(51, SimulatedNetwork.Faults.NONE, "modp2048");
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)));
        // an Informational exchange too, so that the seeds hold one of each kind
        p.net().apply(p.a(), p.a().engine.initiate("b", p.net().now));
        assertTrue(p.net().runUntil(() -> p.a().kernel.list().size() == 4 && p.b().kernel.list().size() == 4,
                Duration.ofMinutes(1)));
        // the superseded pair is retired with a Delete (make-before-break)
        assertTrue(p.net().runUntil(() -> p.a().kernel.list().size() == 2 && p.b().kernel.list().size() == 2,
                Duration.ofMinutes(1)));
        List<Datagram> seeds = List.copyOf(p.net().delivered);
        Set<Integer> spisA = spis(p.a());
        Set<Integer> spisB = spis(p.b());

        Random rnd = new Random(51);
        for (int i = 0; i < MANGLED; i++) {
            Datagram seed = seeds.get(rnd.nextInt(seeds.size()));
            byte[] m = WireFuzzer.mutate(seed.data(), seeds.get(rnd.nextInt(seeds.size())).data(), rnd);
            SimulatedNetwork.Node to = seed.local().equals(p.a().address) ? p.a() : p.b();
            p.net().apply(to, to.engine.receive(new Datagram(seed.local(), seed.remote(), m), p.net().now));
            if (i % 500 == 0) {
                p.net().runUntil(() -> false, Duration.ofSeconds(3)); // answers, retransmissions, timers
            }
        }
        p.net().runUntil(() -> false, Duration.ofMinutes(3));

        assertEquals(spisA, spis(p.a()), "a's IPsec SAs");
        assertEquals(spisB, spis(p.b()), "b's IPsec SAs");
        assertEquals("ESTABLISHED", p.a().engine.isakmpSas().get(0).state());
        assertEquals(1, p.b().engine.isakmpSas().stream().filter(s -> s.state().equals("ESTABLISHED")).count());
        // and the ISAKMP SA still works: IV chains and keys were not disturbed
        int installedA = p.a().installs;
        int installedB = p.b().installs;
        p.net().apply(p.a(), p.a().engine.initiate("b", p.net().now));
        assertTrue(p.net().runUntil(() -> p.a().installs == installedA + 2 && p.b().installs == installedB + 2,
                Duration.ofMinutes(1)), () -> String.join("\n", p.a().log));
    }

    /**
     * Half of all datagrams followed by a mangled copy, which often arrives first, while the
     * handshake runs. Each negotiation ends established (keys mirrored) or failed with a reason
     * logged. Most must come up: a Main Mode message that does not decode, decrypt or verify is
     * dropped and its genuine twin still accepted, and an unauthenticated notify does not end the
     * exchange. (Not all can: MM1-MM4 carry no integrity check, so a damaged SA, KE or nonce that
     * still parses is indistinguishable from the real one, and the exchange then fails at HASH_I.)
     * When the first damaged message ended the exchange, 1 of the first 12 came up.
     */
    @Test
    void mostHandshakesSurviveMangledCopies() {
        int up = 0;
        for (long seed = 61; seed <= 84; seed++) {
            Pair p = EngineScenarioTest.standard(seed, new SimulatedNetwork.Faults(0, 0, Duration.ofMillis(50), 0.5),
                    "modp2048");
            boolean bothUp = p.net().runUntil(p::bothUp, Duration.ofMinutes(5));
            p.net().runUntil(() -> false, Duration.ofMinutes(3));
            if (bothUp) {
                EngineScenarioTest.assertMirrored(p, true);
                up++;
            } else {
                assertTrue(p.a().logged("giving up") || p.b().logged("giving up"),
                        () -> "failed without saying why:\n" + String.join("\n", p.a().log));
            }
        }
        assertTrue(up >= 12, up + " of 24 handshakes came up");
    }
}
