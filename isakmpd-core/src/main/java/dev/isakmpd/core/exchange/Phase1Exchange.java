package dev.isakmpd.core.exchange;

import dev.isakmpd.core.policy.Identity;
import dev.isakmpd.core.policy.Phase1Proposal;
import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.wire.CertificateRequestPayload;
import dev.isakmpd.core.wire.IdentificationPayload;
import dev.isakmpd.core.wire.IsakmpHeader;
import dev.isakmpd.core.wire.KeyExchangePayload;
import dev.isakmpd.core.wire.NoncePayload;
import dev.isakmpd.core.wire.NotificationPayload;
import dev.isakmpd.core.wire.Payload;
import dev.isakmpd.core.wire.PayloadCodec;
import dev.isakmpd.core.wire.SaPayload;
import dev.isakmpd.core.wire.VendorIdPayload;
import dev.isakmpd.core.wire.WireException;
import dev.isakmpd.oakley.CbcCipher;
import dev.isakmpd.oakley.DhGroup;
import dev.isakmpd.oakley.DhKeyPair;
import dev.isakmpd.oakley.InvalidKeyInformationException;
import dev.isakmpd.oakley.PendingAgreement;
import dev.isakmpd.oakley.Phase1Keys;
import dev.isakmpd.oakley.Prf;
import dev.isakmpd.oakley.SecretBytes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What every phase-1 exchange (Main Mode, Aggressive Mode) is built from: SA choice, KE and
 * nonce, key derivation, ID, HASH_I/HASH_R and the auth method's proof, plus the handling every
 * phase-1 message shares (duplicates, damaged or forged messages, retransmission). A subclass
 * says in which message each step happens; its result is handed to the {@link IsakmpSession}.
 */
abstract class Phase1Exchange {
    static final int NONCE_LENGTH = 32;
    /** RFC 3706 s5.1: HASHED_VENDOR_ID, then major 1, minor 0. Sent always: we answer R-U-THERE. */
    static final VendorIdPayload DPD_VENDOR_ID =
            new VendorIdPayload(HexFormat.of().parseHex("afcad71368a1f1c96b8696fc77570100"));
    /** XAUTH (draft-beaulieu-ike-xauth-02 s7, specs/ikev1-vendor-ids.md). */
    static final VendorIdPayload XAUTH_VENDOR_ID = new VendorIdPayload(HexFormat.of().parseHex("09002689dfd6b712"));
    /** Cisco Unity 1.0 (specs/cisco-unity-and-xauth-notes.md s1). */
    static final VendorIdPayload UNITY_VENDOR_ID =
            new VendorIdPayload(HexFormat.of().parseHex("12f5f28c457168a9702d9fe274cc0100"));

    final IsakmpSession session;
    final EngineContext ctx;
    final Phase1Auth auth;
    final Retransmitter rtx;
    /** SAi_b: the body of the initiator's SA payload, which HASH_I and HASH_R cover. */
    byte[] saiB;
    Phase1Sa.Choice choice;
    DhKeyPair dh;
    byte[] gxi;
    byte[] gxr;
    byte[] ni;
    byte[] nr;
    Prf prf;
    Phase1Keys keys;
    CbcState cbc;
    /** g^xy between {@link #startAgreement} and {@link #deriveKeys}. */
    private PendingAgreement agreement;
    /** The peer sent the DPD vendor ID (RFC 3706 s5.1: both must, before either may probe). */
    boolean peerDpd;
    /** The peer sent the FRAGMENTATION vendor ID: it takes our long messages in fragments. */
    boolean peerFragmentation;
    /** The peer sent a CERTREQ: we send our certificate even where the policy says only when asked. */
    boolean peerAskedForCertificate;
    /** The identity the peer proved, once it has. */
    IdentificationPayload peerId;
    /** The peer's ID as its KE message carried it (public key encryption), not yet proven. */
    IdentificationPayload peerIdInKeyExchange;
    /** The peer's authenticated last message carried INITIAL-CONTACT. */
    boolean peerInitialContact;
    /** Set once the exchange has produced the ISAKMP SA; later messages are only duplicates. */
    boolean done;
    /** The NAT-T version both sides named in their vendor IDs (RFC 3947 s3.1); null: none. */
    NatDiscovery.Version natVersion;
    /** Where the peer's NAT-D payloads put a NAT; null until they came (or without NAT-T). */
    NatDiscovery.Result nat;
    /** The datagram being processed: where the peer is, once the message proves to be its. */
    Datagram received;
    /** The last message we dropped, so that its retransmissions are not processed (and answered) again. */
    private byte[] lastRejected;
    /** Why it was dropped, or what an unauthenticated notify said: the give-up message repeats it. */
    private String lastProblem;

