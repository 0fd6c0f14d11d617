package dev.isakmpd.core.kernel;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;

/**
 * When to start replacing an SA before its lifetime ends: one rule for the engine's own deadline
 * and for the soft limits (seconds and bytes) every kernel back-end installs, so that the kernel's
 * soft EXPIRE and the engine's timer agree. Both sides of an SA rekey (as strongSwan does: each
 * side's soft expiry starts a rekey), but at different, randomised shares of the lifetime: the side
 * that negotiated the SA first, somewhere in 85-90 %, the other only as a fallback at 92-96 %, so
 * that the two rarely start duplicate exchanges, and SAs negotiated together (or carrying the same
 * traffic, for a byte lifetime) do not all rekey at the same instant.
 */
public final class SoftLifetime {
    /** The share for an SA installed without a negotiation behind it (tools, tests): the negotiator's at most. */
    public static final double SHARE = 0.9;

    private SoftLifetime() {
    }

    /** A random share of the lifetime: 0.85-0.90 for the side that negotiated the SA, 0.92-0.96 for the other. */
    public static double share(boolean initiator, Random random) {
        return initiator ? 0.85 + 0.05 * random.nextDouble() : 0.92 + 0.04 * random.nextDouble();
    }

    /** The engine's soft deadline of an SA installed at {@code start}. */
    public static Instant of(Instant start, Duration lifetime, double share) {
        return start.plusMillis((long) (lifetime.toMillis() * share));
    }

    public static Instant of(Instant start, Duration lifetime, boolean initiator, Random random) {
        return of(start, lifetime, share(initiator, random));
    }

    /** The kernel's soft limit in seconds: at least 1 s, and before the hard one whenever that is over 1 s. */
    public static long seconds(long hardSeconds, double share) {
        long h = Math.max(1, hardSeconds);
        return Math.max(1, Math.min(h - 1, (long) Math.floor(h * share)));
    }

    /** The kernel's soft byte limit for a hard one: the rekey has the rest of the traffic to finish in. */
    public static long bytes(long hardBytes, double share) {
        return Math.max(1, Math.min(hardBytes - 1, (long) Math.floor(hardBytes * share)));
    }
}
