package dev.isakmpd.oakley.bench;

import dev.isakmpd.oakley.DhGroup;
import dev.isakmpd.oakley.DhKeyPair;
import dev.isakmpd.oakley.IkeCrypto;
import java.security.SecureRandom;

/**
 * The same three measurements as {@link DhBench}, in thread CPU time instead of wall-clock
 * time ({@link CpuTime}). Arguments: the implementation, then group numbers. Output: one line
 * per group, "impl group keygen agree kg+agree" in us.
 */
public final class DhCpuTime {
    private DhCpuTime() {
    }

    public static void main(String[] args) throws Exception {
        SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
        random.setSeed(42);
        IkeCrypto crypto = CpuTime.crypto(args[0], random);
        for (int i = 1; i < args.length; i++) {
            DhGroup g = DhGroup.byId(Integer.parseInt(args[i])).orElseThrow();
            byte[] peer = crypto.generateKeyPair(g).publicValue();
            DhKeyPair own = crypto.generateKeyPair(g);
            CpuTime.best(() -> g.agree(crypto.generateKeyPair(g), peer), 3, 300_000_000L);       // warm-up
            double kg = CpuTime.best(() -> crypto.generateKeyPair(g), 6, 300_000_000L);
            double ag = CpuTime.best(() -> g.agree(own, peer), 6, 300_000_000L);
            double both = CpuTime.best(() -> g.agree(crypto.generateKeyPair(g), peer), 6, 300_000_000L);
            System.out.printf("%s %d %.1f %.1f %.1f%n", crypto.name(), g.id(), kg, ag, both);
        }
    }
}
