package dev.isakmpd.core.exchange;

import dev.isakmpd.core.sa.IpsecSa;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The IPsec SA pairs the engine has installed; they outlive the ISAKMP SA that made them. Indexed
 * by peer and by (destination, SPI), with their lifetimes in a deadline queue, so that no event
 * has to walk the whole table.
 */
final class ChildSas {
    record Pair(String peer, IpsecSa inbound, IpsecSa outbound, Instant expires) {
    }

    private record SaKey(InetAddress destination, int spi) {
        static SaKey of(IpsecSa sa) {
            return new SaKey(sa.destination(), sa.spi());
        }
    }

    private final Map<String, List<Pair>> byPeer = new HashMap<>();
    private final Map<SaKey, Pair> bySa = new HashMap<>();
    private final Deadlines<Pair> expiry = new Deadlines<>();
    /** Pairs whose replacement has been started (a soft EXPIRE came), so that it is started once. */
    private final Set<Pair> rekeying = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Insertion order, for status output and shutdown. */
    private final Set<Pair> all = new LinkedHashSet<>();

    void add(Pair p) {
        all.add(p);
        byPeer.computeIfAbsent(p.peer(), k -> new ArrayList<>()).add(p);
        bySa.put(SaKey.of(p.inbound()), p);
        bySa.put(SaKey.of(p.outbound()), p);
        expiry.schedule(p, p.expires());
    }

    List<Pair> all() {
        return List.copyOf(all);
    }

    int size() {
        return all.size();
    }

    List<Pair> ofPeer(String peer) {
        return List.copyOf(byPeer.getOrDefault(peer, List.of()));
    }

    boolean hasPeer(String peer) {
        return byPeer.containsKey(peer);
    }

    /** The pair one of whose SAs is (destination, SPI). */
    Optional<Pair> find(InetAddress destination, int spi) {
        return Optional.ofNullable(bySa.get(new SaKey(destination, spi)));
    }

    /** The pair whose outbound SA has this SPI: a peer's Delete names its inbound SPI, our outbound one. */
    Optional<Pair> removeByOutboundSpi(String peer, int spi) {
        for (Pair p : byPeer.getOrDefault(peer, List.of())) {
            if (p.outbound().spi() == spi) {
                remove(p);
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    void remove(Pair p) {
        if (!all.remove(p)) {
            return;
        }
        List<Pair> ofPeer = byPeer.get(p.peer());
        ofPeer.remove(p);
        if (ofPeer.isEmpty()) {
            byPeer.remove(p.peer());
        }
        bySa.remove(SaKey.of(p.inbound()));
        bySa.remove(SaKey.of(p.outbound()));
        expiry.schedule(p, null);
        rekeying.remove(p);
    }

    /** Marks the pair's replacement as started; false if it already was. */
    boolean startRekey(Pair p) {
        return rekeying.add(p);
    }

    /** The pairs whose lifetime has run out (each returned once). */
    List<Pair> expired(Instant now) {
        return expiry.due(now);
    }

    Optional<Instant> nextExpiry() {
        return expiry.next();
    }

    /** Entries per table, for tests that check nothing is left behind. */
    Map<String, Integer> tableSizes() {
        return Map.of("pairs", all.size(), "pairs by peer", byPeer.size(), "pairs by SA", bySa.size(),
                "pair deadlines", expiry.size(), "pairs rekeying", rekeying.size());
    }
}
