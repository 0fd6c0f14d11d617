package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.IdType;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Identification payload with the IPsec DOI layout (RFC 2407 s4.6.2): ID type, IP protocol ID, port, data.
 * The fixed-size address types must carry exactly their size (s4.6.2.2-4.6.2.9) and the name types at least one
 * byte, else INVALID-ID-INFORMATION. The phase-1 rule "protocol/port zero or UDP/500" is the exchange's to check.
 */
public record IdentificationPayload(IdType idType, int protocolId, int port, byte[] data) implements Payload {

    public IdentificationPayload {
        Objects.requireNonNull(idType, "idType");
        Bytes.checkRange(protocolId, 0, 0xFF, "ID protocol ID");
        Bytes.checkRange(port, 0, 0xFFFF, "ID port");
        data = Bytes.copy(data, "data");
        Violation.throwIfPresent(checkData(idType, data.length));
    }

    /** ID_IPV4_ADDR or ID_IPV6_ADDR with protocol and port 0. */
    public static IdentificationPayload of(InetAddress address) {
        IdType type = address instanceof Inet4Address ? IdType.IPV4_ADDR : IdType.IPV6_ADDR;
        return new IdentificationPayload(type, 0, 0, address.getAddress());
    }

    public static IdentificationPayload fqdn(String name) {
        return new IdentificationPayload(IdType.FQDN, 0, 0, name.getBytes(StandardCharsets.US_ASCII));
    }

    public static IdentificationPayload userFqdn(String name) {
        return new IdentificationPayload(IdType.USER_FQDN, 0, 0, name.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public PayloadType type() {
        return PayloadType.ID;
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    private static Violation checkData(IdType type, int length) {
        int fixed = type.fixedDataLength();
        if (fixed >= 0 && length != fixed) {
            return new Violation(NotifyType.INVALID_ID_INFORMATION, "identification data",
                    "is " + length + " bytes, " + type + " needs " + fixed + " (RFC 2407 s4.6.2)");
        }
        if (fixed < 0 && type.isKnown() && length == 0) {
            return new Violation(NotifyType.INVALID_ID_INFORMATION, "identification data", "is empty for " + type);
        }
        return null;
    }

    void writeBody(WireWriter w) {
        w.u8(idType.value());
        w.u8(protocolId);
        w.u16(port);
        w.bytes(data);
    }

    /** An ID payload body (type, protocol, port, data) as it stood before it was encrypted (RFC 2409 s5.2). */
    public static IdentificationPayload decode(byte[] body) throws WireException {
        WireReader r = new WireReader(body, 0, body.length);
        return decodeBody(r);
    }

    static IdentificationPayload decodeBody(WireReader r) throws WireException {
        IdType type = IdType.of(r.u8("ID type"));
        int protocol = r.u8("ID protocol ID");
        int port = r.u16("ID port");
        Violation bad = checkData(type, r.remaining());
        if (bad != null) {
            throw bad.at(r.position());
        }
        return new IdentificationPayload(type, protocol, port, r.rest());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdentificationPayload p && p.idType.equals(idType) && p.protocolId == protocolId
                && p.port == port && Arrays.equals(p.data, data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(idType, protocolId, port, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "ID[" + idType + " proto=" + protocolId + " port=" + port + " " + Bytes.shortHex(data) + "]";
    }
}
