package dev.isakmpd.core.kernel;

import java.time.Duration;

/**
 * When a kernel SA's soft lifetime ends, for every back-end: at 90 % of the hard lifetime the
 * kernel's soft EXPIRE starts the rekey, leaving the new pair time to come up before the old one
 * goes. At least 1 s, and before the hard lifetime whenever that is over 1 s.
 */
public final class SoftLifetime {
    public static final double SHARE = 0.9;

    private SoftLifetime() {
    }

    public static long seconds(long hardSeconds) {
        long h = Math.max(1, hardSeconds);
        return Math.max(1, Math.min(h - 1, Math.round(h * SHARE)));
    }

    /** The soft byte limit for a hard one: 90 %, so the rekey has the last tenth of the traffic to finish in. */
    public static long bytes(long hardBytes) {
        return Math.max(1, Math.round(hardBytes * SHARE));
    }

    public static Duration of(Duration hard) {
        return Duration.ofSeconds(seconds(hard.toSeconds()));
    }
}
