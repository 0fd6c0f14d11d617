package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Encodes and decodes chains of ISAKMP payloads (RFC 2408 s3.2, processing rules s5.3). Decoding is total: it
 * returns a value or throws {@link WireException}, and every value it returns re-encodes to the same bytes.
 */
public final class PayloadCodec {
    /** Bound on top-level payloads per message, against resource abuse (Main Mode messages carry under 20). */
    public static final int MAX_PAYLOADS = 64;

    private PayloadCodec() {
    }

    /**
     * Whether a payload of this type may appear in a message's payload chain: the assigned types with their own
     * meaning, and private use 128..255 (s3.1). NONE ends the chain; P and T only occur inside an SA payload (s4.2).
     */
    public static boolean isChainType(PayloadType type) {
        if (type.equals(PayloadType.NONE) || type.equals(PayloadType.P) || type.equals(PayloadType.T)) {
            return false;
        }
        return type.isKnown() || type.isPrivateUse();
    }

    /**
     * Walks the payload chain in {@code buf[offset, offset+length)}, starting with a payload of type {@code first}
     * (the ISAKMP header's next payload) and ending at a payload whose next payload is NONE. Bytes after the last
     * payload are not examined; {@link DecodedPayloads#consumed()} says where the chain ended.
     * Error offsets are indexes into {@code buf}.
     *
     * @throws WireException            if the chain is malformed
     * @throws IllegalArgumentException if the window lies outside {@code buf} (a caller bug, not peer input)
     */
    public static DecodedPayloads decode(PayloadType first, byte[] buf, int offset, int length) throws WireException {
        return decode(first, buf, offset, length, Set.of());
    }

    /**
     * As {@link #decode(PayloadType, byte[], int, int)}, but the payloads of the {@code encrypted}
     * types are {@link EncryptedPayload}s: their bodies are ciphertext the exchange decrypts
     * (public key encryption authentication, RFC 2409 s5.2/s5.3).
     */
    public static DecodedPayloads decode(PayloadType first, byte[] buf, int offset, int length,
            Set<PayloadType> encrypted) throws WireException {
        Objects.requireNonNull(first, "first");
        WireReader r = new WireReader(buf, offset, length);
        List<Payload> payloads = new ArrayList<>(8);
        PayloadType next = first;
        int typeAt = offset; // where the current type came from, for error reports
        while (!next.equals(PayloadType.NONE)) {
            if (!isChainType(next)) {
                throw new WireException(NotifyType.INVALID_PAYLOAD_TYPE, typeAt, "next payload",
                        next + " is not a valid payload type here (RFC 2408 s5.3)");
            }
            if (payloads.size() == MAX_PAYLOADS) {
                throw WireException.malformed(r.position(), "payload count", "exceeds the limit of " + MAX_PAYLOADS);
            }
            if (!payloads.isEmpty()
                    && (next.equals(PayloadType.FRAGMENT) || payloads.get(0) instanceof FragmentPayload)) {
                // MS-IKEE s3.3: a message with a Fragment payload and any other payload is dropped.
                throw WireException.malformed(typeAt, "next payload",
                        "a FRAGMENT payload must be the only payload of its message");
            }
            GenericHeader h = GenericHeader.read(r, "payload", "message");
            payloads.add(encrypted.contains(next) ? EncryptedPayload.decodeBody(next, h.body(r))
                    : decodeBody(next, h.body(r)));
            next = PayloadType.of(h.nextPayload());
            typeAt = h.start();
        }
        return new DecodedPayloads(payloads, r.position() - offset);
    }

