package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.registry.PayloadType.HASH;
import static dev.isakmpd.core.registry.PayloadType.ID;
import static dev.isakmpd.core.registry.PayloadType.KE;
import static dev.isakmpd.core.registry.PayloadType.N;
import static dev.isakmpd.core.registry.PayloadType.NAT_OA;
import static dev.isakmpd.core.registry.PayloadType.NAT_OA_DRAFT;
import static dev.isakmpd.core.registry.PayloadType.NONCE;
import static dev.isakmpd.core.registry.PayloadType.SA;

import dev.isakmpd.core.ha.HaRecord;
import dev.isakmpd.core.kernel.KernelException;
import dev.isakmpd.core.kernel.SoftLifetime;
import dev.isakmpd.core.kernel.SpdTunnel;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.IpsecMode;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.ProtocolId;
import dev.isakmpd.core.sa.BundledSa;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.core.wire.HashPayload;
import dev.isakmpd.core.wire.IdentificationPayload;
import dev.isakmpd.core.wire.IsakmpHeader;
import dev.isakmpd.core.wire.KeyExchangePayload;
import dev.isakmpd.core.wire.NoncePayload;
import dev.isakmpd.core.wire.NotificationPayload;
import dev.isakmpd.core.wire.Payload;
import dev.isakmpd.core.wire.PayloadCodec;
import dev.isakmpd.core.wire.SaPayload;
import dev.isakmpd.core.wire.WireException;
import dev.isakmpd.oakley.DhKeyPair;
import dev.isakmpd.oakley.InvalidKeyInformationException;
import dev.isakmpd.oakley.Keymat;
import dev.isakmpd.oakley.SecretBytes;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One Quick Mode exchange (RFC 2409 s5.5) under an ISAKMP SA, either side:
 * <pre>
 *   HDR*, HASH(1), SA, Ni [, KE ] [, IDci, IDcr ]  -->
 *                                                  <--  HDR*, HASH(2), SA, Nr [, KE ] [, IDci, IDcr ]
 *   HDR*, HASH(3)                                  -->
 * </pre>
 * The finished exchange lingers so that a retransmitted QM2 is answered with the cached QM3.
 */
final class QuickMode {
    enum State { QM1_SENT, QM2_SENT, DONE, FAILED }

    /** RFC 2409 s5.5: the HASH first; one SA (we negotiate one pair per exchange); IDs come in pairs. */
    static final MessageShape QM1 = MessageShape.of("QM1").first(HASH).one(SA).one(NONCE).optional(KE)
            .between(ID, 0, 2).any(N).between(NAT_OA, 0, 2).between(NAT_OA_DRAFT, 0, 2).build();
    static final MessageShape QM2 = MessageShape.of("QM2").first(HASH).one(SA).one(NONCE).optional(KE)
            .between(ID, 0, 2).any(N).between(NAT_OA, 0, 2).between(NAT_OA_DRAFT, 0, 2).build();
    static final MessageShape QM3 = MessageShape.of("QM3").first(HASH).build();

    /**
     * How long a finished exchange at least keeps answering retransmissions: strongSwan resends
     * QM2 for up to 165 s (4 s, growing by 1.8, five times). A shorter linger lets a lost QM3
     * leave the responder without SAs that the initiator has installed.
     */
    static final Duration PEER_RETRANSMISSION_SPAN = Duration.ofSeconds(165);

    /**
     * How long the initiator of a rekey keeps sending on the old outbound SA after QM3: the
     * responder installs its new inbound SA only when QM3 arrives (strongSwan does), and Linux
     * sends on the newest outbound SA at once, so an immediate switch loses what goes out before
     * that. Shorter when the old pair ends sooner: it must end at least {@link #KERNEL_CLOCK}
     * after the switch.
     */
    static final Duration OUTBOUND_SWITCH_DELAY = Duration.ofSeconds(1);
    /** Kernels count SA lifetimes in whole seconds from the second of the install: up to 1 s early. */
    static final Duration KERNEL_CLOCK = Duration.ofSeconds(1);

