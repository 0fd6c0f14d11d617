package dev.isakmpd.oakley.bench;

import dev.isakmpd.oakley.IkeCrypto;
import dev.isakmpd.oakley.IkeSigner;
import dev.isakmpd.oakley.IkeVerifier;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
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
 * What one side of a signature Main Mode spends on its own signature and on checking the
 * peer's, through the crypto interface the exchanges use, on each implementation. Run by
 * scripts/bench-sig.sh next to {@code openssl speed rsa2048 ecdsap256}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SignatureBench {
    @Param({"rsa2048", "ecdsap256"})
    public String key;

    @Param({"bouncycastle", "accp"})
    public String impl;

    private Keys k;

    /** A fresh key's signer and verifier, a 32-byte HASH and its signature. */
    record Keys(IkeSigner signer, IkeVerifier verifier, byte[] hash, byte[] signature) {
    }

    static Keys keys(IkeCrypto crypto, String key) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(key.startsWith("rsa") ? "RSA" : "EC");
        if (key.startsWith("rsa")) {
            g.initialize(2048);
        } else {
            g.initialize(new ECGenParameterSpec("secp256r1"));
        }
        KeyPair kp = g.generateKeyPair();
        IkeSigner signer = crypto.signer(kp.getPrivate());
        byte[] hash = new byte[32];
        new SecureRandom().nextBytes(hash);
        return new Keys(signer, crypto.verifier(kp.getPublic()), hash, signer.sign(hash));
    }

    @Setup
    public void setUp() throws Exception {
        k = keys(CpuTime.crypto(impl, new SecureRandom()), key);
    }

    @Benchmark
    public byte[] sign() {
        return k.signer().sign(k.hash());
    }

    @Benchmark
    public boolean verify() {
        return k.verifier().verify(k.hash(), k.signature());
    }
}
