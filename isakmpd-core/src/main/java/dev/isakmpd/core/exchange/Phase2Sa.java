package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.registry.IpsecAttributes.*;
import static dev.isakmpd.core.registry.IpsecDoi.DOI_IPSEC;
import static dev.isakmpd.core.registry.IpsecDoi.SIT_IDENTITY_ONLY;

import dev.isakmpd.core.kernel.SpiAllocator;
import dev.isakmpd.core.policy.EspCipher;
import dev.isakmpd.core.policy.EspIntegrity;
import dev.isakmpd.core.policy.EspProposal;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.core.registry.IpsecAttributes;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.ProtocolId;
import dev.isakmpd.core.registry.TransformIds;
import dev.isakmpd.core.wire.DataAttribute;
import dev.isakmpd.core.wire.NotificationPayload;
import dev.isakmpd.core.wire.ProposalPayload;
import dev.isakmpd.core.wire.SaPayload;
import dev.isakmpd.core.wire.TransformPayload;
import dev.isakmpd.core.wire.WireException;
import dev.isakmpd.oakley.DhGroup;
import dev.isakmpd.oakley.IkeCrypto;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The SA payload of Quick Mode: ESP, AH, their bundle, IPComp (RFC 2407 s4.4, s4.5, s4.6.1; RFC 2409 s5.5). */
final class Phase2Sa {
    private Phase2Sa() {
    }

    /** RFC 2407 s4.5: the SA lifetime when the transform names none. */
    static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(28800);

    /**
     * What was agreed for one ESP SA pair.
     *
     * @param offered the lifetime in the peer's transform ({@link #DEFAULT_LIFETIME} if it had none)
     * @param lifeKilobytes the agreed kilobyte lifetime, 0 for none
     * @param offeredKilobytes the kilobyte lifetime in the peer's transform, 0 if it had none
     */
    record Choice(EspProposal proposal, int proposalNumber, TransformPayload transform, int peerSpi,
            Optional<DhGroup> pfsGroup, Duration lifetime, Duration offered, long lifeKilobytes,
            long offeredKilobytes, ProtocolId protocol, List<Part> bundle) {

        /** ESP alone. */
        Choice(EspProposal proposal, int proposalNumber, TransformPayload transform, int peerSpi,
                Optional<DhGroup> pfsGroup, Duration lifetime, Duration offered, long lifeKilobytes,
                long offeredKilobytes) {
            this(proposal, proposalNumber, transform, peerSpi, pfsGroup, lifetime, offered, lifeKilobytes,
                    offeredKilobytes, ProtocolId.IPSEC_ESP, List.of());
        }

        Choice withLifetimes(Duration shorter, long kilobytes) {
            return new Choice(proposal, proposalNumber, transform, peerSpi, pfsGroup, shorter, offered, kilobytes,
                    offeredKilobytes, protocol, bundle);
        }

        /** The same choice as the main protocol (ESP, or AH alone) plus the bundled ones. */
        Choice withBundle(List<Part> parts) {
            return new Choice(proposal, proposalNumber, transform, peerSpi, pfsGroup, lifetime, offered,
                    lifeKilobytes, offeredKilobytes, protocol, parts);
        }

        Optional<Part> part(ProtocolId p) {
            return bundle.stream().filter(x -> x.protocol().equals(p)).findFirst();
        }

        /** "aes128-sha1", "ah-sha256", "ah-sha256+aes128-sha1+deflate": for the log. */
        String describe() {
            String main = protocol.equals(ProtocolId.IPSEC_AH) ? "ah-" + proposal.integrity().displayName()
                    : proposal.name();
            return part(ProtocolId.IPSEC_AH).map(a -> "ah-" + a.integrity().displayName() + "+").orElse("") + main
                    + part(ProtocolId.IPCOMP).map(c -> "+deflate").orElse("");
        }
    }

