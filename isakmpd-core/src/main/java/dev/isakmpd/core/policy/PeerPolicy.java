package dev.isakmpd.core.policy;

import dev.isakmpd.oakley.SecretBytes;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A configured peer: where it is, the pre-shared key that authenticates it, the ISAKMP SA
 * proposals and the tunnels negotiated under that SA.
 *
 * @param dpd whether and how we probe the peer's liveness (we always answer its probes)
 */
public record PeerPolicy(String name, InetSocketAddress local, InetSocketAddress remote, SecretBytes psk,
        List<Phase1Proposal> ikeProposals, Duration ikeLifetime, List<TunnelPolicy> tunnels, boolean autoStart,
        Optional<DeadPeerDetection> dpd) {

    public PeerPolicy {
        ikeProposals = List.copyOf(ikeProposals);
        tunnels = List.copyOf(tunnels);
        if (ikeProposals.isEmpty()) {
            throw new IllegalArgumentException("peer " + name + " has no IKE proposals");
        }
    }

    public Optional<TunnelPolicy> tunnel(String tunnelName) {
        return tunnels.stream().filter(t -> t.name().equals(tunnelName)).findFirst();
    }
}
