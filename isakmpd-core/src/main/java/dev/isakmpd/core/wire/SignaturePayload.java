package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.PayloadType;

import java.util.Arrays;

/** Signature payload (RFC 2408 s3.12): the output of the negotiated signature function over HASH_I/HASH_R. */
public record SignaturePayload(byte[] signature) implements Payload {

    public SignaturePayload {
        signature = Bytes.copy(signature, "signature");
    }

    @Override
    public PayloadType type() {
        return PayloadType.SIG;
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    void writeBody(WireWriter w) {
        w.bytes(signature);
    }

    static SignaturePayload decodeBody(WireReader r) {
        return new SignaturePayload(r.rest());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignaturePayload p && Arrays.equals(p.signature, signature);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "SIG[" + Bytes.shortHex(signature) + "]";
    }
}
