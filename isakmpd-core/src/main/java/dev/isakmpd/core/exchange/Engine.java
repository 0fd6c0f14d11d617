package dev.isakmpd.core.exchange;

import dev.isakmpd.core.kernel.KernelEvent;
import dev.isakmpd.core.kernel.SpiAllocator;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.Phase1Proposal;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.core.wire.IsakmpHeader;
import dev.isakmpd.core.wire.WireException;
import dev.isakmpd.oakley.DhGroup;
import dev.isakmpd.oakley.IkeCrypto;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The sans-I/O heart of the daemon: the table of ISAKMP SAs and IPsec SAs, fed with datagrams,
 * operator requests and the current time, answering with {@link Action}s. It owns no socket,
 * thread or clock; its caller must not use it from two threads at once.
 */
public final class Engine {
    private record HalfOpen(InetSocketAddress remote, Cookies cookies) {
    }

    /**
     * Something that happened to a peer's SAs that the caller may want to act on: whether to try
     * again, restart or wait is site policy (keying tries, close and DPD actions), not protocol.
     */
    public record PeerEvent(String peer, Kind kind) {
        public enum Kind {
            /** A Main Mode we initiated ended without an ISAKMP SA (no answer, or a fatal error). */
            GAVE_UP,
            /** The peer deleted IPsec SAs or the ISAKMP SA it had with us. */
            CLOSED_BY_PEER,
            /** Dead Peer Detection declared the peer dead; its SAs are gone. */
            DEAD
        }
    }

    /**
     * Main Mode exchanges a peer may have half-open at our responder (MM2 or MM4 sent). Each costs
     * memory and, until it times out, retransmitted replies to the MM1's source address; without a
     * bound a flood of MM1s spoofing a peer's address would exhaust the one and turn us into a
     * reflector with the other (the clogging attack of RFC 2408 s2.5.3). A real peer has one or two.
     */
    static final int MAX_HALF_OPEN_PER_PEER = 16;

    private final EngineContext ctx;
    /** Replaced as a whole by {@link #reconfigure}; unchanged peers keep their policy object. */
    private List<PeerPolicy> peers;
    /** Peers whose MM1s are being dropped for {@link #MAX_HALF_OPEN_PER_PEER}: warned once per episode. */
    private final Set<String> clogged = new HashSet<>();
    private final Map<Cookies, IsakmpSession> sessions = new LinkedHashMap<>();
    private final Map<HalfOpen, IsakmpSession> halfOpen = new HashMap<>();
    /** SA pairs whose soft lifetime ran out and whose replacement has been started. */
    private final Set<ChildSas.Pair> rekeyed = new HashSet<>();
    /** What the last call did to peers' SAs; replaced at every call. */
    private List<PeerEvent> events = List.of();

    /**
     * @param crypto every algorithm lookup, key pair and random byte of the exchanges comes from
     *     here, so its legacy policy (DES, EC2N) also governs what a peer may choose
     * @throws IllegalArgumentException if a policy names a legacy algorithm that {@code crypto} refuses
     */
    public Engine(List<PeerPolicy> peers, IkeCrypto crypto, SpiAllocator spis, RetransmitPolicy retransmit) {
        for (PeerPolicy p : peers) {
            boolean legacy = p.ikeProposals().stream().anyMatch(Phase1Proposal::isLegacy)
                    || p.tunnels().stream().anyMatch(t -> t.pfsGroup().filter(DhGroup::isLegacy).isPresent());
            if (legacy && !crypto.allowsLegacy()) {
                throw new IllegalArgumentException("peer " + p.name() + " names a legacy algorithm, refused by "
                        + crypto);
            }
        }
        this.peers = List.copyOf(peers);
        this.ctx = new EngineContext(crypto, spis, retransmit, new ChildSas());
    }

