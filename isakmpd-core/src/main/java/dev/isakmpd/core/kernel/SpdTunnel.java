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

    public String describe() {
        return peer + "/" + tunnel + " " + local + " <=> " + remote + " via " + Addresses.format(localEndpoint)
                + " <=> " + Addresses.format(remoteEndpoint);
    }
}
