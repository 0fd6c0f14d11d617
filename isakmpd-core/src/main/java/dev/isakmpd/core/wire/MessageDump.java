package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.AttributeSpace;
import dev.isakmpd.core.registry.ConfigAttributes;
import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.registry.IdType;
import dev.isakmpd.core.registry.IkeAttributes;
import dev.isakmpd.core.registry.IpsecDoi;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.registry.TransformIds;
import dev.isakmpd.core.registry.VendorIds;

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
            } else if (p instanceof AttributePayload a) {
                sb.append('(').append(a.messageType()).append(')');
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
            int mark = sb.length();
            try {
                payload(sb, 1, p);
            } catch (RuntimeException bug) { // a log line must never take the daemon down; tests look for this
                sb.setLength(mark);
                line(sb, 1, "Payload: " + named(p.type().toString(), p.type().value()) + " (dump failed: " + bug
                        + ")");
            }
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
        line(sb, depth, "Payload: " + named(p.type().toString(), p.type().value()) + ", length "
                + (GenericHeader.LENGTH + PayloadCodec.encodeBody(p).length));
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
            String vendor = VendorIds.name(vid.vendorId());
            if (vendor != null) {
                line(sb, d, "Vendor: " + vendor);
            }
        } else if (p instanceof IdentificationPayload id) {
            line(sb, d, "ID type: " + named(id.idType().toString(), id.idType().value()));
            line(sb, d, "Protocol ID: " + id.protocolId() + ", port: " + id.port());
            line(sb, d, "Identification data: " + idData(id.idType(), id.data()));
        } else if (p instanceof NotificationPayload n) {
            line(sb, d, "DOI: " + named(IpsecDoi.doiName(n.doi()), n.doi()));
            line(sb, d, "Protocol ID: " + named(n.protocolId().toString(), n.protocolId().value()));
            bytes(sb, d, "SPI", n.spi());
            line(sb, d, "Notify message type: " + named(n.notifyType().toString(), n.notifyType().value())
                    + (n.notifyType().isError() ? ", error" : n.notifyType().isStatus() ? ", status" : ""));
            bytes(sb, d, "Notification data", n.data());
            notifyData(sb, d + 1, n);
        } else if (p instanceof DeletePayload del) {
            line(sb, d, "DOI: " + named(IpsecDoi.doiName(del.doi()), del.doi()));
            line(sb, d, "Protocol ID: " + named(del.protocolId().toString(), del.protocolId().value()));
            line(sb, d, "SPI size: " + del.spiSize() + ", # of SPIs: " + del.count());
            for (byte[] spi : del.spis()) {
                line(sb, d, "SPI: " + Bytes.hex(spi));
            }
        } else if (p instanceof CertificatePayload c) {
            line(sb, d, "Certificate encoding: " + named(c.encoding().toString(), c.encoding().value()));
            bytes(sb, d, "Certificate data", c.data());
        } else if (p instanceof CertificateRequestPayload cr) {
            line(sb, d, "Certificate type: " + named(cr.encoding().toString(), cr.encoding().value()));
            String ca = cr.authority().length == 0 ? "(any)" : DerNames.format(cr.authority(), MessageDump::printable);
            if (ca != null) {
                line(sb, d, "Certificate authority: " + ca);
            } else {
                bytes(sb, d, "Certificate authority", cr.authority());
            }
        } else if (p instanceof SignaturePayload sig) {
            bytes(sb, d, "Signature data", sig.signature());
        } else if (p instanceof AttributePayload a) {
            line(sb, d, "Type: " + named(a.messageType().toString(), a.messageType().value()));
            line(sb, d, "Identifier: " + a.identifier());
            for (DataAttribute attr : a.attributes()) {
                line(sb, d + 1, ConfigAttributes.SPACE.className(attr.type()) + " (" + attr.type() + ", "
                        + (attr.isBasic() ? "TV" : "TLV " + attr.valueLength() + " bytes") + ") = "
                        + configValue(attr));
            }
        } else if (p instanceof NatDiscoveryPayload nd) {
            bytes(sb, d, "HASH of the address and port", nd.hash());
        } else if (p instanceof NatOriginalAddressPayload oa) {
            line(sb, d, "ID type: " + named(oa.idType().toString(), oa.idType().value()));
            line(sb, d, "NAT original address: " + address(oa.address()));
        } else if (p instanceof FragmentPayload f) {
            line(sb, d, "Fragment ID: " + f.fragmentId() + ", number: " + f.fragmentNumber() + ", flags: "
                    + (f.last() ? "0x01 last fragment" : "0x00"));
            bytes(sb, d, "Fragment data", f.data());
        } else if (p instanceof OpaquePayload o) {
            bytes(sb, d, "Data", o.body());
        } else if (p instanceof EncryptedPayload e) {
            bytes(sb, d, "Encrypted body", e.body());
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
        switch (type.value()) {
            case 1: case 5: // single address
                return address(data);
            case 4: case 6: // address / mask
                return addressPair(data, "/");
            case 7: case 8: // range start - end
                return addressPair(data, " - ");
            case 2: case 3: case 11: // FQDN, USER_FQDN, KEY_ID (opaque, often text)
                return '"' + printable(data) + '"';
            case 9: { // DER_ASN1_DN
                String dn = DerNames.format(data, MessageDump::printable);
                return dn != null ? dn : "0x" + Bytes.hex(data) + " (" + data.length + " bytes, not a DER Name)";
            }
            default:
                return "0x" + Bytes.hex(data) + " (" + data.length + " bytes)";
        }
    }

    /**
     * An IPv4 or IPv6 address in text form; IPv6 in the RFC 5952 s4 canonical form (longest run of two or more zero
     * groups as "::", lower case), as tshark shows it.
     */
    static String address(byte[] a) {
        if (a.length == 4) {
            return (a[0] & 0xFF) + "." + (a[1] & 0xFF) + "." + (a[2] & 0xFF) + "." + (a[3] & 0xFF);
        }
        if (a.length != 16) {
            return "0x" + Bytes.hex(a);
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((a[2 * i] & 0xFF) << 8) | (a[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    private static String addressPair(byte[] data, String separator) {
        int half = data.length / 2;
        return address(Arrays.copyOfRange(data, 0, half)) + separator
                + address(Arrays.copyOfRange(data, half, data.length));
    }

    /** Notification data with a known layout: DPD sequence numbers (RFC 3706 s5.3), lifetimes (RFC 2407 s4.6.3.1). */
    private static void notifyData(StringBuilder sb, int depth, NotificationPayload n) {
        byte[] data = n.data();
        int type = n.notifyType().value();
        if ((type == 36136 || type == 36137) && data.length == 4) {
            line(sb, depth, "Sequence number: " + Integer.toUnsignedString(readInt(data)));
        } else if (type == 24576 || type == 24577) { // RESPONDER-LIFETIME, REPLAY-STATUS: SA attributes
            AttributeSpace space = AttributeSpace.forProtocol(n.protocolId());
            try {
                for (DataAttribute a : DataAttribute.decodeList(data)) {
                    line(sb, depth, space.className(a.type()) + " = " + attributeValue(space, a));
                }
            } catch (WireException notAttributes) {
                line(sb, depth, "(not a list of data attributes)");
            }
        }
    }

    private static int readInt(byte[] b) {
        return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }

    private static String configValue(DataAttribute a) {
        int type = a.type();
        if (ConfigAttributes.SPACE.isSecret(type)) {
            return "<redacted>";
        }
        byte[] v = a.value();
        if (a.isBasic()) {
            long n = a.longValue();
            String name = ConfigAttributes.SPACE.valueName(type, n);
            return name != null ? name + " (" + n + ")" : Long.toString(n);
        }
        if (v.length == 0) {
            return "(empty)";
        }
        if (ConfigAttributes.isAddressClass(type)) {
            int half = v.length == 8 || v.length == 32 ? v.length / 2 : v.length;
            if (half == 4 || half == 16) {
                String first = address(Arrays.copyOfRange(v, 0, half));
                return v.length == half ? first : first + "/" + address(Arrays.copyOfRange(v, half, v.length));
            }
            if (v.length == 17) { // IPv6 address + prefix length
                return address(Arrays.copyOf(v, 16)) + "/" + (v[16] & 0xFF);
            }
        }
        if (ConfigAttributes.isTextClass(type)) {
            return '"' + printable(v) + '"';
        }
        if (type == ConfigAttributes.INTERNAL_ADDRESS_EXPIRY && v.length <= 4) {
            return Long.toString(a.longValue()) + " s";
        }
        return "0x" + Bytes.hex(v);
    }

    private static void bytes(StringBuilder sb, int depth, String label, byte[] b) {
        line(sb, depth, label + " (" + b.length + " bytes): " + Bytes.hex(b));
    }

    private static String named(String name, long value) {
        return name + " (" + Integer.toUnsignedString((int) value) + ")";
    }

    /** Peer text with anything outside printable ASCII escaped (no raw newlines in logs). */
    static String printable(byte[] data) {
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
