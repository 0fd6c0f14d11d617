package dev.isakmpd.daemon.it;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/** Polls a condition every 50 ms: true once it holds, false when 20 s have passed first. */
final class Poll {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private Poll() {
    }

    static boolean until(BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(TIMEOUT);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }
}