    /** A datagram arrived on one of our UDP endpoints. */
    public List<Action> receive(Datagram d, Instant now) {
        Out out = new Out();
        List<PeerEvent> happened = new ArrayList<>();
        events = happened;
        byte[] data = d.rawData();
        IsakmpHeader h;
        try {
            h = IsakmpHeader.decode(data);
        } catch (WireException e) {
            out.warn(from(d) + "dropped " + data.length + "-byte datagram: " + e.getMessage());
            notifyKnownSession(data, e, out);
            return out.actions();
        }
        IsakmpSession s = lookup(d, h);
        if (s == null) {
            if (isMainModeStart(h)) {
                respond(d, h, now, out);
            } else {
                out.warn(from(d) + "dropped " + h.exchangeType() + " message for unknown cookies ["
                        + new Cookies(h.initiatorCookie(), h.responderCookie()) + "] (INVALID-COOKIE)");
            }
        } else if (!s.remote.getAddress().equals(d.remote().getAddress())) {
            out.warn(from(d) + "dropped message for the ISAKMP SA of peer " + s.peer.name() + ": wrong source address");
        } else {
            Cookies before = s.cookies();
            IsakmpSession.State stateBefore = s.state();
            List<ChildSas.Pair> pairsBefore = ctx.children().ofPeer(s.peer.name());
            s.receive(d, h, now, out);
            noteEnd(s, stateBefore, happened);
            if ((stateBefore == IsakmpSession.State.ESTABLISHED && s.state() == IsakmpSession.State.DEAD)
                    || !ctx.children().ofPeer(s.peer.name()).containsAll(pairsBefore)) {
                happened.add(new PeerEvent(s.peer.name(), PeerEvent.Kind.CLOSED_BY_PEER));
            }
            if (!before.equals(s.cookies())) {
                sessions.remove(before);
                sessions.put(s.cookies(), s);
            }
            if (s.takeInitialContact()) {
                forgetOlderSas(s, out);
            }
        }
        sweep();
        return out.actions();
    }

    /** Negotiates all the peer's tunnels (again): Main Mode first unless an ISAKMP SA is already up. */
    public List<Action> initiate(String peerName, Instant now) {
        Out out = new Out();
        events = List.of();
        PeerPolicy peer = peer(peerName);
        start(peer, peer.tunnels(), now, out);
        return out.actions();
    }

    /**
     * Brings up those of the peer's tunnels that have no IPsec SAs and are not being negotiated,
     * so that an operator's or a restart policy's repeated call starts nothing twice.
     */
    public List<Action> up(String peerName, Instant now) {
        Out out = new Out();
        events = List.of();
        PeerPolicy peer = peer(peerName);
        List<TunnelPolicy> missing = peer.tunnels().stream().filter(t -> !negotiating(peer, t)
                && ctx.children().ofPeer(peerName).stream().noneMatch(p -> p.outbound().tunnel().equals(t.name())))
                .toList();
        if (missing.isEmpty()) {
            out.info("peer " + peerName + ": every tunnel is up or being negotiated");
        } else {
            start(peer, missing, now, out);
        }
        return out.actions();
    }

    /** Takes the peer's tunnels down: Deletes for its IPsec SAs and ISAKMP SAs, which are then forgotten. */
    public List<Action> down(String peerName, Instant now) {
        Out out = new Out();
        events = List.of();
        out.info("peer " + peerName + ": taking it down on request");
        takeDown(peer(peerName), out);
        sweep();
        return out.actions();
    }

    private void takeDown(PeerPolicy peer, Out out) {
        List<ChildSas.Pair> pairs = ctx.children().ofPeer(peer.name());
        List<IsakmpSession> own = sessions.values().stream().filter(s -> s.peer == peer).toList();
        out.info("peer " + peer.name() + ": deleting " + pairs.size() + " IPsec SA pair(s) and " + own.size()
                + " ISAKMP SA(s)");
        pairs.forEach(p -> deletePair(p, out));
        own.forEach(s -> s.delete(out));
    }

