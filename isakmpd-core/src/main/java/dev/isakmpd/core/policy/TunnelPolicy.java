package dev.isakmpd.core.policy;

import dev.isakmpd.oakley.DhGroup;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A phase-2 policy: the traffic between two subnets protected by ESP in tunnel mode. */
public record TunnelPolicy(String name, Subnet local, Subnet remote, List<EspProposal> proposals,
        Optional<DhGroup> pfsGroup, Duration lifetime) {

    public TunnelPolicy {
        proposals = List.copyOf(proposals);
        if (proposals.isEmpty()) {
            throw new IllegalArgumentException("tunnel " + name + " has no ESP proposals");
        }
    }
}
