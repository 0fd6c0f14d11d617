package dev.isakmpd.oakley.bench;

import dev.isakmpd.oakley.IkeCrypto;
import dev.isakmpd.oakley.IkeSigner;
import dev.isakmpd.oakley.IkeVerifier;
import java.security.SecureRandom;

/**
 * {@link SignatureBench} in thread CPU time ({@link CpuTime}). Arguments: implementations.
 * Output: one line per implementation and key, "impl key sign verify" in us.
 */
public final class SignatureCpuTime {
    private SignatureCpuTime() {
    }

    public static void main(String[] args) throws Exception {
        for (String impl : args) {
            IkeCrypto crypto = CpuTime.crypto(impl, new SecureRandom());
            for (String key : new String[] {"rsa2048", "ecdsap256"}) {
                SignatureBench.Keys k = SignatureBench.keys(crypto, key);
                CpuTime.best(() -> k.signer().sign(k.hash()), 3, 300_000_000L);           // warm-up
                double sign = CpuTime.best(() -> k.signer().sign(k.hash()), 6, 300_000_000L);
                double verify = CpuTime.best(() -> k.verifier().verify(k.hash(), k.signature()), 6, 300_000_000L);
                System.out.printf("%s %s %.1f %.1f%n", impl, key, sign, verify);
            }
        }
    }
}
