package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.PayloadType;

import java.util.Arrays;

/** Vendor ID payload (RFC 2408 s3.16): an opaque vendor constant, often a hash with trailing version bytes. */
public record VendorIdPayload(byte[] vendorId) implements Payload {

    public VendorIdPayload {
        vendorId = Bytes.copy(vendorId, "vendorId");
    }

    @Override
    public PayloadType type() {
        return PayloadType.VID;
    }

    @Override
    public byte[] vendorId() {
        return vendorId.clone();
    }

    public int length() {
        return vendorId.length;
    }

    void writeBody(WireWriter w) {
        w.bytes(vendorId);
    }

    static VendorIdPayload decodeBody(WireReader r) {
        return new VendorIdPayload(r.rest());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VendorIdPayload p && Arrays.equals(p.vendorId, vendorId);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(vendorId);
    }

    @Override
    public String toString() {
        return "VID[" + Bytes.shortHex(vendorId) + "]";
    }
}