    private final IsakmpSession session;
    private final int messageId;
    private final boolean initiator;
    private final Retransmitter rtx;
    private final Instant started;
    private final Duration linger;
    private TunnelPolicy tunnel;
    private State state;
    private byte[] ni;
    private byte[] nr;
    private DhKeyPair dh;
    private SecretBytes gqm;
    private int inboundSpi;
    /** Our inbound SPIs of every protocol in the bundle; {@code inboundSpi} is its main one. */
    private Phase2Sa.Spis spis;
    private Phase2Sa.Choice choice;
    private IdentificationPayload idci;
    private IdentificationPayload idcr;
    private Instant finishedAt;
    /** The responder's tunnel is a road warrior's transport tunnel: its pairs hold a per-client policy. */
    private boolean clientPolicy;
    /** The peer's address before its NAT, from NAT-OA (RFC 3947 s5.2), if it sent one. */
    private Optional<InetAddress> peerOriginalAddress = Optional.empty();
    /**
     * Our inbound SA, installed before the peer can send on it: by the responder as QM2 goes out
     * (the initiator, strongSwan among them, sends on the new pair as soon as it has QM2), by the
     * initiator before QM3. Null until then.
     */
    private IpsecSa inbound;
    /** The share of the lifetime at which the pair's replacement starts ({@link SoftLifetime}). */
    private double softShare;
    /** When {@link #inbound} went in: the kernel counts the pair's lifetime from then. */
    private Instant inboundAt;
    /** A rekey's new pair whose outbound SA waits for {@link #OUTBOUND_SWITCH_DELAY}; null otherwise. */
    private ChildSas.Pair delayedOutbound;
    /** The responder's pair as replicated before QM2 went out (HA); null otherwise. */
    private HaRecord.IpsecPair pendingReplica;
    private Instant delayedOutboundAt;

    private QuickMode(IsakmpSession session, int messageId, boolean initiator, Instant now) {
        this.session = session;
        this.messageId = messageId;
        this.initiator = initiator;
        this.started = now;
        this.rtx = new Retransmitter(session.ctx().retransmit());
        Duration ours = session.ctx().retransmit().span();
        this.linger = ours.compareTo(PEER_RETRANSMISSION_SPAN) > 0 ? ours : PEER_RETRANSMISSION_SPAN;
    }

    int messageId() {
        return messageId;
    }

    /** True while this exchange, started by us, may still produce SAs for {@code t} (kernel ACQUIRE/rekey). */
    boolean negotiating(TunnelPolicy t) {
        return initiator && tunnel == t && (state == State.QM1_SENT || state == State.QM2_SENT);
    }

    // ---------------------------------------------------------------- initiator

    static Optional<QuickMode> initiate(IsakmpSession s, TunnelPolicy tunnel, int messageId, Instant now, Out out) {
        QuickMode q = new QuickMode(s, messageId, true, now);
        q.tunnel = tunnel;
        try {
            q.spis = q.allocateSpis(tunnel.hasEsp() ? ProtocolId.IPSEC_ESP : ProtocolId.IPSEC_AH,
                    tunnel.hasEsp() && !tunnel.ah().isEmpty(), tunnel.compress());
        } catch (KernelException e) {
            out.warn(q.tag() + "cannot start: GETSPI failed: " + e.getMessage());
            return Optional.empty();
        }
        q.ni = s.ctx().randomBytes(Phase1Exchange.NONCE_LENGTH);
        List<Payload> rest = new ArrayList<>();
        rest.add(Phase2Sa.offer(tunnel, q.spis, s.udpEncapsulationVersion()));
        rest.add(new NoncePayload(q.ni));
        tunnel.pfsGroup().ifPresent(g -> {
            q.dh = s.ctx().crypto().generateKeyPair(g);
            rest.add(new KeyExchangePayload(q.dh.publicValue()));
        });
        q.idci = TrafficSelectors.toId(tunnel.local());
        q.idcr = TrafficSelectors.toId(tunnel.remote());
        rest.add(q.idci);
        rest.add(q.idcr);
        q.originalAddresses().ifPresent(rest::addAll);
        byte[] hash1 = q.prf(q.mid(), PayloadCodec.encode(rest));
        out.info(q.tag() + "initiating for " + tunnel.local() + " === " + tunnel.remote() + ", offering "
                + tunnel.describeProposals() + tunnel.pfsGroup().map(g -> " with PFS " + g.name()).orElse(" without PFS"));
        q.state = State.QM1_SENT;
        q.send(withHash(hash1, rest), now, out, false, true);
        return Optional.of(q);
    }

