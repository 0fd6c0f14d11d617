package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.NotifyType;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A plaintext ISAKMP message: header plus decoded payloads. For encrypted messages decode the header with
 * {@link IsakmpHeader#decode}, decrypt bytes [28, length) and walk them with {@link PayloadCodec#decode}.
 *
 * <p>The header's next-payload and length fields are taken as given here; {@link #encode()} fills in the right
 * values.
 */
public record IsakmpMessage(IsakmpHeader header, List<Payload> payloads) {

    public IsakmpMessage {
        Objects.requireNonNull(header, "header");
        payloads = List.copyOf(payloads);
    }

    /**
     * Decodes an unencrypted datagram. Bytes after the last payload (within the header length) and after the header
     * length (within the datagram) are ignored.
     *
     * @throws WireException if the message is malformed, or has the encryption flag set (INVALID-FLAGS: it cannot
     *                       be read without the SA's keys)
     */
    public static IsakmpMessage decode(byte[] datagram) throws WireException {
        IsakmpHeader header = IsakmpHeader.decode(datagram);
        if (header.encrypted()) {
            throw new WireException(NotifyType.INVALID_FLAGS, IsakmpHeader.FLAGS_AT, "flags",
                    "has the encryption bit set: decrypt and use PayloadCodec.decode instead");
        }
        DecodedPayloads d = PayloadCodec.decode(header.nextPayload(), datagram, IsakmpHeader.LENGTH,
                header.length() - IsakmpHeader.LENGTH);
        return new IsakmpMessage(header, d.payloads());
    }

    /** Header (with next payload and length fixed up) followed by the payload chain. */
    public byte[] encode() {
        if (payloads.size() > PayloadCodec.MAX_PAYLOADS) {
            throw new IllegalArgumentException(payloads.size() + " payloads exceed the limit of "
                    + PayloadCodec.MAX_PAYLOADS);
        }
        WireWriter w = new WireWriter();
        header.withNextPayload(PayloadCodec.firstType(payloads)).writeTo(w);
        PayloadCodec.encodeTo(payloads, w);
        w.patchU32(IsakmpHeader.LENGTH_AT, w.size());
        return w.toByteArray();
    }

    /** The first payload of the given class. */
    public <T extends Payload> Optional<T> first(Class<T> type) {
        return payloads.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** All payloads of the given class, in message order. */
    public <T extends Payload> List<T> all(Class<T> type) {
        return payloads.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Override
    public String toString() {
        return "IsakmpMessage[" + header + " " + MessageDump.summary(payloads) + "]";
    }
}
