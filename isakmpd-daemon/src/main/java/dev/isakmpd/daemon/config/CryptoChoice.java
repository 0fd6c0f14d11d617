package dev.isakmpd.daemon.config;

import dev.isakmpd.oakley.IkeCrypto;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * daemon.crypto, resolved: which {@link IkeCrypto} the daemon computes with, and why. Whether
 * ACCP can be used is a property of the process (its native library loaded and its self-test
 * passed), so it is decided once, when the file is read: {@code check} reports what {@code run}
 * will use.
 *
 * @param configured the key's value ("auto" when absent)
 * @param accp whether Amazon Corretto Crypto Provider (AWS-LC) was chosen
 * @param why the reason, for the start-up log and {@code check}
 */
public record CryptoChoice(Mode configured, boolean accp, String why) {
    /** The values of daemon.crypto. */
    public enum Mode {
        /** ACCP where it loads and passes its self-test, Bouncy Castle otherwise; the default. */
        AUTO("auto"),
        BOUNCYCASTLE("bouncycastle"),
        /** ACCP or refuse to start. */
        ACCP("accp");

        private final String configName;

        Mode(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        static Optional<Mode> byConfigName(String name) {
            for (Mode m : values()) {
                if (m.configName.equals(name)) {
                    return Optional.of(m);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * @param accpProblem why ACCP cannot be used here ({@link IkeCrypto#accpProblem}), empty when it can
     * @throws IllegalArgumentException for {@code accp} when it cannot be used, saying why
     */
    static CryptoChoice resolve(Mode mode, Optional<String> accpProblem) {
        return switch (mode) {
            case BOUNCYCASTLE -> new CryptoChoice(mode, false, "configured");
            case ACCP -> {
                if (accpProblem.isPresent()) {
                    throw new IllegalArgumentException("Amazon Corretto Crypto Provider cannot be used here: "
                            + accpProblem.get() + " (crypto = \"auto\" falls back to Bouncy Castle)");
                }
                yield new CryptoChoice(mode, true, "configured, " + IkeCrypto.accpVersion());
            }
            case AUTO -> accpProblem.map(p -> new CryptoChoice(mode, false, "auto: ACCP unavailable: " + p))
                    .orElseGet(() -> new CryptoChoice(mode, true, "auto: " + IkeCrypto.accpVersion()
                            + " loaded and passed its self-test"));
        };
    }

    /** "accp" or "bouncycastle". */
    public String name() {
        return accp ? "accp" : "bouncycastle";
    }

    public IkeCrypto create(SecureRandom random, boolean allowLegacy) {
        return accp ? IkeCrypto.accp(random, allowLegacy) : IkeCrypto.bouncyCastle(random, allowLegacy);
    }

    /** "accp (auto: ACCP 2.5.0 on AWS-LC v1.47.0 loaded and passed its self-test)". */
    public String describe() {
        return name() + " (" + why + ")";
    }
}