    /** QM2 at the initiator (HASH(2) already checked): answer with HASH(3), install both SAs. */
    private void onQm2(Packet p, Instant now, Out out) throws ExchangeFailure {
        QM2.check(p.payloads());
        nr = Payloads.required(p.payloads(), NoncePayload.class, "NONCE").nonce();
        SaPayload sa = Payloads.required(p.payloads(), SaPayload.class, "SA");
        Optional<KeyExchangePayload> ke = Payloads.first(p.payloads(), KeyExchangePayload.class);
        choice = Phase2Sa.accept(session.ctx().crypto(), sa, tunnel, ke.isPresent(),
                session.udpEncapsulationVersion());
        peerOriginalAddress = NatDiscovery.peerOriginalAddress(p.payloads(), false);
        List<IdentificationPayload> ids = Payloads.all(p.payloads(), IdentificationPayload.class);
        if (!ids.isEmpty() && (ids.size() != 2 || !ids.get(0).equals(idci) || !ids.get(1).equals(idcr))) {
            throw ExchangeFailure.fatal(NotifyType.INVALID_ID_INFORMATION, "responder changed the client identities");
        }
        for (NotificationPayload n : Payloads.all(p.payloads(), NotificationPayload.class)) {
            if (n.notifyType().equals(NotifyType.RESPONDER_LIFETIME)) {
                try {
                    Optional<Phase2Sa.Choice> shorter = Phase2Sa.responderLifetime(n, choice);
                    if (shorter.isPresent() && !shorter.get().lifetime().equals(choice.lifetime())) {
                        out.info(tag() + "responder keeps its SAs " + shorter.get().lifetime().toSeconds() + "s, not "
                                + choice.lifetime().toSeconds() + "s (RESPONDER-LIFETIME); so do we");
                    }
                    if (shorter.isPresent() && shorter.get().lifeKilobytes() != choice.lifeKilobytes()) {
                        out.info(tag() + "responder keeps its SAs for " + shorter.get().lifeKilobytes() + " KB, not "
                                + (choice.lifeKilobytes() == 0 ? "unlimited" : choice.lifeKilobytes() + " KB")
                                + " (RESPONDER-LIFETIME); so do we");
                    }
                    choice = shorter.orElse(choice);
                } catch (WireException e) {
                    out.warn(tag() + "ignored a RESPONDER-LIFETIME notify without valid attributes: " + e.getMessage());
                }
            }
        }
        if (ke.isPresent()) {
            gqm = agree(ke.get());
        }
        installInbound(now, out); // the responder may send on it as soon as it has QM3
        out.hold(); // QM3 lets the responder use the pair: the standby must hold it first
        send(List.of(new HashPayload(prf(new byte[] {0}, mid(), ni, nr))), now, out, true, false);
        ChildSas.Pair pair = finish(now, out);
        out.guard(() -> Replication.pair(pair), now);
    }

    /**
     * The NAT-OA payloads a transport-mode Quick Mode through a NAT carries in QM1 and QM2 (RFC
     * 3947 s5.2); empty in tunnel mode or without a NAT. The responder's transport mode through a
     * NAT is always the UDP-encapsulated one it selected.
     */
    private Optional<List<Payload>> originalAddresses() {
        return session.udpEncapsulationVersion().filter(v -> tunnel.mode() == IpsecMode.TRANSPORT)
                .map(v -> NatDiscovery.originalAddresses(v, initiator, session.local.getAddress(),
                        session.remote.getAddress()));
    }

    // ---------------------------------------------------------------- responder

    /** QM1 at the responder: a new exchange, if the message is authentic and acceptable. */
    static Optional<QuickMode> respond(IsakmpSession s, Datagram d, IsakmpHeader h, Instant now, Out out) {
        QuickMode q = new QuickMode(s, h.messageId(), false, now);
        Packet p;
        byte[] ct = Packet.body(h, d.rawData());
        try {
            p = s.decrypt(h, ct);
        } catch (WireException e) {
            s.cbc().forget(h.messageId());
            out.warn(q.tag() + "dropped malformed message: " + e.getMessage());
            return Optional.empty();
        }
        s.logReceived(p, out);
        try {
            Payloads.checkHash(p, q.prf(q.mid(), p.afterFirstPayload()), "HASH(1)");
        } catch (ExchangeFailure f) {
            s.cbc().forget(h.messageId());
            out.warn(q.tag() + f.getMessage());
            return Optional.empty();
        }
        s.cbc().advance(h.messageId(), ct);
        s.authenticated(d, out);
        q.rtx.received(d.rawData());
        try {
            q.onQm1(p, now, out);
            return Optional.of(q);
        } catch (ExchangeFailure f) {
            q.state = State.FAILED;
            q.finishedAt = now;
            out.warn(q.tag() + "failed: " + f.getMessage() + " (notify " + f.notifyType() + ")");
            Informational.sendProtectedNotify(s, f.notifyType(), new byte[0], out);
            return Optional.of(q);
        }
    }