    /**
     * A configuration reload. An unchanged peer keeps everything. A removed peer's SAs are deleted
     * (with Deletes). A changed peer's ISAKMP SAs are deleted, since they were negotiated under
     * the old policy, and so are the IPsec SAs of its tunnels that changed or went away, or all of
     * them when its own settings changed; IPsec SAs of unchanged tunnels run on untouched. The
     * caller then brings up what it wants up ({@link #up}), which negotiates only the missing tunnels.
     *
     * @return the actions, and the names of the peers that changed or are new (to bring up)
     */
    public Reconfigured reconfigure(List<PeerPolicy> next, Instant now) {
        Out out = new Out();
        events = List.of();
        List<PeerPolicy> merged = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (PeerPolicy q : next) {
            Optional<PeerPolicy> old = peers.stream().filter(p -> p.name().equals(q.name())).findFirst();
            if (old.isPresent() && old.get().equals(q)) {
                merged.add(old.get());
                continue;
            }
            merged.add(q);
            changed.add(q.name());
            old.ifPresent(p -> replacePolicy(p, q, out));
        }
        for (PeerPolicy p : peers) {
            if (next.stream().noneMatch(q -> q.name().equals(p.name()))) {
                out.info("peer " + p.name() + ": removed from the configuration");
                takeDown(p, out);
            }
        }
        peers = List.copyOf(merged);
        sweep();
        return new Reconfigured(out.actions(), changed);
    }

    /** What {@link #reconfigure} did, and which peers are new or changed. */
    public record Reconfigured(List<Action> actions, List<String> changedPeers) {
    }

    private void replacePolicy(PeerPolicy old, PeerPolicy next, Out out) {
        boolean sameSettings = new PeerPolicy(next.name(), next.local(), next.remote(), next.psk(),
                next.ikeProposals(), next.ikeLifetime(), old.tunnels(), next.autoStart(), next.dpd()).equals(old);
        List<ChildSas.Pair> stale = ctx.children().ofPeer(old.name()).stream().filter(p -> !sameSettings
                || !old.tunnel(p.outbound().tunnel()).equals(next.tunnel(p.outbound().tunnel()))).toList();
        out.info("peer " + old.name() + ": configuration changed; deleting its ISAKMP SA(s) and " + stale.size()
                + " IPsec SA pair(s) of changed tunnels");
        stale.forEach(p -> deletePair(p, out));
        sessions.values().stream().filter(s -> s.peer == old).toList().forEach(s -> s.delete(out));
    }

    /** What the last call (receive, timeout, ...) did to peers' SAs. */
    public List<PeerEvent> peerEvents() {
        return events;
    }

    private PeerPolicy peer(String name) {
        return peers.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no peer named " + name));
    }

    /** A Main Mode of ours that died before it was established is a failed keying try. */
    private static void noteEnd(IsakmpSession s, IsakmpSession.State before, List<PeerEvent> happened) {
        if (s.role == IsakmpSaInfo.Role.INITIATOR && before != IsakmpSession.State.ESTABLISHED
                && before != IsakmpSession.State.DEAD && s.state() == IsakmpSession.State.DEAD) {
            happened.add(new PeerEvent(s.peer.name(), PeerEvent.Kind.GAVE_UP));
        }
    }

    /**
     * Kernel ACQUIRE: outbound traffic hit the policy of a tunnel that has no SA. Starts Quick Mode
     * for the matching tunnel (after Main Mode if no ISAKMP SA is up); does nothing when that
     * tunnel is already being negotiated or the ACQUIRE matches no configured tunnel.
     */
    public List<Action> acquire(KernelEvent.Acquire a, Instant now) {
        Out out = new Out();
        events = List.of();
        String what = "ACQUIRE " + Addresses.format(a.source()) + " -> " + Addresses.format(a.destination())
                + a.localSelector().map(l -> " (" + l + " -> " + a.remoteSelector().map(Object::toString).orElse("?")
                        + ")").orElse("");
        for (PeerPolicy p : peers) {
            if (!p.remote().getAddress().equals(a.destination())) {
                continue;
            }
            for (TunnelPolicy t : p.tunnels()) {
                boolean selectorsMatch = a.localSelector().map(t.local()::equals).orElse(true)
                        && a.remoteSelector().map(t.remote()::equals).orElse(true);
                if (selectorsMatch) {
                    if (negotiating(p, t)) {
                        out.debug("peer " + p.name() + ": " + what + ": tunnel " + t.name()
                                + " is already being negotiated");
                    } else {
                        out.info("peer " + p.name() + ": " + what + ": negotiating tunnel " + t.name());
                        start(p, List.of(t), now, out);
                    }
                    return out.actions();
                }
            }
        }
        out.warn(what + " matches no configured tunnel; ignored");
        return out.actions();
    }

