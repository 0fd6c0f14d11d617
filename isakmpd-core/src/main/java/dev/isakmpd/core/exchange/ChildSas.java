package dev.isakmpd.core.exchange;

import dev.isakmpd.core.ha.HaRecord;
import dev.isakmpd.core.kernel.SpdTunnel;
import dev.isakmpd.core.sa.IpsecSa;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The IPsec SA pairs the engine has installed; they outlive the ISAKMP SA that made them. Each
 * pair has a soft deadline (start its replacement), a hard one (its lifetime) and, once a newer
 * pair for the same tunnel is installed, a retirement deadline (make-before-break). Indexed by
 * peer, by tunnel and by (destination, SPI), with the deadlines in a queue, so that no event walks the table.
 * The engine owns their key material: it is wiped here when a pair is removed, never by a kernel
 * back-end (which only copies the keys into its own messages).
 */
final class ChildSas {
    /**
     * How long a superseded pair is kept after its replacement is installed: time for the peer to
     * install the replacement too (it does on QM3, which may need a retransmission of QM2).
     */
    static final Duration OVERLAP = Duration.ofSeconds(10);
    /** A responder's overlap: three times {@link #OVERLAP}; a constant (Duration.multipliedBy goes through BigDecimal). */
    private static final Duration RESPONDER_OVERLAP = OVERLAP.multipliedBy(3);

    static final class Pair {
        private final String peer;
        /** Replaced only when the peer moves ({@link ChildSas#move}). */
        private IpsecSa inbound;
        private IpsecSa outbound;
        private final Instant expires;
        /** We sent QM1 for it; the one whose replacement retires the old pair first. */
        private final boolean initiator;
        /** When to start the replacement; null once started or once a newer pair took over. */
        private Instant rekeyAt;
        /** When to delete it because a newer pair for its tunnel is up; null until then. */
        private Instant retireAt;

        /** The identity the peer proved in the ISAKMP SA that negotiated the pair (IsakmpSession#peerIdentity). */
        private final String identity;
        /** The ISAKMP SA that negotiated the pair: replicated with it, so a standby knows whose it is. */
        private final Cookies owner;
        /** Its outbound SA waits for the rekey initiator's delayed switch: not in the kernel yet. */
        private boolean outboundWaits;
        /** HA: the last counters of its inbound and outbound SA (kernel reports, or where a takeover set them). */
        private HaRecord.Counters inboundCounters;
        private HaRecord.Counters outboundCounters;

        Pair(String peer, IpsecSa inbound, IpsecSa outbound, Instant expires, Instant rekeyAt, boolean initiator,
                String identity, Cookies owner) {
            this.identity = identity;
            this.owner = owner;
            this.peer = peer;
            this.inbound = inbound;
            this.outbound = outbound;
            this.expires = expires;
            this.rekeyAt = rekeyAt;
            this.initiator = initiator;
        }

        String peer() {
            return peer;
        }

        String identity() {
            return identity;
        }

        IpsecSa inbound() {
            return inbound;
        }

        IpsecSa outbound() {
            return outbound;
        }

        String tunnel() {
            return outbound.tunnel();
        }

        Cookies owner() {
            return owner;
        }

        boolean initiator() {
            return initiator;
        }

        /** The soft deadline; null once the replacement started or a newer pair took over. */
        Instant rekeyAt() {
            return rekeyAt;
        }

        Instant expires() {
            return expires;
        }

        /** When it was negotiated: its hard lifetime before it expires. */
        Instant negotiated() {
            return expires.minus(outbound.lifetime());
        }

        /** Whether the outbound SA waits for {@link QuickMode#OUTBOUND_SWITCH_DELAY} (true) or is installed. */
        void outboundWaits(boolean waits) {
            outboundWaits = waits;
        }

        /** HA: the newest counters of one of its SAs, which go into a joining standby's snapshot. */
        void counters(HaRecord.Counters c) {
            if (c.sa().spi() == inbound.spi() && c.sa().destination().equals(inbound.destination())) {
                inboundCounters = c;
            } else {
                outboundCounters = c;
            }
        }

        /** HA: the counters known of its SAs (none before the kernel's first report). */
        List<HaRecord.Counters> counters() {
            return Stream.of(inboundCounters, outboundCounters).filter(Objects::nonNull).toList();
        }

        /** Its SAs that are in the kernel: both, or the inbound one while the outbound waits for the switch. */
        List<IpsecSa> inKernel() {
            return outboundWaits ? List.of(inbound) : List.of(inbound, outbound);
        }

        boolean expired(Instant now) {
            return !now.isBefore(expires);
        }

        boolean retireDue(Instant now) {
            return retireAt != null && !now.isBefore(retireAt);
        }

        boolean rekeyDue(Instant now) {
            return rekeyAt != null && !now.isBefore(rekeyAt);
        }

