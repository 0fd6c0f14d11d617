package dev.isakmpd.core.sa;

import java.net.InetAddress;
import java.util.Optional;

/**
 * ESP in UDP (RFC 3948), as an SA carries it to the kernel: the UDP ports of the ESP packets (the
 * IKE NAT-T ports of the two sides as each sees the other) and the peer's original address from
 * NAT-OA (RFC 3947 s5.2), which transport mode needs to fix up TCP/UDP checksums.
 */
public record UdpEncapsulation(int sourcePort, int destinationPort, Optional<InetAddress> originalAddress) {
    public UdpEncapsulation {
        if (sourcePort < 1 || sourcePort > 65535 || destinationPort < 1 || destinationPort > 65535) {
            throw new IllegalArgumentException("UDP encapsulation ports " + sourcePort + " -> " + destinationPort);
        }
    }

    @Override
    public String toString() {
        return "espinudp " + sourcePort + "->" + destinationPort
                + originalAddress.map(a -> " nat-oa " + a.getHostAddress()).orElse("");
    }
}
