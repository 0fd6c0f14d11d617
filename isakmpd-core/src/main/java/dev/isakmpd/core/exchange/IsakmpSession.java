package dev.isakmpd.core.exchange;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.wire.HashPayload;
import dev.isakmpd.core.wire.IdentificationPayload;
import dev.isakmpd.core.wire.IsakmpHeader;
import dev.isakmpd.core.wire.KeyExchangePayload;
import dev.isakmpd.core.wire.MessageDump;
import dev.isakmpd.core.wire.NoncePayload;
import dev.isakmpd.core.wire.NotificationPayload;
import dev.isakmpd.core.wire.Payload;
import dev.isakmpd.core.wire.PayloadCodec;
import dev.isakmpd.core.wire.SaPayload;
import dev.isakmpd.core.wire.VendorIdPayload;
import dev.isakmpd.core.wire.WireException;
import dev.isakmpd.oakley.CbcCipher;
import dev.isakmpd.oakley.DhKeyPair;
import dev.isakmpd.oakley.InvalidKeyInformationException;
import dev.isakmpd.oakley.Phase1Keys;
import dev.isakmpd.oakley.Prf;
import dev.isakmpd.oakley.SecretBytes;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One ISAKMP SA: the Main Mode exchange with pre-shared keys that creates it (RFC 2409 s5), then
 * the Quick Mode and Informational exchanges it protects. Sans-I/O: every input returns actions
 * through {@link Out}.
 */
final class IsakmpSession {
    enum State { MM1_SENT, MM2_SENT, MM3_SENT, MM4_SENT, MM5_SENT, ESTABLISHED, DEAD }

    static final int NONCE_LENGTH = 32;
    /** RFC 3706 s5.1: HASHED_VENDOR_ID, then major 1, minor 0. Sent always: we answer R-U-THERE. */
    static final VendorIdPayload DPD_VENDOR_ID =
            new VendorIdPayload(HexFormat.of().parseHex("afcad71368a1f1c96b8696fc77570100"));

    private final EngineContext ctx;
    final PeerPolicy peer;
    final IsakmpSaInfo.Role role;
    final InetSocketAddress local;
    final InetSocketAddress remote;
    private Cookies cookies;
    private State state;
    private final Retransmitter rtx;
    private final Instant started;
    private byte[] saiB;
    private Phase1Sa.Choice choice;
    private DhKeyPair dh;
    private byte[] gxi;
    private byte[] gxr;
    private byte[] ni;
    private byte[] nr;
    private Prf prf;
    private Phase1Keys keys;
    private CbcState cbc;
    private Instant established;
    private Instant expires;
    private final Map<Integer, QuickMode> quickModes = new LinkedHashMap<>();
    private final List<TunnelPolicy> pendingTunnels = new ArrayList<>();
    /** Initiator: tell the peer in MM5 that we hold no SA with it (INITIAL-CONTACT, RFC 2407 s4.6.3.3). */
    private boolean firstContact;
    /** The peer's last Main Mode message carried INITIAL-CONTACT, not yet acted on by the engine. */
    private boolean peerInitialContact;
    /** The last Main Mode message we dropped, so that its retransmissions are not processed (and answered) again. */
    private byte[] lastRejected;
    /** Why it was dropped, or what an unauthenticated notify said: the give-up message repeats it. */
    private String lastProblem;
    /** The peer sent the DPD vendor ID (RFC 3706 s5.1: both must, before either may probe). */
    private boolean peerDpd;
    /** Probing the peer, when our policy asks for DPD and the peer supports it. */
    private DeadPeerDetector dpd;
    /** DPD found the peer dead; the engine drops its SAs, once. */
    private boolean peerDead;

    private IsakmpSession(EngineContext ctx, PeerPolicy peer, IsakmpSaInfo.Role role, InetSocketAddress local,
            InetSocketAddress remote, Cookies cookies, Instant now) {
        this.ctx = ctx;
        this.peer = peer;
        this.role = role;
        this.local = local;
        this.remote = remote;
        this.cookies = cookies;
        this.started = now;
        this.rtx = new Retransmitter(ctx.retransmit());
    }

    // ---------------------------------------------------------------- Main Mode, initiator