    private void onQm1(Packet p, Instant now, Out out) throws ExchangeFailure {
        QM1.check(p.payloads());
        SaPayload sa = Payloads.required(p.payloads(), SaPayload.class, "SA");
        ni = Payloads.required(p.payloads(), NoncePayload.class, "NONCE").nonce();
        Optional<KeyExchangePayload> ke = Payloads.first(p.payloads(), KeyExchangePayload.class);
        List<IdentificationPayload> ids = Payloads.all(p.payloads(), IdentificationPayload.class);
        peerOriginalAddress = NatDiscovery.peerOriginalAddress(p.payloads(), true);
        Subnet remoteNet;
        Subnet localNet;
        if (ids.isEmpty()) {
            // RFC 2409 s5.5: without IDs the SA protects traffic between the two gateways.
            remoteNet = Subnet.host(session.remote.getAddress());
            localNet = Subnet.host(session.local.getAddress());
        } else if (ids.size() == 2) {
            idci = ids.get(0);
            idcr = ids.get(1);
            remoteNet = TrafficSelectors.fromId(idci);
            localNet = TrafficSelectors.fromId(idcr);
        } else {
            throw ExchangeFailure.fatal(NotifyType.INVALID_ID_INFORMATION, ids.size() + " ID payloads; need 0 or 2");
        }
        Optional<TunnelPolicy> virtual = session.virtualIpTunnel(remoteNet, localNet);
        tunnel = virtual.isPresent() ? virtual.get() : configuredTunnel(remoteNet, localNet, out);
        List<String> why = new ArrayList<>();
        try {
            choice = Phase2Sa.select(session.ctx().crypto(), sa, tunnel, ke.isPresent(), why,
                    session.udpEncapsulationVersion());
        } catch (ExchangeFailure f) {
            out.info(tag() + "no acceptable proposal for tunnel " + tunnel.name() + ": " + String.join("; ", why)
                    + "; ours: " + tunnel.describeProposals());
            throw f;
        }
        List<Payload> rest = new ArrayList<>();
        try {
            spis = allocateSpis(choice.protocol(), choice.part(ProtocolId.IPSEC_AH).isPresent(),
                    choice.part(ProtocolId.IPCOMP).isPresent());
        } catch (KernelException e) {
            throw ExchangeFailure.fatal(NotifyType.NO_PROPOSAL_CHOSEN, "GETSPI failed: " + e.getMessage());
        }
        rest.add(Phase2Sa.reply(sa, choice, spis));
        nr = session.ctx().randomBytes(Phase1Exchange.NONCE_LENGTH);
        rest.add(new NoncePayload(nr));
        if (choice.pfsGroup().isPresent()) {
            dh = session.ctx().crypto().generateKeyPair(choice.pfsGroup().get());
            gqm = agree(ke.get());
            rest.add(new KeyExchangePayload(dh.publicValue()));
        }
        if (idci != null) {
            rest.add(idci);
            rest.add(idcr);
        }
        originalAddresses().ifPresent(rest::addAll);
        Phase2Sa.responderLifetime(choice, inboundSpi).ifPresent(rest::add);
        out.info(tag() + "responding for tunnel " + tunnel.name() + " (" + localNet + " === " + remoteNet
                + (tunnel.local().equals(localNet) ? "" : ", installed as " + tunnel.local()) + "), chose "
                + choice.describe() + choice.pfsGroup().map(g -> " with PFS " + g.name()).orElse(" without PFS"));
        byte[] hash2 = prf(mid(), ni, PayloadCodec.encode(rest));
        installInbound(now, out); // the initiator may send on it as soon as it has QM2
        state = State.QM2_SENT;
        out.hold(); // QM2 lets the initiator use the pair: the standby must hold it (pending) first
        send(withHash(hash2, rest), now, out, true, true);
        out.guard(() -> pendingReplica = pendingPair(now), now);
    }

