package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.CertEncoding;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;

import java.util.Arrays;
import java.util.Objects;

/**
 * Certificate payload (RFC 2408 s3.9): a one-octet encoding, then the certificate data. The encoding is an open
 * value (unknown ones are kept so the exchange can answer CERT-TYPE-UNSUPPORTED); the data must not be empty.
 */
public record CertificatePayload(CertEncoding encoding, byte[] data) implements Payload {

    public CertificatePayload {
        Objects.requireNonNull(encoding, "encoding");
        data = Bytes.copy(data, "data");
        Violation.throwIfPresent(checkData(data.length));
    }

    @Override
    public PayloadType type() {
        return PayloadType.CERT;
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    private static Violation checkData(int length) {
        return length == 0 ? new Violation(NotifyType.INVALID_CERTIFICATE, "certificate data",
                "is empty (RFC 2408 s3.9)") : null;
    }

    void writeBody(WireWriter w) {
        w.u8(encoding.value());
        w.bytes(data);
    }

    static CertificatePayload decodeBody(WireReader r) throws WireException {
        CertEncoding encoding = CertEncoding.of(r.u8("certificate encoding"));
        Violation bad = checkData(r.remaining());
        if (bad != null) {
            throw bad.at(r.position());
        }
        return new CertificatePayload(encoding, r.rest());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CertificatePayload p && p.encoding.equals(encoding) && Arrays.equals(p.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * encoding.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "CERT[" + encoding + " " + Bytes.shortHex(data) + "]";
    }
}
