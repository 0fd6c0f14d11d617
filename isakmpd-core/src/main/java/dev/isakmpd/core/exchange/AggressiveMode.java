package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.registry.PayloadType.CERT;
import static dev.isakmpd.core.registry.PayloadType.CR;
import static dev.isakmpd.core.registry.PayloadType.ID;
import static dev.isakmpd.core.registry.PayloadType.KE;
import static dev.isakmpd.core.registry.PayloadType.N;
import static dev.isakmpd.core.registry.PayloadType.NAT_D;
import static dev.isakmpd.core.registry.PayloadType.NAT_D_DRAFT;
import static dev.isakmpd.core.registry.PayloadType.NONCE;
import static dev.isakmpd.core.registry.PayloadType.SA;
import static dev.isakmpd.core.registry.PayloadType.VID;

import dev.isakmpd.core.policy.Identity;
import dev.isakmpd.core.policy.Phase1Proposal;
import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.wire.IdentificationPayload;
import dev.isakmpd.core.wire.IsakmpHeader;
import dev.isakmpd.core.wire.Payload;
import dev.isakmpd.core.wire.SaPayload;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Aggressive Mode (RFC 2409 s5, exchange type 4): three messages, no identity protection.
 * <pre>
 *   AM1  HDR, SA, KE, Ni, IDii                           -->
 *   AM2                       <--  HDR, SA, KE, Nr, IDir, [CERT,] HASH_R|SIG_R
 *   AM3  HDR[*], [CERT,] HASH_I|SIG_I                    -->
 * </pre>
 * AM1 commits to one Diffie-Hellman group (its KE is in that group), so every transform we offer
 * carries it. AM3 is accepted encrypted (as strongSwan and Cisco send it) or plain (as the RFC
 * writes it); ours is encrypted. With NAT traversal (RFC 3947 s3.2) AM2 and AM3 carry NAT-D,
 * and AM3 goes to port 4500 if AM2's showed a NAT. With a pre-shared key AM2's HASH_R lets whoever sent one AM1
 * test guesses of the key offline, which is why a responder only allows it where configured.
 *
 * <p>With public key encryption (RFC 2409 s5.2, s5.3) the IDs travel with KE and nonce, their
 * bodies sealed for the other side as in Main Mode's third and fourth messages, and AM2 and AM3
 * carry only the HASH:
 * <pre>
 *   method 4: AM1  HDR, SA, KE, &lt;IDii_b&gt;PubKey_r, &lt;Ni_b&gt;PubKey_r
 *             AM2  HDR, SA, KE, &lt;IDir_b&gt;PubKey_i, &lt;Nr_b&gt;PubKey_i, HASH_R
 *   method 5: AM1  HDR, SA, &lt;Ni_b&gt;PubKey_r, &lt;KE_b&gt;Ke_i, &lt;IDii_b&gt;Ke_i
 *             AM2  HDR, SA, &lt;Nr_b&gt;PubKey_i, &lt;KE_b&gt;Ke_r, &lt;IDir_b&gt;Ke_r, HASH_R
 *             AM3  HDR[*], HASH_I
 * </pre>
 * Ke_i is a key of the negotiated cipher, yet AM1 is sealed before the responder chooses: our
 * AM1 commits to the first proposal's cipher and hash as it does to its group (the config
 * loader makes all proposals of such a peer agree). The optional HASH(1), which names one of
 * several responder keys, is neither sent nor accepted: a policy names one peer key.
 */
final class AggressiveMode extends Phase1Exchange {
    enum State { AM1_SENT, AM2_SENT, DONE }

    static final MessageShape AM1 = MessageShape.of("AM1").first(SA).one(KE).one(NONCE).one(ID)
            .between(CR, 0, MainMode.MAX_CERTREQ).any(VID).build();
    static final MessageShape AM2 = MessageShape.of("AM2").first(SA).one(KE).one(NONCE).one(ID)
            .between(CERT, 0, SignatureAuth.MAX_CERTIFICATES).between(CR, 0, MainMode.MAX_CERTREQ)
            .any(NAT_D, NAT_D_DRAFT, VID).build();
    static final MessageShape AM3 = MessageShape.of("AM3").between(CERT, 0, SignatureAuth.MAX_CERTIFICATES)
            .any(N, NAT_D, NAT_D_DRAFT, VID).build();

    private State state;
    private final boolean firstContact;
    /** IDii as AM1 carried it: HASH_I covers it, and AM3 does not repeat it. */
    private IdentificationPayload initiatorId;

    private AggressiveMode(IsakmpSession session, Phase1Auth auth, boolean firstContact) {
        super(session, auth);
        this.firstContact = firstContact;
    }

    /** AM1: HDR, SA, KE, Ni, IDii, in the one group all our proposals share. */
    static AggressiveMode initiate(IsakmpSession session, Phase1Auth auth, boolean firstContact, Instant now,
            Out out) {
        AggressiveMode am = new AggressiveMode(session, auth, firstContact);
        List<Payload> am1 = new ArrayList<>();
        am1.add(am.offer());
        am1.addAll(am.ownKeyExchange(committed(session.peer.ikeProposals())));
        if (!auth.identifiesInKeyExchange()) {
            am1.add(am.ownId());
        }
        am1.addAll(am.vendorIds());
        am.state = State.AM1_SENT;
        out.info(am.tag() + "initiating, offering " + session.peer.ikeProposals() + " (" + auth + ")");
        am.sendPlain(am1, now, out, false);
        return am;
    }