    /**
     * Kernel EXPIRE for one of our IPsec SAs. Soft: negotiate a replacement for its tunnel (once per
     * pair; the old pair stays until its hard lifetime). Hard: the kernel has removed the SA; the
     * rest of the pair goes too, and the peer is told with a Delete.
     */
    public List<Action> expired(KernelEvent.Expire e, Instant now) {
        Out out = new Out();
        events = List.of();
        rekeyed.retainAll(ctx.children().all());
        Optional<ChildSas.Pair> pair = ctx.children().all().stream()
                .filter(p -> matches(p.inbound(), e) || matches(p.outbound(), e)).findFirst();
        String what = (e.hard() ? "hard" : "soft") + " EXPIRE for ESP SA " + Addresses.format(e.destination()) + "/0x"
                + e.spiHex();
        if (pair.isEmpty()) {
            out.debug(what + ": not one of ours (any more); ignored");
            return out.actions();
        }
        ChildSas.Pair p = pair.get();
        String tunnelName = p.outbound().tunnel();
        if (e.hard()) {
            out.info("peer " + p.peer() + ": " + what + " (tunnel " + tunnelName + "): deleting the pair");
            rekeyed.remove(p);
            deletePair(p, sa -> !matches(sa, e), out); // the kernel already dropped the expired one
        } else if (rekeyed.contains(p)) {
            out.debug("peer " + p.peer() + ": " + what + ": tunnel " + tunnelName + " is already being rekeyed");
        } else {
            rekeyed.add(p);
            Optional<PeerPolicy> peer = peers.stream().filter(x -> x.name().equals(p.peer())).findFirst();
            Optional<TunnelPolicy> tunnel = peer.flatMap(x -> x.tunnel(tunnelName));
            if (tunnel.isEmpty()) {
                out.warn("peer " + p.peer() + ": " + what + ": tunnel " + tunnelName + " is no longer configured");
            } else if (negotiating(peer.get(), tunnel.get())) {
                out.debug("peer " + p.peer() + ": " + what + ": tunnel " + tunnelName + " is already being negotiated");
            } else {
                out.info("peer " + p.peer() + ": " + what + ": rekeying tunnel " + tunnelName);
                start(peer.get(), List.of(tunnel.get()), now, out);
            }
        }
        return out.actions();
    }

    private static boolean matches(IpsecSa sa, KernelEvent.Expire e) {
        return sa.spi() == e.spi() && sa.destination().equals(e.destination());
    }

    private boolean negotiating(PeerPolicy p, TunnelPolicy t) {
        return sessions.values().stream().anyMatch(s -> s.peer == p && s.negotiating(t));
    }

    /** Quick Mode for these tunnels: under the peer's ISAKMP SA, or after a new Main Mode. */
    private void start(PeerPolicy peer, List<TunnelPolicy> tunnels, Instant now, Out out) {
        Optional<IsakmpSession> existing = sessions.values().stream()
                .filter(s -> s.peer == peer && s.state() != IsakmpSession.State.DEAD).findFirst();
        if (existing.isPresent()) {
            existing.get().startTunnels(tunnels, now, out);
        } else {
            boolean firstContact = establishedSession(peer.name()).isEmpty()
                    && ctx.children().all().stream().noneMatch(p -> p.peer().equals(peer.name()));
            IsakmpSession s = IsakmpSession.initiate(ctx, peer, tunnels, firstContact, now, out);
            sessions.put(s.cookies(), s);
        }
    }

