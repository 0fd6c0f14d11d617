package dev.isakmpd.core.kernel;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.Subnet;
import java.net.InetAddress;

/**
 * The security policy of one configured tunnel: traffic between {@code local} and {@code remote}
 * must go through ESP in tunnel mode between the two endpoints (the kernel's SPD; PF_KEY
 * SADB_X_SPDADD with an ipsecrequest, one entry per direction).
 */
public record SpdTunnel(String peer, String tunnel, InetAddress localEndpoint, InetAddress remoteEndpoint,
        Subnet local, Subnet remote) {

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
        return peer + "/" + tunnel + " " + local + " <=> " + remote + " via " + Addresses.format(localEndpoint)
                + " <=> " + Addresses.format(remoteEndpoint);
    }
}
