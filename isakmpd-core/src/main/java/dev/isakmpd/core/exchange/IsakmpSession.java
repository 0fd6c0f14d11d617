package dev.isakmpd.core.exchange;

import dev.isakmpd.core.ha.HaRecord;
import dev.isakmpd.core.kernel.SoftLifetime;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.Identity;
import dev.isakmpd.core.policy.PeerAuth;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.Phase1Proposal;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.registry.IkeAttributes;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.wire.DataAttribute;
import dev.isakmpd.core.wire.IdentificationPayload;
import dev.isakmpd.core.wire.IsakmpHeader;
import dev.isakmpd.core.wire.MessageDump;
import dev.isakmpd.core.wire.Payload;
import dev.isakmpd.core.wire.PayloadCodec;
import dev.isakmpd.core.wire.TransformPayload;
import dev.isakmpd.core.wire.WireException;
import dev.isakmpd.oakley.CbcCipher;
import dev.isakmpd.oakley.Phase1Keys;
import dev.isakmpd.oakley.Prf;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.core.sa.UdpEncapsulation;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;

/**
 * One ISAKMP SA: cookies, the phase-1 exchange that creates it ({@link MainMode}), then what the
 * established SA carries: its CBC state and keys, lifetime, Dead Peer Detection, and the dispatch
 * of the Quick Mode and Informational exchanges it protects. Sans-I/O: every input returns
 * actions through {@link Out}.
 */
final class IsakmpSession {
    enum State { NEGOTIATING, ESTABLISHED, DEAD }

    /**
     * Quick Modes one ISAKMP SA holds at most, finished ones lingering included: an authenticated
     * peer's stream of QM1s must not grow the table without bound (EngineFuzzer's authentic mutants
     * held 260 on one SA after 30,000 inputs); a dropped QM1 is retransmitted by its sender, and a
     * gateway rekeys far fewer tunnels than this within one linger time (QuickMode: up to 165 s).
     */
    static final int MAX_QUICK_MODES = 256;

    private final EngineContext ctx;
    final PeerPolicy peer;
    final IsakmpSaInfo.Role role;
    /** Our endpoint and the peer's: they move to the NAT-T port, and with the peer's NAT mapping. */
    InetSocketAddress local;
    InetSocketAddress remote;
    /** Where the first message came from or went to: the key of the engine's half-open table. */
    final InetSocketAddress firstRemote;
    private Cookies cookies;
    private State state = State.NEGOTIATING;
    private final Instant started;
    /** The exchange that creates this SA; kept once established to answer its retransmissions. */
    private Phase1Exchange phase1;
    private Phase1Sa.Choice choice;
    private Prf prf;
    private Phase1Keys keys;
    private CbcState cbc;
    private Instant established;
    private Instant expires;
    /** When to start a new ISAKMP SA with the peer (make-before-break); null once due. */
    private Instant softExpires;
    /** The soft lifetime is due: the engine decides whether to rekey, once. */
    private boolean rekeyDue;
    /** A newer ISAKMP SA with the peer is up: delete this one then. */
    private Instant retireAt;
    private final Map<Integer, QuickMode> quickModes = new LinkedHashMap<>();
    private final List<TunnelPolicy> pendingTunnels = new ArrayList<>();
    /** The peer's phase-1 exchange carried INITIAL-CONTACT, not yet acted on by the engine. */
    private boolean peerInitialContact;
    /** Probing the peer, when our policy asks for DPD and the peer supports it. */
    private DeadPeerDetector dpd;
    /** DPD found the peer dead; the engine drops its SAs, once. */
    private boolean peerDead;
    /** Where phase 1 found a NAT, once established with NAT traversal; null without. */
    private NatDiscovery.Result nat;
    /** When the side behind a NAT sends its next keepalive (RFC 3948 s4); null when it is not us. */
    private Instant nextKeepalive;
    /** The peer sent us IKE fragments: it takes ours too, vendor ID or not (MS-IKEE s3.3). */
    private boolean peerSentFragments;
    /** The fragment ID of our next fragmented message; a retransmission keeps its first one. */
    private int nextFragmentId = 1;
    private byte[] lastFragmented;
    private int lastFragmentId;
    /** The peer key {@link Engine} files this SA under; it changes when a road warrior proves who it is. */
    String filedUnder;
    /** XAUTH and Mode-Config once established, when the policy has them; null otherwise. */
    private RemoteAccessFlow remoteAccess;
    /** {@link #peerIdentity()} of this ID payload, the last one described (phase 1 sets it once per exchange). */
    private IdentificationPayload describedPeerId;
    private String describedPeerIdentity;
    /** The peer key and identity {@link Engine} files this SA under, once the peer proved one. */
    String filedUnderIdentity;

