package dev.isakmpd.core.registry;

/**
 * ISAKMP exchange type (RFC 2408 s3.1 and s4; RFC 2409 Appendix A for Quick Mode / New Group Mode;
 * draft-dukes-ike-mode-cfg for Transaction). Open enum over 0..255: 6..31 ISAKMP future use,
 * 32..239 DOI specific, 240..255 private use.
 */
public record ExchangeType(int value) {
    private static final Registry<ExchangeType> REGISTRY = new Registry<>(ExchangeType::new);

    public static final ExchangeType NONE = REGISTRY.define(0, "NONE");
    public static final ExchangeType BASE = REGISTRY.define(1, "BASE");
    /** Identity Protection, i.e. IKE Main Mode. */
    public static final ExchangeType IDENTITY_PROTECTION = REGISTRY.define(2, "IDENTITY_PROTECTION");
    public static final ExchangeType AUTHENTICATION_ONLY = REGISTRY.define(3, "AUTHENTICATION_ONLY");
    /** IKE Aggressive Mode. */
    public static final ExchangeType AGGRESSIVE = REGISTRY.define(4, "AGGRESSIVE");
    public static final ExchangeType INFORMATIONAL = REGISTRY.define(5, "INFORMATIONAL");
    /** Mode-config / XAUTH transaction exchange. */
    public static final ExchangeType TRANSACTION = REGISTRY.define(6, "TRANSACTION");
    public static final ExchangeType QUICK_MODE = REGISTRY.define(32, "QUICK_MODE");
    public static final ExchangeType NEW_GROUP_MODE = REGISTRY.define(33, "NEW_GROUP_MODE");

    public ExchangeType {
        if (value < 0 || value > 0xFF) {
            throw new IllegalArgumentException("exchange type out of range 0..255: " + value);
        }
    }

    public static ExchangeType of(int value) {
        return REGISTRY.of(value);
    }

    public boolean isKnown() {
        return REGISTRY.isKnown(value);
    }

    @Override
    public String toString() {
        return REGISTRY.describe(value);
    }
}
