package dev.isakmpd.core.exchange;

import dev.isakmpd.core.policy.DeadPeerDetection;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * RFC 3706 for one established ISAKMP SA. Proof of life is any authenticated message from the
 * peer (s5.4: traffic makes probes unnecessary); after {@code delay} of silence each
 * {@link #probe} is an R-U-THERE with the next sequence number (s6.2: the first random with the
 * high bit clear, then +1), and only an ACK with a sequence number we sent counts (s6.1).
 */
final class DeadPeerDetector {
    private final DeadPeerDetection config;
    private Instant lastHeard;
    private Instant nextProbe;
    private int nextSequence;
    private final Set<Integer> unanswered = new HashSet<>();

    DeadPeerDetector(DeadPeerDetection config, int firstSequence, Instant now) {
        this.config = config;
        this.nextSequence = firstSequence & 0x7FFFFFFF;
        heard(now);
    }

    /** An authenticated message from the peer arrived. */
    void heard(Instant now) {
        lastHeard = now;
        nextProbe = now.plus(config.delay());
        unanswered.clear();
    }

    /** True (and counts as life) if {@code sequence} answers one of our probes. */
    boolean acknowledged(int sequence, Instant now) {
        if (!unanswered.contains(sequence)) {
            return false;
        }
        heard(now);
        return true;
    }

    Instant deadline() {
        Instant dead = lastHeard.plus(config.timeout());
        return nextProbe.isBefore(dead) ? nextProbe : dead;
    }

    boolean dead(Instant now) {
        return !now.isBefore(lastHeard.plus(config.timeout()));
    }

    boolean probeDue(Instant now) {
        return !now.isBefore(nextProbe);
    }

    /** The sequence number of a new R-U-THERE, sent now. */
    int probe(Instant now) {
        int sequence = nextSequence++;
        unanswered.add(sequence);
        nextProbe = now.plus(config.delay());
        return sequence;
    }

    /** Moves the next probe to {@code at} (a taken-over SA spreads its first probes, see {@link Takeover}). */
    void probeAt(Instant at) {
        nextProbe = at;
    }

    /** The sequence number the next R-U-THERE will carry. */
    int nextSequence() {
        return nextSequence;
    }

    long silentSeconds(Instant now) {
        return Duration.between(lastHeard, now).toSeconds();
    }
}
