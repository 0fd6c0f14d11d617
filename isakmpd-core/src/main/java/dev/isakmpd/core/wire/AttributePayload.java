package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.AttributeMessageType;
import dev.isakmpd.core.registry.ConfigAttributes;
import dev.isakmpd.core.registry.PayloadType;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Attribute payload (draft-dukes-ike-mode-cfg-02 s3.2, payload type 14) of the Transaction exchange, carrying
 * mode-config and XAUTH attributes: message type, RESERVED (must be 0), identifier, then zero or more data
 * attributes that must fill the payload exactly ("an attribute half contained within this payload ... MUST be
 * discarded"). Value lengths per class (0 or 4 octets etc.) are left to the exchange: peers differ (strongSwan
 * sends 17-octet INTERNAL_IP6_ADDRESS values). {@link #toString()} hides secret values (XAUTH passwords).
 */
public record AttributePayload(AttributeMessageType messageType, int identifier, List<DataAttribute> attributes)
        implements Payload {
    /** Bound on attributes per payload, against resource abuse (a real one has under 40). */
    public static final int MAX_ATTRIBUTES = 1024;

    public AttributePayload {
        Objects.requireNonNull(messageType, "messageType");
        Bytes.checkRange(identifier, 0, 0xFFFF, "identifier");
        attributes = List.copyOf(attributes);
        if (attributes.size() > MAX_ATTRIBUTES) {
            throw new IllegalArgumentException(attributes.size() + " attributes exceed " + MAX_ATTRIBUTES);
        }
    }

    public AttributePayload(AttributeMessageType messageType, int identifier, DataAttribute... attributes) {
        this(messageType, identifier, List.of(attributes));
    }

    @Override
    public PayloadType type() {
        return PayloadType.ATTR;
    }

    void writeBody(WireWriter w) {
        w.u8(messageType.value());
        w.u8(0); // RESERVED
        w.u16(identifier);
        for (DataAttribute a : attributes) {
            a.write(w);
        }
    }

    static AttributePayload decodeBody(WireReader r) throws WireException {
        AttributeMessageType type = AttributeMessageType.of(r.u8("attribute message type"));
        int reservedAt = r.position();
        int reserved = r.u8("RESERVED");
        if (reserved != 0) {
            throw WireException.malformed(reservedAt, "RESERVED",
                    String.format("is 0x%02x in attribute payload, must be 0 (draft-dukes-ike-mode-cfg-02 s3.2)",
                            reserved));
        }
        int identifier = r.u16("identifier");
        List<DataAttribute> attributes = new ArrayList<>();
        while (r.hasRemaining()) {
            if (attributes.size() == MAX_ATTRIBUTES) {
                throw WireException.malformed(r.position(), "attributes", "exceed the limit of " + MAX_ATTRIBUTES);
            }
            attributes.add(DataAttribute.read(r));
        }
        return new AttributePayload(type, identifier, attributes);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ATTR[").append(messageType).append(" id=").append(identifier);
        for (DataAttribute a : attributes) {
            sb.append(' ').append(ConfigAttributes.SPACE.className(a.type()));
            if (ConfigAttributes.SPACE.isSecret(a.type())) {
                sb.append("=<redacted ").append(a.valueLength()).append(" bytes>");
            } else {
                sb.append('=').append(a.isBasic() ? Long.toString(a.longValue()) : Bytes.shortHex(a.value()));
            }
        }
        return sb.append(']').toString();
    }
}