        private Instant deadline() {
            Instant d = expires;
            for (Instant i : new Instant[] {rekeyAt, retireAt}) {
                if (i != null && i.isBefore(d)) {
                    d = i;
                }
            }
            return d;
        }
    }

    private record SaKey(InetAddress destination, int spi) {
        static SaKey of(IpsecSa sa) {
            return new SaKey(sa.destination(), sa.spi());
        }
    }

    private record TunnelKey(String peer, String tunnel) {
    }

    /**
     * A tunnel's pairs, split so that nothing walks the retiring ones: strongSwan's load generator
     * negotiates every pair in one tunnel, whose retiring pairs are those of the last
     * {@link #OVERLAP} (thousands at a few hundred handshakes/s).
     */
    private static final class TunnelPairs {
        /** The newest pair, not being retired; null once it is removed (until the next one). */
        Pair current;
        /** Superseded, waiting for their retirement deadline or the peer's Delete. */
        final Set<Pair> retiring = new HashSet<>();
    }

    /** A peer's pairs; one policy (PSK by address, or strongSwan's load generator) may hold thousands. */
    private final Map<String, Set<Pair>> byPeer = new HashMap<>();
    /** A peer's pairs by the identity that negotiated them ({@link #identityKey}): INITIAL-CONTACT wants one identity's. */
    private final Map<String, Set<Pair>> byIdentity = new HashMap<>();
    /** A tunnel's pairs: the current one and, during make-before-break, the ones it supersedes. */
    private final Map<TunnelKey, TunnelPairs> byTunnel = new HashMap<>();
    private final Map<SaKey, Pair> bySa = new HashMap<>();
    private final Deadlines<Pair> deadlines = new Deadlines<>();
    /** Insertion order, for status output and shutdown. */
    private final Set<Pair> all = new LinkedHashSet<>();
    /** Pairs removed since the engine last asked: it renegotiates auto = start tunnels left without SAs. */
    private final List<Pair> removed = new ArrayList<>();
    /** Told of every pair removed, before its keys are wiped: HA replication's Delete. */
    private Consumer<Pair> onRemove = p -> { };

    /** Sets what is told of each pair removed (the engine's replication, when on). */
    void onRemove(Consumer<Pair> listener) {
        onRemove = listener;
    }

    /** Per-client policies (a road warrior's transport policy) and the pairs that hold each. */
    private final Map<Pair, SpdTunnel> policyOf = new HashMap<>();
    private final Map<SpdTunnel, Integer> policyHolds = new HashMap<>();

    /**
     * A new pair is installed. Older pairs of its tunnel are superseded: they no longer rekey, and
     * they are retired after {@link #OVERLAP} if we negotiated the new pair, after three times that
     * if the peer did (its own retirement Delete normally comes first).
     */
    void add(Pair p, Instant now) {
        TunnelPairs ofTunnel = byTunnel.computeIfAbsent(new TunnelKey(p.peer(), p.tunnel()), k -> new TunnelPairs());
        Instant retire = now.plus(p.initiator ? OVERLAP : RESPONDER_OVERLAP);
        Pair old = ofTunnel.current;
        if (old != null) {
            old.rekeyAt = null;
            old.retireAt = retire;
            deadlines.schedule(old, old.deadline());
            ofTunnel.retiring.add(old);
        }
        all.add(p);
        ofTunnel.current = p;
        byPeer.computeIfAbsent(p.peer(), k -> new LinkedHashSet<>()).add(p);
        byIdentity.computeIfAbsent(identityKey(p.peer(), p.identity()), k -> new LinkedHashSet<>()).add(p);
        bySa.put(SaKey.of(p.inbound()), p);
        bySa.put(SaKey.of(p.outbound()), p);
        deadlines.schedule(p, p.deadline());
    }

    List<Pair> all() {
        return List.copyOf(all);
    }

    /** Whether the pair is still held (not deleted, its keys not wiped). */
    boolean holds(Pair p) {
        return all.contains(p);
    }

    List<Pair> ofPeer(String peer) {
        return List.copyOf(byPeer.getOrDefault(peer, Set.of()));
    }

    /** The pairs of {@code peer} that {@code identity} negotiated (null: those negotiated before any was proved). */
    List<Pair> ofPeer(String peer, String identity) {
        return List.copyOf(byIdentity.getOrDefault(identityKey(peer, identity), Set.of()));
    }

    private static String identityKey(String peer, String identity) {
        return identity == null ? peer : peer + '\0' + identity;
    }

    boolean hasPeer(String peer) {
        return byPeer.containsKey(peer);
    }

    /** Whether the tunnel has a pair that is not being retired. */
    boolean hasCurrent(String peer, String tunnel) {
        TunnelPairs t = byTunnel.get(new TunnelKey(peer, tunnel));
        return t != null && t.current != null;
    }

    /** The tunnel's pairs that are not being retired. */
    List<Pair> current(String peer, String tunnel) {
        TunnelPairs t = byTunnel.get(new TunnelKey(peer, tunnel));
        return t == null || t.current == null ? List.of() : List.of(t.current);
    }

