package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.AttributeSpace;
import dev.isakmpd.core.registry.CertEncoding;
import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.registry.IdType;
import dev.isakmpd.core.registry.IkeAttributes;
import dev.isakmpd.core.registry.IpsecDoi;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.registry.TransformIds;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * Human-readable rendering of messages for DEBUG logs: a multi-line field dump in the spirit of a protocol
 * dissector, and a one-line payload summary like "[ SA V V ]". Peer-supplied text is escaped so that it cannot
 * forge log lines.
 */
public final class MessageDump {
    private static final String INDENT = "  ";

    private MessageDump() {
    }

    /** One line listing the payloads, e.g. "[ KE No ID HASH N(INITIAL-CONTACT) ]". */
    public static String summary(List<? extends Payload> payloads) {
        StringBuilder sb = new StringBuilder("[ ");
        for (Payload p : payloads) {
            sb.append(p.type().shortName());
            if (p instanceof NotificationPayload n) {
                sb.append('(').append(n.notifyType()).append(')');
            }
            sb.append(' ');
        }
        return sb.append(']').toString();
    }

    public static String format(IsakmpMessage message) {
        return format(message.header(), message.payloads());
    }

    /** Multi-line dump of a header and its (decrypted) payloads. */
    public static String format(IsakmpHeader h, List<? extends Payload> payloads) {
        StringBuilder sb = new StringBuilder();
        sb.append("ISAKMP ").append(exchangeName(h.exchangeType())).append(' ').append(summary(payloads)).append('\n');
        line(sb, 1, "Initiator cookie: " + Bytes.hex(h.initiatorCookie()));
        line(sb, 1, "Responder cookie: " + Bytes.hex(h.responderCookie()));
        line(sb, 1, "Next payload: " + named(h.nextPayload().toString(), h.nextPayload().value()));
        line(sb, 1, "Version: " + h.majorVersion() + "." + h.minorVersion());
        line(sb, 1, "Exchange type: " + named(h.exchangeType().toString(), h.exchangeType().value()));
        line(sb, 1, "Flags: " + flags(h.flags()));
        line(sb, 1, String.format("Message ID: 0x%08x", h.messageId()));
        line(sb, 1, "Length: " + Integer.toUnsignedString(h.length()));
        for (Payload p : payloads) {
            payload(sb, 1, p);
        }
        return sb.toString();
    }

    private static String exchangeName(ExchangeType x) {
        if (x.equals(ExchangeType.IDENTITY_PROTECTION)) {
            return "Identity Protection (Main Mode)";
        }
        if (x.equals(ExchangeType.AGGRESSIVE)) {
            return "Aggressive Mode";
        }
        if (x.equals(ExchangeType.QUICK_MODE)) {
            return "Quick Mode";
        }
        return x.toString();
    }

    private static String flags(int flags) {
        StringBuilder sb = new StringBuilder(String.format("0x%02x", flags));
        if ((flags & IsakmpHeader.FLAG_ENCRYPTION) != 0) {
            sb.append(" encryption");
        }
        if ((flags & IsakmpHeader.FLAG_COMMIT) != 0) {
            sb.append(" commit");
        }
        if ((flags & IsakmpHeader.FLAG_AUTH_ONLY) != 0) {
            sb.append(" auth-only");
        }
        return sb.toString();
    }

    private static void payload(StringBuilder sb, int depth, Payload p) {
        line(sb, depth, "Payload: " + named(p.type().toString(), p.type().value()));
        int d = depth + 1;
        if (p instanceof SaPayload sa) {
            line(sb, d, "DOI: " + named(IpsecDoi.doiName(sa.doi()), sa.doi()));
            line(sb, d, String.format("Situation: %s (0x%08x)", IpsecDoi.situationName(sa.situation()),
                    sa.situation()));
            for (ProposalPayload prop : sa.proposals()) {
                proposal(sb, d, prop);
            }
        } else if (p instanceof ProposalPayload prop) {
            proposal(sb, d, prop);
        } else if (p instanceof TransformPayload t) {
            transform(sb, d, t, IkeAttributes.SPACE, null); // stand-alone: protocol unknown, assume phase 1
        } else if (p instanceof KeyExchangePayload ke) {
            bytes(sb, d, "Key exchange data", ke.keyData());
        } else if (p instanceof NoncePayload n) {
            bytes(sb, d, "Nonce", n.nonce());
        } else if (p instanceof HashPayload hash) {
            bytes(sb, d, "Hash", hash.hash());
        } else if (p instanceof VendorIdPayload vid) {
            bytes(sb, d, "Vendor ID", vid.vendorId());
        } else if (p instanceof IdentificationPayload id) {
            line(sb, d, "ID type: " + named(id.idType().toString(), id.idType().value()));
            line(sb, d, "Protocol ID: " + id.protocolId() + ", port: " + id.port());
            line(sb, d, "Identification data: " + idData(id.idType(), id.data()));
        } else if (p instanceof NotificationPayload n) {
            line(sb, d, "DOI: " + named(IpsecDoi.doiName(n.doi()), n.doi()));
            line(sb, d, "Protocol ID: " + named(n.protocolId().toString(), n.protocolId().value()));
            bytes(sb, d, "SPI", n.spi());
            line(sb, d, "Notify message type: " + named(n.notifyType().toString(), n.notifyType().value()));
            bytes(sb, d, "Notification data", n.data());
        } else if (p instanceof DeletePayload del) {
            line(sb, d, "DOI: " + named(IpsecDoi.doiName(del.doi()), del.doi()));
            line(sb, d, "Protocol ID: " + named(del.protocolId().toString(), del.protocolId().value()));
            line(sb, d, "SPI size: " + del.spiSize() + ", # of SPIs: " + del.count());
            for (byte[] spi : del.spis()) {
                line(sb, d, "SPI: " + Bytes.hex(spi));
            }
        } else if (p instanceof OpaquePayload o) {
            opaque(sb, d, o);
        }
    }

