package dev.isakmpd.core.exchange;

import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.registry.IdType;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.wire.IdentificationPayload;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** Quick Mode client identities (IDci/IDcr) as subnets (RFC 2407 s4.6.2, RFC 2409 s5.5). */
final class TrafficSelectors {
    private TrafficSelectors() {
    }

    /**
     * A host is sent as ID_IPVx_ADDR, a prefix as ID_IPVx_ADDR_SUBNET, with the selector's protocol
     * and port in the ID's Protocol ID and Port fields (RFC 2407 s4.6.2; 0 is any).
     */
    static IdentificationPayload toId(Subnet s) {
        byte[] addr = s.network().getAddress();
        boolean v4 = s.isIpv4();
        if (s.isHost()) {
            return new IdentificationPayload(v4 ? IdType.IPV4_ADDR : IdType.IPV6_ADDR, s.protocol(), s.port(), addr);
        }
        return new IdentificationPayload(v4 ? IdType.IPV4_ADDR_SUBNET : IdType.IPV6_ADDR_SUBNET, s.protocol(),
                s.port(), Packet.concat(addr, s.maskBytes()));
    }

    /** The selector an IDci or IDcr names; a port without a protocol is refused (RFC 2407 s4.6.2). */
    static Subnet fromId(IdentificationPayload id) throws ExchangeFailure {
        if (id.protocolId() == 0 && id.port() != 0) {
            throw ExchangeFailure.fatal(NotifyType.INVALID_ID_INFORMATION,
                    "client identity with port " + id.port() + " but no protocol");
        }
        byte[] d = id.data();
        try {
            if (id.idType().equals(IdType.IPV4_ADDR) && d.length == 4
                    || id.idType().equals(IdType.IPV6_ADDR) && d.length == 16) {
                return Subnet.host(InetAddress.getByAddress(d)).withProtocolPort(id.protocolId(), id.port());
            }
            int half = d.length / 2;
            if (id.idType().equals(IdType.IPV4_ADDR_SUBNET) && d.length == 8
                    || id.idType().equals(IdType.IPV6_ADDR_SUBNET) && d.length == 32) {
                return Subnet.fromMask(Arrays.copyOf(d, half), Arrays.copyOfRange(d, half, d.length))
                        .withProtocolPort(id.protocolId(), id.port());
            }
        } catch (UnknownHostException | IllegalArgumentException e) {
            throw ExchangeFailure.fatal(NotifyType.INVALID_ID_INFORMATION, "bad " + id.idType() + ": " + e.getMessage());
        }
        throw ExchangeFailure.fatal(NotifyType.INVALID_ID_INFORMATION,
                "client identity " + id.idType() + " with " + d.length + " bytes is not supported");
    }

    /** Phase-1 identity of a gateway: its address (RFC 2407 s4.6.2: protocol and port zero). */
    static IdentificationPayload gatewayId(InetAddress a) {
        return new IdentificationPayload(a instanceof Inet4Address ? IdType.IPV4_ADDR : IdType.IPV6_ADDR, 0, 0,
                a.getAddress());
    }
}
