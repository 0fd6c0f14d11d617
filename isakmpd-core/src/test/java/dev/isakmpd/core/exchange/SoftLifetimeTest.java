package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SoftLifetimeTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration HOUR = Duration.ofHours(1);

    private static double fraction(boolean initiator, Random r) {
        return Duration.between(T0, SoftLifetime.of(T0, HOUR, initiator, r)).toMillis() / (double) HOUR.toMillis();
    }

    @Test
    void theNegotiatorRekeysFirstAndBothAreJittered() {
        Random r = new Random(1);
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            double initiator = fraction(true, r);
            double responder = fraction(false, r);
            assertTrue(initiator >= 0.85 && initiator <= 0.90, "initiator at " + initiator);
            assertTrue(responder >= 0.92 && responder <= 0.96, "responder at " + responder);
            seen.add(Math.round(initiator * 1000));
        }
        assertTrue(seen.size() > 40, "spread over the window, not one instant: " + seen.size());
    }
}
