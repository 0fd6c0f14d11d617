package dev.isakmpd.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    @Test
    void theNegotiatorRekeysFirstAndBothAreJittered() {
        Random r = new Random(1);
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            double initiator = Duration.between(T0, SoftLifetime.of(T0, HOUR, true, r)).toMillis()
                    / (double) HOUR.toMillis();
            double responder = SoftLifetime.share(false, r);
            assertTrue(initiator >= 0.85 && initiator <= 0.90, "initiator at " + initiator);
            assertTrue(responder >= 0.92 && responder <= 0.96, "responder at " + responder);
            seen.add(Math.round(initiator * 1000));
        }
        assertTrue(seen.size() > 40, "spread over the window, not one instant: " + seen.size());
    }

    @Test
    void kernelSecondsAreTheShareButAlwaysBeforeTheHardOneAndAtLeastASecond() {
        assertEquals(3240, SoftLifetime.seconds(3600, SoftLifetime.SHARE));
        assertEquals(27, SoftLifetime.seconds(30, SoftLifetime.SHARE));
        assertEquals(3096, SoftLifetime.seconds(3600, 0.86));
        assertEquals(2, SoftLifetime.seconds(3, 0.99), "2.97 s would round to the hard one");
        assertEquals(1, SoftLifetime.seconds(2, 0.9));
        assertEquals(1, SoftLifetime.seconds(1, 0.9));
        assertEquals(1, SoftLifetime.seconds(0, 0.9));
    }

    /** The byte limit is jittered like the time one: two pairs carrying the same stream do not rekey together. */
    @Test
    void kernelBytesFollowTheSameJitteredShare() {
        assertEquals(92160, SoftLifetime.bytes(102400, SoftLifetime.SHARE));
        Random r = new Random(7);
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            long soft = SoftLifetime.bytes(102400, SoftLifetime.share(true, r));
            assertTrue(soft >= 87040 && soft <= 92160, "soft byte limit " + soft);
            seen.add(soft);
        }
        assertTrue(seen.size() > 100, "spread over the window: " + seen.size());
        assertEquals(99, SoftLifetime.bytes(100, 0.999), "below the hard limit");
    }
}