    /**
     * MM1: HDR, SA.
     *
     * @param firstContact we hold no SA with this peer: MM5 will say so with INITIAL-CONTACT
     */
    static IsakmpSession initiate(EngineContext ctx, PeerPolicy peer, List<TunnelPolicy> tunnels,
            boolean firstContact, Instant now, Out out) {
        Cookies c = new Cookies(ctx.randomBytes(8), Cookies.ZERO);
        IsakmpSession s = new IsakmpSession(ctx, peer, IsakmpSaInfo.Role.INITIATOR, peer.local(), peer.remote(), c,
                now);
        s.pendingTunnels.addAll(tunnels);
        s.firstContact = firstContact;
        SaPayload offer = Phase1Sa.offer(peer.ikeProposals(), peer.ikeLifetime());
        s.saiB = payloadBody(offer);
        s.state = State.MM1_SENT;
        out.info(s.tag() + "Main Mode: initiating, offering " + peer.ikeProposals());
        s.sendPlain(List.of(offer, DPD_VENDOR_ID), now, out, false);
        return s;
    }

    /** MM2 at the initiator: the responder's choice and CKY-R; answer with MM3: HDR, KE, Ni. */
    private void onMm2(IsakmpHeader h, Packet p, Instant now, Out out) throws ExchangeFailure {
        SaPayload sa = Payloads.required(p.payloads(), SaPayload.class, "SA");
        choice = Phase1Sa.accept(ctx.crypto(), sa, peer.ikeProposals(), peer.ikeLifetime());
        cookies = new Cookies(cookies.initiator(), h.responderCookie());
        peerDpd = sentDpdVendorId(p);
        dh = ctx.crypto().generateKeyPair(choice.proposal().group());
        gxi = dh.publicValue();
        ni = ctx.randomBytes(NONCE_LENGTH);
        state = State.MM3_SENT;
        out.debug(tag() + "Main Mode: responder chose " + choice.proposal());
        sendPlain(List.of(new KeyExchangePayload(gxi), new NoncePayload(ni)), now, out, true);
    }

    /** MM4 at the initiator: derive the keys, then MM5: HDR*, IDii, HASH_I [, N(INITIAL-CONTACT)]. */
    private void onMm4(Packet p, Instant now, Out out) throws ExchangeFailure {
        gxr = keyExchange(p).keyData();
        nr = Payloads.required(p.payloads(), NoncePayload.class, "NONCE").nonce();
        deriveKeys();
        IdentificationPayload idii = TrafficSelectors.gatewayId(local.getAddress());
        List<Payload> mm5 = new ArrayList<>(List.of(idii, new HashPayload(hashI(idii))));
        if (firstContact) {
            mm5.add(Informational.notify(this, NotifyType.INITIAL_CONTACT, new byte[0]));
        }
        state = State.MM5_SENT;
        sendEncrypted(ExchangeType.IDENTITY_PROTECTION, 0, mm5, now, out, true, true);
    }

    /** MM6 at the initiator: check HASH_R; the ISAKMP SA is up. */
    private void onMm6(Packet p, byte[] ciphertext, Instant now, Out out) throws ExchangeFailure {
        IdentificationPayload idir = Payloads.required(p.payloads(), IdentificationPayload.class, "ID");
        checkHash(p, hashR(idir), "HASH_R");
        checkPeerId(idir, out);
        noteInitialContact(p);
        cbc.advance(0, ciphertext);
        establish(now, out);
    }

    // ---------------------------------------------------------------- Main Mode, responder

    /** MM1 at the responder: choose a transform and answer with MM2: HDR, SA. */
    static IsakmpSession respond(EngineContext ctx, PeerPolicy peer, Datagram d, Packet p, Instant now, Out out) {
        Cookies c = new Cookies(p.header().initiatorCookie(), ctx.randomBytes(8));
        IsakmpSession s = new IsakmpSession(ctx, peer, IsakmpSaInfo.Role.RESPONDER, d.local(), d.remote(), c, now);
        s.rtx.received(d.rawData());
        s.logReceived(p, out);
        try {
            SaPayload sa = Payloads.required(p.payloads(), SaPayload.class, "SA");
            s.saiB = payloadBody(p, sa);
            List<String> why = new ArrayList<>();
            try {
                s.choice = Phase1Sa.select(ctx.crypto(), sa, peer.ikeProposals(), peer.ikeLifetime(), why);
            } catch (ExchangeFailure f) {
                out.info(s.tag() + "Main Mode: no acceptable proposal; " + String.join("; ", why)
                        + "; ours: " + peer.ikeProposals());
                throw f;
            }
            out.info(s.tag() + "Main Mode: responding, chose " + s.choice.proposal() + " lifetime "
                    + s.choice.lifetime().toSeconds() + "s");
            s.state = State.MM2_SENT;
            s.peerDpd = sentDpdVendorId(p);
            s.sendPlain(List.of(Phase1Sa.reply(sa, s.choice), DPD_VENDOR_ID), now, out, true);
            return s;
        } catch (ExchangeFailure f) {
            s.fail(f, out);
            return null;
        }
    }

