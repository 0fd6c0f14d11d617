package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.CertEncoding;
import dev.isakmpd.core.registry.PayloadType;

import java.util.Arrays;
import java.util.Objects;

/**
 * Certificate Request payload (RFC 2408 s3.10): the requested encoding, then an optional certificate authority
 * (for X.509, a DER distinguished name). An empty authority asks for any certificate of that encoding.
 */
public record CertificateRequestPayload(CertEncoding encoding, byte[] authority) implements Payload {

    public CertificateRequestPayload {
        Objects.requireNonNull(encoding, "encoding");
        authority = Bytes.copy(authority, "authority");
    }

    @Override
    public PayloadType type() {
        return PayloadType.CR;
    }

    @Override
    public byte[] authority() {
        return authority.clone();
    }

    void writeBody(WireWriter w) {
        w.u8(encoding.value());
        w.bytes(authority);
    }

    static CertificateRequestPayload decodeBody(WireReader r) throws WireException {
        CertEncoding encoding = CertEncoding.of(r.u8("certificate encoding"));
        return new CertificateRequestPayload(encoding, r.rest());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CertificateRequestPayload p && p.encoding.equals(encoding)
                && Arrays.equals(p.authority, authority);
    }

    @Override
    public int hashCode() {
        return 31 * encoding.hashCode() + Arrays.hashCode(authority);
    }

    @Override
    public String toString() {
        return "CR[" + encoding + " " + Bytes.shortHex(authority) + "]";
    }
}