    /** Fires every timer that is due: retransmissions, give-ups, SA lifetimes. */
    public List<Action> timeout(Instant now) {
        Out out = new Out();
        List<PeerEvent> happened = new ArrayList<>();
        events = happened;
        for (IsakmpSession s : List.copyOf(sessions.values())) {
            Instant due = s.nextDeadline();
            if (due != null && !now.isBefore(due)) {
                IsakmpSession.State before = s.state();
                s.timeout(now, out);
                noteEnd(s, before, happened);
            }
            if (s.takePeerDead()) {
                forgetSas(s.peer, s, "did not answer Dead Peer Detection", out);
                happened.add(new PeerEvent(s.peer.name(), PeerEvent.Kind.DEAD));
            }
        }
        for (ChildSas.Pair p : ctx.children().expired(now)) {
            out.info("peer " + p.peer() + ": IPsec SAs of tunnel " + p.outbound().tunnel() + " reached their lifetime "
                    + p.outbound().lifetime().toSeconds() + "s; deleting them");
            deletePair(p, out);
        }
        sweep();
        return out.actions();
    }

    /** When {@link #timeout} next has work, if ever. */
    public Optional<Instant> nextTimeout() {
        Instant next = ctx.children().nextExpiry().orElse(null);
        for (IsakmpSession s : sessions.values()) {
            Instant d = s.nextDeadline();
            if (d != null && (next == null || d.isBefore(next))) {
                next = d;
            }
        }
        return Optional.ofNullable(next);
    }

    /** Deletes everything: Delete notifications to the peers, DeleteSa for the kernel. */
    public List<Action> shutdown(Instant now) {
        Out out = new Out();
        events = List.of();
        for (ChildSas.Pair p : ctx.children().all()) {
            deletePair(p, out);
        }
        for (IsakmpSession s : List.copyOf(sessions.values())) {
            s.delete(out);
        }
        sweep();
        return out.actions();
    }

    public List<IsakmpSaInfo> isakmpSas() {
        return sessions.values().stream().map(IsakmpSession::info).toList();
    }

    public List<IpsecSa> ipsecSas() {
        List<IpsecSa> all = new ArrayList<>();
        for (ChildSas.Pair p : ctx.children().all()) {
            all.add(p.inbound());
            all.add(p.outbound());
        }
        return all;
    }

    private void deletePair(ChildSas.Pair p, Out out) {
        deletePair(p, sa -> true, out);
    }

    /** Forgets the pair, tells the peer, and removes from the kernel those SAs {@code inKernel} says are there. */
    private void deletePair(ChildSas.Pair p, Predicate<IpsecSa> inKernel, Out out) {
        establishedSession(p.peer()).ifPresent(s -> Informational.sendDeleteEsp(s, List.of(p.inbound().spi()), out));
        dropPair(p, inKernel, out);
    }

    /** Forgets the pair and removes from the kernel those SAs {@code inKernel} says are there; tells nobody. */
    private void dropPair(ChildSas.Pair p, Predicate<IpsecSa> inKernel, Out out) {
        ctx.children().remove(p);
        for (IpsecSa sa : List.of(p.inbound(), p.outbound())) {
            if (inKernel.test(sa)) {
                out.delete(sa);
            }
        }
    }

    /**
     * The peer said INITIAL-CONTACT in the Main Mode that set up {@code fresh}: it has restarted
     * and lost the keys of every SA it had with us (RFC 2407 s4.6.3.3). Its older SAs go.
     */
    private void forgetOlderSas(IsakmpSession fresh, Out out) {
        forgetSas(fresh.peer, fresh, "sent INITIAL-CONTACT (it has restarted)", out);
    }

    /**
     * Drops every established ISAKMP SA but {@code keep} and every IPsec SA pair with the peer,
     * from the kernel too, without Deletes: the peer has lost their keys or is gone, and our
     * outbound SAs would otherwise carry traffic into a void until their lifetime ends.
     */
    private void forgetSas(PeerPolicy peer, IsakmpSession keep, String why, Out out) {
        String name = peer.name();
        List<IsakmpSession> older = sessions.values().stream().filter(s -> s != keep && s.peer.name().equals(name)
                && s.state() == IsakmpSession.State.ESTABLISHED).toList();
        List<ChildSas.Pair> pairs = ctx.children().all().stream().filter(p -> p.peer().equals(name)).toList();
        if (older.isEmpty() && pairs.isEmpty()) {
            out.debug("peer " + name + " " + why + "; we hold no other SA with it");
            return;
        }
        out.info("peer " + name + " " + why + ": forgetting " + older.size() + " ISAKMP SA(s) and " + pairs.size()
                + " IPsec SA pair(s)");
        older.forEach(s -> s.die(out));
        pairs.forEach(p -> dropPair(p, sa -> true, out));
    }

