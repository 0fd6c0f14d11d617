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
 * arrival order. A full table makes room by forgetting the oldest exchange, of the same address
 * if that address is at its limit, else the oldest of all, and never refuses a new MM1: a flood
 * that spoofs a peer's address then has to send more MM1s than the per-address limit within one
 * round trip of the peer to push the peer's exchange out, where a refusing table would lock the
 * peer out with a handful of packets per minute.
 */
final class HalfOpenTable {
    private final HalfOpenLimits limits;
    private final Map<InetAddress, LinkedHashSet<IsakmpSession>> byAddress = new HashMap<>();
    private final LinkedHashSet<IsakmpSession> all = new LinkedHashSet<>();
    private final Map<IsakmpSession, InetAddress> addressOf = new IdentityHashMap<>();

    HalfOpenTable(HalfOpenLimits limits) {
        this.limits = limits;
    }

    HalfOpenLimits limits() {
        return limits;
    }

    /** Files a new half-open exchange; returns the exchanges it displaced, which the caller ends. */
    List<IsakmpSession> admit(IsakmpSession s, InetAddress address) {
        List<IsakmpSession> evicted = new ArrayList<>();
        LinkedHashSet<IsakmpSession> same = byAddress.get(address);
        if (same != null && same.size() >= limits.perAddress()) {
            evicted.add(same.iterator().next());
        } else if (all.size() >= limits.total()) {
            evicted.add(all.iterator().next());
        }
        evicted.forEach(this::remove);
        byAddress.computeIfAbsent(address, k -> new LinkedHashSet<>()).add(s);
        all.add(s);
        addressOf.put(s, address);
        return evicted;
    }

    /** The exchange went on (MM5 came), died or was evicted. */
    void remove(IsakmpSession s) {
        InetAddress address = addressOf.remove(s);
        if (address == null) {
            return;
        }
        all.remove(s);
        LinkedHashSet<IsakmpSession> same = byAddress.get(address);
        same.remove(s);
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