    private IsakmpSession(EngineContext ctx, PeerPolicy peer, IsakmpSaInfo.Role role, InetSocketAddress local,
            InetSocketAddress remote, Cookies cookies, Instant now) {
        this.ctx = ctx;
        this.peer = peer;
        this.role = role;
        this.local = local;
        this.remote = remote;
        this.firstRemote = remote;
        this.cookies = cookies;
        this.started = now;
    }

    /**
     * Starts Main Mode with the peer.
     *
     * @param firstContact we hold no SA with this peer: MM5 will say so with INITIAL-CONTACT
     */
    static IsakmpSession initiate(EngineContext ctx, PeerPolicy peer, List<TunnelPolicy> tunnels,
            boolean firstContact, Instant now, Out out) {
        return initiate(ctx, peer, tunnels, firstContact, now, out, peer.local(), peer.remote());
    }

    /**
     * Starts Main Mode with the peer from {@code local} to {@code remote}: where an ISAKMP SA
     * through a NAT runs now (port 4500, the NAT's mapped port), since the NAT may no longer map
     * port 500 (RFC 3947 s4 lets an exchange start on 4500).
     */
    static IsakmpSession initiate(EngineContext ctx, PeerPolicy peer, List<TunnelPolicy> tunnels,
            boolean firstContact, Instant now, Out out, InetSocketAddress local, InetSocketAddress remote) {
        Cookies c = Cookies.initiatorOnly(ctx.randomBytes(8));
        IsakmpSession s = new IsakmpSession(ctx, peer, IsakmpSaInfo.Role.INITIATOR, local, remote, c, now);
        s.pendingTunnels.addAll(tunnels);
        s.phase1 = peer.aggressive() ? AggressiveMode.initiate(s, auth(ctx, peer, s.role), firstContact, now, out)
                : MainMode.initiate(s, auth(ctx, peer, s.role), firstContact, now, out);
        return s;
    }

    /** Answers an MM1 or AM1; null when it is refused (the peer has been told why). */
    static IsakmpSession respond(EngineContext ctx, PeerPolicy peer, Datagram d, Packet p, Instant now, Out out) {
        Cookies c = new Cookies(p.header().initiatorCookie(), ctx.randomBytes(8));
        IsakmpSession s = new IsakmpSession(ctx, peer, IsakmpSaInfo.Role.RESPONDER, d.local(), d.remote(), c, now);
        boolean aggressive = p.header().exchangeType().equals(ExchangeType.AGGRESSIVE);
        try {
            s.phase1 = aggressive ? AggressiveMode.respond(s, auth(ctx, peer, s.role), d, p, now, out)
                    : MainMode.respond(s, auth(ctx, peer, s.role), d, p, now, out);
            return s;
        } catch (ExchangeFailure f) {
            s.refuse(f, aggressive ? "Aggressive Mode" : "Main Mode", out);
            return null;
        }
    }

    private static Phase1Auth auth(EngineContext ctx, PeerPolicy peer, IsakmpSaInfo.Role role) {
        if (peer.auth() instanceof PeerAuth.Signatures s) {
            return new SignatureAuth(s, ctx.crypto());
        }
        if (peer.auth() instanceof PeerAuth.PublicKeyEncryption e) {
            return new PublicKeyEncryptionAuth(e);
        }
        if (peer.auth() instanceof PeerAuth.Hybrid h) {
            return HybridAuth.gateway(h, ctx.crypto(), role == IsakmpSaInfo.Role.INITIATOR);
        }
        if (peer.auth() instanceof PeerAuth.HybridClient h) {
            return HybridAuth.client(h, ctx.crypto(), role == IsakmpSaInfo.Role.INITIATOR);
        }
        return new PreSharedKeyAuth(((PeerAuth.PreSharedKey) peer.auth()).key());
    }

    /** MM2 named the responder's cookie: from now on the SA is (CKY-I, CKY-R). */
    void learnResponderCookie(byte[] responderCookie) {
        cookies = new Cookies(cookies.initiator(), responderCookie);
    }