    /** MM3 at the responder: answer with MM4: HDR, KE, Nr, and derive the keys. */
    private void onMm3(Packet p, Instant now, Out out) throws ExchangeFailure {
        gxi = keyExchange(p).keyData();
        ni = Payloads.required(p.payloads(), NoncePayload.class, "NONCE").nonce();
        if (dh != null) {
            dh.wipe(); // from an earlier MM3 that was rejected
        }
        dh = ctx.crypto().generateKeyPair(choice.proposal().group());
        gxr = dh.publicValue();
        nr = ctx.randomBytes(NONCE_LENGTH);
        deriveKeys();
        state = State.MM4_SENT;
        sendPlain(List.of(new KeyExchangePayload(gxr), new NoncePayload(nr)), now, out, true);
    }

    /** MM5 at the responder: check HASH_I, answer with MM6: HDR*, IDir, HASH_R. */
    private void onMm5(Packet p, byte[] ciphertext, Instant now, Out out) throws ExchangeFailure {
        IdentificationPayload idii = Payloads.required(p.payloads(), IdentificationPayload.class, "ID");
        checkHash(p, hashI(idii), "HASH_I");
        checkPeerId(idii, out);
        noteInitialContact(p);
        cbc.advance(0, ciphertext);
        IdentificationPayload idir = TrafficSelectors.gatewayId(local.getAddress());
        sendEncrypted(ExchangeType.IDENTITY_PROTECTION, 0, List.of(idir, new HashPayload(hashR(idir))), now, out,
                true, false);
        establish(now, out);
    }

    // ---------------------------------------------------------------- input dispatch

    /** A datagram for this SA whose header decoded. */
    void receive(Datagram d, IsakmpHeader h, Instant now, Out out) {
        if (state == State.DEAD) {
            return;
        }
        if (h.exchangeType().equals(ExchangeType.IDENTITY_PROTECTION) && h.messageId() == 0) {
            receiveMainMode(d, h, now, out);
        } else if (h.exchangeType().equals(ExchangeType.QUICK_MODE)) {
            receiveQuickMode(d, h, now, out);
        } else if (h.exchangeType().equals(ExchangeType.INFORMATIONAL)) {
            Informational.receive(this, d, h, now, out);
        } else {
            out.warn(tag() + "dropped " + h.exchangeType() + " exchange: not supported");
            Informational.sendPlainNotify(this, NotifyType.UNSUPPORTED_EXCHANGE_TYPE, out);
        }
    }

    private void receiveMainMode(Datagram d, IsakmpHeader h, Instant now, Out out) {
        if (rtx.isDuplicate(d.rawData())) {
            Datagram reply = rtx.reply();
            out.debug(tag() + "Main Mode: retransmitted message" + (reply != null ? ", resending our reply" : ""));
            if (reply != null) {
                out.send(reply);
            }
            return;
        }
        if (state == State.ESTABLISHED) {
            out.debug(tag() + "Main Mode: ignored a message in state " + state);
            return;
        }
        if (Arrays.equals(lastRejected, d.rawData())) {
            out.debug(tag() + "Main Mode: dropped a copy of a message already rejected");
            return;
        }
        boolean encryptedStep = state == State.MM5_SENT || state == State.MM4_SENT;
        if (h.encrypted() != encryptedStep) {
            out.warn(tag() + "Main Mode: dropped message with encryption flag " + h.encrypted() + " in state " + state);
            return;
        }
        Packet p;
        byte[] ciphertext = null;
        try {
            if (encryptedStep) {
                ciphertext = Packet.body(h, d.rawData());
                p = decryptPhase1(h, ciphertext);
            } else {
                p = Packet.decode(h, Packet.body(h, d.rawData()));
            }
        } catch (WireException e) {
            // RFC 2409 s5: with pre-shared keys a wrong key shows up as garbage after decryption.
            reject(d, encryptedStep ? "authentication failed: message 5/6 did not decrypt to valid payloads ("
                    + e.getMessage() + "); pre-shared key mismatch?" : "malformed message: " + e.getMessage(),
                    e.notifyType(), out);
            return;
        }
        logReceived(p, out);
        Retransmitter.Mark before = rtx.mark();
        try {
            rtx.stop();
            rtx.received(d.rawData());
            switch (state) {
                case MM1_SENT -> onMm2(h, p, now, out);
                case MM3_SENT -> onMm4(p, now, out);
                case MM5_SENT -> onMm6(p, ciphertext, now, out);
                case MM2_SENT -> onMm3(p, now, out);
                case MM4_SENT -> onMm5(p, ciphertext, now, out);
                default -> throw new IllegalStateException(state.name());
            }
        } catch (ExchangeFailure f) {
            rtx.reset(before);
            reject(d, f.getMessage(), f.notifyType(), out);
        }
    }