    private Optional<IsakmpSession> establishedSession(String peer) {
        return sessions.values().stream()
                .filter(s -> s.peer.name().equals(peer) && s.state() == IsakmpSession.State.ESTABLISHED).findFirst();
    }

    private IsakmpSession lookup(Datagram d, IsakmpHeader h) {
        Cookies c = new Cookies(h.initiatorCookie(), h.responderCookie());
        IsakmpSession s = sessions.get(c);
        if (s != null) {
            return s;
        }
        if (!c.responderKnown()) {
            return halfOpen.get(new HalfOpen(d.remote(), c));
        }
        // MM2: our half-open initiator SA is still filed under (CKY-I, 0).
        IsakmpSession initiator = sessions.get(new Cookies(h.initiatorCookie(), Cookies.ZERO));
        return initiator != null && initiator.role == IsakmpSaInfo.Role.INITIATOR ? initiator : null;
    }

    private static boolean isMainModeStart(IsakmpHeader h) {
        return h.exchangeType().equals(ExchangeType.IDENTITY_PROTECTION) && h.messageId() == 0 && !h.encrypted()
                && Arrays.equals(h.responderCookie(), Cookies.ZERO);
    }

    private void respond(Datagram d, IsakmpHeader h, Instant now, Out out) {
        Optional<PeerPolicy> peer = peers.stream()
                .filter(p -> p.remote().getAddress().equals(d.remote().getAddress())).findFirst();
        if (peer.isEmpty()) {
            out.info(from(d) + "Main Mode request from an address with no peer policy; ignored");
            return;
        }
        String name = peer.get().name();
        long pending = halfOpen.values().stream().filter(s -> s.peer.name().equals(name)
                && (s.state() == IsakmpSession.State.MM2_SENT || s.state() == IsakmpSession.State.MM4_SENT)).count();
        if (pending >= MAX_HALF_OPEN_PER_PEER) {
            String why = from(d) + "peer " + name + " has " + pending + " half-open Main Mode exchanges; dropping "
                    + "new requests until one completes or times out (flood of spoofed requests?)";
            if (clogged.add(name)) {
                out.warn(why);
            } else {
                out.debug(why);
            }
            return;
        }
        clogged.remove(name);
        Packet p;
        try {
            p = Packet.decode(h, Packet.body(h, d.rawData()));
        } catch (WireException e) {
            out.warn(from(d) + "malformed Main Mode request: " + e.getMessage());
            return;
        }
        IsakmpSession s = IsakmpSession.respond(ctx, peer.get(), d, p, now, out);
        if (s != null) {
            sessions.put(s.cookies(), s);
            halfOpen.put(new HalfOpen(d.remote(), new Cookies(h.initiatorCookie(), Cookies.ZERO)), s);
        }
    }

    /** RFC 2408 s5.1 lets us tell a peer its message was malformed; only peers we have an SA with are told. */
    private void notifyKnownSession(byte[] data, WireException e, Out out) {
        if (data.length < IsakmpHeader.LENGTH) {
            return;
        }
        Cookies c = new Cookies(Arrays.copyOfRange(data, 0, 8), Arrays.copyOfRange(data, 8, 16));
        IsakmpSession s = sessions.get(c);
        if (s != null && s.state() != IsakmpSession.State.DEAD) {
            Informational.sendPlainNotify(s, e.notifyType(), out);
        }
    }

    private void sweep() {
        sessions.values().removeIf(s -> s.state() == IsakmpSession.State.DEAD);
        halfOpen.values().removeIf(s -> s.state() == IsakmpSession.State.DEAD);
    }

    private static String from(Datagram d) {
        return "from " + Addresses.format(d.remote().getAddress()) + ":" + d.remote().getPort() + ": ";
    }
}
