package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;

import java.util.Arrays;

/** Nonce payload (RFC 2408 s3.13); RFC 2409 s5 requires 8..256 bytes of nonce data. */
public record NoncePayload(byte[] nonce) implements Payload {
    public static final int MIN_LENGTH = 8;
    public static final int MAX_LENGTH = 256;

    public NoncePayload {
        nonce = Bytes.copy(nonce, "nonce");
        Violation.throwIfPresent(checkLength(nonce.length));
    }

    @Override
    public PayloadType type() {
        return PayloadType.NONCE;
    }

    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    public int length() {
        return nonce.length;
    }

    /** RFC 2409 s5: "The length of nonce payload MUST be between 8 and 256 bytes inclusive." */
    private static Violation checkLength(int length) {
        return length < MIN_LENGTH || length > MAX_LENGTH
                ? new Violation(NotifyType.PAYLOAD_MALFORMED, "nonce length",
                        length + " is outside " + MIN_LENGTH + ".." + MAX_LENGTH + " (RFC 2409 s5)")
                : null;
    }

    void writeBody(WireWriter w) {
        w.bytes(nonce);
    }

    static NoncePayload decodeBody(WireReader r) throws WireException {
        Violation bad = checkLength(r.remaining());
        if (bad != null) {
            throw bad.at(r.position());
        }
        return new NoncePayload(r.rest());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoncePayload p && Arrays.equals(p.nonce, nonce);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(nonce);
    }

    @Override
    public String toString() {
        return "NONCE[" + Bytes.shortHex(nonce) + "]";
    }
}
