package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Transform payload (RFC 2408 s3.6): transform number, DOI transform ID and SA attributes. Appears only inside a
 * {@link ProposalPayload}. The transform ID's meaning depends on the proposal's protocol
 * (see {@link dev.isakmpd.core.registry.TransformIds}).
 */
public record TransformPayload(int transformNumber, int transformId, List<DataAttribute> attributes)
        implements Payload {
    /** Bound on attributes per transform, against resource abuse (a real one has about 8). */
    public static final int MAX_ATTRIBUTES = 64;

    public TransformPayload {
        Bytes.checkRange(transformNumber, 0, 0xFF, "transform #");
        Bytes.checkRange(transformId, 0, 0xFF, "transform ID");
        attributes = List.copyOf(attributes); // rejects null elements; equals/hashCode stay value-based
        Violation.throwIfPresent(checkAttributeCount(attributes.size()));
    }

    public TransformPayload(int transformNumber, int transformId, DataAttribute... attributes) {
        this(transformNumber, transformId, List.of(attributes));
    }

    @Override
    public PayloadType type() {
        return PayloadType.T;
    }

    /** The first attribute of the given class, if any. */
    public Optional<DataAttribute> attribute(int attributeType) {
        return attributes.stream().filter(a -> a.type() == attributeType).findFirst();
    }

    private static Violation checkAttributeCount(int count) {
        return count > MAX_ATTRIBUTES
                ? new Violation(NotifyType.PAYLOAD_MALFORMED, "SA attributes",
                        "count exceeds the limit of " + MAX_ATTRIBUTES)
                : null;
    }

    void writeBody(WireWriter w) {
        w.u8(transformNumber);
        w.u8(transformId);
        w.u16(0); // RESERVED2
        for (DataAttribute a : attributes) {
            a.write(w);
        }
    }

    static TransformPayload decodeBody(WireReader r) throws WireException {
        int number = r.u8("transform #");
        int id = r.u8("transform ID");
        int reservedAt = r.position();
        int reserved2 = r.u16("RESERVED2");
        if (reserved2 != 0) {
            throw WireException.malformed(reservedAt, "RESERVED2",
                    String.format("is 0x%04x in transform, must be 0 (RFC 2408 s3.6)", reserved2));
        }
        List<DataAttribute> attributes = new ArrayList<>(Math.min(r.remaining() / 4, MAX_ATTRIBUTES));
        while (r.hasRemaining()) {
            Violation tooMany = checkAttributeCount(attributes.size() + 1);
            if (tooMany != null) {
                throw tooMany.at(r.position());
            }
            attributes.add(DataAttribute.read(r));
        }
        return new TransformPayload(number, id, attributes);
    }

    @Override
    public String toString() {
        return "T[#" + transformNumber + " id=" + transformId + " " + attributes + "]";
    }
}