    /**
     * The configured tunnel for the selectors the initiator proposes: one with exactly these, else
     * one with these addresses whose protocol and port are these or any (the SAs then carry the
     * narrower ones the initiator named, RFC 2407 s4.6.2), else a road-warrior transport tunnel
     * whose range holds the client ({@link #transportClient}).
     */
    private TunnelPolicy configuredTunnel(Subnet remoteNet, Subnet localNet, Out out) throws ExchangeFailure {
        List<TunnelPolicy> tunnels = session.peer.tunnels();
        for (TunnelPolicy t : tunnels) {
            if (t.remote().equals(remoteNet) && t.local().equals(localNet)) {
                return t;
            }
        }
        for (TunnelPolicy t : tunnels) {
            if (!t.isRoadWarriorTransport() && narrows(t.remote(), remoteNet) && narrows(t.local(), localNet)) {
                return t.withSelectors(localNet, remoteNet);
            }
        }
        for (TunnelPolicy t : tunnels) {
            if (t.isRoadWarriorTransport() && narrows(t.local(), localNet)) {
                Subnet client = transportClient(remoteNet, out);
                if (t.remote().encloses(client)) {
                    clientPolicy = true;
                    return t.withSelectors(localNet, client);
                }
            }
        }
        throw ExchangeFailure.fatal(NotifyType.INVALID_ID_INFORMATION, "no tunnel for " + remoteNet + " === "
                + localNet);
    }

    /** Whether {@code proposed} names the addresses of {@code configured}, with its protocol and port or narrower ones. */
    private static boolean narrows(Subnet configured, Subnet proposed) {
        return configured.addressesOnly().equals(proposed.addressesOnly()) && configured.encloses(proposed);
    }

    /**
     * A transport-mode client's selector: its own host, with the protocol and port it proposed.
     * Behind a NAT an L2TP/IPsec client (Windows, macOS, strongSwan) names its private address in
     * IDci, which is also its NAT-OA (RFC 3947 s5.2); the SAs and the per-client policy must name
     * the address its packets come from, the NAT's, which the kernel sees once ESP is unwrapped.
     */
    private Subnet transportClient(Subnet proposed, Out out) throws ExchangeFailure {
        InetAddress observed = session.remote.getAddress();
        if (!proposed.isHost() || proposed.network().getAddress().length != observed.getAddress().length) {
            throw ExchangeFailure.fatal(NotifyType.INVALID_ID_INFORMATION, "a transport-mode client must name "
                    + "its own address, not " + proposed);
        }
        if (proposed.network().equals(observed)) {
            return proposed;
        }
        if (!session.natDetected()) {
            throw ExchangeFailure.fatal(NotifyType.INVALID_ID_INFORMATION, "transport-mode client at "
                    + Addresses.format(observed) + " names " + proposed + ", and no NAT is between us");
        }
        if (peerOriginalAddress.isPresent() && !peerOriginalAddress.get().equals(proposed.network())) {
            throw ExchangeFailure.fatal(NotifyType.INVALID_ID_INFORMATION, "transport-mode client names " + proposed
                    + " but its NAT-OA is " + Addresses.format(peerOriginalAddress.get()));
        }
        Subnet client = Subnet.host(observed).withProtocolPort(proposed.protocol(), proposed.port());
        out.info(tag() + "transport-mode client behind a NAT names " + proposed + peerOriginalAddress
                .map(a -> " (its NAT-OA)").orElse("") + "; its SAs and policy take its address as we see it, "
                + client);
        return client;
    }

    // ---------------------------------------------------------------- both

