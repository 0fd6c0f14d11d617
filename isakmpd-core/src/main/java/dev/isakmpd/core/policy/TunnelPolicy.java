package dev.isakmpd.core.policy;

import dev.isakmpd.oakley.DhGroup;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A phase-2 policy: the traffic between two subnets protected by ESP in tunnel mode, or, in
 * transport mode, the traffic between the two hosts ({@code local} and {@code remote} are then
 * the endpoints' addresses). The SAs live {@code lifetime}, and at most {@code lifeKilobytes}
 * KiB of traffic when that is not 0 (RFC 2407 s4.5 SA Life Type kilobytes).
 */
public record TunnelPolicy(String name, Subnet local, Subnet remote, List<EspProposal> proposals,
        Optional<DhGroup> pfsGroup, Duration lifetime, IpsecMode mode, long lifeKilobytes) {

    public TunnelPolicy {
        proposals = List.copyOf(proposals);
        if (proposals.isEmpty()) {
            throw new IllegalArgumentException("tunnel " + name + " has no ESP proposals");
        }
        if (lifeKilobytes < 0) {
            throw new IllegalArgumentException("tunnel " + name + ": negative kilobyte lifetime");
        }
        if (mode == IpsecMode.TRANSPORT && !(local.isHost() && remote.isHost())) {
            throw new IllegalArgumentException("transport-mode policy " + name + " needs host selectors, not "
                    + local + " === " + remote);
        }
    }

    /** A tunnel-mode policy. */
    public TunnelPolicy(String name, Subnet local, Subnet remote, List<EspProposal> proposals,
            Optional<DhGroup> pfsGroup, Duration lifetime) {
        this(name, local, remote, proposals, pfsGroup, lifetime, IpsecMode.TUNNEL, 0);
    }

    /** The same policy with other proposals (those the kernel can install). */
    public TunnelPolicy withProposals(List<EspProposal> other) {
        return new TunnelPolicy(name, local, remote, other, pfsGroup, lifetime, mode, lifeKilobytes);
    }

    /** The same policy for one remote subnet inside ours: a road warrior's own virtual address. */
    public TunnelPolicy withRemote(Subnet narrower) {
        return new TunnelPolicy(name, local, narrower, proposals, pfsGroup, lifetime, mode, lifeKilobytes);
    }
}
