package dev.isakmpd.core.policy;

import java.time.Duration;

/**
 * NAT traversal for one peer (RFC 3947, RFC 3948).
 *
 * @param enabled we send the NAT-T vendor IDs and NAT-D payloads; off, a peer behind a NAT fails
 * @param keepalive how often the side behind a NAT sends a keepalive (RFC 3948 s2.3) to hold its mapping
 * @param forceEncapsulation tell the peer we are behind a NAT (a NAT-D of our address that cannot
 *     match), so that ESP goes in UDP even where no NAT is, e.g. past a firewall that drops ESP
 * @param port the NAT-T port, ours and the peer's: 4500 (RFC 3947 s4); another only for tests
 */
public record NatTraversal(boolean enabled, Duration keepalive, boolean forceEncapsulation, int port) {
    public static final int PORT = 4500;
    public static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(20);
    public static final NatTraversal DEFAULT = new NatTraversal(true, DEFAULT_KEEPALIVE, false, PORT);

    public NatTraversal {
        if (keepalive.isNegative() || keepalive.isZero()) {
            throw new IllegalArgumentException("NAT-T keepalive interval must be positive");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("NAT-T port " + port + " is not a UDP port");
        }
    }
}