    void receive(Datagram d, IsakmpHeader h, Instant now, Out out) {
        if (rtx.answerDuplicate(d, now, tag(), out)) {
            return;
        }
        if (state != State.QM1_SENT && state != State.QM2_SENT) {
            out.debug(tag() + "ignored a message in state " + state);
            return;
        }
        byte[] ct = Packet.body(h, d.rawData());
        Packet p;
        try {
            p = session.decrypt(h, ct);
        } catch (WireException e) {
            out.warn(tag() + "dropped malformed message: " + e.getMessage());
            return;
        }
        session.logReceived(p, out);
        try {
            if (state == State.QM1_SENT) {
                // check before advancing the IV, so a forged QM2 cannot break the exchange
                Payloads.checkHash(p, prf(mid(), ni, p.afterFirstPayload()), "HASH(2)");
            } else {
                Payloads.checkHash(p, prf(new byte[] {0}, mid(), ni, nr), "HASH(3)");
            }
        } catch (ExchangeFailure f) {
            out.warn(tag() + f.getMessage());
            return;
        }
        session.heard(now); // HASH(2) and HASH(3) cover our fresh Ni: no replay
        session.cbc().advance(messageId, ct);
        session.authenticated(d, out);
        rtx.stop();
        rtx.received(d.rawData());
        try {
            if (state == State.QM1_SENT) {
                onQm2(p, now, out);
            } else {
                QM3.check(p.payloads());
                HaRecord.IpsecPair sent = pendingReplica;
                ChildSas.Pair pair = finish(now, out); // HASH(3) proved the initiator has our QM2
                out.replicate(() -> Replication.wentLive(sent, pair));
            }
        } catch (ExchangeFailure f) {
            state = State.FAILED;
            finishedAt = now;
            out.warn(tag() + "failed: " + f.getMessage() + " (notify " + f.notifyType() + ")");
            removeInbound(out);
            Informational.sendProtectedNotify(session, f.notifyType(), new byte[0], out);
        }
    }

    Instant deadline() {
        Instant r = rtx.deadline();
        if (delayedOutbound != null && (r == null || delayedOutboundAt.isBefore(r))) {
            r = delayedOutboundAt;
        }
        if (finishedAt != null) {
            Instant gone = finishedAt.plus(linger);
            return r == null || gone.isBefore(r) ? gone : r;
        }
        return r;
    }

    void timeout(Instant now, Out out) {
        if (delayedOutbound != null && !now.isBefore(delayedOutboundAt)) {
            ChildSas.Pair p = delayedOutbound;
            delayedOutbound = null;
            if (session.ctx().children().holds(p)) { // not deleted meanwhile (which wipes its keys)
                out.debug(tag() + "sending on the new outbound SA 0x" + p.outbound().spiHex() + " now");
                p.outboundWaits(false);
                out.install(p.outbound());
            }
        }
        if (!rtx.due(now)) {
            return;
        }
        if (rtx.retry(now)) {
            out.debug(tag() + "retransmission " + rtx.attempts() + " in state " + state);
            out.send(rtx.lastSent());
        } else {
            out.warn(tag() + "no answer in state " + state + " after " + rtx.attempts() + " retransmissions; giving up");
            state = State.FAILED;
            finishedAt = now;
            removeInbound(out);
        }
    }

    private void installInbound(Instant now, Out out) {
        // one share for both SAs and the engine's deadline: the kernel's soft EXPIRE agrees with it
        softShare = SoftLifetime.share(initiator, session.ctx().crypto().random());
        inbound = sa(IpsecSa.Direction.IN, inboundSpi, session.remote.getAddress(), session.local.getAddress(),
                tunnel.remote(), tunnel.local(), softShare)
                .withUdpEncapsulation(session.udpEncapsulation(true, peerOriginalAddress));
        out.install(inbound);
        inboundAt = now;
    }

    /** The exchange failed after our inbound SA went in: it carries nothing, and never will. */
    private void removeInbound(Out out) {
        if (inbound != null) {
            if (pendingReplica != null) { // the standby holds the pending pair and its inbound SA: gone too
                HaRecord.SpiKey gone = new HaRecord.SpiKey(inbound.destination(), inbound.spi());
                out.replicate(() -> new HaRecord.PairDelete(gone));
                pendingReplica = null;
            }
            out.delete(inbound);
            inbound.wipe();
            inbound = null;
        }
    }

    boolean isFinished(Instant now) {
        return finishedAt != null && !now.isBefore(finishedAt.plus(linger));
    }