    /**
     * The proposal AM1 is sealed under: its group (and, revised public key encryption, its cipher
     * and hash); the config loader makes sure all proposals of such a peer agree on them.
     */
    static Phase1Proposal committed(List<Phase1Proposal> proposals) {
        return proposals.get(0);
    }

    /**
     * AM1 at the responder: choose, then AM2 with our KE, nonce, ID and proof of HASH_R.
     *
     * @throws ExchangeFailure when AM1 is malformed, offers nothing we accept, or its KE is not of
     *     the group of the transform we would choose
     */
    static AggressiveMode respond(IsakmpSession session, Phase1Auth auth, Datagram d, Packet p, Instant now,
            Out out) throws ExchangeFailure {
        AggressiveMode am = new AggressiveMode(session, auth, false);
        am.rtx.received(d.rawData());
        am.received = d;
        session.logReceived(p, out);
        AM1.check(p.payloads());
        Phase1Sa.checkSyntax((SaPayload) p.payloads().get(0));
        SaPayload reply = am.choose(p, (SaPayload) p.payloads().get(0), out);
        am.peerKeyExchange(p);
        am.initiatorId = auth.identifiesInKeyExchange() ? am.peerIdInKeyExchange
                : Payloads.required(p.payloads(), IdentificationPayload.class, "ID");
        am.notePeerVendorIds(p);
        List<Payload> am2 = new ArrayList<>();
        am2.add(reply);
        am2.addAll(am.ownKeyExchange());
        am.deriveKeys(out);
        am2.addAll(am.authenticationMessage(false));
        am2.addAll(am.vendorIds());
        am2.addAll(am.natDiscovery());
        out.info(am.tag() + "responding to " + "'" + Identity.describe(am.initiatorId) + "'" + ", chose "
                + am.choice.proposal() + " lifetime " + am.choice.lifetime().toSeconds() + "s (" + auth + ")");
        am.state = State.AM2_SENT;
        am.sendPlain(am2, now, out, true);
        return am;
    }

    @Override
    void step(IsakmpHeader h, Packet p, byte[] ciphertext, Instant now, Out out) throws ExchangeFailure {
        expectedShape().check(p.payloads());
        switch (state) {
            case AM1_SENT -> onAm2(h, p, now, out);
            case AM2_SENT -> onAm3(p, ciphertext, now, out);
            default -> throw new IllegalStateException(state.name());
        }
    }

    /** AM2 at the initiator: its choice must be in our group; check HASH_R, answer with AM3. */
    private void onAm2(IsakmpHeader h, Packet p, Instant now, Out out) throws ExchangeFailure {
        accept((SaPayload) p.payloads().get(0));
        if (choice.proposal().group() != dh.group()) {
            throw ExchangeFailure.fatal(NotifyType.NO_PROPOSAL_CHOSEN, "the responder chose group "
                    + choice.proposal().group().name() + " but AM1 committed to " + dh.group().name());
        }
        session.learnResponderCookie(h.responderCookie());
        notePeerVendorIds(p);
        peerKeyExchange(p);
        detectNat(p, out);
        deriveKeys(out);
        authenticatePeerMessage(p, now, out);
        floatIfNatted(out);
        List<Payload> am3 = new ArrayList<>(proof(true));
        am3.addAll(natDiscovery());
        if (firstContact) {
            am3.add(Informational.notify(session, NotifyType.INITIAL_CONTACT, new byte[0]));
        }
        out.hold(); // AM3 gives the responder the SA: it waits for the standby's copy (IsakmpSession#established)
        sendEncrypted(am3, now, out, true, false);
        state = State.DONE;
        complete(now, out);
    }

    /** AM3 at the responder: the initiator's proof of HASH_I over the IDii of AM1. */
    private void onAm3(Packet p, byte[] ciphertext, Instant now, Out out) throws ExchangeFailure {
        detectNat(p, out);
        authenticatePeer(p, initiatorId, now, out);
        if (ciphertext != null) {
            cbc.advance(0, ciphertext);
        }
        state = State.DONE;
        complete(now, out);
    }

    @Override
    boolean initiatorRetransmits() {
        return false;
    }

    @Override
    ExchangeType exchangeType() {
        return ExchangeType.AGGRESSIVE;
    }

    @Override
    String stateName() {
        return state.name();
    }

    @Override
    boolean halfOpen() {
        return state == State.AM2_SENT;
    }

    @Override
    boolean acceptsEncryption(boolean encrypted) {
        return state == State.AM2_SENT || !encrypted;
    }

    @Override
    Set<PayloadType> encryptedBodies() {
        return state == State.AM1_SENT ? auth.encryptedInKeyExchange() : Set.of();
    }

    @Override
    MessageShape expectedShape() {
        return switch (state) {
            case AM1_SENT -> AM2.requiring(auth.proofType());
            case AM2_SENT, DONE -> AM3.requiring(auth.proofType());
        };
    }
}