    /**
     * A Main Mode message we cannot accept is dropped, and the peer told why (RFC 2408 s5), but the
     * exchange goes on: Main Mode messages are unauthenticated until HASH_I/HASH_R, so one forged
     * or damaged datagram must not end a negotiation that the genuine message, or its
     * retransmission, can still complete. The exchange ends when its retransmissions run out.
     */
    private void reject(Datagram d, String why, NotifyType notify, Out out) {
        lastRejected = d.rawData().clone();
        lastProblem = why;
        out.warn(tag() + "Main Mode: dropped message: " + why + (notify == null ? "" : " (notify " + notify + ")"));
        if (notify != null) {
            Informational.sendPlainNotify(this, notify, out);
        }
    }

    /**
     * An unprotected notify during Main Mode: anyone who saw the cookies could have sent it, so it
     * is reported but does not end the exchange (the rule RFC 7296 s2.21.2 gives for IKEv2).
     */
    void peerReported(NotifyType type, Out out) {
        lastProblem = "the peer said " + type;
        out.warn(tag() + "Main Mode: peer rejected the exchange with " + type + " (unauthenticated: waiting for a "
                + "valid answer until the retransmissions run out)");
    }

    private void receiveQuickMode(Datagram d, IsakmpHeader h, Instant now, Out out) {
        if (state != State.ESTABLISHED) {
            out.warn(tag() + "dropped Quick Mode message before the ISAKMP SA is established");
            return;
        }
        QuickMode qm = quickModes.get(h.messageId());
        if (qm != null) {
            qm.receive(d, h, now, out);
        } else {
            QuickMode.respond(this, d, h, now, out).ifPresent(q -> quickModes.put(h.messageId(), q));
        }
    }

    // ---------------------------------------------------------------- phase 2

    /** Starts Quick Mode for each tunnel, now if the ISAKMP SA is up, else once it is. */
    void startTunnels(List<TunnelPolicy> tunnels, Instant now, Out out) {
        if (state != State.ESTABLISHED) {
            pendingTunnels.addAll(tunnels);
            return;
        }
        for (TunnelPolicy t : tunnels) {
            int mid = newMessageId();
            QuickMode.initiate(this, t, mid, now, out).ifPresent(q -> quickModes.put(mid, q));
        }
    }

    /** Whether a Quick Mode we started for {@code t} is under way or waits for Main Mode. */
    boolean negotiating(TunnelPolicy t) {
        return state != State.DEAD && (pendingTunnels.contains(t)
                || quickModes.values().stream().anyMatch(q -> q.negotiating(t)));
    }

    int newMessageId() {
        int mid;
        do {
            mid = ctx.newMessageId();
        } while (quickModes.containsKey(mid));
        return mid;
    }

    // ---------------------------------------------------------------- timers

    Instant nextDeadline() {
        Instant next = rtx.deadline();
        if (state == State.ESTABLISHED) {
            next = earliest(next, expires);
            if (dpd != null) {
                next = earliest(next, dpd.deadline());
            }
        }
        for (QuickMode q : quickModes.values()) {
            next = earliest(next, q.deadline());
        }
        return next;
    }