    /**
     * A protocol negotiated beside the main one in the same proposal number (RFC 2408 s4.2): AH
     * around ESP, or IPComp; {@code peerSpi} is the peer's SPI, or its CPI for IPComp.
     */
    record Part(ProtocolId protocol, TransformPayload transform, int peerSpi, EspIntegrity integrity) {
    }

    /** Our inbound SPIs: of the main protocol, of a bundled AH (0: none) and our CPI (0: no IPComp). */
    record Spis(int main, int ah, int cpi) {
        static Spis esp(int spi) {
            return new Spis(spi, 0, 0);
        }

        int of(ProtocolId p) {
            return p.equals(ProtocolId.IPSEC_AH) && ah != 0 ? ah : p.equals(ProtocolId.IPCOMP) ? cpi : main;
        }
    }

    /** QM1's SA: one ESP proposal carrying our inbound SPI, one transform per configured proposal. */
    static SaPayload offer(TunnelPolicy tunnel, int inboundSpi, Optional<NatDiscovery.Version> udp) {
        return offer(tunnel, Spis.esp(inboundSpi), udp);
    }

    /**
     * QM1's SA: proposal number 1 for each protocol the tunnel uses, in the order AH, ESP, IPComp
     * (RFC 2408 s4.2: one number, so the peer must take all of them), each with our inbound SPI
     * (the CPI in 2 bytes for IPComp, RFC 2407 s4.4.1.4) and one transform per configured choice.
     */
    static SaPayload offer(TunnelPolicy tunnel, Spis spis, Optional<NatDiscovery.Version> udp) {
        List<ProposalPayload> proposals = new ArrayList<>();
        if (!tunnel.ah().isEmpty()) {
            List<TransformPayload> ah = new ArrayList<>();
            for (EspIntegrity i : tunnel.ah()) {
                List<DataAttribute> attrs = commonAttributes(tunnel, udp);
                attrs.add(DataAttribute.basic(AUTHENTICATION_ALGORITHM, i.attributeValue()));
                ah.add(new TransformPayload(ah.size() + 1, i.ahTransformId(), attrs));
            }
            proposals.add(new ProposalPayload(1, ProtocolId.IPSEC_AH, spiBytes(spis.of(ProtocolId.IPSEC_AH)), ah));
        }
        if (tunnel.hasEsp()) {
            List<TransformPayload> transforms = new ArrayList<>();
            int n = 1;
            for (EspProposal p : tunnel.proposals()) {
                List<DataAttribute> attrs = commonAttributes(tunnel, udp);
                if (p.integrity() != EspIntegrity.NONE) {
                    attrs.add(DataAttribute.basic(AUTHENTICATION_ALGORITHM, p.integrity().attributeValue()));
                }
                if (p.cipher().hasKeyLengthAttribute()) {
                    attrs.add(DataAttribute.basic(KEY_LENGTH, p.keyBits()));
                }
                transforms.add(new TransformPayload(n++, p.cipher().transformId(), attrs));
            }
            proposals.add(new ProposalPayload(1, ProtocolId.IPSEC_ESP, spiBytes(spis.main()), transforms));
        }
        if (tunnel.compress()) {
            proposals.add(new ProposalPayload(1, ProtocolId.IPCOMP, cpiBytes(spis.cpi()), List.of(
                    new TransformPayload(1, TransformIds.IPCOMP_DEFLATE, commonAttributes(tunnel, udp)))));
        }
        return new SaPayload(DOI_IPSEC, SIT_IDENTITY_ONLY, proposals);
    }

