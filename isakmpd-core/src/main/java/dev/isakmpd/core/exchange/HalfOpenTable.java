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
 * addresses as the table holds still degrades to about oldest-of-all.
 * </ul>
 *
 * @param <S> the exchange (an {@link IsakmpSession}; only its identity counts)
 */
final class HalfOpenTable<S> {
    private final HalfOpenLimits limits;
    private final Map<InetAddress, LinkedHashSet<S>> byAddress = new HashMap<>();
    private final LinkedHashSet<S> all = new LinkedHashSet<>();
    private final Map<S, InetAddress> addressOf = new IdentityHashMap<>();
    /** Addresses by how many exchanges they hold: index n holds those with n (1 .. perAddress). */
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
        if (same != null && same.size() >= limits.perAddress()) {
            evicted.add(same.iterator().next());
        } else if (all.size() >= limits.total()) {
            evicted.add(byAddress.get(holding.get(most).iterator().next()).iterator().next());
        }
        evicted.forEach(this::remove);
        LinkedHashSet<S> own = byAddress.computeIfAbsent(address, k -> new LinkedHashSet<>());
        own.add(s);
        moved(address, own.size() - 1, own.size());
        all.add(s);
        addressOf.put(s, address);
        return evicted;
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

    /** The exchange went on (MM5 came), died or was evicted. */
    void remove(S s) {
        InetAddress address = addressOf.remove(s);
        if (address == null) {
            return;
        }
        all.remove(s);
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

    int addresses() {
        return byAddress.size();
    }
}
