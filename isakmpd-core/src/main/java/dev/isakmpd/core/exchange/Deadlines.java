package dev.isakmpd.core.exchange;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Items keyed by the instant they next need attention, so that the engine finds the earliest in
 * O(log n) and touches only what is due, however many items it holds. Each item has at most one
 * deadline: scheduling it again replaces the old one (no stale entries pile up).
 */
final class Deadlines<T> {
    private record Slot<T>(Instant at, long order, T item) {
    }

    private final TreeSet<Slot<T>> queue = new TreeSet<>(
            Comparator.<Slot<T>, Instant>comparing(Slot::at).thenComparingLong(Slot::order));
    private final Map<T, Slot<T>> slots = new IdentityHashMap<>();
    private long order;

    /** Sets, moves or (with {@code at == null}) cancels the item's deadline. */
    void schedule(T item, Instant at) {
        Slot<T> old = slots.get(item);
        if (old != null && old.at().equals(at)) {
            return;
        }
        if (old != null) {
            queue.remove(old);
            slots.remove(item);
        }
        if (at != null) {
            Slot<T> s = new Slot<>(at, order++, item);
            queue.add(s);
            slots.put(item, s);
        }
    }

    Optional<Instant> next() {
        return queue.isEmpty() ? Optional.empty() : Optional.of(queue.first().at());
    }

    /** Removes and returns, earliest first, the items whose deadline is not after {@code now}. */
    List<T> due(Instant now) {
        List<T> due = new ArrayList<>();
        while (!queue.isEmpty() && !queue.first().at().isAfter(now)) {
            Slot<T> s = queue.pollFirst();
            slots.remove(s.item());
            due.add(s.item());
        }
        return due;
    }

    int size() {
        return slots.size();
    }
}