    /** Lifetimes, PFS group and encapsulation mode: the same in every protocol's transform. */
    private static List<DataAttribute> commonAttributes(TunnelPolicy tunnel, Optional<NatDiscovery.Version> udp) {
        List<DataAttribute> attrs = new ArrayList<>();
        attrs.add(DataAttribute.basic(SA_LIFE_TYPE, LIFE_SECONDS));
        attrs.add(DataAttribute.number(SA_LIFE_DURATION, tunnel.lifetime().toSeconds()));
        if (tunnel.lifeKilobytes() > 0) {
            attrs.add(DataAttribute.basic(SA_LIFE_TYPE, LIFE_KILOBYTES));
            attrs.add(DataAttribute.number(SA_LIFE_DURATION, tunnel.lifeKilobytes()));
        }
        tunnel.pfsGroup().ifPresent(g -> attrs.add(DataAttribute.basic(GROUP_DESCRIPTION, g.id())));
        int plain = tunnel.mode().attributeValue();
        attrs.add(DataAttribute.basic(ENCAPSULATION_MODE, udp.map(v -> v.udpMode(plain)).orElse(plain)));
        return attrs;
    }

    /**
     * Responder: the first acceptable proposal in the peer's order. Proposals sharing a number
     * form one AND-ed bundle (RFC 2408 s4.2); we accept what the tunnel is configured for: ESP,
     * AH alone, or AH+ESP, each with or without IPComp when the tunnel compresses.
     */
    static Choice select(IkeCrypto crypto, SaPayload offered, TunnelPolicy tunnel, boolean peerSentKe, List<String> why,
            Optional<NatDiscovery.Version> udp) throws ExchangeFailure {
        Map<Integer, List<ProposalPayload>> byNumber = new LinkedHashMap<>();
        for (ProposalPayload p : offered.proposals()) {
            byNumber.computeIfAbsent(p.proposalNumber(), k -> new ArrayList<>()).add(p);
        }
        for (List<ProposalPayload> group : byNumber.values()) {
            Optional<Choice> c = matchBundle(crypto, group, tunnel, peerSentKe, why, udp);
            if (c.isPresent()) {
                return c.get();
            }
        }
        throw ExchangeFailure.fatal(NotifyType.NO_PROPOSAL_CHOSEN,
                "no acceptable proposal for tunnel " + tunnel.name());
    }

    /** QM2's SA: the chosen proposal with our inbound SPI and only the chosen transform. */
    static SaPayload reply(SaPayload offered, Choice c, int inboundSpi) {
        return reply(offered, c, Spis.esp(inboundSpi));
    }

    /** QM2's SA: each protocol of the chosen bundle, in the peer's order, with our SPI (CPI) and its chosen transform. */
    static SaPayload reply(SaPayload offered, Choice c, Spis spis) {
        List<ProposalPayload> out = new ArrayList<>();
        for (ProposalPayload p : offered.proposals()) {
            if (p.proposalNumber() != c.proposalNumber()) {
                continue;
            }
            if (p.protocolId().equals(c.protocol())) {
                out.add(new ProposalPayload(c.proposalNumber(), c.protocol(), spiBytes(spis.main()),
                        List.of(c.transform())));
            } else {
                c.part(p.protocolId()).ifPresent(part -> out.add(new ProposalPayload(c.proposalNumber(),
                        part.protocol(), part.protocol().equals(ProtocolId.IPCOMP) ? cpiBytes(spis.cpi())
                                : spiBytes(spis.of(part.protocol())), List.of(part.transform()))));
            }
        }
        return new SaPayload(offered.doi(), offered.situation(), out);
    }

