package dev.isakmpd.oakley;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The two {@link IkeCrypto} implementations, for known-answer tests that run on both
 * ({@code @MethodSource("dev.isakmpd.oakley.Implementations#names")}). Where ACCP's native
 * library does not exist (the jar carries only linux-x86_64) its variants are skipped, with the
 * reason; on linux-x86_64 an ACCP that does not load fails them.
 */
final class Implementations {
    static final String BC = "bouncycastle";
    static final String ACCP = "accp";

    private Implementations() {
    }

    static Stream<String> names() {
        return Stream.of(BC, ACCP);
    }

    static IkeCrypto crypto(String name) {
        return crypto(name, new SecureRandom(), true);
    }

    static IkeCrypto crypto(String name, SecureRandom random, boolean allowLegacy) {
        if (name.equals(ACCP)) {
            requireAccp();
            return IkeCrypto.accp(random, allowLegacy);
        }
        return IkeCrypto.bouncyCastle(random, allowLegacy);
    }

    /** A key pair from a fixed private value, held where {@code crypto} would hold a fresh one. */
    static DhKeyPair pairFromPrivate(IkeCrypto crypto, DhGroup g, byte[] privateValue) {
        if (crypto.name().equals(ACCP) && AccpEcdh.covers(g)) {
            return AccpEcdh.fromPrivate((EcpGroup) g, privateValue);
        }
        return g.keyPairFromPrivate(privateValue);
    }

    static void requireAccp() {
        Optional<String> problem = IkeCrypto.accpProblem();
        if (problem.isEmpty()) {
            return;
        }
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        if (os.equals("linux") && (arch.equals("amd64") || arch.equals("x86_64"))) {
            fail("ACCP ships a linux-x86_64 native library, so it must load here: " + problem.get());
        }
        assumeTrue(false, "ACCP variant skipped on " + os + "/" + arch + ": " + problem.get());
    }
}
