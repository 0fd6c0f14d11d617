package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.IdType;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;

/**
 * NAT original address payload (RFC 3947 s5.2, type 21; draft-ietf-ipsec-nat-t-ike-02/03 s5.2, type 131): ID type,
 * three RESERVED octets that must be zero, and an address. "Only ID_IPV4_ADDR and ID_IPV6_ADDR types are allowed."
 */
public record NatOriginalAddressPayload(PayloadType type, IdType idType, byte[] address) implements Payload {

    public NatOriginalAddressPayload {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(idType, "idType");
        if (!type.equals(PayloadType.NAT_OA) && !type.equals(PayloadType.NAT_OA_DRAFT)) {
            throw new IllegalArgumentException(type + " is not a NAT-OA payload type");
        }
        address = Bytes.copy(address, "address");
        Violation.throwIfPresent(checkIdType(idType));
        Violation.throwIfPresent(checkAddress(idType, address.length));
    }

    /** An RFC 3947 (type 21) payload for an address. */
    public static NatOriginalAddressPayload of(InetAddress address) {
        return new NatOriginalAddressPayload(PayloadType.NAT_OA,
                address instanceof Inet4Address ? IdType.IPV4_ADDR : IdType.IPV6_ADDR, address.getAddress());
    }

    @Override
    public byte[] address() {
        return address.clone();
    }

    public InetAddress inetAddress() {
        try {
            return InetAddress.getByAddress(address);
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible); // length checked on construction
        }
    }

    public boolean isDraft() {
        return type.equals(PayloadType.NAT_OA_DRAFT);
    }

    private static Violation checkIdType(IdType idType) {
        return idType.equals(IdType.IPV4_ADDR) || idType.equals(IdType.IPV6_ADDR) ? null
                : new Violation(NotifyType.INVALID_ID_INFORMATION, "NAT-OA ID type",
                        idType + " is not ID_IPV4_ADDR or ID_IPV6_ADDR (RFC 3947 s5.2)");
    }

    private static Violation checkAddress(IdType idType, int length) {
        int want = idType.fixedDataLength();
        return length != want ? new Violation(NotifyType.INVALID_ID_INFORMATION, "NAT-OA address",
                "is " + length + " bytes, " + idType + " needs " + want + " (RFC 3947 s5.2)") : null;
    }

    void writeBody(WireWriter w) {
        w.u8(idType.value());
        w.u8(0);
        w.u16(0);
        w.bytes(address);
    }

    static NatOriginalAddressPayload decodeBody(PayloadType type, WireReader r) throws WireException {
        int typeAt = r.position();
        IdType idType = IdType.of(r.u8("NAT-OA ID type"));
        Violation bad = checkIdType(idType);
        if (bad != null) {
            throw bad.at(typeAt);
        }
        int reservedAt = r.position();
        int reserved = (r.u8("RESERVED") << 16) | r.u16("RESERVED");
        if (reserved != 0) {
            throw WireException.malformed(reservedAt, "RESERVED",
                    String.format("is 0x%06x in NAT-OA payload, must be 0 (RFC 3947 s5.2)", reserved));
        }
        bad = checkAddress(idType, r.remaining());
        if (bad != null) {
            throw bad.at(r.position());
        }
        return new NatOriginalAddressPayload(type, idType, r.rest());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NatOriginalAddressPayload p && p.type.equals(type) && p.idType.equals(idType)
                && Arrays.equals(p.address, address);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, idType, Arrays.hashCode(address));
    }

    @Override
    public String toString() {
        return (isDraft() ? "NAT-OA(draft)[" : "NAT-OA[") + inetAddress().getHostAddress() + "]";
    }
}