    private ChildSas.Pair finish(Instant now, Out out) {
        state = State.DONE;
        pendingReplica = null;
        finishedAt = now;
        int outboundSpi = choice.peerSpi();
        InetAddress us = session.local.getAddress();
        InetAddress them = session.remote.getAddress();
        IpsecSa in = inbound;
        inbound = null; // the pair owns it now
        IpsecSa outSa = sa(IpsecSa.Direction.OUT, outboundSpi, us, them, tunnel.local(), tunnel.remote(), softShare)
                .withUdpEncapsulation(session.udpEncapsulation(false, peerOriginalAddress));
        if (gqm != null) {
            gqm.wipe();
        }
        if (dh != null) {
            dh.wipe();
        }
        ChildSas children = session.ctx().children();
        // make-before-break: the inbound SA went in before the peer could use the new pair; as the
        // initiator of a rekey, keep sending on the old pair until the responder has had QM3
        List<ChildSas.Pair> old = children.current(session.peerKey(), tunnel.name());
        Instant switchAt = now.plus(OUTBOUND_SWITCH_DELAY);
        for (ChildSas.Pair o : old) {
            Instant last = o.expires().minus(KERNEL_CLOCK);
            switchAt = last.isBefore(switchAt) ? last : switchAt;
        }
        boolean delay = initiator && !old.isEmpty() && switchAt.isAfter(now);
        ChildSas.Pair pair = new ChildSas.Pair(session.peerKey(), in, outSa, inboundAt.plus(choice.lifetime()),
                SoftLifetime.of(inboundAt, choice.lifetime(), softShare), initiator, session.peerIdentity(),
                session.cookies());
        children.add(pair, now);
        if (clientPolicy) {
            SpdTunnel spd = new SpdTunnel(session.peer.name(), tunnel.name(), us, them, tunnel.local(),
                    tunnel.remote(), IpsecMode.TRANSPORT, session.peer.local().getPort(), tunnel.protocols());
            if (children.holdPolicy(pair, spd)) {
                out.addPolicy(spd);
            }
        }
        if (delay) {
            pair.outboundWaits(true); // a Delete before the switch must not remove it from the kernel
            delayedOutbound = pair;
            delayedOutboundAt = switchAt;
        } else {
            out.install(outSa);
        }
        out.info(tag() + "IPsec SAs established for tunnel " + tunnel.name() + ": " + in.algorithms()
                + (tunnel.mode() == IpsecMode.TRANSPORT ? " transport mode" : "")
                + (choice.pfsGroup().isPresent() ? " PFS " + choice.pfsGroup().get().name() : "") + ", in spi 0x"
                + in.spiHex() + ", out spi 0x" + outSa.spiHex() + ", lifetime " + choice.lifetime().toSeconds()
                + "s" + (choice.lifeKilobytes() > 0 ? " or " + choice.lifeKilobytes() + " KB" : "") + ", in "
                + Duration.between(started, now).toMillis() + " ms"
                + outSa.udpEncapsulation().map(u -> ", ESP in UDP (" + u + ")").orElse(""));
        return pair;
    }

    /**
     * The responder's pair between QM2 and QM3, for the standby: its outbound SA is not in use
     * until QM3 (or, after a takeover, traffic on its inbound SA) proves the initiator has QM2.
     */
    private HaRecord.IpsecPair pendingPair(Instant now) {
        IpsecSa outSa = sa(IpsecSa.Direction.OUT, choice.peerSpi(), session.local.getAddress(),
                session.remote.getAddress(), tunnel.local(), tunnel.remote(), softShare)
                .withUdpEncapsulation(session.udpEncapsulation(false, peerOriginalAddress));
        return new HaRecord.IpsecPair(Replication.cookies(session.cookies()), session.peerKey(),
                session.peerIdentity(), inbound, outSa, false, true, false,
                inboundAt.plus(choice.lifetime()).toEpochMilli(),
                SoftLifetime.of(inboundAt, choice.lifetime(), softShare).toEpochMilli());
    }

    /** The pair this responder awaits QM3 for, as replicated; empty otherwise. */
    Optional<HaRecord.IpsecPair> pendingReplica() {
        return Optional.ofNullable(state == State.QM2_SENT ? pendingReplica : null);
    }

