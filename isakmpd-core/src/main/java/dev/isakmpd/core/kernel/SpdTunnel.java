package dev.isakmpd.core.kernel;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.IpsecMode;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.registry.ProtocolId;
import java.net.InetAddress;
import java.util.List;

/**
 * The security policy of one configured tunnel: traffic between {@code local} and {@code remote}
 * must go through ESP (or the {@code protocols}, outermost first: AH, ESP, IPComp) in tunnel mode between the two endpoints (the kernel's SPD; PF_KEY
 * SADB_X_SPDADD with an ipsecrequest, one entry per direction). In transport mode the selectors
 * are the endpoints themselves, so the back-end must also let IKE (UDP from/to {@code ikePort}
 * and 4500, RFC 3947) pass in the clear.
 */
public record SpdTunnel(String peer, String tunnel, InetAddress localEndpoint, InetAddress remoteEndpoint,
        Subnet local, Subnet remote, IpsecMode mode, int ikePort, List<ProtocolId> protocols) {

    public SpdTunnel {
        protocols = List.copyOf(protocols);
    }

    /** ESP alone. */
    public SpdTunnel(String peer, String tunnel, InetAddress localEndpoint, InetAddress remoteEndpoint,
            Subnet local, Subnet remote, IpsecMode mode, int ikePort) {
        this(peer, tunnel, localEndpoint, remoteEndpoint, local, remote, mode, ikePort, List.of(ProtocolId.IPSEC_ESP));
    }

    /** The NAT-T port (RFC 3947 s4), bypassed beside {@link #ikePort} in transport mode. */
    public static final int NAT_T_PORT = 4500;

    /** A tunnel-mode policy. */
    public SpdTunnel(String peer, String tunnel, InetAddress localEndpoint, InetAddress remoteEndpoint, Subnet local,
            Subnet remote) {
        this(peer, tunnel, localEndpoint, remoteEndpoint, local, remote, IpsecMode.TUNNEL, 500);
    }

    /** The local UDP ports of IKE that a transport-mode policy must not catch. */
    public List<Integer> bypassPorts() {
        if (mode != IpsecMode.TRANSPORT) {
            return List.of();
        }
        return ikePort == NAT_T_PORT ? List.of(NAT_T_PORT) : List.of(ikePort, NAT_T_PORT);
    }

    /** {@link #priority()} of a tunnel between two whole address families (0/0 === 0/0). */
    public static final int PRIORITY_BASE = 2048;

    /**
     * The SPD priority of the tunnel's policies: the longer its prefixes, the smaller the number,
     * which Linux (XFRM and PF_KEY alike) looks up first. A tunnel nested in another (a host inside
     * a subnet) so takes its own traffic whatever the order of installation, as strongSwan's
     * kernel-netlink also ranks policies; with one priority for all, the one installed first won.
     */
    public int priority() {
        return PRIORITY_BASE - local.prefixLength() - remote.prefixLength();
    }

    public String describe() {
        return peer + "/" + tunnel + " " + local + " <=> " + remote + (mode == IpsecMode.TRANSPORT ? " (transport)"
                : "") + " via " + Addresses.format(localEndpoint)
                + " <=> " + Addresses.format(remoteEndpoint);
    }
}
