package dev.isakmpd.core.policy;

import dev.isakmpd.core.registry.ProtocolId;
import dev.isakmpd.oakley.DhGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A phase-2 policy: the traffic between two subnets protected by ESP in tunnel mode, or, in
 * transport mode, the traffic between the two hosts ({@code local} and {@code remote} are then
 * the endpoints' addresses; a road-warrior transport policy has the range its clients come from as
 * {@code remote}, and each client's SAs its own address). Either selector may name a protocol and
 * port (RFC 2407 s4.6.2), e.g. udp/1701 for L2TP. The SAs live {@code lifetime}, and at most {@code lifeKilobytes}
 * KiB of traffic when that is not 0 (RFC 2407 s4.5 SA Life Type kilobytes). With {@code ah}
 * algorithms the SAs are AH (RFC 4302): alone when there are no ESP proposals, else an AH+ESP
 * bundle (RFC 2408 s4.2). With {@code compress} we offer IPComp (RFC 3173, deflate) beside them
 * and accept a peer's offer with or without it.
 */
public record TunnelPolicy(String name, Subnet local, Subnet remote, List<EspProposal> proposals,
        Optional<DhGroup> pfsGroup, Duration lifetime, IpsecMode mode, long lifeKilobytes, List<EspIntegrity> ah,
        boolean compress) {

    public TunnelPolicy {
        proposals = List.copyOf(proposals);
        ah = List.copyOf(ah);
        if (proposals.isEmpty() && ah.isEmpty()) {
            throw new IllegalArgumentException("tunnel " + name + " has no ESP or AH proposals");
        }
        if (ah.contains(EspIntegrity.NONE)) {
            throw new IllegalArgumentException("tunnel " + name + ": AH needs an integrity algorithm");
        }
        if (lifeKilobytes < 0) {
            throw new IllegalArgumentException("tunnel " + name + ": negative kilobyte lifetime");
        }
        if (mode == IpsecMode.TRANSPORT && !local.isHost()) {
            throw new IllegalArgumentException("transport-mode policy " + name + " needs a host selector for us, not "
                    + local + " === " + remote);
        }
        if (local.protocol() != 0 && remote.protocol() != 0 && local.protocol() != remote.protocol()) {
            throw new IllegalArgumentException("tunnel " + name + ": one kernel selector has one protocol, not "
                    + local.protocolPort() + " and " + remote.protocolPort());
        }
        // the kernel's selector has one protocol for both sides: name it on both, as IKEv1 peers do
        if (local.protocol() == 0 && remote.protocol() != 0) {
            local = local.withProtocolPort(remote.protocol(), 0);
        } else if (remote.protocol() == 0 && local.protocol() != 0) {
            remote = remote.withProtocolPort(local.protocol(), 0);
        }
    }

    /** ESP alone, without compression. */
    public TunnelPolicy(String name, Subnet local, Subnet remote, List<EspProposal> proposals,
            Optional<DhGroup> pfsGroup, Duration lifetime, IpsecMode mode, long lifeKilobytes) {
        this(name, local, remote, proposals, pfsGroup, lifetime, mode, lifeKilobytes, List.of(), false);
    }

    /** A tunnel-mode policy. */
    public TunnelPolicy(String name, Subnet local, Subnet remote, List<EspProposal> proposals,
            Optional<DhGroup> pfsGroup, Duration lifetime) {
        this(name, local, remote, proposals, pfsGroup, lifetime, IpsecMode.TUNNEL, 0);
    }

    /** The same policy with other proposals (those the kernel can install). */
    public TunnelPolicy withProposals(List<EspProposal> other) {
        return new TunnelPolicy(name, local, remote, other, pfsGroup, lifetime, mode, lifeKilobytes, ah, compress);
    }

    /** The protocols of each SA bundle, outermost first: AH, ESP, IPComp, each where configured. */
    public List<ProtocolId> protocols() {
        List<ProtocolId> out = new ArrayList<>();
        if (!ah.isEmpty()) {
            out.add(ProtocolId.IPSEC_AH);
        }
        if (hasEsp()) {
            out.add(ProtocolId.IPSEC_ESP);
        }
        if (compress) {
            out.add(ProtocolId.IPCOMP);
        }
        return out;
    }

    /** Whether the SAs carry ESP (alone or under AH); false for AH alone. */
    public boolean hasEsp() {
        return !proposals.isEmpty();
    }

    /** What we offer, for the log: "[aes128-sha256]", "ah [sha256] + esp [aes128-sha1]", "+ ipcomp". */
    public String describeProposals() {
        String esp = ah.isEmpty() ? proposals.toString() : hasEsp() ? "ah " + ahNames() + " + esp " + proposals
                : "ah " + ahNames();
        return esp + (compress ? " + ipcomp deflate" : "");
    }

    private List<String> ahNames() {
        return ah.stream().map(EspIntegrity::displayName).toList();
    }

    /** A transport-mode template for clients from a range: each client's SAs get its own address. */
    public boolean isRoadWarriorTransport() {
        return mode == IpsecMode.TRANSPORT && !remote.isHost();
    }

    /** The same policy for one remote subnet inside ours: a road warrior's own virtual address. */
    public TunnelPolicy withRemote(Subnet narrower) {
        return withSelectors(local, narrower);
    }

    /** The same policy for the selectors an SA pair of it was negotiated for (narrowed, or a transport peer's). */
    public TunnelPolicy withSelectors(Subnet narrowerLocal, Subnet narrowerRemote) {
        return new TunnelPolicy(name, narrowerLocal, narrowerRemote, proposals, pfsGroup, lifetime, mode,
                lifeKilobytes, ah, compress);
    }
}
