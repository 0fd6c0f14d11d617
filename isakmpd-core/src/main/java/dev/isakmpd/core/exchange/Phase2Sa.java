package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.registry.IpsecAttributes.*;
import static dev.isakmpd.core.registry.IpsecDoi.DOI_IPSEC;
import static dev.isakmpd.core.registry.IpsecDoi.SIT_IDENTITY_ONLY;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The SA payload of Quick Mode for ESP in tunnel mode (RFC 2407 s4.5, s4.6.1; RFC 2409 s5.5). */
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
            long offeredKilobytes) {

        Choice withLifetimes(Duration shorter, long kilobytes) {
            return new Choice(proposal, proposalNumber, transform, peerSpi, pfsGroup, shorter, offered, kilobytes,
                    offeredKilobytes);
        }
    }

    /** QM1's SA: one ESP proposal carrying our inbound SPI, one transform per configured proposal. */
    static SaPayload offer(TunnelPolicy tunnel, int inboundSpi, Optional<NatDiscovery.Version> udp) {
        List<TransformPayload> transforms = new ArrayList<>();
        int n = 1;
        for (EspProposal p : tunnel.proposals()) {
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
            if (p.integrity() != EspIntegrity.NONE) {
                attrs.add(DataAttribute.basic(AUTHENTICATION_ALGORITHM, p.integrity().attributeValue()));
            }
            if (p.cipher().hasKeyLengthAttribute()) {
                attrs.add(DataAttribute.basic(KEY_LENGTH, p.keyBits()));
            }
            transforms.add(new TransformPayload(n++, p.cipher().transformId(), attrs));
        }
        ProposalPayload proposal = new ProposalPayload(1, ProtocolId.IPSEC_ESP, spiBytes(inboundSpi), transforms);
        return new SaPayload(DOI_IPSEC, SIT_IDENTITY_ONLY, List.of(proposal));
    }

    /**
     * Responder: the first acceptable transform in the peer's order. Proposals sharing a number
     * form one AND-ed bundle (RFC 2408 s4.2); only single-protocol ESP bundles are supported.
     */
    static Choice select(IkeCrypto crypto, SaPayload offered, TunnelPolicy tunnel, boolean peerSentKe, List<String> why,
            Optional<NatDiscovery.Version> udp) throws ExchangeFailure {
        Map<Integer, Integer> perNumber = new HashMap<>();
        for (ProposalPayload p : offered.proposals()) {
            perNumber.merge(p.proposalNumber(), 1, Integer::sum);
        }
        for (ProposalPayload p : offered.proposals()) {
            String label = "proposal " + p.proposalNumber();
            if (perNumber.get(p.proposalNumber()) > 1) {
                why.add(label + ": a bundle (" + bundle(offered, p.proposalNumber())
                        + "); we accept ESP alone, AH and IPComp bundles are not supported");
                continue;
            }
            if (!p.protocolId().equals(ProtocolId.IPSEC_ESP)) {
                why.add(label + ": " + describe(p) + " is not supported; we accept ESP only");
                continue;
            }
            if (p.spi().length != 4) {
                why.add(label + ": ESP SPI must be 4 bytes, got " + p.spi().length);
                continue;
            }
            for (TransformPayload t : p.transforms()) {
                Optional<Choice> c = match(crypto, p, t, tunnel, peerSentKe, why, udp);
                if (c.isPresent()) {
                    return c.get();
                }
            }
        }
        throw ExchangeFailure.fatal(NotifyType.NO_PROPOSAL_CHOSEN,
                "no acceptable ESP proposal for tunnel " + tunnel.name());
    }

    /** QM2's SA: the chosen proposal with our inbound SPI and only the chosen transform. */
    static SaPayload reply(SaPayload offered, Choice c, int inboundSpi) {
        ProposalPayload p = new ProposalPayload(c.proposalNumber(), ProtocolId.IPSEC_ESP, spiBytes(inboundSpi),
                List.of(c.transform()));
        return new SaPayload(offered.doi(), offered.situation(), List.of(p));
    }

    /** Initiator: QM2 must name one ESP proposal with one transform that we offered. */
    static Choice accept(IkeCrypto crypto, SaPayload reply, TunnelPolicy tunnel, boolean peerSentKe,
            Optional<NatDiscovery.Version> udp) throws ExchangeFailure {
        ProposalPayload p = Phase1Sa.onlyProposal(reply);
        List<String> why = new ArrayList<>();
        Optional<Choice> c = p.protocolId().equals(ProtocolId.IPSEC_ESP) && p.spi().length == 4
                ? match(crypto, p, p.transforms().get(0), tunnel, peerSentKe, why, udp)
                : Optional.empty();
        Choice choice = c.orElseThrow(() -> ExchangeFailure.fatal(NotifyType.NO_PROPOSAL_CHOSEN,
                "responder chose an ESP transform we did not offer: " + String.join("; ", why)));
        if (choice.pfsGroup().isPresent() != tunnel.pfsGroup().isPresent()) {
            throw ExchangeFailure.fatal(NotifyType.NO_PROPOSAL_CHOSEN, "responder changed the PFS group");
        }
        return choice;
    }

    /**
     * Responder: RFC 2407 s4.5.4 asks a responder that keeps a shorter lifetime than the initiator
     * offered to say so in QM2, with the s4.6.3.1 layout: protocol ESP, SPI = our inbound SPI,
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
        return Optional.of(new NotificationPayload(DOI_IPSEC, ProtocolId.IPSEC_ESP, spiBytes(inboundSpi),
                NotifyType.RESPONDER_LIFETIME, data));
    }

    /**
     * Initiator: the choice with the lifetimes a RESPONDER-LIFETIME notify in QM2 asks for, if it
     * is for the responder's SPI of this SA and shortens one of ours (seconds or kilobytes).
     *
     * @throws WireException if the notify does not carry a valid attribute list
     */
    static Optional<Choice> responderLifetime(NotificationPayload n, Choice c) throws WireException {
        if (!n.protocolId().equals(ProtocolId.IPSEC_ESP) || !Arrays.equals(n.spi(), spiBytes(c.peerSpi()))) {
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

    private static String bundle(SaPayload offered, int number) {
        return String.join(" + ", offered.proposals().stream().filter(x -> x.proposalNumber() == number)
                .map(Phase2Sa::describe).toList());
    }

    static byte[] spiBytes(int spi) {
        return new byte[] {(byte) (spi >>> 24), (byte) (spi >>> 16), (byte) (spi >>> 8), (byte) spi};
    }

    static int spiValue(byte[] spi) {
        return ((spi[0] & 0xff) << 24) | ((spi[1] & 0xff) << 16) | ((spi[2] & 0xff) << 8) | (spi[3] & 0xff);
    }

    private static Optional<Choice> match(IkeCrypto crypto, ProposalPayload p, TransformPayload t,
            TunnelPolicy tunnel, boolean peerSentKe, List<String> why, Optional<NatDiscovery.Version> udp) {
        String label = "proposal " + p.proposalNumber() + " transform " + t.transformNumber();
        EspCipher cipher = EspCipher.fromTransformId(t.transformId());
        if (cipher == null) {
            why.add(label + ": ESP transform " + TransformIds.name(ProtocolId.IPSEC_ESP, t.transformId())
                    + " not supported");
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
        for (EspProposal ours : tunnel.proposals()) {
            if (ours.cipher() == cipher && ours.keyBits() == keyBits && ours.integrity() == integrity) {
                Duration life = lifeSeconds == 0 || lifeSeconds > tunnel.lifetime().toSeconds()
                        ? tunnel.lifetime() : Duration.ofSeconds(lifeSeconds);
                Duration offered = lifeSeconds == 0 ? DEFAULT_LIFETIME : Duration.ofSeconds(lifeSeconds);
                // RFC 2407 s4.5.4: the smaller of the two; no limit (0) on one side gives the other's
                long ourKb = tunnel.lifeKilobytes();
                long kb = lifeKilobytes == 0 ? ourKb : ourKb == 0 ? lifeKilobytes : Math.min(ourKb, lifeKilobytes);
                return Optional.of(new Choice(ours, p.proposalNumber(), t, spiValue(p.spi()), pfs, life, offered, kb,
                        lifeKilobytes));
            }
        }
        why.add(label + ": " + EspProposal.name(cipher, keyBits, integrity) + " matches none of our ESP proposals");
        return Optional.empty();
    }

    private static boolean sameGroup(Optional<DhGroup> a, Optional<DhGroup> b) {
        return a.isPresent() && b.isPresent() && a.get().id() == b.get().id();
    }
}