    void timeout(Instant now, Out out) {
        if (state == State.DEAD) {
            return;
        }
        if (rtx.due(now)) {
            if (rtx.retry(now)) {
                out.debug(tag() + "Main Mode: retransmission " + rtx.attempts() + " in state " + state);
                out.send(rtx.lastSent());
            } else if (state != State.ESTABLISHED) {
                out.warn(tag() + "Main Mode: no valid answer in state " + state + " after " + rtx.attempts()
                        + " retransmissions; giving up" + (lastProblem == null ? "" : " (last problem: " + lastProblem
                        + ")"));
                die(out);
                return;
            }
        }
        if (state == State.ESTABLISHED && dpd != null) {
            if (dpd.dead(now)) {
                out.warn(tag() + "no answer from the peer for " + dpd.silentSeconds(now) + "s despite R-U-THERE "
                        + "probes (DPD, RFC 3706): it is dead; dropping its SAs");
                peerDead = true;
                die(out);
                return;
            }
            if (dpd.probeDue(now)) {
                int sequence = dpd.probe(now);
                out.debug(tag() + "DPD: R-U-THERE " + Integer.toUnsignedString(sequence) + " after "
                        + dpd.silentSeconds(now) + "s without proof of life");
                Informational.sendProtectedNotify(this, NotifyType.R_U_THERE, Phase2Sa.spiBytes(sequence), out);
            }
        }
        if (state == State.ESTABLISHED && !now.isBefore(expires)) {
            out.info(tag() + "ISAKMP SA lifetime " + choice.lifetime().toSeconds() + "s expired; deleting it");
            delete(out);
            return;
        }
        for (var it = quickModes.values().iterator(); it.hasNext();) {
            QuickMode q = it.next();
            q.timeout(now, out);
            if (q.isFinished(now)) {
                cbc.forget(q.messageId());
                it.remove();
            }
        }
    }

    // ---------------------------------------------------------------- teardown

    /** Sends Delete for the ISAKMP SA (RFC 2408 s3.15) and forgets it. */
    void delete(Out out) {
        if (state == State.ESTABLISHED) {
            Informational.sendDeleteIsakmp(this, out);
        }
        out.info(tag() + "ISAKMP SA deleted");
        die(out);
    }

    void die(Out out) {
        state = State.DEAD;
        rtx.stop();
        quickModes.clear();
        if (keys != null) {
            keys.wipe();
        }
        if (dh != null) {
            dh.wipe();
        }
    }

    void fail(ExchangeFailure f, Out out) {
        out.warn(tag() + (state == State.ESTABLISHED ? "" : "Main Mode: ") + "failed: " + f.getMessage()
                + " (notify " + f.notifyType() + ")");
        if (f.notifyType() != null) {
            if (state == State.ESTABLISHED) {
                Informational.sendProtectedNotify(this, f.notifyType(), new byte[0], out);
            } else {
                Informational.sendPlainNotify(this, f.notifyType(), out);
            }
        }
        if (f.isFatal() && state != State.ESTABLISHED) {
            die(out);
        }
    }

    // ---------------------------------------------------------------- helpers for the exchanges

    private void establish(Instant now, Out out) {
        cbc.endPhase1();
        state = State.ESTABLISHED;
        established = now;
        expires = now.plus(choice.lifetime());
        dh.wipe();
        if (peer.dpd().isPresent()) {
            if (peerDpd) {
                dpd = new DeadPeerDetector(peer.dpd().get(), ctx.crypto().random().nextInt(), now);
            } else {
                out.info(tag() + "the peer did not send the DPD vendor ID (RFC 3706): its liveness is not probed");
            }
        }
        out.info(tag() + "ISAKMP SA established (" + role.name().toLowerCase() + ", " + choice.proposal()
                + ", lifetime " + choice.lifetime().toSeconds() + "s) in "
                + Duration.between(started, now).toMillis() + " ms");
        List<TunnelPolicy> tunnels = List.copyOf(pendingTunnels);
        pendingTunnels.clear();
        startTunnels(tunnels, now, out);
    }

