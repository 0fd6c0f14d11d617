package dev.isakmpd.core.exchange;

import java.time.Duration;

/**
 * When to resend the last message of an exchange (RFC 2408 s5.1: never a fixed timer; back off
 * exponentially), and when to give up.
 */
public record RetransmitPolicy(Duration initial, Duration max, int retries) {

    public static final RetransmitPolicy DEFAULT = new RetransmitPolicy(Duration.ofSeconds(2), Duration.ofSeconds(30), 5);

    /** From the first send of a message to giving up on its answer. */
    public Duration span() {
        Duration total = Duration.ZERO;
        for (int attempt = 0; attempt <= retries; attempt++) {
            total = total.plus(delay(attempt));
        }
        return total;
    }

    /** The fewest retries (at least {@link #retries}) whose {@link #span} reaches {@code atLeast}. */
    public int retriesFor(Duration atLeast) {
        int n = retries;
        Duration total = span();
        while (total.compareTo(atLeast) < 0) {
            n++;
            total = total.plus(delay(n));
        }
        return n;
    }

    /** Delay before retransmission number {@code attempt} (0 = wait after the first send). */
    public Duration delay(int attempt) {
        long millis = initial.toMillis() << Math.min(attempt, 20);
        return Duration.ofMillis(Math.min(millis, max.toMillis()));
    }
}