    /** Initiator: QM2's first proposal number must hold one transform per protocol, all of them ones we offered. */
    static Choice accept(IkeCrypto crypto, SaPayload reply, TunnelPolicy tunnel, boolean peerSentKe,
            Optional<NatDiscovery.Version> udp) throws ExchangeFailure {
        // strongSwan 5.9 answers an offer with IPComp with its choice and, under the next number, the
        // same without IPComp: the first proposal number is the choice
        List<ProposalPayload> ps = reply.proposals().stream()
                .filter(p -> p.proposalNumber() == reply.proposals().get(0).proposalNumber()).toList();
        if (ps.isEmpty() || ps.stream().anyMatch(p -> p.transforms().size() != 1)) {
            throw ExchangeFailure.fatal(NotifyType.BAD_PROPOSAL_SYNTAX,
                    "responder's SA must hold one proposal (one per protocol of a bundle) with one transform each");
        }
        List<String> why = new ArrayList<>();
        Choice choice = matchBundle(crypto, ps, tunnel, peerSentKe, why, udp).orElseThrow(() -> ExchangeFailure.fatal(
                NotifyType.NO_PROPOSAL_CHOSEN, "responder chose a transform we did not offer: " + String.join("; ", why)));
        if (choice.pfsGroup().isPresent() != tunnel.pfsGroup().isPresent()) {
            throw ExchangeFailure.fatal(NotifyType.NO_PROPOSAL_CHOSEN, "responder changed the PFS group");
        }
        return choice;
    }

    /**
     * Responder: RFC 2407 s4.5.4 asks a responder that keeps a shorter lifetime than the initiator
     * offered to say so in QM2, with the s4.6.3.1 layout: protocol ESP (AH for AH alone), SPI = our inbound SPI,
     * data = the SA Life Type / SA Life Duration attributes, for seconds and for kilobytes (a
     * kilobyte limit where the offer had none is shorter too).
     */
    static Optional<NotificationPayload> responderLifetime(Choice c, int inboundSpi) {
        List<DataAttribute> attrs = new ArrayList<>();
        if (c.lifetime().compareTo(c.offered()) < 0) {
            attrs.add(DataAttribute.basic(SA_LIFE_TYPE, LIFE_SECONDS));
            attrs.add(DataAttribute.number(SA_LIFE_DURATION, c.lifetime().toSeconds()));
        }
        if (c.lifeKilobytes() > 0 && (c.offeredKilobytes() == 0 || c.lifeKilobytes() < c.offeredKilobytes())) {
            attrs.add(DataAttribute.basic(SA_LIFE_TYPE, LIFE_KILOBYTES));
            attrs.add(DataAttribute.number(SA_LIFE_DURATION, c.lifeKilobytes()));
        }
        if (attrs.isEmpty()) {
            return Optional.empty();
        }
        byte[] data = DataAttribute.encodeList(attrs);
        return Optional.of(new NotificationPayload(DOI_IPSEC, c.protocol(), spiBytes(inboundSpi),
                NotifyType.RESPONDER_LIFETIME, data));
    }

    /**
     * Initiator: the choice with the lifetimes a RESPONDER-LIFETIME notify in QM2 asks for, if it
     * is for the responder's SPI of this SA and shortens one of ours (seconds or kilobytes).
     *
     * @throws WireException if the notify does not carry a valid attribute list
     */
    static Optional<Choice> responderLifetime(NotificationPayload n, Choice c) throws WireException {
        if (!n.protocolId().equals(c.protocol()) || !Arrays.equals(n.spi(), spiBytes(c.peerSpi()))) {
            return Optional.empty();
        }
        int lifeType = 0;
        Duration shortest = c.lifetime();
        long fewest = c.lifeKilobytes();
        for (DataAttribute a : DataAttribute.decodeList(n.data())) {
            if (a.type() == SA_LIFE_TYPE) {
                lifeType = (int) Attributes.value(a);
            } else if (a.type() == SA_LIFE_DURATION && lifeType == LIFE_SECONDS) {
                long seconds = Attributes.value(a);
                if (seconds > 0 && seconds < shortest.toSeconds()) {
                    shortest = Duration.ofSeconds(seconds);
                }
            } else if (a.type() == SA_LIFE_DURATION && lifeType == LIFE_KILOBYTES) {
                long kilobytes = Attributes.value(a);
                if (kilobytes > 0 && (fewest == 0 || kilobytes < fewest)) {
                    fewest = kilobytes;
                }
            }
        }
        return shortest.equals(c.lifetime()) && fewest == c.lifeKilobytes() ? Optional.empty()
                : Optional.of(c.withLifetimes(shortest, fewest));
    }

