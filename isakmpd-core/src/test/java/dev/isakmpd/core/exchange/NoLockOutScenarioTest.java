package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue 10's lock-out: MM1s that spoof a configured peer's address, arriving steadily while that
 * peer negotiates. With a refusing half-open limit, 16 of them every 90 s kept the peer out; now
 * each new MM1 displaces the oldest half-open exchange of that address, and the peer comes up.
 */
class NoLockOutScenarioTest {
    @Test
    void thePeerComesUpThroughASpoofedFloodFromItsAddress() {
        // the same proposal as the spoofed MM1s, so that b accepts those too
        EngineScenarioTest.Pair p = EngineScenarioTest.pair(101, new SimulatedNetwork.Faults(0, 0,
                Duration.ofMillis(100)), "k", "k", "aes128-sha256-modp2048", "aes128-sha256-modp2048", null, null);
        byte[] mm1 = MainModeFloodTest.realMm1();
        // a burst that fills the table before a's own MM1 arrives, then 100 a second for two minutes
        for (int i = 0; i < 200; i++) {
            p.net().inject(MainModeFloodTest.spoofed(mm1, 1_000_000 + i), p.net().now);
        }
        for (int i = 0; i < 12_000; i++) {
            p.net().inject(MainModeFloodTest.spoofed(mm1, 2_000_000 + i), p.net().now.plusMillis(10L * i));
        }
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(2)), () -> String.join("\n", p.b().log));
        assertTrue(p.b().logged("half-open Main Mode limit reached"), "the flood did fill the table");
        assertTrue(p.b().engine.isakmpSas().size() <= HalfOpenLimits.DEFAULT.perAddress() + 1);
    }
}
