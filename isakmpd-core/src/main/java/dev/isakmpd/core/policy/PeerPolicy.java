package dev.isakmpd.core.policy;

import dev.isakmpd.core.pki.CertificateIdentities;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A configured peer: where it is, how both sides authenticate, who each side is, the ISAKMP SA
 * proposals and the tunnels negotiated under that SA.
 *
 * @param remote the peer's endpoint; for a peer accepted from a range of addresses
 *     ({@code remoteRange}) it is the wildcard address and we never initiate to it
 * @param dpd whether and how we probe the peer's liveness (we always answer its probes)
 * @param localId the identity we present in phase 1
 * @param remoteId the identity the peer must present; empty: any that its authentication proves
 * @param remoteRange the addresses the peer may come from (remote = "any" or a subnet); empty:
 *     exactly {@code remote}
 * @param aggressive phase 1 in Aggressive Mode: we initiate with it and accept it (RFC 2409 s5);
 *     otherwise Main Mode only
 * @param natTraversal whether and how NAT traversal is negotiated (RFC 3947)
 * @param fragmentation whether we offer IKE fragmentation and the size of our fragments
 * @param remoteAccess XAUTH and Mode-Config after phase 1 (Transaction exchanges); {@link RemoteAccess#NONE}
 */
public record PeerPolicy(String name, InetSocketAddress local, InetSocketAddress remote, PeerAuth auth,
        List<Phase1Proposal> ikeProposals, Duration ikeLifetime, List<TunnelPolicy> tunnels, boolean autoStart,
        Optional<DeadPeerDetection> dpd, Identity localId, Optional<Identity> remoteId,
        Optional<Subnet> remoteRange, boolean aggressive, NatTraversal natTraversal,
        IkeFragmentation fragmentation, RemoteAccess remoteAccess) {

    /** A peer with IKE fragmentation as {@link IkeFragmentation#DEFAULT}, without XAUTH or Mode-Config. */
    public PeerPolicy(String name, InetSocketAddress local, InetSocketAddress remote, PeerAuth auth,
            List<Phase1Proposal> ikeProposals, Duration ikeLifetime, List<TunnelPolicy> tunnels, boolean autoStart,
            Optional<DeadPeerDetection> dpd, Identity localId, Optional<Identity> remoteId,
            Optional<Subnet> remoteRange, boolean aggressive, NatTraversal natTraversal) {
        this(name, local, remote, auth, ikeProposals, ikeLifetime, tunnels, autoStart, dpd, localId, remoteId,
                remoteRange, aggressive, natTraversal, IkeFragmentation.DEFAULT, RemoteAccess.NONE);
    }

    /** A peer with NAT traversal as {@link NatTraversal#DEFAULT}. */
    public PeerPolicy(String name, InetSocketAddress local, InetSocketAddress remote, PeerAuth auth,
            List<Phase1Proposal> ikeProposals, Duration ikeLifetime, List<TunnelPolicy> tunnels, boolean autoStart,
            Optional<DeadPeerDetection> dpd, Identity localId, Optional<Identity> remoteId,
            Optional<Subnet> remoteRange, boolean aggressive) {
        this(name, local, remote, auth, ikeProposals, ikeLifetime, tunnels, autoStart, dpd, localId, remoteId,
                remoteRange, aggressive, NatTraversal.DEFAULT);
    }

    public PeerPolicy {
        ikeProposals = List.copyOf(ikeProposals);
        tunnels = List.copyOf(tunnels);
        if (ikeProposals.isEmpty()) {
            throw new IllegalArgumentException("peer " + name + " has no IKE proposals");
        }
        // draft-ietf-ipsec-isakmp-hybrid-auth-05 s4: XAUTH is the client's only authentication
        if (auth instanceof PeerAuth.Hybrid && remoteAccess.xauthServer().isEmpty()
                || auth instanceof PeerAuth.HybridClient && remoteAccess.xauthClient().isEmpty()) {
            throw new IllegalArgumentException("peer " + name + ": hybrid authentication needs XAUTH ("
                    + (auth instanceof PeerAuth.Hybrid ? "server" : "client") + ")");
        }
    }

    /** What we present when no local-id is configured: our certificate's subject, or our address. */
    public static Identity defaultLocalId(PeerAuth auth, InetSocketAddress local) {
        if (auth instanceof PeerAuth.Hybrid h) {
            return defaultLocalId(h.gateway(), local);
        }
        return auth instanceof PeerAuth.Signatures s ? CertificateIdentities.defaultIdentity(s.chain().get(0))
                : Identity.address(local.getAddress());
    }

    public Optional<TunnelPolicy> tunnel(String tunnelName) {
        return tunnels.stream().filter(t -> t.name().equals(tunnelName)).findFirst();
    }

    /** The same peer with other tunnels. */
    public PeerPolicy withTunnels(List<TunnelPolicy> newTunnels) {
        return new PeerPolicy(name, local, remote, auth, ikeProposals, ikeLifetime, newTunnels, autoStart, dpd,
                localId, remoteId, remoteRange, aggressive, natTraversal, fragmentation, remoteAccess);
    }

    /** The same peer presenting another ID of ours. */
    public PeerPolicy withLocalId(Identity id) {
        return new PeerPolicy(name, local, remote, auth, ikeProposals, ikeLifetime, tunnels, autoStart, dpd,
                id, remoteId, remoteRange, aggressive, natTraversal, fragmentation, remoteAccess);
    }

    /** The same peer with other NAT traversal settings. */
    public PeerPolicy withNatTraversal(NatTraversal nat) {
        return new PeerPolicy(name, local, remote, auth, ikeProposals, ikeLifetime, tunnels, autoStart, dpd,
                localId, remoteId, remoteRange, aggressive, nat, fragmentation, remoteAccess);
    }

    /** The same peer with other IKE fragmentation settings. */
    public PeerPolicy withFragmentation(IkeFragmentation f) {
        return new PeerPolicy(name, local, remote, auth, ikeProposals, ikeLifetime, tunnels, autoStart, dpd,
                localId, remoteId, remoteRange, aggressive, natTraversal, f, remoteAccess);
    }

    /** The same peer with XAUTH and Mode-Config settings. */
    public PeerPolicy withRemoteAccess(RemoteAccess ra) {
        return new PeerPolicy(name, local, remote, auth, ikeProposals, ikeLifetime, tunnels, autoStart, dpd,
                localId, remoteId, remoteRange, aggressive, natTraversal, fragmentation, ra);
    }

    /** Whether an initiator at {@code address} may be this peer. */
    public boolean acceptsFrom(InetAddress address) {
        return remoteRange.map(r -> r.contains(address)).orElseGet(() -> remote.getAddress().equals(address));
    }

    /** A peer known by a single address, which we can initiate to. */
    public boolean hasFixedAddress() {
        return remoteRange.isEmpty();
    }
}
