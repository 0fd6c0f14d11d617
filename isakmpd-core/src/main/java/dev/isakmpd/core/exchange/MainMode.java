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

import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.wire.IsakmpHeader;
import dev.isakmpd.core.wire.Payload;
import dev.isakmpd.core.wire.SaPayload;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Main Mode, the identity protection exchange (RFC 2409 s5, RFC 2408 s4.5):
 * <pre>
 *   MM1  HDR, SA                        -->
 *   MM2                                 <--  HDR, SA
 *   MM3  HDR, KE, Ni                    -->
 *   MM4                                 <--  HDR, KE, Nr
 *   MM5  HDR*, IDii, [CERT,] HASH_I|SIG_I  -->
 *   MM6                                 <--  HDR*, IDir, [CERT,] HASH_R|SIG_R
 * </pre>
 * The proof in MM5/MM6 is the auth method's ({@link Phase1Auth#proofType}). With NAT traversal
 * (RFC 3947) MM1/MM2 carry its vendor IDs, MM3/MM4 NAT-D payloads, and from MM5 on the exchange
 * runs on port 4500 if a NAT was found.
 */
final class MainMode extends Phase1Exchange {
    enum State { MM1_SENT, MM2_SENT, MM3_SENT, MM4_SENT, MM5_SENT, DONE }

    /** CERTREQs one message may carry: one per CA a peer trusts is plenty; a flood is refused. */
    static final int MAX_CERTREQ = 16;

    /** RFC 2409 s5: the SA payload MUST precede all other payloads in phase 1. */
    static final MessageShape MM1 = MessageShape.of("MM1").first(SA).any(VID).build();
    static final MessageShape MM2 = MessageShape.of("MM2").first(SA).any(VID).build();
    static final MessageShape MM3 = MessageShape.of("MM3").one(KE).one(NONCE).between(CR, 0, MAX_CERTREQ)
            .any(NAT_D, NAT_D_DRAFT, VID).build();
    static final MessageShape MM4 = MessageShape.of("MM4").one(KE).one(NONCE).between(CR, 0, MAX_CERTREQ)
            .any(NAT_D, NAT_D_DRAFT, VID).build();
    static final MessageShape MM5 = MessageShape.of("MM5").one(ID).between(CERT, 0, SignatureAuth.MAX_CERTIFICATES)
            .between(CR, 0, MAX_CERTREQ).any(N, VID).build();
    static final MessageShape MM6 = MessageShape.of("MM6").one(ID).between(CERT, 0, SignatureAuth.MAX_CERTIFICATES)
            .any(N, VID).build();
    /** RFC 2409 s5.2: with public key encryption the IDs went with KE and nonce; 5 and 6 carry the HASH. */
    static final MessageShape MM5_PROOF_ONLY = MessageShape.of("MM5").any(N, VID).build();
    static final MessageShape MM6_PROOF_ONLY = MessageShape.of("MM6").any(N, VID).build();

    private State state;
    /** Initiator: tell the peer in MM5 that we hold no SA with it (INITIAL-CONTACT, RFC 2407 s4.6.3.3). */
    private final boolean firstContact;

    private MainMode(IsakmpSession session, Phase1Auth auth, boolean firstContact) {
        super(session, auth);
        this.firstContact = firstContact;
    }

    /** MM1: HDR, SA. */
    static MainMode initiate(IsakmpSession session, Phase1Auth auth, boolean firstContact, Instant now, Out out) {
        MainMode mm = new MainMode(session, auth, firstContact);
        SaPayload offer = mm.offer();
        mm.state = State.MM1_SENT;
        out.info(mm.tag() + "initiating, offering " + session.peer.ikeProposals());
        List<Payload> mm1 = new ArrayList<>(List.of(offer));
        mm1.addAll(mm.vendorIds());
        mm.sendPlain(mm1, now, out, false);
        return mm;
    }

    /**
     * MM1 at the responder: choose a transform and answer with MM2: HDR, SA.
     *
     * @throws ExchangeFailure when MM1 is malformed or offers nothing we accept
     */
    static MainMode respond(IsakmpSession session, Phase1Auth auth, Datagram d, Packet p, Instant now, Out out)
            throws ExchangeFailure {
        MainMode mm = new MainMode(session, auth, false);
        mm.rtx.received(d.rawData());
        mm.received = d;
        session.logReceived(p, out);
        MM1.check(p.payloads());
        Phase1Sa.checkSyntax((SaPayload) p.payloads().get(0));
        SaPayload reply = mm.choose(p, (SaPayload) p.payloads().get(0), out);
        if (out.debugging()) { // DEBUG: an unauthenticated MM1 is no event (a flood of them would be the log's);
            // "ISAKMP SA established" names the choice at INFO, the half-open limit's warning the flood
            out.debug(mm.tag() + "responding, chose " + mm.choice.proposal() + " lifetime "
                    + mm.choice.lifetime().toSeconds() + "s");
        }
        mm.state = State.MM2_SENT;
        mm.notePeerVendorIds(p);
        List<Payload> mm2 = new ArrayList<>(List.of(reply));
        mm2.addAll(mm.vendorIds());
        mm.sendPlain(mm2, now, out, true);
        return mm;
    }

