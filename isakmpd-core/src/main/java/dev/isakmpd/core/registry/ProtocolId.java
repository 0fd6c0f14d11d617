package dev.isakmpd.core.registry;

/** IPsec DOI security protocol identifier (RFC 2407 s4.4.1), used in Proposal, Notification and Delete payloads. */
public record ProtocolId(int value) {
    private static final Registry<ProtocolId> REGISTRY = new Registry<>(ProtocolId::new);

    public static final ProtocolId ISAKMP = REGISTRY.define(1, "PROTO_ISAKMP");
    public static final ProtocolId IPSEC_AH = REGISTRY.define(2, "PROTO_IPSEC_AH");
    public static final ProtocolId IPSEC_ESP = REGISTRY.define(3, "PROTO_IPSEC_ESP");
    public static final ProtocolId IPCOMP = REGISTRY.define(4, "PROTO_IPCOMP");

    public ProtocolId {
        if (value < 0 || value > 0xFF) {
            throw new IllegalArgumentException("protocol id out of range 0..255: " + value);
        }
    }

    public static ProtocolId of(int value) {
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
