package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.PayloadType;

import java.util.Arrays;

/** Hash payload (RFC 2408 s3.11); the expected length depends on the negotiated PRF and is checked by the exchange. */
public record HashPayload(byte[] hash) implements Payload {

    public HashPayload {
        hash = Bytes.copy(hash, "hash");
    }

    @Override
    public PayloadType type() {
        return PayloadType.HASH;
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }

    public int length() {
        return hash.length;
    }

    void writeBody(WireWriter w) {
        w.bytes(hash);
    }

    static HashPayload decodeBody(WireReader r) {
        return new HashPayload(r.rest());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HashPayload p && Arrays.equals(p.hash, hash);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
        return "HASH[" + Bytes.shortHex(hash) + "]";
    }
}