    private static void proposal(StringBuilder sb, int depth, ProposalPayload p) {
        line(sb, depth, "Proposal #" + p.proposalNumber() + ": " + named(p.protocolId().toString(),
                p.protocolId().value()) + ", SPI size " + p.spi().length + ", " + p.transforms().size()
                + " transform(s)");
        if (p.spi().length > 0) {
            line(sb, depth + 1, "SPI: " + Bytes.hex(p.spi()));
        }
        AttributeSpace space = AttributeSpace.forProtocol(p.protocolId());
        for (TransformPayload t : p.transforms()) {
            transform(sb, depth + 1, t, space, TransformIds.name(p.protocolId(), t.transformId()));
        }
    }

    private static void transform(StringBuilder sb, int depth, TransformPayload t, AttributeSpace space,
                                  String idName) {
        line(sb, depth, "Transform #" + t.transformNumber() + ": "
                + (idName != null ? named(idName, t.transformId()) : "ID " + t.transformId()));
        for (DataAttribute a : t.attributes()) {
            line(sb, depth + 1, space.className(a.type()) + " = " + attributeValue(space, a));
        }
    }

    private static String attributeValue(AttributeSpace space, DataAttribute a) {
        long number;
        try {
            number = a.longValue();
        } catch (ArithmeticException tooLong) {
            return "0x" + Bytes.hex(a.value()) + " (" + a.valueLength() + " bytes)";
        }
        String name = space.valueName(a.type(), number);
        String text = name != null ? name + " (" + number + ")" : Long.toString(number);
        return a.isBasic() ? text : text + " [TLV " + a.valueLength() + " bytes]";
    }

    private static String idData(IdType type, byte[] data) {
        try {
            switch (type.value()) {
                case 1: case 5: // single address
                    return InetAddress.getByAddress(data).getHostAddress();
                case 4: case 6: // address / mask
                    return addressPair(data, "/");
                case 7: case 8: // range start - end
                    return addressPair(data, " - ");
                case 2: case 3: // FQDN, USER_FQDN
                    return '"' + printable(data) + '"';
                default:
                    return "0x" + Bytes.hex(data) + " (" + data.length + " bytes)";
            }
        } catch (UnknownHostException impossible) {
            return "0x" + Bytes.hex(data); // lengths are checked on construction
        }
    }

    private static String addressPair(byte[] data, String separator) throws UnknownHostException {
        int half = data.length / 2;
        return InetAddress.getByAddress(Arrays.copyOfRange(data, 0, half)).getHostAddress() + separator
                + InetAddress.getByAddress(Arrays.copyOfRange(data, half, data.length)).getHostAddress();
    }

    private static void opaque(StringBuilder sb, int depth, OpaquePayload o) {
        byte[] body = o.body();
        boolean certLike = o.type().equals(PayloadType.CERT) || o.type().equals(PayloadType.CR);
        if (certLike && body.length > 0) {
            line(sb, depth, "Certificate encoding: " + named(CertEncoding.name(body[0] & 0xFF), body[0] & 0xFF));
            bytes(sb, depth, "Data", Arrays.copyOfRange(body, 1, body.length));
        } else {
            bytes(sb, depth, "Data", body);
        }
    }

    private static void bytes(StringBuilder sb, int depth, String label, byte[] b) {
        line(sb, depth, label + " (" + b.length + " bytes): " + Bytes.hex(b));
    }

    private static String named(String name, long value) {
        return name + " (" + Integer.toUnsignedString((int) value) + ")";
    }

    /** Peer text with anything outside printable ASCII escaped (no raw newlines in logs). */
    private static String printable(byte[] data) {
        StringBuilder sb = new StringBuilder();
        for (byte b : data) {
            int c = b & 0xFF;
            if (c >= 0x20 && c < 0x7F && c != '\\' && c != '"') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, int depth, String text) {
        sb.append(INDENT.repeat(depth)).append(text).append('\n');
    }
}
