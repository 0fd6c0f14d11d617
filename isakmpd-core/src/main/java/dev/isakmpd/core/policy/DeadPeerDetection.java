package dev.isakmpd.core.policy;

import java.time.Duration;

/**
 * Dead Peer Detection towards one peer (RFC 3706): after {@code delay} without an authenticated
 * message from the peer, ask R-U-THERE (again every {@code delay}); after {@code timeout} of
 * silence the peer is dead. RFC 3706 s5.5 leaves this "worry metric" to the implementation.
 */
public record DeadPeerDetection(Duration delay, Duration timeout) {

    public DeadPeerDetection {
        if (delay.isNegative() || delay.isZero() || timeout.compareTo(delay) <= 0) {
            throw new IllegalArgumentException("the DPD timeout (" + timeout.toSeconds()
                    + "s) must be longer than the delay (" + delay.toSeconds() + "s), both positive");
        }
    }
}