    /** The phase-1 exchange authenticated the peer: the ISAKMP SA is up, with its keys. */
    void established(Phase1Exchange p1, Instant now, Out out) {
        out.hold(); // the first use of the new SA waits for the standby's copy (MM6 is held already)
        choice = p1.choice;
        prf = p1.prf;
        keys = p1.keys;
        cbc = p1.cbc;
        peerInitialContact = p1.peerInitialContact;
        nat = p1.nat != null && p1.nat.any() ? p1.nat : null;
        if (nat != null && nat.localBehindNat()) {
            nextKeepalive = now.plus(peer.natTraversal().keepalive());
        }
        cbc.endPhase1();
        state = State.ESTABLISHED;
        established = now;
        expires = now.plus(choice.lifetime());
        // A responder that shortened the initiator's lifetime (RFC 2407 s4.5.4) cannot tell it: MM2
        // echoes the initiator's transform. The initiator would rekey too late, so the responder
        // rekeys as early as an initiator does. So it does for an initiator that offered Life
        // Duration 0 (no limit): that one never rekeys.
        Duration offered = offeredLifetime(choice.transform());
        boolean early = role == IsakmpSaInfo.Role.INITIATOR || offered.isZero()
                || offered.compareTo(choice.lifetime()) > 0;
        softExpires = SoftLifetime.of(now, choice.lifetime(), early, ctx.crypto().random());
        if (peer.dpd().isPresent()) {
            if (p1.peerDpd) {
                dpd = new DeadPeerDetector(peer.dpd().get(), ctx.crypto().random().nextInt(), now);
            } else {
                out.info(tag() + "the peer did not send the DPD vendor ID (RFC 3706): its liveness is not probed");
            }
        }
        out.info(tag() + "ISAKMP SA established (" + role.name().toLowerCase() + ", " + choice.proposal()
                + ", lifetime " + choice.lifetime().toSeconds() + "s) in "
                + Duration.between(started, now).toMillis() + " ms");
        if (peer.remoteAccess().any()) {
            remoteAccess = new RemoteAccessFlow(this);
            remoteAccess.start(now, out);
        }
        startPendingTunnels(now, out);
        out.guard(this::replica, now);
    }

    /** This established SA as the standby needs it (issue 15): keys, CBC state, algorithms, who and where. */
    HaRecord.IsakmpSa replica() {
        Phase1Proposal p = choice.proposal();
        return new HaRecord.IsakmpSa(Replication.cookies(cookies), role == IsakmpSaInfo.Role.INITIATOR, peer.name(),
                peerKey(), local, remote, new HaRecord.Phase1Algorithms(p.encryption().ikeValue(), p.keyBits(),
                        p.hash().ikeValue(), p.group().id(), phase1.auth.method(), choice.lifetime().toSeconds()),
                phase1.ownId(), Optional.ofNullable(phase1.peerId), keys.skeyidD(), keys.skeyidA(), keys.skeyidE(),
                cbc.lastPhase1Block(), new HaRecord.Capabilities(phase1.peerDpd,
                        Replication.natVersion(udpEncapsulationVersion()), nat != null && nat.localBehindNat(),
                        nat != null && nat.peerBehindNat(), fragmentSize().isPresent(),
                        remoteAccess != null && remoteAccess.quickModeAllowed()), expires.toEpochMilli());
    }

    /** Our last R-U-THERE sequence number, for a standby's snapshot; empty without DPD. */
    Optional<HaRecord.DpdSequence> dpdReplica() {
        return dpd == null ? Optional.empty()
                : Optional.of(new HaRecord.DpdSequence(Replication.cookies(cookies), dpd.nextSequence() - 1));
    }

