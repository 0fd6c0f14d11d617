package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.PayloadType;

import java.util.Arrays;
import java.util.Objects;

/**
 * A payload whose body is kept as raw bytes: a private-use type 128..255 (RFC 2408 s3.1) other than the ones with
 * their own class (130/131 draft NAT-D/NAT-OA, 132 FRAGMENT). Types with their own class, NONE and the unassigned
 * 15..127 are refused so that decode and encode stay inverse.
 */
public record OpaquePayload(PayloadType type, byte[] body) implements Payload {

    public OpaquePayload {
        Objects.requireNonNull(type, "type");
        body = Bytes.copy(body, "body");
        if (!isOpaqueType(type)) {
            throw new IllegalArgumentException(type + " is not carried as an opaque payload");
        }
    }

    static boolean isOpaqueType(PayloadType type) {
        int v = type.value();
        return type.isPrivateUse() && v != PayloadType.NAT_D_DRAFT.value() && v != PayloadType.NAT_OA_DRAFT.value()
                && v != PayloadType.FRAGMENT.value();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    void writeBody(WireWriter w) {
        w.bytes(body);
    }

    static OpaquePayload decodeBody(PayloadType type, WireReader r) {
        return new OpaquePayload(type, r.rest());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OpaquePayload p && p.type.equals(type) && Arrays.equals(p.body, body);
    }

    @Override
    public int hashCode() {
        return 31 * type.hashCode() + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return type + "[" + Bytes.shortHex(body) + "]";
    }
}
