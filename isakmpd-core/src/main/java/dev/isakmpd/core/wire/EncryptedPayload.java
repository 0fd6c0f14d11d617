package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.PayloadType;
import java.util.Arrays;
import java.util.Objects;

/**
 * A payload whose body is ciphertext: with public-key-encryption authentication the bodies of
 * the ID, nonce, KE and CERT payloads of Main Mode's third and fourth messages are encrypted and
 * only the generic headers are in the clear (RFC 2409 s5.2, s5.3). Decoded only where the
 * exchange asks for it ({@link PayloadCodec#decode(PayloadType, byte[], int, int, java.util.Set)}),
 * since nothing in the bytes says so; the body must not be empty.
 */
public record EncryptedPayload(PayloadType type, byte[] body) implements Payload {

    public EncryptedPayload {
        Objects.requireNonNull(type, "type");
        body = Bytes.copy(body, "body");
        Violation.throwIfPresent(check(body.length));
    }

    private static Violation check(int length) {
        return length == 0 ? new Violation(dev.isakmpd.core.registry.NotifyType.PAYLOAD_MALFORMED, "encrypted body",
                "is empty") : null;
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    void writeBody(WireWriter w) {
        w.bytes(body);
    }

    static EncryptedPayload decodeBody(PayloadType type, WireReader r) throws WireException {
        Violation bad = check(r.remaining());
        if (bad != null) {
            throw bad.at(r.position());
        }
        return new EncryptedPayload(type, r.rest());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EncryptedPayload p && p.type.equals(type) && Arrays.equals(p.body, body);
    }

    @Override
    public int hashCode() {
        return 31 * type.hashCode() + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return type.shortName() + "(encrypted)[" + Bytes.shortHex(body) + "]";
    }
}
