package dev.isakmpd.oakley.bench;

import dev.isakmpd.oakley.DhGroup;
import dev.isakmpd.oakley.DhKeyPair;
import dev.isakmpd.oakley.IkeCrypto;
import dev.isakmpd.oakley.InvalidKeyInformationException;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What one side of an exchange spends on Diffie-Hellman: a fresh key pair plus the agreement
 * with the peer's (validated) value, through the crypto interface. Run by scripts/bench-dh.sh
 * next to `openssl speed`.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DhBench {
    @Param({"2", "14", "15", "19", "20", "31", "32"})
    public int group;

    /** bench-dh.sh runs "accp" only for the groups it covers (19-21); the others are Bouncy Castle's in both. */
    @Param({"bouncycastle"})
    public String impl;

    private IkeCrypto crypto;
    private DhGroup g;
    private byte[] peer;
    private DhKeyPair own;

    @Setup
    public void setUp() throws Exception {
        SecureRandom random = SecureRandom.getInstance("SHA1PRNG");       // deterministic cost, no entropy waits
        random.setSeed(42);
        crypto = CpuTime.crypto(impl, random);
        g = DhGroup.byId(group).orElseThrow();
        peer = crypto.generateKeyPair(g).publicValue();
        own = crypto.generateKeyPair(g);
    }

    @Benchmark
    public byte[] keygenAndAgree() throws InvalidKeyInformationException {
        DhKeyPair kp = crypto.generateKeyPair(g);
        return g.agree(kp, peer).bytes();
    }

    @Benchmark
    public byte[] keygen() {
        return crypto.generateKeyPair(g).publicValue();
    }

    @Benchmark
    public byte[] agree() throws InvalidKeyInformationException {
        return g.agree(own, peer).bytes();
    }
}