    Phase1Exchange(IsakmpSession session, Phase1Auth auth) {
        this.session = session;
        this.ctx = session.ctx();
        this.auth = auth;
        this.rtx = new Retransmitter(ctx.retransmit());
    }

    abstract ExchangeType exchangeType();

    /** Where the exchange stands, for logs and status ("MM4_SENT"). */
    abstract String stateName();

    /** A responder waiting for the initiator's next message: what the half-open limits count. */
    abstract boolean halfOpen();

    /**
     * Responder: the initiator answered our first message with one that carries our responder
     * cookie, so it receives at the address it sends from (a spoofed MM1 cannot get this far).
     */
    boolean peerAnsweredFromItsAddress() {
        return false;
    }

    /** Whether the next message we accept may come with the encryption flag {@code encrypted}. */
    abstract boolean acceptsEncryption(boolean encrypted);

    /** The shape of the next message we accept. */
    abstract MessageShape expectedShape();

    /** Processes the next message; {@code ciphertext} is its encrypted body, if it was encrypted. */
    abstract void step(IsakmpHeader h, Packet p, byte[] ciphertext, Instant now, Out out) throws ExchangeFailure;

    String name() {
        return exchangeType().equals(ExchangeType.AGGRESSIVE) ? "Aggressive Mode" : "Main Mode";
    }

    // ---------------------------------------------------------------- input

    /** A phase-1 message (message ID 0) for this SA. */
    final void receive(Datagram d, IsakmpHeader h, Instant now, Out out) {
        if (rtx.answerDuplicate(d, now, tag(), out)) {
            return;
        }
        if (done) {
            out.debug(tag() + "ignored a message after the ISAKMP SA was established");
            return;
        }
        if (Arrays.equals(lastRejected, d.rawData())) {
            out.debug(tag() + "dropped a copy of a message already rejected");
            return;
        }
        boolean encrypted = h.encrypted();
        if (!acceptsEncryption(encrypted)) {
            out.warn(tag() + "dropped message with encryption flag " + encrypted + " in state " + stateName());
            return;
        }
        Packet p;
        byte[] ciphertext = null;
        try {
            if (encrypted) {
                if (cbc == null) {
                    deriveKeys(out); // started after MM3 (startAgreement); MM5 is the first message that needs them
                }
                ciphertext = Packet.body(h, d.rawData());
                p = Packet.decode(h, cbc.decrypt(0, ciphertext));
            } else {
                p = Packet.decode(h, Packet.body(h, d.rawData()), encryptedBodies());
                if (p.chainEnd() != p.plaintext().length) {
                    // RFC 2408 s5.1: an unencrypted message is its payloads, with nothing after them.
                    throw new WireException(NotifyType.PAYLOAD_MALFORMED, IsakmpHeader.LENGTH + p.chainEnd(),
                            "message", (p.plaintext().length - p.chainEnd()) + " bytes after the last payload");
                }
            }
        } catch (ExchangeFailure f) {
            reject(d, f.getMessage(), f.notifyType(), out);
            return;
        } catch (WireException e) {
            // RFC 2409 s5: keys that differ on the two sides show up as garbage after decryption.
            reject(d, encrypted ? "authentication failed: message 5/6 did not decrypt to valid payloads ("
                    + e.getMessage() + "); " + auth.mismatchHint() : "malformed message: " + e.getMessage(),
                    e.notifyType(), out);
            return;
        }
        session.logReceived(p, out);
        Retransmitter.Mark before = rtx.mark();
        try {
            rtx.stop();
            rtx.received(d.rawData());
            received = d;
            step(h, p, ciphertext, now, out);
        } catch (ExchangeFailure f) {
            rtx.reset(before);
            reject(d, f.getMessage(), f.notifyType(), out);
        }
    }