    /** The pair one of whose SAs is (destination, SPI). */
    Optional<Pair> find(InetAddress destination, int spi) {
        return Optional.ofNullable(bySa.get(new SaKey(destination, spi)));
    }

    /**
     * The held pair {@code p} needs the per-client policy {@code t} for as long as it lives (a road
     * warrior's transport policy: its replies must not leave in the clear while any of its SAs
     * serves, whatever became of its ISAKMP SA). True if no pair held it yet: it is to be installed.
     */
    boolean holdPolicy(Pair p, SpdTunnel t) {
        if (!all.contains(p) || policyOf.putIfAbsent(p, t) != null) {
            return false;
        }
        return policyHolds.merge(t, 1, Integer::sum) == 1;
    }

    /**
     * Forgets the pair and wipes its keys. Returns the per-client policy it was the last to hold,
     * which is to be removed from the kernel.
     */
    Optional<SpdTunnel> remove(Pair p) {
        if (!all.remove(p)) {
            return Optional.empty();
        }
        Set<Pair> ofPeer = byPeer.get(p.peer());
        ofPeer.remove(p);
        if (ofPeer.isEmpty()) {
            byPeer.remove(p.peer());
        }
        String key = identityKey(p.peer(), p.identity());
        Set<Pair> ofIdentity = byIdentity.get(key);
        ofIdentity.remove(p);
        if (ofIdentity.isEmpty()) {
            byIdentity.remove(key);
        }
        TunnelKey t = new TunnelKey(p.peer(), p.tunnel());
        TunnelPairs ofTunnel = byTunnel.get(t);
        if (ofTunnel.current == p) {
            ofTunnel.current = null;
        } else {
            ofTunnel.retiring.remove(p);
        }
        if (ofTunnel.current == null && ofTunnel.retiring.isEmpty()) {
            byTunnel.remove(t);
        }
        bySa.remove(SaKey.of(p.inbound()));
        bySa.remove(SaKey.of(p.outbound()));
        deadlines.schedule(p, null);
        removed.add(p);
        onRemove.accept(p);
        p.inbound().wipe();
        p.outbound().wipe();
        SpdTunnel policy = policyOf.remove(p);
        if (policy == null || policyHolds.merge(policy, -1, Integer::sum) > 0) {
            return Optional.empty();
        }
        policyHolds.remove(policy);
        return Optional.of(policy);
    }

    /**
     * The pair's SAs now have these endpoints (the peer's NAT mapping changed): the same pair,
     * keys and deadlines; nothing is wiped and nothing counts as removed.
     */
    void move(Pair p, IpsecSa inbound, IpsecSa outbound) {
        if (!all.contains(p)) {
            return;
        }
        bySa.remove(SaKey.of(p.inbound()));
        bySa.remove(SaKey.of(p.outbound()));
        p.inbound = inbound;
        p.outbound = outbound;
        bySa.put(SaKey.of(inbound), p);
        bySa.put(SaKey.of(outbound), p);
    }

    /** Marks the pair's replacement as started (soft deadline or kernel soft EXPIRE); false if it already was. */
    boolean startRekey(Pair p) {
        if (p.rekeyAt == null) {
            return false;
        }
        p.rekeyAt = null;
        deadlines.schedule(p, p.deadline());
        return true;
    }

    /** The pairs with a deadline due (soft, retirement or hard); each is re-filed once acted on. */
    List<Pair> due(Instant now) {
        return deadlines.due(now);
    }

    /** Files a pair returned by {@link #due} under its next deadline, if it is still held. */
    void reschedule(Pair p) {
        if (all.contains(p)) {
            deadlines.schedule(p, p.deadline());
        }
    }

    Optional<Instant> nextDeadline() {
        return deadlines.next();
    }

    /** A mark for {@link #removedSince}: how many pairs were removed since {@link #takeRemoved}. */
    int removedMark() {
        return removed.size();
    }

    /** Whether a pair of {@code peer} was removed after {@code mark}: looks only at what was removed since. */
    boolean removedSince(int mark, String peer) {
        for (int i = mark; i < removed.size(); i++) {
            if (removed.get(i).peer().equals(peer)) {
                return true;
            }
        }
        return false;
    }

    /** The pairs removed since the last call. */
    List<Pair> takeRemoved() {
        List<Pair> r = List.copyOf(removed);
        removed.clear();
        return r;
    }

    /** Entries per table, for tests that check nothing is left behind. */
    Map<String, Integer> tableSizes() {
        return Map.of("pairs", all.size(), "pairs by peer", byPeer.size(), "pairs by identity", byIdentity.size(), "pairs by tunnel", byTunnel.size(),
                "pairs by SA", bySa.size(),
                "pair deadlines", deadlines.size(), "pairs removed", removed.size(), "client policies",
                policyHolds.size(), "client policy holds", policyOf.size());
    }
}
