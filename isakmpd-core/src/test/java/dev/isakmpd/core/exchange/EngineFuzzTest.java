package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.exchange.EngineScenarioTest.Pair;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Mangled datagrams (the wire fuzzer's mutations of real Main Mode, Quick Mode and Informational
 * messages, cookies and all) fed to the engines themselves rather than to the decoder: no
 * exception may escape {@link Engine#receive}, no table may grow past its bound, and established
 * SAs keep working.
 */
class EngineFuzzTest {
    /**
     * A short run of {@link EngineFuzzer} (scripts/fuzz-engine.sh runs 10^7 inputs): mutants of
     * every message kind, after and before encryption, into live engines, with the tables bounded
     * and a Quick Mode completing after every 10^4.
     */
    @Test
    void mutantsOfEveryExchangeLeaveTheEnginesBoundedAndWorking() {
        EngineFuzzer.Report r = new EngineFuzzer(51).run(30_000, 10_000);
        assertEquals(3, r.checks());
        assertTrue(r.beforeEncryption() > 5_000, "before encryption: " + r.beforeEncryption());
        assertTrue(r.authentic() > 1_000, "authentic mutants: " + r.authentic());
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
