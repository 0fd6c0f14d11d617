package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.registry.IkeAttributes.*;
import static dev.isakmpd.core.registry.IpsecDoi.DOI_IPSEC;
import static dev.isakmpd.core.registry.IpsecDoi.SIT_IDENTITY_ONLY;
import static dev.isakmpd.core.registry.TransformIds.KEY_IKE;

import dev.isakmpd.core.policy.Phase1Proposal;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.ProtocolId;
import dev.isakmpd.core.wire.DataAttribute;
import dev.isakmpd.core.wire.ProposalPayload;
import dev.isakmpd.core.wire.SaPayload;
import dev.isakmpd.core.wire.TransformPayload;
import dev.isakmpd.oakley.EncryptionAlgorithm;
import dev.isakmpd.oakley.HashAlgorithm;
import dev.isakmpd.oakley.IkeCrypto;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The SA payload of Main Mode: building our offer and choosing from a peer's (RFC 2409 s5, App. A). */
final class Phase1Sa {
    private Phase1Sa() {
    }

    /** What was agreed: the proposal, the transform as sent (echoed in MM2) and its lifetime. */
    record Choice(Phase1Proposal proposal, int proposalNumber, TransformPayload transform, Duration lifetime) {
    }

    /** MM1's SA: one ISAKMP proposal whose transforms are our alternatives in order of preference. */
    static SaPayload offer(List<Phase1Proposal> ours, Duration lifetime, int authMethod) {
        List<TransformPayload> transforms = new ArrayList<>();
        int n = 1;
        for (Phase1Proposal p : ours) {
            List<DataAttribute> attrs = new ArrayList<>();
            attrs.add(DataAttribute.basic(ENCRYPTION_ALGORITHM, p.encryption().ikeValue()));
            if (p.encryption().hasKeyLengthAttribute()) {
                attrs.add(DataAttribute.basic(KEY_LENGTH, p.keyBits()));
            }
            attrs.add(DataAttribute.basic(HASH_ALGORITHM, p.hash().ikeValue()));
            attrs.add(DataAttribute.basic(AUTHENTICATION_METHOD, authMethod));
            attrs.add(DataAttribute.basic(GROUP_DESCRIPTION, p.group().id()));
            attrs.add(DataAttribute.basic(LIFE_TYPE, LIFE_SECONDS));
            attrs.add(DataAttribute.number(LIFE_DURATION, lifetime.toSeconds()));
            transforms.add(new TransformPayload(n++, KEY_IKE, attrs));
        }
        ProposalPayload proposal = new ProposalPayload(1, ProtocolId.ISAKMP, new byte[0], transforms);
        return new SaPayload(DOI_IPSEC, SIT_IDENTITY_ONLY, List.of(proposal));
    }

    /** Attribute classes RFC 2409 Appendix A marks B: they must be sent in the basic (TV) form. */
    private static final Set<Integer> BASIC_ONLY = Set.of(ENCRYPTION_ALGORITHM, HASH_ALGORITHM,
            AUTHENTICATION_METHOD, GROUP_DESCRIPTION, GROUP_TYPE, LIFE_TYPE, PRF, KEY_LENGTH, FIELD_SIZE);
    /** The longest Life Duration we read: 8 bytes hold any lifetime; longer ones only exhaust us. */
    static final int MAX_LIFE_DURATION_BYTES = 8;