    /**
     * A phase-1 message we cannot accept is dropped, and the peer told why (RFC 2408 s5), but the
     * exchange goes on: it is unauthenticated until HASH_I/HASH_R, so one forged or damaged
     * datagram must not end a negotiation that the genuine message, or its retransmission, can
     * still complete. The exchange ends when its retransmissions run out.
     */
    private void reject(Datagram d, String why, NotifyType notify, Out out) {
        lastRejected = d.rawData().clone();
        lastProblem = why;
        if (session.role == IsakmpSaInfo.Role.RESPONDER) {
            rtx.silence();
        }
        out.warn(tag() + "dropped message: " + why + (notify == null ? "" : " (notify " + notify + ")"));
        if (notify != null) {
            Informational.sendPlainNotify(session, notify, out);
        }
    }

    /**
     * An unprotected notify during phase 1: anyone who saw the cookies could have sent it, so it
     * is reported but does not end the exchange (the rule RFC 7296 s2.21.2 gives for IKEv2).
     */
    void peerReported(NotifyType type, Out out) {
        lastProblem = "the peer said " + type;
        out.warn(tag() + "peer rejected the exchange with " + type + " (unauthenticated: waiting for a "
                + "valid answer until the retransmissions run out)");
    }

    // ---------------------------------------------------------------- timers

    Instant deadline() {
        return rtx.deadline();
    }

    /** Resends our last message when due; false when the retransmissions have run out. */
    boolean timeout(Instant now, Out out) {
        if (!rtx.due(now)) {
            return true;
        }
        if (rtx.retry(now)) {
            out.debug(tag() + "retransmission " + rtx.attempts() + " in state " + stateName());
            out.send(rtx.lastSent());
            return true;
        }
        if (done) {
            return true;
        }
        out.warn(tag() + "no valid answer in state " + stateName() + " after " + rtx.attempts()
                + " retransmissions; giving up" + (lastProblem == null ? "" : " (last problem: " + lastProblem + ")"));
        return false;
    }

    // ---------------------------------------------------------------- shared steps

    /** Initiator: our SA offer; remembers SAi_b. */
    SaPayload offer() {
        SaPayload offer = Phase1Sa.offer(session.peer.ikeProposals(), session.peer.ikeLifetime(), offeredMethod());
        saiB = PayloadCodec.encodeBody(offer);
        return offer;
    }

    /** Responder: the transform we accept from the initiator's SA (whose body is SAi_b). */
    SaPayload choose(Packet p, SaPayload sa, Out out) throws ExchangeFailure {
        saiB = payloadBody(p, sa);
        List<String> why = new ArrayList<>();
        try {
            choice = Phase1Sa.select(ctx.crypto(), sa, session.peer.ikeProposals(), session.peer.ikeLifetime(),
                    auth.method(), session.peer.remoteAccess().xauthServer().isPresent(), why);
        } catch (ExchangeFailure f) {
            out.info(tag() + "no acceptable proposal; " + String.join("; ", why) + "; ours: "
                    + session.peer.ikeProposals());
            throw f;
        }
        return Phase1Sa.reply(sa, choice);
    }

    /** Initiator: the responder's choice must be one transform we offered. */
    void accept(SaPayload sa) throws ExchangeFailure {
        choice = Phase1Sa.accept(ctx.crypto(), sa, session.peer.ikeProposals(), session.peer.ikeLifetime(),
                offeredMethod());
    }

    /**
     * The method our offer names: as an XAUTH client its XAUTH variant (XAUTHInitPreShared 65001,
     * XAUTHInitRSA 65005; draft-beaulieu-ike-xauth-02 s4, the initiator's variant since the
     * initiator is the one XAUTH authenticates), which strongSwan's IKEv1 gateway requires for
     * xauthpsk and echoes; phase 1 itself runs as with the plain method.
     */
    private int offeredMethod() {
        return session.peer.remoteAccess().xauthClient().isPresent() ? Phase1Sa.xauthInitiatorMethod(auth.method())
                : auth.method();
    }

    /** Our Diffie-Hellman value and nonce in the chosen group (g^xi, Ni or g^xr, Nr), and our CERTREQs. */
    List<Payload> ownKeyExchange() {
        return ownKeyExchange(choice.proposal());
    }

