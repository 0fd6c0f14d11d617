package dev.isakmpd.oakley.bench;

import dev.isakmpd.oakley.DhGroup;
import dev.isakmpd.oakley.DhKeyPair;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.SecureRandom;

/**
 * The same three measurements as {@link DhBench}, in thread CPU time instead of wall-clock
 * time, best of several rounds. On a shared machine wall-clock numbers mostly measure the
 * neighbours; CPU time is what `openssl speed` reports by default (user time), so this gives
 * the like-for-like ratio. Output: one line per group, "group keygen agree kg+agree" in us.
 */
public final class DhCpuTime {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    private interface Op {
        void run() throws Exception;
    }

    private static double best(Op op, int rounds, long roundNanos) throws Exception {
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

    public static void main(String[] args) throws Exception {
        SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
        random.setSeed(42);
        for (String arg : args) {
            DhGroup g = DhGroup.byId(Integer.parseInt(arg)).orElseThrow();
            byte[] peer = g.generateKeyPair(random).publicValue();
            DhKeyPair own = g.generateKeyPair(random);
            best(() -> g.agree(g.generateKeyPair(random), peer), 3, 300_000_000L);       // warm-up
            double kg = best(() -> g.generateKeyPair(random), 6, 300_000_000L);
            double ag = best(() -> g.agree(own, peer), 6, 300_000_000L);
            double both = best(() -> g.agree(g.generateKeyPair(random), peer), 6, 300_000_000L);
            System.out.printf("%d %.1f %.1f %.1f%n", g.id(), kg, ag, both);
        }
    }
}