    /** "PROTO_IPSEC_AH [AH_SHA2-256, AH_SHA]": what a proposal offers, for the log. */
    static String describe(ProposalPayload p) {
        return p.protocolId() + " " + p.transforms().stream().map(t -> TransformIds.name(p.protocolId(),
                t.transformId())).toList();
    }

    /** RFC 2407 s4.4.1.4: IPComp's SPI field is the 2-byte CPI. */
    static byte[] cpiBytes(int cpi) {
        return new byte[] {(byte) (cpi >>> 8), (byte) cpi};
    }

    static byte[] spiBytes(int spi) {
        return new byte[] {(byte) (spi >>> 24), (byte) (spi >>> 16), (byte) (spi >>> 8), (byte) spi};
    }

    static int spiValue(byte[] spi) {
        return ((spi[0] & 0xff) << 24) | ((spi[1] & 0xff) << 16) | ((spi[2] & 0xff) << 8) | (spi[3] & 0xff);
    }

    /**
     * One proposal number's protocols (RFC 2408 s4.2): the tunnel's main protocol (ESP, or AH
     * alone) with its first acceptable transform, AH's beside ESP when the tunnel bundles them,
     * and IPComp if offered and the tunnel compresses.
     */
    private static Optional<Choice> matchBundle(IkeCrypto crypto, List<ProposalPayload> group, TunnelPolicy tunnel,
            boolean peerSentKe, List<String> why, Optional<NatDiscovery.Version> udp) {
        String label = "proposal " + group.get(0).proposalNumber();
        Map<ProtocolId, ProposalPayload> by = new LinkedHashMap<>();
        for (ProposalPayload p : group) {
            if (!List.of(ProtocolId.IPSEC_AH, ProtocolId.IPSEC_ESP, ProtocolId.IPCOMP).contains(p.protocolId())) {
                why.add(label + ": " + describe(p) + " is not supported; we accept ESP, AH and IPComp");
                return Optional.empty();
            }
            if (by.put(p.protocolId(), p) != null) {
                why.add(label + ": " + p.protocolId() + " twice in one bundle");
                return Optional.empty();
            }
        }
        ProposalPayload esp = by.get(ProtocolId.IPSEC_ESP);
        ProposalPayload ah = by.get(ProtocolId.IPSEC_AH);
        ProposalPayload ipcomp = by.get(ProtocolId.IPCOMP);
        if ((esp != null) != tunnel.hasEsp() || (ah != null) != !tunnel.ah().isEmpty()) {
            why.add(label + ": " + String.join(" + ", group.stream().map(Phase2Sa::describe).toList())
                    + " offered; tunnel " + tunnel.name() + " accepts " + tunnel.describeProposals());
            return Optional.empty();
        }
        if (ah != null && udp.isPresent()) {
            // RFC 3948 s1: AH protects the outer addresses a NAT rewrites, so it has no UDP encapsulation
            why.add(label + ": AH offered, but a NAT is between us and AH cannot cross it (RFC 3948 s1)");
            return Optional.empty();
        }
        if (ipcomp != null && !tunnel.compress()) {
            why.add(label + ": IPComp offered; tunnel " + tunnel.name() + " does not compress (compress = false)");
            return Optional.empty();
        }
        ProposalPayload main = esp != null ? esp : ah;
        Optional<Choice> choice = first(crypto, main, tunnel, peerSentKe, why, udp);
        if (choice.isEmpty()) {
            return Optional.empty();
        }
        List<Part> parts = new ArrayList<>();
        if (esp != null && ah != null) {
            Optional<Choice> a = first(crypto, ah, tunnel, peerSentKe, why, udp);
            if (a.isEmpty()) {
                return Optional.empty();
            }
            parts.add(new Part(ProtocolId.IPSEC_AH, a.get().transform(), a.get().peerSpi(),
                    a.get().proposal().integrity()));
        }
        if (ipcomp != null) {
            Optional<Part> c = matchIpcomp(ipcomp, tunnel, why, udp);
            if (c.isEmpty()) {
                return Optional.empty();
            }
            parts.add(c.get());
        }
        return Optional.of(choice.get().withBundle(parts));
    }