    /**
     * HA takeover (issue 15 s5): the established ISAKMP SA the dead active replicated, with its
     * cookies, keys, last phase-1 CBC block (every new phase-2 IV derives from it, RFC 2409
     * Appendix B), endpoints and the peer's capabilities, and no exchange to run. The lifetime
     * deadline is the record's; the soft one and the first R-U-THERE are re-armed with jitter, and
     * our R-U-THERE numbers go on after the last one replicated (RFC 3706 s6.2: the peer must not
     * see a number twice). Empty, logged, when our policy does not offer the record's algorithms
     * or has XAUTH or Mode-Config (their state, the client's lease, is not replicated).
     */
    static Optional<IsakmpSession> resume(EngineContext ctx, PeerPolicy peer, HaRecord.IsakmpSa r,
            Optional<Integer> lastDpd, Instant now, Out out) {
        HaRecord.Phase1Algorithms a = r.algorithms();
        Optional<Phase1Proposal> proposal = peer.ikeProposals().stream()
                .filter(p -> p.encryption().ikeValue() == a.encryption() && p.keyBits() == a.keyBits()
                        && p.hash().ikeValue() == a.hash() && p.group().id() == a.group()).findFirst();
        if (proposal.isEmpty() || peer.remoteAccess().any()) {
            out.warn("peer " + peer.name() + " [" + r.cookies() + "] not taken over: " + (proposal.isEmpty()
                    ? "our policy no longer offers its algorithms " + a : "XAUTH and Mode-Config state is not replicated")
                    + "; the peer renegotiates");
            return Optional.empty();
        }
        IsakmpSaInfo.Role role = r.initiator() ? IsakmpSaInfo.Role.INITIATOR : IsakmpSaInfo.Role.RESPONDER;
        IsakmpSession s = new IsakmpSession(ctx, peer, role, r.local(), r.remote(), Takeover.cookies(r.cookies()), now);
        Phase1Proposal p = proposal.get();
        Duration lifetime = Duration.ofSeconds(a.lifetimeSeconds());
        s.choice = new Phase1Sa.Choice(p, 1, null, lifetime);
        s.prf = ctx.crypto().prf(p.hash());
        CbcCipher cipher = ctx.crypto().cipher(p.encryption(), p.keyBits());
        s.keys = Phase1Keys.resumed(s.prf, cipher, r.skeyidD(), r.skeyidA(), r.skeyidE());
        s.cbc = new CbcState(cipher, s.keys.encryptionKey(), p.hash(), r.lastPhase1Block());
        s.cbc.endPhase1();
        HaRecord.Capabilities caps = r.capabilities();
        Optional<NatDiscovery.Version> nat = Replication.natVersion(caps.natTraversalVersion());
        if (nat.isPresent() && (caps.localBehindNat() || caps.peerBehindNat())) {
            s.nat = new NatDiscovery.Result(nat.get(), caps.localBehindNat(), caps.peerBehindNat());
        }
        s.phase1 = new ResumedPhase1(s, auth(ctx, peer, role), r, s.choice, s.prf, s.keys, s.cbc, s.nat);
        Random random = ctx.crypto().random();
        if (s.nat != null && s.nat.localBehindNat()) {
            s.nextKeepalive = Takeover.jittered(now, peer.natTraversal().keepalive(), random);
        }
        s.state = State.ESTABLISHED;
        s.expires = Instant.ofEpochMilli(r.expiresAt());
        s.established = s.expires.minus(lifetime);
        s.softExpires = Takeover.rearmed(SoftLifetime.of(s.established, lifetime, true, random).toEpochMilli(), now,
                random);
        if (peer.dpd().isPresent() && caps.dpd()) {
            s.dpd = new DeadPeerDetector(peer.dpd().get(), lastDpd.map(n -> n + 1).orElseGet(random::nextInt), now);
            s.dpd.probeAt(Takeover.jittered(now, peer.dpd().get().delay(), random));
        }
        out.info(s.tag() + "ISAKMP SA taken over from the failed active (" + role.name().toLowerCase() + ", " + p
                + ", expires in " + Duration.between(now, s.expires).toSeconds() + "s)");
        return Optional.of(s);
    }

    /** The tunnels that waited for Main Mode (and for XAUTH and Mode-Config, where they run). */
    private void startPendingTunnels(Instant now, Out out) {
        if (remoteAccess != null && !remoteAccess.quickModeAllowed()) {
            return;
        }
        List<TunnelPolicy> tunnels = List.copyOf(pendingTunnels);
        pendingTunnels.clear();
        startTunnels(tunnels, now, out);
    }

    // ---------------------------------------------------------------- input dispatch

    /** A datagram for this SA whose header decoded. */
    void receive(Datagram d, IsakmpHeader h, Instant now, Out out) {
        if (state == State.DEAD) {
            return;
        }
        if (h.exchangeType().equals(phase1.exchangeType()) && h.messageId() == 0) {
            phase1.receive(d, h, now, out);
        } else if (h.exchangeType().equals(ExchangeType.QUICK_MODE)) {
            receiveQuickMode(d, h, now, out);
        } else if (h.exchangeType().equals(ExchangeType.INFORMATIONAL)) {
            Informational.receive(this, d, h, now, out);
        } else if (h.exchangeType().equals(ExchangeType.TRANSACTION)) {
            receiveTransaction(d, h, now, out);
        } else {
            out.warn(tag() + "dropped " + h.exchangeType() + " exchange: not supported");
            Informational.sendPlainNotify(this, NotifyType.UNSUPPORTED_EXCHANGE_TYPE, out);
        }
    }

    /** An unprotected error notify while phase 1 runs: reported, not obeyed (see {@link Phase1Exchange}). */
    void peerReported(NotifyType type, Out out) {
        phase1.peerReported(type, out);
    }

