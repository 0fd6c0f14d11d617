package dev.isakmpd.core.kernel;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.IpsecMode;
import dev.isakmpd.core.policy.Subnet;
import java.net.InetAddress;
import java.util.List;

/**
 * The security policy of one configured tunnel: traffic between {@code local} and {@code remote}
 * must go through ESP in tunnel mode between the two endpoints (the kernel's SPD; PF_KEY
 * SADB_X_SPDADD with an ipsecrequest, one entry per direction). In transport mode the selectors
 * are the endpoints themselves, so the back-end must also let IKE (UDP from/to {@code ikePort}
 * and 4500, RFC 3947) pass in the clear.
 */
public record SpdTunnel(String peer, String tunnel, InetAddress localEndpoint, InetAddress remoteEndpoint,
        Subnet local, Subnet remote, IpsecMode mode, int ikePort) {

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

    public String describe() {
        return peer + "/" + tunnel + " " + local + " <=> " + remote + (mode == IpsecMode.TRANSPORT ? " (transport)"
                : "") + " via " + Addresses.format(localEndpoint)
                + " <=> " + Addresses.format(remoteEndpoint);
    }
}