    private void deriveKeys() throws ExchangeFailure {
        SecretBytes gxy;
        try {
            gxy = dh.group().agree(dh, role == IsakmpSaInfo.Role.INITIATOR ? gxr : gxi);
        } catch (InvalidKeyInformationException e) {
            throw ExchangeFailure.fatal(NotifyType.INVALID_KEY_INFORMATION, "peer's DH public value: " + e.getMessage());
        }
        prf = ctx.crypto().prf(choice.proposal().hash());
        CbcCipher cipher = ctx.crypto().cipher(choice.proposal().encryption(), choice.proposal().keyBits());
        keys = Phase1Keys.derivePreSharedKey(prf, choice.proposal().hash(), cipher, peer.psk(), ni, nr, gxy,
                cookies.initiator(), cookies.responder(), gxi, gxr);
        gxy.wipe();
        cbc = new CbcState(cipher, keys.encryptionKey(), choice.proposal().hash(), keys.initialIv());
    }

    /** HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b) (RFC 2409 s5). */
    private byte[] hashI(IdentificationPayload idii) {
        return prf.apply(keys.skeyid().bytes(), gxi, gxr, cookies.initiator(), cookies.responder(), saiB,
                TrafficSelectors.body(idii));
    }

    /** HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b) (RFC 2409 s5). */
    private byte[] hashR(IdentificationPayload idir) {
        return prf.apply(keys.skeyid().bytes(), gxr, gxi, cookies.responder(), cookies.initiator(), saiB,
                TrafficSelectors.body(idir));
    }

    private KeyExchangePayload keyExchange(Packet p) throws ExchangeFailure {
        KeyExchangePayload ke = Payloads.required(p.payloads(), KeyExchangePayload.class, "KE");
        if (ke.keyData().length != choice.proposal().group().publicValueLength()) {
            throw ExchangeFailure.fatal(NotifyType.INVALID_KEY_INFORMATION, "KE data is " + ke.keyData().length
                    + " bytes, group " + choice.proposal().group().name() + " needs "
                    + choice.proposal().group().publicValueLength());
        }
        return ke;
    }

    /** Only after the HASH has verified: an unauthenticated INITIAL-CONTACT must not delete anything. */
    private void noteInitialContact(Packet p) {
        peerInitialContact = Payloads.all(p.payloads(), NotificationPayload.class).stream()
                .anyMatch(n -> n.notifyType().equals(NotifyType.INITIAL_CONTACT));
    }

    private static boolean sentDpdVendorId(Packet p) {
        return Payloads.all(p.payloads(), VendorIdPayload.class).stream()
                .anyMatch(v -> Arrays.equals(v.vendorId(), DPD_VENDOR_ID.vendorId()));
    }

    /**
     * Proof that the peer is alive now: an answer bound to something fresh of ours (a DPD
     * sequence number, a Quick Mode nonce). Replayable messages do not count.
     */
    void heard(Instant now) {
        if (dpd != null) {
            dpd.heard(now);
        }
    }

    /** An authenticated R-U-THERE-ACK: true if it answers one of our probes. */
    boolean dpdAcknowledged(int sequence, Instant now) {
        return dpd != null && dpd.acknowledged(sequence, now);
    }

    /** Whether DPD has just declared the peer dead; the engine acts on it once. */
    boolean takePeerDead() {
        boolean b = peerDead;
        peerDead = false;
        return b;
    }

    /** Whether the peer has just said INITIAL-CONTACT; the engine acts on it once. */
    boolean takeInitialContact() {
        boolean b = peerInitialContact;
        peerInitialContact = false;
        return b;
    }

    private static void checkHash(Packet p, byte[] expected, String name) throws ExchangeFailure {
        HashPayload hash = Payloads.required(p.payloads(), HashPayload.class, "HASH");
        if (!MessageDigest.isEqual(expected, hash.hash())) {
            // RFC 2408 s5.x: a failed HASH check is INVALID-HASH-INFORMATION.
            throw ExchangeFailure.fatal(NotifyType.INVALID_HASH_INFORMATION,
                    "authentication failed: " + name + " does not verify (pre-shared key mismatch?)");
        }
    }

    private void checkPeerId(IdentificationPayload id, Out out) throws ExchangeFailure {
        boolean udp500 = id.protocolId() == 17 && (id.port() == 0 || id.port() == 500 || id.port() == 4500);
        if (!(id.protocolId() == 0 && id.port() == 0) && !udp500) {
            // RFC 2407 s4.6.2: in phase 1, protocol and port are zero or UDP/500.
            throw ExchangeFailure.fatal(NotifyType.INVALID_ID_INFORMATION,
                    "phase-1 ID with protocol " + id.protocolId() + " port " + id.port());
        }
        byte[] addr = remote.getAddress().getAddress();
        boolean isAddress = id.idType().equals(TrafficSelectors.gatewayId(remote.getAddress()).idType());
        if (isAddress && !Arrays.equals(addr, id.data())) {
            out.warn(tag() + "peer identifies as a different address than it sends from (NAT?)");
        }
        out.debug(tag() + "peer identity " + id.idType() + " accepted (authenticated by the pre-shared key)");
    }