    @Override
    void step(IsakmpHeader h, Packet p, byte[] ciphertext, Instant now, Out out) throws ExchangeFailure {
        expectedShape().check(p.payloads());
        switch (state) {
            case MM1_SENT -> onMm2(h, p, now, out);
            case MM2_SENT -> onMm3(p, now, out);
            case MM3_SENT -> onMm4(p, now, out);
            case MM4_SENT -> onMm5(p, ciphertext, now, out);
            case MM5_SENT -> onMm6(p, ciphertext, now, out);
            default -> throw new IllegalStateException(state.name());
        }
    }

    /** MM2 at the initiator: the responder's choice and CKY-R; answer with MM3: HDR, KE, Ni. */
    private void onMm2(IsakmpHeader h, Packet p, Instant now, Out out) throws ExchangeFailure {
        accept((SaPayload) p.payloads().get(0));
        session.learnResponderCookie(h.responderCookie());
        notePeerVendorIds(p);
        List<Payload> mm3 = ownKeyExchange();
        mm3.addAll(natDiscovery());
        state = State.MM3_SENT;
        out.debug(tag() + "responder chose " + choice.proposal());
        sendPlain(mm3, now, out, true);
    }

    /**
     * MM3 at the responder: answer with MM4: HDR, KE, Nr. The keys are derived when MM5 comes
     * (g^xy may compute on another core meanwhile: {@link #startAgreement}).
     */
    private void onMm3(Packet p, Instant now, Out out) throws ExchangeFailure {
        peerKeyExchange(p);
        detectNat(p, out);
        List<Payload> mm4 = ownKeyExchange();
        mm4.addAll(natDiscovery());
        startAgreement();
        state = State.MM4_SENT;
        sendPlain(mm4, now, out, true);
    }

    /** MM4 at the initiator: derive the keys, then MM5: HDR*, IDii, proof [, N(INITIAL-CONTACT)]. */
    private void onMm4(Packet p, Instant now, Out out) throws ExchangeFailure {
        peerKeyExchange(p);
        detectNat(p, out);
        deriveKeys(out);
        floatIfNatted(out);
        List<Payload> mm5 = new ArrayList<>(authenticationMessage(true));
        if (firstContact) {
            mm5.add(Informational.notify(session, NotifyType.INITIAL_CONTACT, new byte[0]));
        }
        state = State.MM5_SENT;
        sendEncrypted(mm5, now, out, true, true);
    }

    /** MM5 at the responder: check the initiator's proof, answer with MM6: HDR*, IDir, proof. */
    private void onMm5(Packet p, byte[] ciphertext, Instant now, Out out) throws ExchangeFailure {
        authenticatePeerMessage(p, now, out);
        cbc.advance(0, ciphertext);
        out.hold(); // MM6 gives the initiator the SA: it waits for the standby's copy (IsakmpSession#established)
        sendEncrypted(authenticationMessage(false), now, out, true, false);
        state = State.DONE;
        complete(now, out);
    }

    /** MM6 at the initiator: check the responder's proof; the ISAKMP SA is up. */
    private void onMm6(Packet p, byte[] ciphertext, Instant now, Out out) throws ExchangeFailure {
        authenticatePeerMessage(p, now, out);
        cbc.advance(0, ciphertext);
        state = State.DONE;
        complete(now, out);
    }

    @Override
    ExchangeType exchangeType() {
        return ExchangeType.IDENTITY_PROTECTION;
    }

    @Override
    String stateName() {
        return state.name();
    }

    @Override
    boolean halfOpen() {
        return state == State.MM2_SENT || state == State.MM4_SENT;
    }

    @Override
    boolean peerAnsweredFromItsAddress() {
        return state == State.MM4_SENT;
    }

    @Override
    boolean acceptsEncryption(boolean encrypted) {
        return encrypted == (state == State.MM4_SENT || state == State.MM5_SENT);
    }

    @Override
    MessageShape expectedShape() {
        boolean idsWithKe = auth.identifiesInKeyExchange();
        return switch (state) {
            case MM1_SENT -> MM2;
            case MM2_SENT -> idsWithKe ? MM3.requiring(ID) : MM3;
            case MM3_SENT -> idsWithKe ? MM4.requiring(ID) : MM4;
            case MM4_SENT -> (idsWithKe ? MM5_PROOF_ONLY : MM5).requiring(auth.proofType());
            case MM5_SENT, DONE -> (idsWithKe ? MM6_PROOF_ONLY : MM6).requiring(auth.proofType());
        };
    }

    @Override
    Set<PayloadType> encryptedBodies() {
        return state == State.MM2_SENT || state == State.MM3_SENT ? auth.encryptedInKeyExchange() : Set.of();
    }
}