    private void receiveQuickMode(Datagram d, IsakmpHeader h, Instant now, Out out) {
        if (state != State.ESTABLISHED) {
            out.warn(tag() + "dropped Quick Mode message before the ISAKMP SA is established");
            return;
        }
        if (remoteAccess != null && !remoteAccess.quickModeAllowed() && !quickModes.containsKey(h.messageId())) {
            out.warn(tag() + "refused Quick Mode: the peer has not completed XAUTH (draft-beaulieu-ike-xauth-02 s4)");
            return;
        }
        QuickMode qm = quickModes.get(h.messageId());
        if (qm != null) {
            qm.receive(d, h, now, out);
        } else if (quickModes.size() >= MAX_QUICK_MODES) {
            out.warn(tag() + "dropped a new Quick Mode: " + MAX_QUICK_MODES + " are under way or lingering on this"
                    + " ISAKMP SA");
        } else {
            QuickMode.respond(this, d, h, now, out).ifPresent(q -> quickModes.put(h.messageId(), q));
        }
    }

    /** XAUTH and Mode-Config (Transaction exchange, ISAKMP exchange type 6): only once phase 1 is done. */
    private void receiveTransaction(Datagram d, IsakmpHeader h, Instant now, Out out) {
        if (state != State.ESTABLISHED) {
            out.warn(tag() + "dropped Transaction message before the ISAKMP SA is established");
            return;
        }
        if (remoteAccess == null) {
            out.warn(tag() + "dropped Transaction message: peer " + peer.name() + " has no XAUTH or Mode-Config");
            return;
        }
        remoteAccess.receive(d, h, now, out);
        afterRemoteAccess(now, out);
    }

    private void afterRemoteAccess(Instant now, Out out) {
        if (remoteAccess.failed()) {
            delete(out);
        } else {
            startPendingTunnels(now, out);
        }
    }

    /**
     * The tunnel a road warrior's Quick Mode asks for with its Mode-Config address as IDci: the
     * configured tunnel whose remote subnet holds the address, narrowed to it. Empty when the
     * proposal does not touch our pool; a client claiming another address of the pool is refused.
     */
    Optional<TunnelPolicy> virtualIpTunnel(Subnet remoteNet,
            Subnet localNet) throws ExchangeFailure {
        Optional<Subnet> pool = peer.remoteAccess().modeConfig().flatMap(m -> m.poolOverlapping(remoteNet));
        if (pool.isEmpty()) {
            return Optional.empty();
        }
        Optional<InetAddress> vip = remoteAccess == null ? Optional.empty() : remoteAccess.virtualIp(pool.get());
        if (vip.isEmpty() || !remoteNet.equals(Subnet.host(vip.get()))) {
            throw ExchangeFailure.fatal(NotifyType.INVALID_ID_INFORMATION, "the client proposes " + remoteNet
                    + " in the Mode-Config pool, but its address is " + vip.map(Addresses::format).orElse("none"));
        }
        Optional<TunnelPolicy> exact = peer.tunnels().stream()
                .filter(t -> t.local().equals(localNet) && t.remote().encloses(remoteNet)).findFirst();
        if (exact.isEmpty() && localNet.prefixLength() == 0) {
            // Apple's, Android's and vpnc's clients propose IDcr 0.0.0.0/0 whatever split-include
            // said (Cisco Unity style): the IDs are echoed, the SAs and the client's policy get the
            // tunnel's own subnet, as strongSwan's unity_narrow does. The client's kernel sends us
            // everything; ours takes back only what the tunnel covers.
            exact = peer.tunnels().stream().filter(t -> t.remote().encloses(remoteNet)
                    && t.local().isIpv4() == localNet.isIpv4()).findFirst();
        }
        return exact.map(t -> t.withRemote(remoteNet));
    }

    // ---------------------------------------------------------------- phase 2