    /**
     * KEYMAT for the SA whose destination chose {@code spi} (RFC 2409 s5.5): encryption key first
     * (with the 4-byte salt or nonce of GCM and CTR at its end), then HMAC key; AH's, from its own
     * protocol and SPI, is the HMAC key alone. The bundle's AH and IPComp SAs come along.
     */
    private IpsecSa sa(IpsecSa.Direction dir, int spi, InetAddress src, InetAddress dst, Subnet srcSel, Subnet dstSel,
            double softShare) {
        int encLen = choice.proposal().cipher().keymatLength(choice.proposal().keyBits());
        byte[] k = keymat(choice.protocol(), spi, choice.proposal().keymatLength());
        SecretBytes enc = SecretBytes.copyOf(Arrays.copyOfRange(k, 0, encLen));
        SecretBytes auth = SecretBytes.copyOf(Arrays.copyOfRange(k, encLen, k.length));
        Arrays.fill(k, (byte) 0);
        List<BundledSa> bundle = new ArrayList<>();
        for (Phase2Sa.Part part : choice.bundle()) {
            int partSpi = dir == IpsecSa.Direction.IN ? spis.of(part.protocol()) : part.peerSpi();
            if (part.protocol().equals(ProtocolId.IPCOMP)) {
                bundle.add(BundledSa.ipcomp(partSpi));
            } else {
                byte[] ak = keymat(ProtocolId.IPSEC_AH, partSpi, part.integrity().keyLength());
                bundle.add(new BundledSa(ProtocolId.IPSEC_AH, partSpi, part.integrity(), SecretBytes.copyOf(ak)));
                Arrays.fill(ak, (byte) 0);
            }
        }
        return new IpsecSa(session.peer.name(), tunnel.name(), dir, spi, src, dst, srcSel, dstSel,
                choice.proposal().cipher(), choice.proposal().keyBits(), enc, choice.proposal().integrity(), auth,
                choice.lifetime(), choice.pfsGroup().isPresent(), Optional.empty(), tunnel.mode(),
                choice.lifeKilobytes(), choice.protocol(), bundle, softShare);
    }

    private byte[] keymat(ProtocolId protocol, int spi, int length) {
        SecretBytes keymat = Keymat.derive(session.prf(), session.keys().skeyidD(), gqm, protocol.value(),
                Phase2Sa.spiBytes(spi), ni, nr, length);
        byte[] k = keymat.bytes();
        keymat.wipe();
        return k;
    }

    /** Inbound SPIs for the main protocol, a bundled AH and IPComp's CPI (0 where not needed). */
    private Phase2Sa.Spis allocateSpis(ProtocolId main, boolean ah, boolean ipcomp) throws KernelException {
        InetAddress src = session.remote.getAddress();
        InetAddress dst = session.local.getAddress();
        inboundSpi = session.ctx().spis().allocateSpi(main, src, dst);
        int ahSpi = ah ? session.ctx().spis().allocateSpi(ProtocolId.IPSEC_AH, src, dst) : 0;
        int cpi = ipcomp ? session.ctx().spis().allocateSpi(ProtocolId.IPCOMP, src, dst) : 0;
        return new Phase2Sa.Spis(inboundSpi, ahSpi, cpi);
    }

    private SecretBytes agree(KeyExchangePayload ke) throws ExchangeFailure {
        DhKeyPair own = dh;
        try {
            if (ke.keyData().length != own.group().publicValueLength()) {
                throw new InvalidKeyInformationException("KE data is " + ke.keyData().length + " bytes, "
                        + own.group().name() + " needs " + own.group().publicValueLength());
            }
            return own.group().agree(own, ke.keyData());
        } catch (InvalidKeyInformationException e) {
            throw ExchangeFailure.fatal(NotifyType.INVALID_KEY_INFORMATION, "peer's PFS public value: " + e.getMessage());
        }
    }

    private void send(List<Payload> payloads, Instant now, Out out, boolean answersLast, boolean awaitReply) {
        Datagram d = session.sendEncrypted(ExchangeType.QUICK_MODE, messageId, payloads, out);
        rtx.sent(d, now, answersLast, awaitReply);
    }

    private static List<Payload> withHash(byte[] hash, List<Payload> rest) {
        List<Payload> all = new ArrayList<>();
        all.add(new HashPayload(hash));
        all.addAll(rest);
        return all;
    }

    private byte[] prf(byte[]... data) {
        return session.prf().apply(session.keys().skeyidA().bytes(), data);
    }

    private byte[] mid() {
        return Phase2Sa.spiBytes(messageId);
    }

    private String tag() {
        return session.tag() + String.format("Quick Mode %08x: ", messageId);
    }
}
