package dev.isakmpd.core.exchange;

import dev.isakmpd.core.ha.HaRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;

/**
 * What HA takeover (issue 15 s5) shares between the ISAKMP SAs and the IPsec SA pairs it brings
 * back to life: deadlines re-armed with jitter, and the outbound sequence numbers.
 */
final class Takeover {
    /**
     * Deadlines the dead active had already passed (a rekey it started, a probe it was about to
     * send) fall due at a random point of this spread, not all at once (issue 15:
     * takeover-rekey-spread, 60 s).
     */
    static final Duration SPREAD = Duration.ofSeconds(60);
    /** The highest sequence number an SA without ESN may send (RFC 4303 s3.3.3: it must not cycle). */
    static final long LAST_SEQUENCE = 0xFFFF_FFFFL;

    private Takeover() {
    }

    /** A random instant in (now, now + span]. */
    static Instant jittered(Instant now, Duration span, Random random) {
        return now.plusMillis(1 + (long) (random.nextDouble() * Math.max(0, span.toMillis() - 1)));
    }

    /** The replicated deadline, or a jittered one within {@link #SPREAD} when it has passed or is unknown (0). */
    static Instant rearmed(long epochMillis, Instant now, Random random) {
        Instant at = Instant.ofEpochMilli(epochMillis);
        return epochMillis != 0 && at.isAfter(now) ? at : jittered(now, SPREAD, random);
    }

    static Cookies cookies(HaRecord.CookiePair c) {
        return new Cookies(c.initiator(), c.responder());
    }

    /** A live pair from its record; the keys move from the record to the pair (ChildSas wipes them). */
    static ChildSas.Pair pair(HaRecord.IpsecPair r, Instant rekeyAt) {
        return new ChildSas.Pair(r.peerKey(), r.inbound(), r.outbound(), Instant.ofEpochMilli(r.expiresAt()), rekeyAt,
                r.initiator(), r.identity(), cookies(r.owner()));
    }

    /**
     * The outbound SA's new kernel counter (XFRM oseq: the last sequence number sent): the last one
     * the dead active reported, plus {@code margin} for what it sent after its last report (docs/ha.md:
     * max(2 threshold, peak-pps (interval + lag))). Capped at {@link #LAST_SEQUENCE}.
     */
    static long outboundSequence(HaRecord.Counters last, long margin) {
        long reported = last == null ? 0 : last.replay().outbound();
        return Math.min(LAST_SEQUENCE, reported + margin);
    }

    /** A pending pair of the dead active (QM2 sent, QM3 not seen), inbound SA installed, outbound not yet. */
    record Pending(ChildSas.Pair pair, long outboundSequence) {
    }
}