    /**
     * As {@link #ownKeyExchange()}, under {@code proposal}: Aggressive Mode's initiator commits to
     * its group in AM1 (and, with revised public key encryption, to its cipher and hash for Ke_i).
     */
    List<Payload> ownKeyExchange(Phase1Proposal proposal) {
        DhGroup group = proposal.group();
        if (dh != null) {
            dh.wipe(); // from an earlier message that was rejected
        }
        dh = ctx.crypto().generateKeyPair(group);
        byte[] nonce = ctx.randomBytes(NONCE_LENGTH);
        if (session.role == IsakmpSaInfo.Role.INITIATOR) {
            gxi = dh.publicValue();
            ni = nonce;
        } else {
            gxr = dh.publicValue();
            nr = nonce;
        }
        List<Payload> out = new ArrayList<>(auth.sealKeyExchange(dh.publicValue(), nonce, ownId(),
                keyExchangeContext(proposal)));
        out.addAll(auth.certificateRequests());
        return out;
    }

    /**
     * The peer's KE and nonce (and, with public key encryption, its ID), opened by the auth
     * method: the KE data's length must be the group's (RFC 2409 s5, RFC 2412).
     */
    void peerKeyExchange(Packet p) throws ExchangeFailure {
        Phase1Auth.Exchanged x = auth.openKeyExchange(p.payloads(), keyExchangeContext(choice.proposal()));
        if (x.keyData().length != choice.proposal().group().publicValueLength()) {
            throw ExchangeFailure.fatal(NotifyType.INVALID_KEY_INFORMATION, "KE data is " + x.keyData().length
                    + " bytes, group " + choice.proposal().group().name() + " needs "
                    + choice.proposal().group().publicValueLength());
        }
        KeyExchangePayload ke = new KeyExchangePayload(x.keyData());
        byte[] nonce = x.nonce();
        if (x.id() != null) {
            peerIdInKeyExchange = x.id();
        }
        peerAskedForCertificate |= !Payloads.all(p.payloads(), CertificateRequestPayload.class).isEmpty();
        if (session.role == IsakmpSaInfo.Role.INITIATOR) {
            gxr = ke.keyData();
            nr = nonce;
        } else {
            gxi = ke.keyData();
            ni = nonce;
        }
    }

    /** What the auth method needs to seal our KE message or open the peer's, under {@code proposal}. */
    Phase1Auth.KeyExchangeContext keyExchangeContext(Phase1Proposal proposal) {
        Cookies c = session.cookies();
        boolean initiator = session.role == IsakmpSaInfo.Role.INITIATOR;
        CbcCipher cipher = ctx.crypto().cipher(proposal.encryption(), proposal.keyBits());
        return new Phase1Auth.KeyExchangeContext(ctx.crypto(), ctx.crypto().prf(proposal.hash()), cipher,
                initiator ? c.initiator() : c.responder(), initiator ? c.responder() : c.initiator(),
                proposal.group());
    }

    /** Payload types of the next message whose bodies are ciphertext for the auth method to open. */
    Set<PayloadType> encryptedBodies() {
        return Set.of();
    }

    /**
     * g^xy, then SKEYID and its descendants by the auth method, then the phase-1 CBC state; the
     * encryption key goes to a decrypted capture's key table, if one is being written.
     */
    void deriveKeys(Out out) throws ExchangeFailure {
        if (agreement == null) {
            startAgreement();
        }
        SecretBytes gxy;
        try {
            gxy = agreement.join();
        } catch (InvalidKeyInformationException e) {
            throw ExchangeFailure.fatal(NotifyType.INVALID_KEY_INFORMATION, "peer's DH public value: " + e.getMessage());
        } finally {
            agreement = null;
        }
        prf = ctx.crypto().prf(choice.proposal().hash());
        CbcCipher cipher = ctx.crypto().cipher(choice.proposal().encryption(), choice.proposal().keyBits());
        keys = auth.deriveKeys(prf, choice.proposal().hash(), cipher, ni, nr, gxy, session.cookies(), gxi, gxr);
        gxy.wipe();
        cbc = new CbcState(cipher, keys.encryptionKey(), choice.proposal().hash(), keys.initialIv());
        out.decryptionKey(session.cookies().initiator(), keys.encryptionKey());
    }