    private Packet decryptPhase1(IsakmpHeader h, byte[] ciphertext) throws WireException {
        checkBlocks(ciphertext);
        return Packet.decode(h, cbc.decrypt(0, ciphertext));
    }

    /** Decrypts a phase-2 or informational message (its IV chain advances only when the caller accepts it). */
    Packet decrypt(IsakmpHeader h, byte[] ciphertext) throws WireException {
        checkBlocks(ciphertext);
        return Packet.decode(h, cbc.decrypt(h.messageId(), ciphertext));
    }

    private void checkBlocks(byte[] ciphertext) throws WireException {
        if (ciphertext.length == 0 || ciphertext.length % cbc.blockSize() != 0) {
            throw new WireException(NotifyType.PAYLOAD_MALFORMED, IsakmpHeader.LENGTH, "encrypted body",
                    ciphertext.length + " bytes is not a whole number of " + cbc.blockSize() + "-byte blocks");
        }
    }

    void sendPlain(List<Payload> payloads, Instant now, Out out, boolean answersLast) {
        byte[] body = PayloadCodec.encode(payloads);
        IsakmpHeader h = Packet.header(cookies, ExchangeType.IDENTITY_PROTECTION, payloads, false, 0, body.length);
        Datagram d = new Datagram(local, remote, Packet.concat(h.encode(), body));
        logSent(h, payloads, out);
        rtx.sent(d, now, answersLast, true);
        out.send(d);
    }

    /** Encrypts and sends; returns the datagram so phase-2 exchanges can keep it for retransmission. */
    Datagram sendEncrypted(ExchangeType exchange, int messageId, List<Payload> payloads, Instant now, Out out,
            boolean answersLast, boolean awaitReply) {
        byte[] ct = cbc.encrypt(messageId, PayloadCodec.encode(payloads));
        IsakmpHeader h = Packet.header(cookies, exchange, payloads, true, messageId, ct.length);
        Datagram d = new Datagram(local, remote, Packet.concat(h.encode(), ct));
        logSent(h, payloads, out);
        if (messageId == 0) {
            rtx.sent(d, now, answersLast, awaitReply);
        }
        out.send(d);
        return d;
    }

    void logSent(IsakmpHeader h, List<Payload> payloads, Out out) {
        out.debug(tag() + "sending " + h.exchangeType() + " " + MessageDump.summary(payloads) + "\n"
                + MessageDump.format(h, payloads));
    }

    void logReceived(Packet p, Out out) {
        out.debug(tag() + "received " + p.header().exchangeType() + " " + MessageDump.summary(p.payloads()) + "\n"
                + MessageDump.format(p.header(), p.payloads()));
    }

    /** The SA payload's body as MM1 carried it (SAi_b of RFC 2409 s5: without the generic header). */
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

    private static byte[] payloadBody(Payload payload) {
        byte[] encoded = PayloadCodec.encode(List.of(payload));
        return Arrays.copyOfRange(encoded, 4, encoded.length);
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
    }

    String tag() {
        return "peer " + peer.name() + " " + Addresses.format(remote.getAddress()) + ":" + remote.getPort() + " ["
                + cookies + "] ";
    }

    // ---------------------------------------------------------------- accessors for QuickMode / Informational

    EngineContext ctx() {
        return ctx;
    }

    Cookies cookies() {
        return cookies;
    }


    State state() {
        return state;
    }

    Prf prf() {
        return prf;
    }

    Phase1Keys keys() {
        return keys;
    }

    CbcState cbc() {
        return cbc;
    }

    Map<Integer, QuickMode> quickModes() {
        return quickModes;
    }

    IsakmpSaInfo info() {
        return new IsakmpSaInfo(peer.name(), role, local, remote, cookies.initiatorHex(), cookies.responderHex(),
                choice == null ? "-" : choice.proposal().name(), state.name(), established,
                choice == null ? null : choice.lifetime());
    }
}