    /** The first acceptable transform of an ESP or AH proposal, whose SPI must be 4 bytes (RFC 2407 s4.4.1). */
    private static Optional<Choice> first(IkeCrypto crypto, ProposalPayload p, TunnelPolicy tunnel,
            boolean peerSentKe, List<String> why, Optional<NatDiscovery.Version> udp) {
        String name = p.protocolId().equals(ProtocolId.IPSEC_AH) ? "AH" : "ESP";
        if (p.spi().length != 4) {
            why.add("proposal " + p.proposalNumber() + ": " + name + " SPI must be 4 bytes, got " + p.spi().length);
            return Optional.empty();
        }
        for (TransformPayload t : p.transforms()) {
            Optional<Choice> c = match(crypto, p, t, tunnel, peerSentKe, why, udp);
            if (c.isPresent()) {
                return c;
            }
        }
        return Optional.empty();
    }

    /**
     * IPComp (RFC 3173) with deflate, its CPI in a 2-byte SPI (RFC 2407 s4.4.1.4), or in the low
     * half of a 4-byte one as some peers send it. CPIs below 256 are reserved (RFC 3173 s4.1: 1-63
     * name algorithms, 64-255 are reserved), so a negotiated one cannot be one of them.
     */
    private static Optional<Part> matchIpcomp(ProposalPayload p, TunnelPolicy tunnel, List<String> why,
            Optional<NatDiscovery.Version> udp) {
        String label = "proposal " + p.proposalNumber() + " IPComp";
        byte[] spi = p.spi();
        if (spi.length != 2 && !(spi.length == 4 && spi[0] == 0 && spi[1] == 0)) {
            why.add(label + ": CPI must be 2 bytes (or 4 with the upper two zero), got " + spi.length
                    + " bytes " + java.util.HexFormat.of().formatHex(spi));
            return Optional.empty();
        }
        int cpi = ((spi[spi.length - 2] & 0xff) << 8) | (spi[spi.length - 1] & 0xff);
        if (cpi < SpiAllocator.CPI_MIN) {
            why.add(label + ": CPI " + cpi + " is reserved (RFC 3173 s4.1: a negotiated CPI is 256 or more)");
            return Optional.empty();
        }
        for (TransformPayload t : p.transforms()) {
            String tl = label + " transform " + t.transformNumber();
            if (t.transformId() != TransformIds.IPCOMP_DEFLATE) {
                why.add(tl + ": " + TransformIds.name(ProtocolId.IPCOMP, t.transformId())
                        + " not supported; we accept IPCOMP_DEFLATE");
                continue;
            }
            Integer mode = null;
            boolean ok = true;
            for (DataAttribute a : t.attributes()) {
                switch (a.type()) {
                    case SA_LIFE_TYPE, SA_LIFE_DURATION, GROUP_DESCRIPTION -> { }
                    case ENCAPSULATION_MODE -> mode = (int) Attributes.value(a);
                    default -> {
                        why.add(tl + ": unsupported attribute class " + a.type() + " for IPComp");
                        ok = false;
                    }
                }
            }
            if (ok && mode != null && !NatDiscovery.acceptsMode(udp, mode, tunnel.mode().attributeValue())) {
                why.add(tl + ": encapsulation mode " + mode + " offered; tunnel " + tunnel.name() + " accepts "
                        + tunnel.mode().configName() + " mode only");
                ok = false;
            }
            if (ok) {
                return Optional.of(new Part(ProtocolId.IPCOMP, t, cpi, EspIntegrity.NONE));
            }
        }
        return Optional.empty();
    }