    /**
     * Starts g^xy for {@link #deriveKeys}, after checking the peer's value here and now, so that a
     * bad one is refused with the message that carried it (RFC 2409 s5, RFC 2412). The crypto
     * implementation may compute it on another core while our reply travels.
     */
    void startAgreement() throws ExchangeFailure {
        byte[] peer = session.role == IsakmpSaInfo.Role.INITIATOR ? gxr : gxi;
        try {
            dh.group().validatePeerPublic(peer);
        } catch (InvalidKeyInformationException e) {
            throw ExchangeFailure.fatal(NotifyType.INVALID_KEY_INFORMATION, "peer's DH public value: " + e.getMessage());
        }
        if (agreement != null) {
            agreement.discard();
        }
        agreement = ctx.crypto().agreeLater(dh, peer);
    }

    /** Whether the keys exist or are being computed: the peer has answered us (MM3 or later). */
    private boolean keyed() {
        return keys != null || agreement != null;
    }

    /** HASH_I over the initiator's ID payload body (IDii_b, RFC 2409 s5). */
    byte[] hashI(IdentificationPayload idii) {
        Cookies c = session.cookies();
        return keys.hashI(gxi, gxr, c.initiator(), c.responder(), saiB, PayloadCodec.encodeBody(idii));
    }

    /** HASH_R over the responder's ID payload body (IDir_b, RFC 2409 s5). */
    byte[] hashR(IdentificationPayload idir) {
        Cookies c = session.cookies();
        return keys.hashR(gxi, gxr, c.initiator(), c.responder(), saiB, PayloadCodec.encodeBody(idir));
    }

    /** Our ID and the proof of our HASH_I or HASH_R. */
    List<Payload> identify(boolean initiator) throws ExchangeFailure {
        List<Payload> payloads = new ArrayList<>();
        payloads.add(ownId());
        payloads.addAll(proof(initiator));
        return payloads;
    }

    IdentificationPayload ownId() {
        return session.peer.localId().payload();
    }

    /** The auth method's proof of our HASH_I or HASH_R (HASH, or certificates and SIG). */
    List<Payload> proof(boolean initiator) throws ExchangeFailure {
        IdentificationPayload id = ownId();
        return auth.prove(initiator ? hashI(id) : hashR(id), peerAskedForCertificate);
    }

    /**
     * Message 5 or 6 of Main Mode: our ID and proof, or only the proof where the ID went with the
     * key exchange (public key encryption, RFC 2409 s5.2).
     */
    List<Payload> authenticationMessage(boolean initiator) throws ExchangeFailure {
        return auth.identifiesInKeyExchange() ? proof(initiator) : identify(initiator);
    }

    /** Checks the peer's message 5 or 6: the proof, over the ID it carries or that came with the KE. */
    void authenticatePeerMessage(Packet p, Instant now, Out out) throws ExchangeFailure {
        if (auth.identifiesInKeyExchange()) {
            authenticatePeer(p, peerIdInKeyExchange, now, out);
        } else {
            authenticatePeer(p, now, out);
        }
    }

    /** Checks the peer's ID payload in {@code p} and its proof of HASH_I or HASH_R there. */
    void authenticatePeer(Packet p, Instant now, Out out) throws ExchangeFailure {
        authenticatePeer(p, Payloads.required(p.payloads(), IdentificationPayload.class, "ID"), now, out);
    }

