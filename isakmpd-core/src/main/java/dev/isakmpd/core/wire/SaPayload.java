package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.IpsecDoi;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;

import java.util.ArrayList;
import java.util.List;

/**
 * Security Association payload (RFC 2408 s3.4) for the IPsec DOI (RFC 2407 s4.6.1): DOI, 4-octet situation
 * bitmap, then the Proposal payloads (each followed by its Transform payloads) inside the SA payload body.
 *
 * <p>Only SIT_IDENTITY_ONLY situations are modelled. SIT_SECRECY/SIT_INTEGRITY add labelled-domain data after the
 * bitmap (RFC 2407 s4.6.1); they are rejected with SITUATION-NOT-SUPPORTED, the response RFC 2407 s4.2.2/s4.2.3
 * prescribe for a responder without label support. Supporting them later means adding a component for the label
 * data and keeping this 3-argument constructor.
 */
public record SaPayload(int doi, int situation, List<ProposalPayload> proposals) implements Payload {
    /** Bound on proposals per SA, against resource abuse. */
    public static final int MAX_PROPOSALS = 64;

    public SaPayload {
        proposals = List.copyOf(proposals);
        Violation.throwIfPresent(checkDoi(doi));
        Violation.throwIfPresent(checkSituation(situation));
        Violation.throwIfPresent(checkProposalCount(proposals.size()));
    }

    public SaPayload(int doi, int situation, ProposalPayload... proposals) {
        this(doi, situation, List.of(proposals));
    }

    @Override
    public PayloadType type() {
        return PayloadType.SA;
    }

    /** The situation's layout is DOI-specific (s3.4), so without knowing the DOI the proposals cannot be found. */
    private static Violation checkDoi(int doi) {
        return doi != IpsecDoi.DOI_IPSEC
                ? new Violation(NotifyType.DOI_NOT_SUPPORTED, "DOI",
                        Integer.toUnsignedString(doi) + " is not supported, only IPSEC (1)")
                : null;
    }

    private static Violation checkSituation(int situation) {
        return (situation & ~IpsecDoi.SIT_IDENTITY_ONLY) != 0
                ? new Violation(NotifyType.SITUATION_NOT_SUPPORTED, "situation",
                        IpsecDoi.situationName(situation) + " is not supported, only SIT_IDENTITY_ONLY")
                : null;
    }

    /** s4.2: an SA payload carries at least one proposal. */
    private static Violation checkProposalCount(int count) {
        if (count < 1) {
            return new Violation(NotifyType.BAD_PROPOSAL_SYNTAX, "proposals", "missing from SA payload (RFC 2408 s4.2)");
        }
        if (count > MAX_PROPOSALS) {
            return new Violation(NotifyType.PAYLOAD_MALFORMED, "proposals", "exceed the limit of " + MAX_PROPOSALS);
        }
        return null;
    }

    void writeBody(WireWriter w) {
        w.u32(doi);
        w.u32(situation);
        for (int i = 0; i < proposals.size(); i++) {
            int start = w.beginPayload(i + 1 < proposals.size() ? PayloadType.P.value() : PayloadType.NONE.value());
            proposals.get(i).writeBody(w);
            w.endPayload(start);
        }
    }

    static SaPayload decodeBody(WireReader r) throws WireException {
        int doiAt = r.position();
        int doi = r.u32("DOI");
        Violation badDoi = checkDoi(doi);
        if (badDoi != null) {
            throw badDoi.at(doiAt);
        }
        int situationAt = r.position();
        int situation = r.u32("situation");
        Violation badSituation = checkSituation(situation);
        if (badSituation != null) {
            throw badSituation.at(situationAt);
        }
        List<ProposalPayload> proposals = new ArrayList<>(2);
        boolean more = true; // s4.2: the SA's own next payload points past the SA, the first P is implied
        while (more) {
            if (!r.hasRemaining()) {
                if (proposals.isEmpty()) {
                    throw checkProposalCount(0).at(r.position());
                }
                throw WireException.malformed(r.position(), "proposal header",
                        "missing: previous proposal's next payload is P but the SA payload ends");
            }
            Violation tooMany = checkProposalCount(proposals.size() + 1);
            if (tooMany != null) {
                throw tooMany.at(r.position());
            }
            GenericHeader h = GenericHeader.read(r, "proposal", "SA payload");
            if (h.nextPayload() != PayloadType.P.value() && h.nextPayload() != PayloadType.NONE.value()) {
                throw new WireException(NotifyType.BAD_PROPOSAL_SYNTAX, h.start(), "next payload",
                        PayloadType.of(h.nextPayload()) + " in proposal, must be P or NONE (RFC 2408 s3.5)");
            }
            proposals.add(ProposalPayload.decodeBody(h.body(r)));
            more = h.nextPayload() == PayloadType.P.value();
        }
        if (r.hasRemaining()) {
            throw WireException.malformed(r.position(), "payload length",
                    r.remaining() + " bytes left after the last proposal of the SA payload");
        }
        return new SaPayload(doi, situation, proposals);
    }

    @Override
    public String toString() {
        return "SA[doi=" + Integer.toUnsignedString(doi) + " sit=" + IpsecDoi.situationName(situation) + " "
                + proposals + "]";
    }
}
