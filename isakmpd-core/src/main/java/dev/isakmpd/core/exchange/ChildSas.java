package dev.isakmpd.core.exchange;

import dev.isakmpd.core.sa.IpsecSa;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The IPsec SA pairs the engine has installed; they outlive the ISAKMP SA that made them. The
 * engine owns their key material: it is wiped here when a pair is removed, never by a kernel
 * back-end (which only copies the keys into its own messages).
 */
final class ChildSas {
    record Pair(String peer, IpsecSa inbound, IpsecSa outbound, Instant expires) {
    }

    private final List<Pair> pairs = new ArrayList<>();

    void add(Pair p) {
        pairs.add(p);
    }

    List<Pair> all() {
        return List.copyOf(pairs);
    }

    List<Pair> ofPeer(String peer) {
        return pairs.stream().filter(p -> p.peer().equals(peer)).toList();
    }

    /** The pair whose outbound SA has this SPI: a peer's Delete names its inbound SPI, our outbound one. */
    Optional<Pair> removeByOutboundSpi(String peer, int spi) {
        for (Iterator<Pair> it = pairs.iterator(); it.hasNext();) {
            Pair p = it.next();
            if (p.peer().equals(peer) && p.outbound().spi() == spi) {
                it.remove();
                wipe(p);
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    void remove(Pair p) {
        pairs.remove(p);
        wipe(p);
    }

    private static void wipe(Pair p) {
        p.inbound().wipe();
        p.outbound().wipe();
    }

    List<Pair> expired(Instant now) {
        return pairs.stream().filter(p -> !now.isBefore(p.expires())).toList();
    }

    Optional<Instant> nextExpiry() {
        return pairs.stream().map(Pair::expires).min(Instant::compareTo);
    }
}