    /**
     * Checks {@code id} (the peer's ID, sent earlier in Aggressive Mode) and the peer's proof in
     * {@code p} of HASH_I (it initiated) or HASH_R (it responded).
     */
    void authenticatePeer(Packet p, IdentificationPayload id, Instant now, Out out) throws ExchangeFailure {
        checkPeerId(id, out);
        boolean peerInitiated = session.role == IsakmpSaInfo.Role.RESPONDER;
        byte[] expected = peerInitiated ? hashI(id) : hashR(id);
        String who = auth.verify(p.payloads(), expected, peerInitiated ? "HASH_I" : "HASH_R", id, now);
        if (session.peer.remoteId().isPresent() && !session.peer.remoteId().get().matches(id)) {
            // Authenticated, but not who this policy is for (RFC 2409 s5: the ID is part of the proof).
            throw ExchangeFailure.fatal(NotifyType.AUTHENTICATION_FAILED, "authentication failed: the peer is '"
                    + Identity.describe(id) + "', peer " + session.peer.name() + " must be '"
                    + session.peer.remoteId().get() + "'");
        }
        peerId = id;
        out.info(tag() + "peer authenticated as '" + Identity.describe(id) + "' (" + who + ")");
        session.authenticated(received, out);
        // Only now: an unauthenticated INITIAL-CONTACT must not delete anything.
        peerInitialContact = Payloads.all(p.payloads(), NotificationPayload.class).stream()
                .anyMatch(n -> n.notifyType().equals(NotifyType.INITIAL_CONTACT));
        if (peerInitialContact && !auth.provesPeerIdentity()) {
            out.info(tag() + "INITIAL-CONTACT ignored: " + auth + " does not prove the peer's ID");
            peerInitialContact = false;
        }
    }

    private void checkPeerId(IdentificationPayload id, Out out) throws ExchangeFailure {
        boolean udp500 = id.protocolId() == 17 && (id.port() == 0 || id.port() == 500 || id.port() == 4500);
        if (!(id.protocolId() == 0 && id.port() == 0) && !udp500) {
            // RFC 2407 s4.6.2: in phase 1, protocol and port are zero or UDP/500.
            throw ExchangeFailure.fatal(NotifyType.INVALID_ID_INFORMATION,
                    "phase-1 ID with protocol " + id.protocolId() + " port " + id.port());
        }
        IdentificationPayload sender = TrafficSelectors.gatewayId(session.remote.getAddress());
        if (id.idType().equals(sender.idType()) && !Arrays.equals(sender.data(), id.data())) {
            out.warn(tag() + "peer identifies as a different address than it sends from (NAT?)");
        }
    }

    void notePeerVendorIds(Packet p) {
        peerDpd = Payloads.all(p.payloads(), VendorIdPayload.class).stream()
                .anyMatch(v -> Arrays.equals(v.vendorId(), DPD_VENDOR_ID.vendorId()));
        peerFragmentation = IkeFragments.offered(Payloads.all(p.payloads(), VendorIdPayload.class));
        if (session.peer.natTraversal().enabled()) {
            natVersion = NatDiscovery.chosen(p.payloads()).orElse(null);
        }
    }

    /**
     * Our vendor IDs: DPD always; XAUTH and Cisco Unity with remote access; with NAT traversal,
     * as initiator every NAT-T version we speak, as responder the one we chose from the
     * initiator's (RFC 3947 s3.1); FRAGMENTATION when our policy offers it, as responder only to
     * an initiator that sent it (MS-IKEE s3.3).
     */
    List<Payload> vendorIds() {
        List<Payload> vids = new ArrayList<>();
        vids.add(DPD_VENDOR_ID);
        if (session.peer.fragmentation().enabled()
                && (session.role == IsakmpSaInfo.Role.INITIATOR || peerFragmentation)) {
            vids.add(IkeFragments.VENDOR_ID);
        }
        if (session.peer.remoteAccess().any()) {
            vids.add(XAUTH_VENDOR_ID);
        }
        if (session.peer.remoteAccess().modeConfig().isPresent()) {
            vids.add(UNITY_VENDOR_ID); // Unity-aware clients then ask for UNITY_SPLIT_INCLUDE (notes s4)
        }
        if (session.peer.natTraversal().enabled()) {
            if (session.role == IsakmpSaInfo.Role.INITIATOR) {
                vids.addAll(NatDiscovery.vendorIds());
            } else if (natVersion != null) {
                vids.add(natVersion.vendorId);
            }
        }
        return vids;
    }

    /** Our NAT-D payloads for the next message (MM3/MM4, AM2/AM3), if NAT-T was agreed. */
    List<Payload> natDiscovery() {
        if (natVersion == null) {
            return List.of();
        }
        byte[] forced = session.peer.natTraversal().forceEncapsulation() ? ctx.randomBytes(16) : null;
        return NatDiscovery.payloads(natVersion, choice.proposal().hash(), session.cookies(), session.local,
                session.remote, forced);
    }