    /**
     * The syntax rules of an initiator's phase-1 SA that no transform choice can excuse (RFC 2409
     * Appendix A, RFC 2407 s4.5): basic-only classes in the basic form, each class at most once per
     * transform, a Life Duration of 1-8 bytes that follows a known Life Type, and no Key Length of
     * 0. A message that breaks one is malformed as a whole, whatever else it offers. A Life Duration
     * of 0 is not among them: neither RFC 2407 s4.5 nor RFC 2409 Appendix A gives it a meaning, and
     * strongSwan offers it when it has no IKE lifetime configured (its responder echoes it and keeps
     * its own lifetime); {@link #select} reads it as no limit from the peer, as Quick Mode does.
     *
     * @throws ExchangeFailure BAD-PROPOSAL-SYNTAX naming the proposal, transform and rule
     */
    static void checkSyntax(SaPayload sa) throws ExchangeFailure {
        for (ProposalPayload p : sa.proposals()) {
            for (TransformPayload t : p.transforms()) {
                String where = "proposal " + p.proposalNumber() + " transform " + t.transformNumber() + ": ";
                Set<Integer> seen = new HashSet<>();
                int lifeType = 0;
                for (DataAttribute a : t.attributes()) {
                    if (!seen.add(a.type()) && a.type() != LIFE_TYPE && a.type() != LIFE_DURATION) {
                        throw bad(where + "attribute class " + a.type() + " appears twice");
                    }
                    if (BASIC_ONLY.contains(a.type()) && !a.isBasic()) {
                        throw bad(where + "attribute class " + a.type() + " must be basic (RFC 2409 Appendix A)");
                    }
                    if (a.type() == LIFE_TYPE) {
                        lifeType = (int) Attributes.value(a);
                        if (lifeType != LIFE_SECONDS && lifeType != LIFE_KILOBYTES) {
                            throw bad(where + "unknown Life Type " + lifeType + " (RFC 2407 s4.5)");
                        }
                    } else if (a.type() == LIFE_DURATION) {
                        if (lifeType == 0) {
                            throw bad(where + "Life Duration without a Life Type before it (RFC 2407 s4.5)");
                        }
                        if (!a.isBasic() && (a.valueLength() == 0 || a.valueLength() > MAX_LIFE_DURATION_BYTES)) {
                            throw bad(where + "Life Duration of " + a.valueLength() + " bytes (1 to "
                                    + MAX_LIFE_DURATION_BYTES + " accepted)");
                        }
                    } else if (a.type() == KEY_LENGTH && Attributes.value(a) == 0) {
                        throw bad(where + "Key Length 0");
                    }
                }
            }
        }
    }

    private static ExchangeFailure bad(String why) {
        return ExchangeFailure.fatal(NotifyType.BAD_PROPOSAL_SYNTAX, why);
    }

    /**
     * Responder: the first of the peer's transforms (in its order of preference) that one of ours
     * matches. Each rejected transform is reported with its reason into {@code why}.
     */
    static Choice select(IkeCrypto crypto, SaPayload offered, List<Phase1Proposal> ours, Duration ourLifetime,
            int authMethod, List<String> why)
            throws ExchangeFailure {
        return select(crypto, offered, ours, ourLifetime, authMethod, false, why);
    }

    /**
     * As above; with {@code xauthServer} a transform may also name the XAUTH variant of
     * {@code authMethod} (XAUTHInitPreShared, XAUTHInitRSA): what strongSwan and Cisco clients
     * propose when XAUTH follows phase 1 (draft-beaulieu-ike-xauth-02 s4). Phase 1 itself then
     * runs as with {@code authMethod}.
     */
    static Choice select(IkeCrypto crypto, SaPayload offered, List<Phase1Proposal> ours, Duration ourLifetime,
            int authMethod, boolean xauthServer, List<String> why)
            throws ExchangeFailure {
        int xauthMethod = xauthServer ? xauthInitiatorMethod(authMethod) : authMethod;
        for (ProposalPayload p : offered.proposals()) {
            if (!p.protocolId().equals(ProtocolId.ISAKMP)) {
                why.add("proposal " + p.proposalNumber() + ": protocol " + p.protocolId() + " is not ISAKMP");
                continue;
            }
            for (TransformPayload t : p.transforms()) {
                Optional<Choice> c = match(crypto, p.proposalNumber(), t, ours, ourLifetime, authMethod, xauthMethod,
                        why);
                if (c.isPresent()) {
                    return c.get();
                }
            }
        }
        throw ExchangeFailure.fatal(NotifyType.NO_PROPOSAL_CHOSEN, "no acceptable ISAKMP proposal");
    }

    /** MM2's SA: our proposal with only the chosen transform, exactly as the peer sent it. */
    static SaPayload reply(SaPayload offered, Choice c) {
        ProposalPayload p = new ProposalPayload(c.proposalNumber(), ProtocolId.ISAKMP, new byte[0],
                List.of(c.transform()));
        return new SaPayload(offered.doi(), offered.situation(), List.of(p));
    }

    /** Initiator: MM2 must carry exactly one transform, and it must be one we offered. */
    static Choice accept(IkeCrypto crypto, SaPayload reply, List<Phase1Proposal> ours, Duration ourLifetime,
            int authMethod)
            throws ExchangeFailure {
        ProposalPayload p = onlyProposal(reply);
        List<String> why = new ArrayList<>();
        Optional<Choice> c = p.protocolId().equals(ProtocolId.ISAKMP)
                ? match(crypto, p.proposalNumber(), p.transforms().get(0), ours, ourLifetime, authMethod, authMethod,
                        why)
                : Optional.empty();
        return c.orElseThrow(() -> ExchangeFailure.fatal(NotifyType.NO_PROPOSAL_CHOSEN,
                "responder chose a transform we did not offer: " + String.join("; ", why)));
    }