    /** An ESP transform (RFC 2407 s4.4.4) or an AH one (s4.4.3), with its attributes (s4.5). */
    private static Optional<Choice> match(IkeCrypto crypto, ProposalPayload p, TransformPayload t,
            TunnelPolicy tunnel, boolean peerSentKe, List<String> why, Optional<NatDiscovery.Version> udp) {
        boolean isAh = p.protocolId().equals(ProtocolId.IPSEC_AH);
        String label = "proposal " + p.proposalNumber() + (isAh ? " AH" : "") + " transform " + t.transformNumber();
        EspCipher cipher = isAh ? EspCipher.NULL : EspCipher.fromTransformId(t.transformId());
        EspIntegrity ahAlgorithm = isAh ? EspIntegrity.fromAhTransformId(t.transformId()) : null;
        if (cipher == null || (isAh && ahAlgorithm == null)) {
            why.add(label + ": " + (isAh ? "AH" : "ESP") + " transform " + TransformIds.name(p.protocolId(),
                    t.transformId()) + " not supported; we accept " + (isAh ? tunnel.ah().stream()
                    .map(i -> TransformIds.name(ProtocolId.IPSEC_AH, i.ahTransformId())).toList()
                    : tunnel.proposals().stream().map(x -> TransformIds.name(ProtocolId.IPSEC_ESP,
                    x.cipher().transformId())).distinct().toList()));
            return Optional.empty();
        }
        EspIntegrity integrity = null;
        Integer group = null;
        int mode = 0;
        int keyBits = 0;
        int lifeType = 0;
        long lifeSeconds = 0;
        long lifeKilobytes = 0;
        for (DataAttribute a : t.attributes()) {
            long v = Attributes.value(a);
            switch (a.type()) {
                case SA_LIFE_TYPE -> lifeType = (int) v;
                case SA_LIFE_DURATION -> {
                    if (lifeType == LIFE_SECONDS) {
                        lifeSeconds = v;
                    } else if (lifeType == LIFE_KILOBYTES) {
                        lifeKilobytes = v;
                    } else {
                        why.add(label + ": SA life duration without a life type");
                        return Optional.empty();
                    }
                }
                case GROUP_DESCRIPTION -> group = (int) v;
                case ENCAPSULATION_MODE -> mode = (int) v;
                case AUTHENTICATION_ALGORITHM -> {
                    integrity = EspIntegrity.fromAttribute((int) v);
                    if (integrity == null) {
                        why.add(label + ": authentication algorithm " + v + " not supported");
                        return Optional.empty();
                    }
                }
                case KEY_LENGTH -> keyBits = (int) v;
                default -> {
                    why.add(label + ": unsupported attribute class " + a.type());
                    return Optional.empty();
                }
            }
        }
        if (isAh) {
            String ahName = TransformIds.name(ProtocolId.IPSEC_AH, t.transformId());
            if (keyBits != 0) {
                // RFC 4302 has no encryption: a Key Length makes no sense for AH
                why.add(label + ": " + ahName + " with an encryption attribute (Key Length " + keyBits
                        + "); AH takes none");
                return Optional.empty();
            }
            if (integrity == null) {
                why.add(label + ": " + ahName + " without the Authentication Algorithm attribute it requires "
                        + "(RFC 2407 s4.5)");
                return Optional.empty();
            }
            if (integrity != ahAlgorithm) {
                why.add(label + ": " + ahName + " with authentication algorithm " + integrity.displayName()
                        + "; it needs " + ahAlgorithm.displayName());
                return Optional.empty();
            }
        }
        if (cipher.isAead()) {
            if (integrity != null) {
                why.add(label + ": " + cipher.name() + " authenticates by itself; an authentication algorithm ("
                        + integrity.displayName() + ") with it is refused");
                return Optional.empty();
            }
            integrity = EspIntegrity.NONE;
        } else if (integrity == null) {
            why.add(label + ": no authentication algorithm (ESP without integrity is refused)");
            return Optional.empty();
        }
        if (!NatDiscovery.acceptsMode(udp, mode, tunnel.mode().attributeValue())) {
            String name = IpsecAttributes.SPACE.valueName(ENCAPSULATION_MODE, mode);
            why.add(label + ": encapsulation mode " + (name == null ? mode : name + " (" + mode + ")") + " offered; "
                    + "tunnel " + tunnel.name() + " accepts " + tunnel.mode().configName() + " mode only"
                    + (udp.isPresent() ? ", UDP-encapsulated (a NAT is between us, RFC 3947 s5.1)" : ""));
            return Optional.empty();
        }
        if (cipher.hasKeyLengthAttribute()) {
            if (keyBits == 0 && !cipher.keyLengthOptional()) {
                // RFC 3686 s5.4, RFC 4106 s8.4
                why.add(label + ": " + cipher.name() + " without the Key Length attribute it requires");
                return Optional.empty();
            }
            keyBits = keyBits == 0 ? 128 : keyBits;
        } else if (keyBits != 0) {
            why.add(label + ": Key Length " + keyBits + " for " + cipher.name() + ", which has a fixed key");
            return Optional.empty();
        } else {
            keyBits = cipher == EspCipher.DES3_CBC ? 192 : 0;
        }
        if (!cipher.isValidKeyBits(keyBits)) {
            why.add(label + ": Key Length " + keyBits + " is not valid for " + cipher.name() + " (128, 192 or 256)");
            return Optional.empty();
        }
        Optional<DhGroup> pfs = Optional.empty();
        if (group != null) {
            pfs = crypto.dhGroup(group);
            if (pfs.isEmpty()) {
                why.add(label + ": PFS group " + group + " not supported");
                return Optional.empty();
            }
        }
        if (pfs.isPresent() != peerSentKe) {
            why.add(label + ": group description and KE payload must come together (RFC 2409 s5.5)");
            return Optional.empty();
        }
        if (tunnel.pfsGroup().isPresent() && !sameGroup(tunnel.pfsGroup(), pfs)) {
            why.add(label + ": our policy requires PFS with " + tunnel.pfsGroup().get().name());
            return Optional.empty();
        }
        List<EspProposal> accepted = isAh ? tunnel.ah().stream().map(i -> new EspProposal(EspCipher.NULL, 0, i))
                .toList() : tunnel.proposals();
        for (EspProposal ours : accepted) {
            if (ours.cipher() == cipher && ours.keyBits() == keyBits && ours.integrity() == integrity) {
                Duration life = lifeSeconds == 0 || lifeSeconds > tunnel.lifetime().toSeconds()
                        ? tunnel.lifetime() : Duration.ofSeconds(lifeSeconds);
                Duration offered = lifeSeconds == 0 ? DEFAULT_LIFETIME : Duration.ofSeconds(lifeSeconds);
                // RFC 2407 s4.5.4: the smaller of the two; no limit (0) on one side gives the other's
                long ourKb = tunnel.lifeKilobytes();
                long kb = lifeKilobytes == 0 ? ourKb : ourKb == 0 ? lifeKilobytes : Math.min(ourKb, lifeKilobytes);
                return Optional.of(new Choice(ours, p.proposalNumber(), t, spiValue(p.spi()), pfs, life, offered, kb,
                        lifeKilobytes, p.protocolId(), List.of()));
            }
        }
        why.add(label + ": " + (isAh ? "ah-" + integrity.displayName() + " matches none of our AH proposals "
                + tunnel.ah().stream().map(EspIntegrity::displayName).toList()
                : EspProposal.name(cipher, keyBits, integrity) + " matches none of our ESP proposals"));
        return Optional.empty();
    }

    private static boolean sameGroup(Optional<DhGroup> a, Optional<DhGroup> b) {
        return a.isPresent() && b.isPresent() && a.get().id() == b.get().id();
    }
}