    /** Reads the peer's NAT-D payloads (RFC 3947 s3.2): where is the NAT, if any. */
    void detectNat(Packet p, Out out) throws ExchangeFailure {
        if (natVersion == null) {
            return;
        }
        Optional<NatDiscovery.Result> r = NatDiscovery.detect(natVersion, choice.proposal().hash(),
                session.cookies(), p.payloads(), received);
        if (r.isEmpty()) {
            out.info(tag() + "the peer named " + natVersion + " but sent no NAT-D payloads: no NAT traversal");
            natVersion = null;
            return;
        }
        nat = r.get();
        if (session.peer.natTraversal().forceEncapsulation() && !nat.localBehindNat()) {
            nat = new NatDiscovery.Result(natVersion, true, nat.peerBehindNat());
            out.info(tag() + "NAT-T (" + natVersion + "): " + r.get().describe() + "; UDP encapsulation forced");
        } else {
            out.info(tag() + "NAT-T (" + natVersion + "): " + nat.describe());
        }
    }

    /** Initiator: with a NAT between us, the exchange moves to the NAT-T port from here on (RFC 3947 s4). */
    void floatIfNatted(Out out) {
        if (nat != null && nat.any()) {
            session.floatToNatPort(out);
        }
    }

    /** The ISAKMP SA is up: the session takes over the keys; DH secrets go. */
    void complete(Instant now, Out out) {
        done = true;
        dh.wipe();
        session.established(this, now, out);
    }

    void wipe() {
        if (agreement != null) {
            agreement.discard();
            agreement = null;
        }
        if (keys != null) {
            keys.wipe();
        }
        if (dh != null) {
            dh.wipe();
        }
    }

    // ---------------------------------------------------------------- output

    void sendPlain(List<Payload> payloads, Instant now, Out out, boolean answersLast) {
        byte[] body = PayloadCodec.encode(payloads);
        send(Packet.header(session.cookies(), exchangeType(), payloads, false, 0, body.length), body, payloads, now,
                out, answersLast, true);
    }

    void sendEncrypted(List<Payload> payloads, Instant now, Out out, boolean answersLast, boolean awaitReply) {
        byte[] ct = cbc.encrypt(0, PayloadCodec.encode(payloads));
        send(Packet.header(session.cookies(), exchangeType(), payloads, true, 0, ct.length), ct, payloads, now, out,
                answersLast, awaitReply);
    }

    private void send(IsakmpHeader h, byte[] body, List<Payload> payloads, Instant now, Out out,
            boolean answersLast, boolean awaitReply) {
        Datagram d = session.datagram(Packet.concat(h.encode(), body));
        session.logSent(h, payloads, out);
        if (session.role == IsakmpSaInfo.Role.RESPONDER && answersLast && awaitReply && initiatorRetransmits()) {
            rtx.sentAnswerOnly(d, now, responderWait());
        } else {
            rtx.sent(d, now, answersLast, awaitReply);
        }
        out.send(d);
    }

    /**
     * Whether the initiator's retransmissions tell a responder when its reply was lost, so the
     * reply need only answer them. Not so for Aggressive Mode's AM2: the initiator's AM3 ends the
     * exchange for it, and if AM3 is lost only our own resent AM2 brings it back.
     */
    boolean initiatorRetransmits() {
        return true;
    }

    /**
     * How long a responder waits for the initiator's next message before it forgets the exchange.
     * Until keys exist (MM2 sent) nothing shows that the initiator even receives from us, so half
     * the retransmission span (45 s by default; five of our MM3 sends, four of strongSwan's);
     * after that the whole span (90 s).
     */
    private Duration responderWait() {
        Duration span = ctx.retransmit().span();
        return keyed() ? span : span.dividedBy(2);
    }

    /** The body of a payload as the message carried it (SAi_b of RFC 2409 s5: without the generic header). */
    private static byte[] payloadBody(Packet p, Payload payload) {
        byte[] b = p.plaintext();
        int offset = 0;
        for (Payload q : p.payloads()) {
            int len = ((b[offset + 2] & 0xff) << 8) | (b[offset + 3] & 0xff);
            if (q == payload) {
                return Arrays.copyOfRange(b, offset + 4, offset + len);
            }
            offset += len;
        }
        throw new IllegalStateException("payload not in packet");
    }

    String tag() {
        return session.tag() + name() + ": ";
    }
}
