package dev.isakmpd.core.exchange;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;

/**
 * When to start replacing an SA before its lifetime ends. Both sides of an SA do (as strongSwan
 * does: each side's soft expiry starts a rekey), but at different, randomised fractions: the side
 * that negotiated the SA rekeys first, somewhere in 85-90% of the lifetime, and the other side
 * only as a fallback at 92-96%, so that the two rarely start duplicate exchanges and many SAs
 * negotiated at once do not all rekey at the same instant.
 */
final class SoftLifetime {
    private SoftLifetime() {
    }

    static Instant of(Instant start, Duration lifetime, boolean initiator, Random random) {
        double fraction = initiator ? 0.85 + 0.05 * random.nextDouble() : 0.92 + 0.04 * random.nextDouble();
        return start.plusMillis((long) (lifetime.toMillis() * fraction));
    }
}