    /** A responder's SA names exactly what it chose: one proposal with one transform (RFC 2408 s4.2). */
    static ProposalPayload onlyProposal(SaPayload reply) throws ExchangeFailure {
        if (reply.proposals().size() != 1 || reply.proposals().get(0).transforms().size() != 1) {
            throw ExchangeFailure.fatal(NotifyType.BAD_PROPOSAL_SYNTAX,
                    "responder's SA must hold one proposal with one transform");
        }
        return reply.proposals().get(0);
    }

    private static Optional<Choice> match(IkeCrypto crypto, int proposalNumber, TransformPayload t,
            List<Phase1Proposal> ours, Duration ourLifetime, int authMethod, int xauthMethod, List<String> why) {
        String label = "transform " + t.transformNumber();
        if (t.transformId() != KEY_IKE) {
            why.add(label + ": transform id " + t.transformId() + " is not KEY_IKE");
            return Optional.empty();
        }
        Integer enc = null;
        Integer hash = null;
        Integer auth = null;
        Integer group = null;
        int keyBits = 0;
        long lifeSeconds = 0;
        int lifeType = 0;
        for (DataAttribute a : t.attributes()) {
            long v = Attributes.value(a);
            switch (a.type()) {
                case ENCRYPTION_ALGORITHM -> enc = (int) v;
                case HASH_ALGORITHM -> hash = (int) v;
                case AUTHENTICATION_METHOD -> auth = (int) v;
                case GROUP_DESCRIPTION -> group = (int) v;
                case KEY_LENGTH -> keyBits = (int) v;
                case LIFE_TYPE -> lifeType = (int) v;
                case LIFE_DURATION -> {
                    if (lifeType == LIFE_SECONDS) {
                        lifeSeconds = v;
                    } else if (lifeType != LIFE_KILOBYTES) {
                        why.add(label + ": life duration without a life type");
                        return Optional.empty();
                    }
                }
                default -> {
                    why.add(label + ": unsupported attribute class " + a.type());
                    return Optional.empty();
                }
            }
        }
        if (enc == null || hash == null || auth == null || group == null) {
            why.add(label + ": lacks a mandatory attribute (encryption, hash, authentication, group)");
            return Optional.empty();
        }
        Optional<EncryptionAlgorithm> e = crypto.encryption(enc);
        Optional<HashAlgorithm> h = crypto.hash(hash);
        if (e.isEmpty() || h.isEmpty()) {
            why.add(label + ": unsupported encryption " + enc + " or hash " + hash);
            return Optional.empty();
        }
        if (keyBits == 0) {
            keyBits = e.get().defaultKeyBits();
        }
        if (auth != authMethod && auth != xauthMethod) {
            why.add(label + ": authentication method " + authName(auth) + " is not " + authName(authMethod)
                    + (xauthMethod != authMethod ? " or " + authName(xauthMethod) : ""));
            return Optional.empty();
        }
        for (Phase1Proposal p : ours) {
            if (p.matches(e.get(), keyBits, h.get(), group)) {
                // RFC 2407 s4.5.4 lets the responder shorten; we keep the shorter of the two (0: no limit).
                Duration life = lifeSeconds == 0 || lifeSeconds > ourLifetime.toSeconds()
                        ? ourLifetime : Duration.ofSeconds(lifeSeconds);
                return Optional.of(new Choice(p, proposalNumber, t, life));
            }
        }
        why.add(label + ": " + e.get() + "/" + keyBits + " " + h.get() + " group " + group
                + " matches none of our proposals");
        return Optional.empty();
    }

    /** The method a client names for {@code method} followed by XAUTH; {@code method} if there is none. */
    static int xauthInitiatorMethod(int method) {
        return switch (method) {
            case AUTH_PRE_SHARED_KEY -> AUTH_XAUTH_INIT_PRE_SHARED;
            case AUTH_RSA_SIGNATURES -> AUTH_XAUTH_INIT_RSA;
            default -> method;
        };
    }

    /** "pre-shared key", "RSA signatures", ... or the number when it has no name (RFC 2409 App. A, class 3). */
    static String authName(int method) {
        String name = SPACE.valueName(AUTHENTICATION_METHOD, method);
        return name != null ? name : "method " + method;
    }
}
