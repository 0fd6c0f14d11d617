package dev.isakmpd.core.registry;

/** IPsec DOI identification type (RFC 2407 s4.6.2.1). */
public record IdType(int value) {
    private static final Registry<IdType> REGISTRY = new Registry<>(IdType::new);

    public static final IdType IPV4_ADDR = REGISTRY.define(1, "ID_IPV4_ADDR");
    public static final IdType FQDN = REGISTRY.define(2, "ID_FQDN");
    public static final IdType USER_FQDN = REGISTRY.define(3, "ID_USER_FQDN");
    public static final IdType IPV4_ADDR_SUBNET = REGISTRY.define(4, "ID_IPV4_ADDR_SUBNET");
    public static final IdType IPV6_ADDR = REGISTRY.define(5, "ID_IPV6_ADDR");
    public static final IdType IPV6_ADDR_SUBNET = REGISTRY.define(6, "ID_IPV6_ADDR_SUBNET");
    public static final IdType IPV4_ADDR_RANGE = REGISTRY.define(7, "ID_IPV4_ADDR_RANGE");
    public static final IdType IPV6_ADDR_RANGE = REGISTRY.define(8, "ID_IPV6_ADDR_RANGE");
    public static final IdType DER_ASN1_DN = REGISTRY.define(9, "ID_DER_ASN1_DN");
    public static final IdType DER_ASN1_GN = REGISTRY.define(10, "ID_DER_ASN1_GN");
    public static final IdType KEY_ID = REGISTRY.define(11, "ID_KEY_ID");

    public IdType {
        if (value < 0 || value > 0xFF) {
            throw new IllegalArgumentException("ID type out of range 0..255: " + value);
        }
    }

    public static IdType of(int value) {
        return REGISTRY.of(value);
    }

    public boolean isKnown() {
        return REGISTRY.isKnown(value);
    }

    /**
     * Exact length of the identification data for the fixed-size address types (RFC 2407 s4.6.2.2-4.6.2.9),
     * or -1 for variable-length and unknown types.
     */
    public int fixedDataLength() {
        return switch (value) {
            case 1 -> 4;          // IPv4 address
            case 4, 7 -> 8;       // IPv4 address + mask, IPv4 range start + end
            case 5 -> 16;         // IPv6 address
            case 6, 8 -> 32;      // IPv6 address + mask, IPv6 range start + end
            default -> -1;
        };
    }

    @Override
    public String toString() {
        return REGISTRY.describe(value);
    }
}
