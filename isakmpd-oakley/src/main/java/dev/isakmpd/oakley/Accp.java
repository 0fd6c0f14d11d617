package dev.isakmpd.oakley;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import com.amazon.corretto.crypto.provider.SelfTestStatus;
import java.security.Provider;
import java.util.Optional;

/**
 * Amazon Corretto Crypto Provider (ACCP: a JCA provider on AWS-LC), loaded once per process.
 * It is usable when its native library loads (the jar carries only the linux-x86_64 one) and its
 * self-tests pass. It is never installed as a JCA provider: {@link AccpIkeCrypto} names it in
 * each {@code getInstance}, so the JDK's and Bouncy Castle's own lookups are unchanged.
 */
final class Accp {
    private static final Provider PROVIDER;
    private static final String PROBLEM;

    static {
        Provider p = null;
        String problem;
        try {
            AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
            Throwable error = accp.getLoadingError();
            if (error != null) {
                problem = "its native library did not load (" + error + ")";
            } else {
                SelfTestStatus selfTest = accp.runSelfTests();
                problem = selfTest == SelfTestStatus.PASSED ? null : "its self-test says " + selfTest;
                p = problem == null ? accp : null;
            }
        } catch (LinkageError | RuntimeException e) {
            problem = "it is not on the class path or failed to initialise (" + e + ")";
        }
        PROVIDER = p;
        PROBLEM = problem;
    }

    private Accp() {
    }

    /** Why ACCP cannot be used in this process, or empty when it can. */
    static Optional<String> problem() {
        return Optional.ofNullable(PROBLEM);
    }

    /** @throws IllegalStateException naming the reason when ACCP cannot be used here */
    static Provider provider() {
        if (PROVIDER == null) {
            throw new IllegalStateException("Amazon Corretto Crypto Provider cannot be used here: " + PROBLEM);
        }
        return PROVIDER;
    }

    /** "ACCP 2.5.0 on AWS-LC v1.47.0", for the start-up log. */
    static String version() {
        AmazonCorrettoCryptoProvider accp = (AmazonCorrettoCryptoProvider) provider();
        return "ACCP " + accp.getVersionStr() + " on " + accp.getAwsLcVersionStr();
    }
}
