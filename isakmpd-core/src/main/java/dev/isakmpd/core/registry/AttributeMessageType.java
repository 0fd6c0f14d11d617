package dev.isakmpd.core.registry;

/**
 * Attribute payload message type (draft-dukes-ike-mode-cfg-02 s3.3), an open enum over 0..255: 5..127 reserved,
 * 128..255 private use. "Messages with unknown types SHOULD be silently discarded" is the exchange's business, so
 * the decoder keeps them.
 */
public record AttributeMessageType(int value) {
    private static final Registry<AttributeMessageType> REGISTRY = new Registry<>(AttributeMessageType::new);

    public static final AttributeMessageType RESERVED = REGISTRY.define(0, "RESERVED");
    public static final AttributeMessageType CFG_REQUEST = REGISTRY.define(1, "ISAKMP_CFG_REQUEST");
    public static final AttributeMessageType CFG_REPLY = REGISTRY.define(2, "ISAKMP_CFG_REPLY");
    public static final AttributeMessageType CFG_SET = REGISTRY.define(3, "ISAKMP_CFG_SET");
    public static final AttributeMessageType CFG_ACK = REGISTRY.define(4, "ISAKMP_CFG_ACK");

    public AttributeMessageType {
        if (value < 0 || value > 0xFF) {
            throw new IllegalArgumentException("attribute message type out of range 0..255: " + value);
        }
    }

    public static AttributeMessageType of(int value) {
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
