package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;

import java.util.Arrays;
import java.util.Objects;

/**
 * NAT discovery payload (RFC 3947 s3.2, type 20; draft-ietf-ipsec-nat-t-ike-02/03 s3.2, type 130): a hash of
 * cookies, address and port. The hash length is the negotiated hash's, checked by the exchange; it is not empty.
 */
public record NatDiscoveryPayload(PayloadType type, byte[] hash) implements Payload {

    public NatDiscoveryPayload {
        Objects.requireNonNull(type, "type");
        if (!type.equals(PayloadType.NAT_D) && !type.equals(PayloadType.NAT_D_DRAFT)) {
            throw new IllegalArgumentException(type + " is not a NAT-D payload type");
        }
        hash = Bytes.copy(hash, "hash");
        Violation.throwIfPresent(checkHash(hash.length));
    }

    /** An RFC 3947 (type 20) payload. */
    public NatDiscoveryPayload(byte[] hash) {
        this(PayloadType.NAT_D, hash);
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }

    /** True for the draft number 130. */
    public boolean isDraft() {
        return type.equals(PayloadType.NAT_D_DRAFT);
    }

    private static Violation checkHash(int length) {
        return length == 0 ? new Violation(NotifyType.PAYLOAD_MALFORMED, "NAT-D hash", "is empty (RFC 3947 s3.2)")
                : null;
    }

    void writeBody(WireWriter w) {
        w.bytes(hash);
    }

    static NatDiscoveryPayload decodeBody(PayloadType type, WireReader r) throws WireException {
        Violation bad = checkHash(r.remaining());
        if (bad != null) {
            throw bad.at(r.position());
        }
        return new NatDiscoveryPayload(type, r.rest());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NatDiscoveryPayload p && p.type.equals(type) && Arrays.equals(p.hash, hash);
    }

    @Override
    public int hashCode() {
        return 31 * type.hashCode() + Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
        return (isDraft() ? "NAT-D(draft)[" : "NAT-D[") + Bytes.shortHex(hash) + "]";
    }
}