    private static Payload decodeBody(PayloadType type, WireReader body) throws WireException {
        switch (type.value()) { // RFC 2408 s3.1 payload type numbers
            case 1: return SaPayload.decodeBody(body);
            case 4: return KeyExchangePayload.decodeBody(body);
            case 5: return IdentificationPayload.decodeBody(body);
            case 6: return CertificatePayload.decodeBody(body);
            case 7: return CertificateRequestPayload.decodeBody(body);
            case 8: return HashPayload.decodeBody(body);
            case 9: return SignaturePayload.decodeBody(body);
            case 10: return NoncePayload.decodeBody(body);
            case 11: return NotificationPayload.decodeBody(body);
            case 12: return DeletePayload.decodeBody(body);
            case 13: return VendorIdPayload.decodeBody(body);
            case 14: return AttributePayload.decodeBody(body); // draft-dukes-ike-mode-cfg-02 s3.2
            case 20: case 130: return NatDiscoveryPayload.decodeBody(type, body); // RFC 3947 / draft-02 numbers
            case 21: case 131: return NatOriginalAddressPayload.decodeBody(type, body);
            case 132: return FragmentPayload.decodeBody(body);
            default: return OpaquePayload.decodeBody(type, body); // isChainType() has vetted the type
        }
    }

    /** Encodes payloads as a chain: each generic header names the next payload's type, the last one NONE. */
    public static byte[] encode(List<? extends Payload> payloads) {
        if (payloads.size() > MAX_PAYLOADS) {
            throw new IllegalArgumentException(payloads.size() + " payloads exceed the limit of " + MAX_PAYLOADS);
        }
        WireWriter w = new WireWriter();
        encodeTo(payloads, w);
        return w.toByteArray();
    }

    static void encodeTo(List<? extends Payload> payloads, WireWriter w) {
        for (int i = 0; i < payloads.size(); i++) {
            Payload p = payloads.get(i);
            if (!isChainType(p.type())) {
                throw new IllegalArgumentException(p.type() + " payload cannot stand in a payload chain");
            }
            if (p instanceof FragmentPayload && payloads.size() != 1) {
                throw new IllegalArgumentException("a FRAGMENT payload must be the only payload of its message");
            }
            PayloadType next = i + 1 < payloads.size() ? payloads.get(i + 1).type() : PayloadType.NONE;
            int start = w.beginPayload(next.value());
            writeBody(p, w);
            w.endPayload(start);
        }
    }

    /**
     * The body of one payload without its generic header, as IKE hashes need it (RFC 2409 s5: SAi_b, IDii_b are
     * "the entire body of the SA payload (minus the ISAKMP generic header)").
     */
    public static byte[] encodeBody(Payload payload) {
        WireWriter w = new WireWriter();
        writeBody(payload, w);
        return w.toByteArray();
    }

    /** The type for the ISAKMP header's next payload field: the first payload's, or NONE. */
    public static PayloadType firstType(List<? extends Payload> payloads) {
        return payloads.isEmpty() ? PayloadType.NONE : payloads.get(0).type();
    }

    private static void writeBody(Payload p, WireWriter w) {
        if (p instanceof SaPayload x) {
            x.writeBody(w);
        } else if (p instanceof ProposalPayload x) {
            x.writeBody(w);
        } else if (p instanceof TransformPayload x) {
            x.writeBody(w);
        } else if (p instanceof KeyExchangePayload x) {
            x.writeBody(w);
        } else if (p instanceof IdentificationPayload x) {
            x.writeBody(w);
        } else if (p instanceof HashPayload x) {
            x.writeBody(w);
        } else if (p instanceof NoncePayload x) {
            x.writeBody(w);
        } else if (p instanceof NotificationPayload x) {
            x.writeBody(w);
        } else if (p instanceof DeletePayload x) {
            x.writeBody(w);
        } else if (p instanceof VendorIdPayload x) {
            x.writeBody(w);
        } else if (p instanceof CertificatePayload x) {
            x.writeBody(w);
        } else if (p instanceof CertificateRequestPayload x) {
            x.writeBody(w);
        } else if (p instanceof SignaturePayload x) {
            x.writeBody(w);
        } else if (p instanceof AttributePayload x) {
            x.writeBody(w);
        } else if (p instanceof NatDiscoveryPayload x) {
            x.writeBody(w);
        } else if (p instanceof NatOriginalAddressPayload x) {
            x.writeBody(w);
        } else if (p instanceof FragmentPayload x) {
            x.writeBody(w);
        } else if (p instanceof OpaquePayload x) {
            x.writeBody(w);
        } else if (p instanceof EncryptedPayload x) {
            x.writeBody(w);
        } else {
            throw new IllegalStateException("unhandled payload class " + p.getClass()); // sealed: unreachable
        }
    }
}
