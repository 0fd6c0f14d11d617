package dev.isakmpd.core.exchange;

import dev.isakmpd.core.ha.HaRecord;
import dev.isakmpd.core.sa.IpsecSa;
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
     * takeover-rekey-spread, 60 s; the pairs' spread is {@link Rekey#spread}).
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

    /**
     * How a new active retires the key material the dead node used (issue 15 s5): the dead node
     * may have sent beyond the last replicated sequence number, so the pairs whose IV is the
     * counter are rekeyed by Quick Mode (make-before-break; Main Mode never runs).
     *
     * @param spread each AES-GCM and AES-CTR pair is rekeyed at a random point within it, so that
     *     thousands of pairs do not all rekey at once (takeover-rekey-spread)
     * @param all every pair is rekeyed at once: the kernel back-end cannot carry the counters
     *     (PF_KEY), so each outbound SA starts again at 0 under its old key
     */
    record Rekey(Duration spread, boolean all) {
        static final Rekey DEFAULT = new Rekey(SPREAD, false);

        Rekey {
            if (spread.isNegative() || spread.isZero()) {
                throw new IllegalArgumentException("takeover rekey spread must be positive, not " + spread);
            }
        }

        /**
         * When the taken-over pair is rekeyed: within the spread if its IV is the counter or its
         * replicated deadline has passed (or is unknown, 0), else at that deadline.
         */
        Instant at(HaRecord.IpsecPair r, Instant now, Random random) {
            if (all) {
                return now;
            }
            Instant replicated = Instant.ofEpochMilli(r.rekeyAt());
            boolean keeps = r.rekeyAt() != 0 && replicated.isAfter(now) && !ivFromCounter(r.outbound());
            return keeps ? replicated : jittered(now, spread, random);
        }
    }

    /**
     * Whether the SA's IV is its sequence number (Linux's seqiv, esp4.c): AES-CTR and AES-GCM, whose
     * IV must never repeat under one key (RFC 3686 s3.1, RFC 4106 s3.1). CBC's IV is random.
     */
    static boolean ivFromCounter(IpsecSa sa) {
        return switch (sa.cipher()) {
            case AES_CTR, AES_GCM_8, AES_GCM_12, AES_GCM_16 -> true;
            case DES3_CBC, AES_CBC, NULL -> false;
        };
    }

    /** A pending pair of the dead active (QM2 sent, QM3 not seen), inbound SA installed, outbound not yet. */
    record Pending(ChildSas.Pair pair, long outboundSequence) {
    }
}
