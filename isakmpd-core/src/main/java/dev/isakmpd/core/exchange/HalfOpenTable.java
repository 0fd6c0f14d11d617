package dev.isakmpd.core.exchange;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Responder Main Modes waiting for the initiator's next message, by source address and in
 * arrival order. A full table makes room by forgetting an exchange, and never refuses a new
 * MM1: a refusing table would lock a peer out with a handful of spoofed packets per minute.
 * <ul>
 * <li>An address at its own limit loses its oldest exchange: a flood that spoofs a peer's
 * address has to send more MM1s than the limit within one round trip of the peer.
 * <li>When the total is reached, the oldest exchange of the address that holds the most goes
 * (per-address fairness). Oldest-of-all let a flood of 10,000 MM1s a second from a few hundred
 * addresses push a real peer's exchange out 0.4 s after its MM2, before its MM3 came
 * (scripts/bench-flood.sh); now the flood's own addresses pay first. A flood from as many
 * addresses as the table holds still degrades to about oldest-of-all; so:
 * <li>An exchange whose peer answered our MM2 with an MM3 that names our responder cookie
 * ({@link #verify}) has shown that it receives at its address, which a spoofed one cannot
 * (IKEv1 has no stateless cookie exchange; this is the same proof, one round trip later). A full
 * table forgets verified exchanges only when it holds nothing else. They still count against
 * their address's limit and the total, and an address at its limit loses its oldest unverified
 * exchange first.
 * </ul>
 *
 * @param <S> the exchange (an {@link IsakmpSession}; only its identity counts)
 */
final class HalfOpenTable<S> {
    private final HalfOpenLimits limits;
    /** Unverified exchanges by address. */
    private final Map<InetAddress, LinkedHashSet<S>> byAddress = new HashMap<>();
    /** Verified exchanges by address, and all of them in the order they were verified. */
    private final Map<InetAddress, LinkedHashSet<S>> verifiedByAddress = new HashMap<>();
    private final LinkedHashSet<S> verified = new LinkedHashSet<>();
    /** Both kinds. */
    private final LinkedHashSet<S> all = new LinkedHashSet<>();
    private final Map<S, InetAddress> addressOf = new IdentityHashMap<>();
    /** Addresses by how many unverified exchanges they hold: index n holds those with n (1 .. perAddress). */
    private final List<LinkedHashSet<InetAddress>> holding = new ArrayList<>();
    private int most;

    HalfOpenTable(HalfOpenLimits limits) {
        this.limits = limits;
        holding.add(new LinkedHashSet<>()); // index 0: not used
    }

    HalfOpenLimits limits() {
        return limits;
    }

    /** Files a new half-open exchange; returns the exchanges it displaced, which the caller ends. */
    List<S> admit(S s, InetAddress address) {
        List<S> evicted = new ArrayList<>();
        LinkedHashSet<S> same = byAddress.get(address);
        LinkedHashSet<S> sameVerified = verifiedByAddress.get(address);
        if (count(same) + count(sameVerified) >= limits.perAddress()) {
            evicted.add((same == null ? sameVerified : same).iterator().next());
        } else if (all.size() >= limits.total()) {
            evicted.add(most > 0 ? byAddress.get(holding.get(most).iterator().next()).iterator().next()
                    : verified.iterator().next());
        }
        evicted.forEach(this::remove);
        LinkedHashSet<S> own = byAddress.computeIfAbsent(address, k -> new LinkedHashSet<>());
        own.add(s);
        moved(address, own.size() - 1, own.size());
        all.add(s);
        addressOf.put(s, address);
        return evicted;
    }

    private static int count(LinkedHashSet<?> exchanges) {
        return exchanges == null ? 0 : exchanges.size();
    }

    /** {@code address} went from holding {@code from} exchanges to {@code to}. */
    private void moved(InetAddress address, int from, int to) {
        if (from > 0) {
            holding.get(from).remove(address);
        }
        if (to > 0) {
            if (to == holding.size()) {
                holding.add(new LinkedHashSet<>()); // grows to the largest count seen, at most perAddress
            }
            holding.get(to).add(address);
        }
        most = Math.max(most, to);
        while (most > 0 && holding.get(most).isEmpty()) {
            most--;
        }
    }

    /**
     * The exchange's peer answered from its address with our responder cookie (MM3): it leaves
     * the unverified exchanges that a full table forgets first. Once per exchange; later calls,
     * and calls for exchanges not held, do nothing.
     */
    void verify(S s) {
        InetAddress address = addressOf.get(s);
        if (address == null || verified.contains(s)) {
            return;
        }
        forgetUnverified(s, address);
        verified.add(s);
        verifiedByAddress.computeIfAbsent(address, k -> new LinkedHashSet<>()).add(s);
    }

    /** The exchange went on (MM5 came), died or was evicted. */
    void remove(S s) {
        InetAddress address = addressOf.remove(s);
        if (address == null) {
            return;
        }
        all.remove(s);
        if (verified.remove(s)) {
            LinkedHashSet<S> same = verifiedByAddress.get(address);
            same.remove(s);
            if (same.isEmpty()) {
                verifiedByAddress.remove(address);
            }
            return;
        }
        forgetUnverified(s, address);
    }

    private void forgetUnverified(S s, InetAddress address) {
        LinkedHashSet<S> same = byAddress.get(address);
        same.remove(s);
        moved(address, same.size() + 1, same.size());
        if (same.isEmpty()) {
            byAddress.remove(address);
        }
    }

    int size() {
        return all.size();
    }

    /** Addresses holding an exchange of either kind. */
    int addresses() {
        int n = byAddress.size();
        for (InetAddress a : verifiedByAddress.keySet()) {
            if (!byAddress.containsKey(a)) {
                n++;
            }
        }
        return n;
    }
}