    /** Starts Quick Mode for each tunnel, now if the ISAKMP SA is up, else once it is. */
    void startTunnels(List<TunnelPolicy> tunnels, Instant now, Out out) {
        if (state != State.ESTABLISHED || (remoteAccess != null && !remoteAccess.quickModeAllowed())) {
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
        Instant next = phase1.deadline();
        if (state == State.ESTABLISHED) {
            next = earliest(earliest(earliest(next, expires), softExpires), retireAt);
            if (dpd != null) {
                next = earliest(next, dpd.deadline());
            }
            next = earliest(next, nextKeepalive);
            if (remoteAccess != null) {
                next = earliest(next, remoteAccess.deadline());
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
        if (!phase1.timeout(now, out)) {
            die(out);
            return;
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
                out.hold(); // a new active must go on after it (RFC 3706 s6.2): the standby learns it first
                Informational.sendProtectedNotify(this, NotifyType.R_U_THERE, Phase2Sa.spiBytes(sequence), out);
                out.guard(() -> new HaRecord.DpdSequence(Replication.cookies(cookies), sequence), now);
            }
        }
        if (state == State.ESTABLISHED && nextKeepalive != null && !now.isBefore(nextKeepalive)) {
            // RFC 3948 s2.3: one octet 0xFF, on the NAT-T port, without the non-ESP marker.
            out.send(new Datagram(local, remote, new byte[] {(byte) 0xff}));
            nextKeepalive = now.plus(peer.natTraversal().keepalive());
        }
        if (state == State.ESTABLISHED && remoteAccess != null) {
            remoteAccess.timeout(now, out);
            if (remoteAccess.failed()) {
                delete(out);
                return;
            }
        }
        if (state == State.ESTABLISHED && !now.isBefore(expires)) {
            out.info(tag() + "ISAKMP SA lifetime " + choice.lifetime().toSeconds() + "s expired; deleting it");
            delete(out);
            return;
        }
        if (state == State.ESTABLISHED && retireAt != null && !now.isBefore(retireAt)) {
            out.info(tag() + "replaced by a newer ISAKMP SA with the peer; deleting this one (its IPsec SAs stay)");
            delete(out);
            return;
        }
        if (state == State.ESTABLISHED && softExpires != null && !now.isBefore(softExpires)) {
            softExpires = null;
            rekeyDue = true;
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
        if (remoteAccess != null) {
            remoteAccess.release(out);
        }
        state = State.DEAD;
        quickModes.clear();
        if (phase1 != null) {
            phase1.wipe();
        }
    }

    /**
     * A first message (MM1, AM1) we refuse: logged, nothing kept. Only a well-formed request that
     * offers nothing acceptable is answered (NO-PROPOSAL-CHOSEN, INVALID-KEY-INFORMATION: a real
     * peer needs them to say why it fails); a malformed one gets silence, since anyone can spoof
     * its source and an answer would make us a reflector (RFC 2408 s5 makes the notify a MAY).
     */
    private void refuse(ExchangeFailure f, String exchange, Out out) {
        boolean answer = NotifyType.NO_PROPOSAL_CHOSEN.equals(f.notifyType())
                || NotifyType.INVALID_KEY_INFORMATION.equals(f.notifyType());
        out.warn(tag() + exchange + ": refused: " + f.getMessage() + " (" + (answer ? "notify " + f.notifyType()
                : f.notifyType() + ", not answered") + ")");
        if (answer) {
            Informational.sendPlainNotify(this, f.notifyType(), out);
        }
        die(out);
    }

    // ---------------------------------------------------------------- helpers for the exchanges

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

    /** The ISAKMP SA lifetime in a transform; RFC 2407 s4.5: 8 hours when it names none. */
    private static Duration offeredLifetime(TransformPayload t) {
        long lifeType = 0;
        for (DataAttribute a : t.attributes()) {
            if (a.type() == IkeAttributes.LIFE_TYPE) {
                lifeType = Attributes.value(a);
            } else if (a.type() == IkeAttributes.LIFE_DURATION && lifeType == IkeAttributes.LIFE_SECONDS) {
                return Duration.ofSeconds(Attributes.value(a));
            }
        }
        return Duration.ofHours(8);
    }

    /** Whether the soft lifetime has just run out; the engine acts on it once. */
    boolean takeRekeyDue() {
        boolean b = rekeyDue;
        rekeyDue = false;
        return b;
    }

    /** A newer ISAKMP SA with the peer is established: this one goes at {@code at}, and rekeys no more. */
    void retire(Instant at) {
        if (retireAt == null) {
            retireAt = at;
            softExpires = null;
        }
    }

    boolean retiring() {
        return retireAt != null;
    }

    /** When its first message was sent or received. */
    Instant startedAt() {
        return started;
    }

    /** When the SA was established; null before. */
    Instant establishedAt() {
        return established;
    }

    /** Whether DPD has just declared the peer dead; the engine acts on it once. */
    /** Whether XAUTH or Mode-Config failed on this SA (which is then deleted). */
    boolean remoteAccessFailed() {
        return remoteAccess != null && remoteAccess.failed();
    }

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

    /** Decrypts a phase-2 or informational message (its IV chain advances only when the caller accepts it). */
    Packet decrypt(IsakmpHeader h, byte[] ciphertext) throws WireException {
        return Packet.decode(h, cbc.decrypt(h.messageId(), ciphertext));
    }

    /** Encrypts and sends a phase-2 or informational message; returns it for retransmission. */
    Datagram sendEncrypted(ExchangeType exchange, int messageId, List<Payload> payloads, Out out) {
        byte[] ct = cbc.encrypt(messageId, PayloadCodec.encode(payloads));
        IsakmpHeader h = Packet.header(cookies, exchange, payloads, true, messageId, ct.length);
        Datagram d = datagram(Packet.concat(h.encode(), ct));
        logSent(h, payloads, out);
        out.send(d);
        return d;
    }

    // ---------------------------------------------------------------- IKE fragmentation

    void peerSentFragments() {
        peerSentFragments = true;
    }

    /**
     * The longest datagram we send the peer whole; a longer one goes in fragments. Empty unless
     * our policy offers fragmentation and the peer takes it (its vendor ID, or its own fragments).
     */
    OptionalInt fragmentSize() {
        boolean peerTakes = peerSentFragments || (phase1 != null && phase1.peerFragmentation);
        return peer.fragmentation().enabled() && peerTakes
                ? OptionalInt.of(peer.fragmentation().size(remote.getAddress())) : OptionalInt.empty();
    }

    /**
     * The fragment ID for our {@code message}: the one it had before when it is a retransmission
     * (so the peer completes the message from the fragments of both sends), else a new one.
     */
    int fragmentId(byte[] message) {
        if (!Arrays.equals(message, lastFragmented)) {
            lastFragmented = message.clone();
            lastFragmentId = nextFragmentId;
            nextFragmentId = nextFragmentId == 0xFFFF ? 1 : nextFragmentId + 1;
        }
        return lastFragmentId;
    }

    // ---------------------------------------------------------------- NAT traversal

    /** An ISAKMP message to the peer, behind the non-ESP marker once we run on the NAT-T port (RFC 3948 s2.2). */
    Datagram datagram(byte[] message) {
        if (local.getPort() != peer.natTraversal().port()) {
            return new Datagram(local, remote, message);
        }
        byte[] framed = new byte[NON_ESP_MARKER + message.length];
        System.arraycopy(message, 0, framed, NON_ESP_MARKER, message.length);
        return new Datagram(local, remote, framed);
    }

    /** Four zero octets where ESP has its SPI, which is never zero (RFC 3948 s2.2). */
    static final int NON_ESP_MARKER = 4;

    /** Initiator: a NAT is between us; from now on both ends use the NAT-T port (RFC 3947 s4). */
    void floatToNatPort(Out out) {
        int port = peer.natTraversal().port();
        if (local.getPort() == port) {
            return; // started there, towards the NAT's mapping of the peer's 4500
        }
        local = new InetSocketAddress(local.getAddress(), port);
        remote = new InetSocketAddress(remote.getAddress(), port);
        out.info(tag() + "moving to port " + port + " (NAT traversal, RFC 3947 s4)");
    }

    /** Whether phase 1 found a NAT, so that the peer's address may change under our SAs. */
    boolean natDetected() {
        return udpEncapsulationVersion().isPresent();
    }

    /** The NAT-T version whose UDP encapsulation modes Quick Mode uses; empty without a NAT. */
    Optional<NatDiscovery.Version> udpEncapsulationVersion() {
        NatDiscovery.Result r = nat != null ? nat : phase1 == null ? null : phase1.nat;
        return r != null && r.any() ? Optional.of(r.version()) : Optional.empty();
    }

    /** ESP in UDP for an SA pair negotiated now; empty without a NAT (RFC 3948). */
    Optional<UdpEncapsulation> udpEncapsulation(boolean inbound, Optional<InetAddress> peerOriginal) {
        if (!natDetected()) {
            return Optional.empty();
        }
        return Optional.of(inbound ? new UdpEncapsulation(remote.getPort(), local.getPort(), peerOriginal)
                : new UdpEncapsulation(local.getPort(), remote.getPort(), peerOriginal));
    }

    /**
     * A message of the peer has just proved to be its (HASH or signature checked): if it came
     * from another address or port than we knew, the peer floated to port 4500 or its NAT mapping
     * changed. We follow it, and so do the IPsec SAs with it. Never on a message not yet proven:
     * anyone can send a datagram with any source.
     */
    void authenticated(Datagram d, Out out) {
        if (d == null || !natDetected() || (d.local().equals(local) && d.remote().equals(remote))) {
            return;
        }
        InetSocketAddress was = remote;
        local = d.local();
        remote = d.remote();
        out.info(tag() + "peer moved from " + Addresses.format(was.getAddress()) + ":" + was.getPort()
                + " (authenticated message from its new address; NAT mapping changed or port 4500)");
        if (state != State.ESTABLISHED) {
            return;
        }
        for (ChildSas.Pair pair : ctx.children().ofPeer(peerKey())) {
            IpsecSa in = pair.inbound();
            IpsecSa outSa = pair.outbound();
            Optional<InetAddress> oa = in.udpEncapsulation().flatMap(UdpEncapsulation::originalAddress);
            IpsecSa movedIn = in.movedTo(remote.getAddress(), local.getAddress(), udpEncapsulation(true, oa));
            IpsecSa movedOut = outSa.movedTo(local.getAddress(), remote.getAddress(), udpEncapsulation(false, oa));
            List<IpsecSa> before = pair.inKernel(); // an outbound SA waiting for its switch is not there yet
            ctx.children().move(pair, movedIn, movedOut);
            out.replicate(() -> Replication.pair(pair)); // the standby's copy follows the peer too
            before.forEach(out::delete);
            pair.inKernel().forEach(out::install);
            out.info(tag() + "IPsec SAs of tunnel " + pair.tunnel() + " (in spi 0x" + in.spiHex() + ", out spi 0x"
                    + outSa.spiHex() + ") follow the peer to " + Addresses.format(remote.getAddress()) + ":"
                    + remote.getPort());
        }
    }

    void logSent(IsakmpHeader h, List<Payload> payloads, Out out) {
        if (out.capturing() && h.encrypted()) {
            capturePlaintext(h, PayloadCodec.encode(payloads), false, out);
        }
        if (!out.debugging()) {
            return;
        }
        out.debug(tag() + "sending " + h.exchangeType() + " " + MessageDump.summary(payloads) + "\n"
                + MessageDump.format(h, payloads));
    }

    void logReceived(Packet p, Out out) {
        if (out.capturing() && p.header().encrypted()) {
            capturePlaintext(p.header(), Arrays.copyOf(p.plaintext(), p.chainEnd()), true, out);
        }
        if (!out.debugging()) {
            return;
        }
        out.debug(tag() + "received " + p.header().exchangeType() + " " + MessageDump.summary(p.payloads()) + "\n"
                + MessageDump.format(p.header(), p.payloads()));
    }

    /** An encrypted message as plaintext ISAKMP: encryption flag cleared, length without the CBC padding. */
    private void capturePlaintext(IsakmpHeader h, byte[] payloads, boolean received, Out out) {
        IsakmpHeader plain = h.withFlags(h.flags() & ~IsakmpHeader.FLAG_ENCRYPTION)
                .withLength(IsakmpHeader.LENGTH + payloads.length);
        out.plaintext(new Datagram(local, remote, Packet.concat(plain.encode(), payloads)), received);
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

    /**
     * Whom this SA's IPsec SAs belong to: the peer's name, or for a peer accepted from a range of
     * addresses (road warriors) its name and the identity it proved, so that one client's
     * INITIAL-CONTACT, Delete or death never touches another's SAs (RFC 2407 s4.6.3.3 speaks of
     * the sender's SAs, not its address's or its policy's).
     */
    String peerKey() {
        if (peer.hasFixedAddress()) {
            return peer.name();
        }
        return peer.name() + "/" + (phase1.peerId != null ? peerIdentity()
                : Addresses.format(remote.getAddress()));
    }

    /** The identity the peer proved in phase 1, as logs write it; null before it has. */
    String peerIdentity() {
        // Engine compares it per event (supersede, INITIAL-CONTACT, Deletes): decode it once per ID payload
        if (phase1.peerId != describedPeerId) {
            describedPeerId = phase1.peerId;
            describedPeerIdentity = describedPeerId == null ? null : Identity.describe(describedPeerId);
        }
        return describedPeerIdentity;
    }

    /** A responder waiting for the initiator's next phase-1 message. */
    boolean halfOpen() {
        return state == State.NEGOTIATING && phase1.halfOpen();
    }

    /** A half-open responder exchange whose peer answered our first message (see {@link HalfOpenTable#verify}). */
    boolean peerAnsweredFromItsAddress() {
        return state == State.NEGOTIATING && phase1.peerAnsweredFromItsAddress();
    }

    /** The last {@link #info()} and the choice and cookies it shows: the status lists every SA each second. */
    private IsakmpSaInfo info;
    private Phase1Sa.Choice infoChoice;
    private Cookies infoCookies;

    /** The same instance while nothing it shows changed: no hex, names or record made per SA per listing (issue 11). */
    IsakmpSaInfo info() {
        Phase1Sa.Choice c = phase1.choice;
        String stateName = state == State.NEGOTIATING ? phase1.stateName() : state.name();
        IsakmpSaInfo i = info;
        if (i != null && c == infoChoice && cookies == infoCookies && i.local() == local && i.remote() == remote
                && i.established() == established && i.state().equals(stateName)) {
            return i;
        }
        info = new IsakmpSaInfo(peer.name(), role, local, remote, cookies.initiatorHex(), cookies.responderHex(),
                c == null ? "-" : c.proposal().name(), stateName, established, c == null ? null : c.lifetime());
        infoChoice = c;
        infoCookies = cookies;
        return info;
    }
}
