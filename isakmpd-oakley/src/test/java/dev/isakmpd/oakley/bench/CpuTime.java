package dev.isakmpd.oakley.bench;

import dev.isakmpd.oakley.IkeCrypto;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.SecureRandom;

/**
 * Thread CPU time per operation, best of several rounds: on a shared machine wall-clock numbers
 * mostly measure the neighbours; CPU time is what `openssl speed` reports by default (user
 * time), so this gives the like-for-like ratio.
 */
final class CpuTime {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    interface Op {
        void run() throws Exception;
    }

    private CpuTime() {
    }

    /** Microseconds of CPU per run of {@code op}: the best of {@code rounds} rounds of {@code roundNanos} CPU each. */
    static double best(Op op, int rounds, long roundNanos) throws Exception {
        double best = Double.MAX_VALUE;
        for (int w = 0; w < rounds; w++) {
            long t = MX.getCurrentThreadCpuTime();
            int n = 0;
            long used;
            do {
                op.run();
                n++;
                used = MX.getCurrentThreadCpuTime() - t;
            } while (used < roundNanos);
            best = Math.min(best, used / 1e3 / n);
        }
        return best;
    }

    /** The implementation a benchmark names: "bouncycastle" or "accp". */
    static IkeCrypto crypto(String impl, SecureRandom random) {
        return switch (impl) {
            case "bouncycastle" -> IkeCrypto.bouncyCastle(random, false);
            case "accp" -> IkeCrypto.accp(random, false);
            default -> throw new IllegalArgumentException("unknown implementation " + impl);
        };
    }
}
