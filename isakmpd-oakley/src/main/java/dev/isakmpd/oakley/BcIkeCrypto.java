package dev.isakmpd.oakley;

import java.security.SecureRandom;
import java.util.Objects;

/** {@link IkeCrypto} on Bouncy Castle's lightweight API (the implementations in this package). */
final class BcIkeCrypto implements IkeCrypto {
    private final SecureRandom random;
    private final boolean allowLegacy;

    BcIkeCrypto(SecureRandom random, boolean allowLegacy) {
        this.random = Objects.requireNonNull(random, "random");
        this.allowLegacy = allowLegacy;
    }

    @Override
    public String name() {
        return "bouncycastle";
    }

    @Override
    public SecureRandom random() {
        return random;
    }

    @Override
    public boolean allowsLegacy() {
        return allowLegacy;
    }

    @Override
    public String toString() {
        return "BcIkeCrypto[legacy " + (allowLegacy ? "allowed" : "refused") + "]";
    }
}
