package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.exchange.Action;
import dev.isakmpd.core.exchange.Engine.PeerEvent;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counters for isakmpctl stats, taken from what the engine already says: its log lines (each
 * protocol event is one line, see docs/architecture.md), its actions and its peer events. A
 * rewording of an engine log line can silence a counter; StatsTest pins the texts. Counted on the
 * loop thread; read from any (isakmpctl stats, the metrics endpoint).
 */
final class Stats {
    /**
     * A line counts under {@code counter} if it contains {@code literal} and, when there is one,
     * matches {@code pattern}: most lines contain none of the literals, and a contains() costs a
     * fraction of a regex search (about ten engine lines per handshake pass through here).
     */
    private record Rule(String counter, String literal, Pattern pattern) {
        boolean matches(String line) {
            return line.contains(literal) && (pattern == null || pattern.matcher(line).find());
        }
    }

    /** The notify type a failure names, e.g. "(notify NO-PROPOSAL-CHOSEN)". */
    private static final Pattern NOTIFY = Pattern.compile("\\(notify ([A-Z0-9-]+)\\)");

    private static final List<Rule> HANDSHAKES = List.of(
            literal("main-mode.established", "ISAKMP SA established"),
            rule("main-mode.timed-out", "giving up", "Main Mode: no valid answer in state .* giving up"),
            rule("main-mode.auth-failed", "authentication failed", "Main Mode: dropped message: .*authentication failed"),
            literal("main-mode.failed", "Main Mode: failed: "),
            literal("quick-mode.established", "IPsec SAs established for tunnel"),
            rule("quick-mode.timed-out", "giving up", "Quick Mode [0-9a-f]{8}: no answer in state .* giving up"),
            rule("quick-mode.failed", ": failed: ", "Quick Mode [0-9a-f]{8}: failed: "),
            literal("quick-mode.failed", "cannot start: GETSPI failed"));
    private static final List<Rule> DROPS = List.of(
            rule("malformed", "dropped ", "dropped \\d+-byte datagram|dropped malformed"),
            literal("unknown-cookies", "message for unknown cookies"),
            literal("wrong-source", "wrong source address"),
            literal("unknown-peer", "Main Mode request from an address with no peer policy"),
            literal("half-open-limit", "half-open Main Mode exchanges; dropping"),
            literal("rejected", "Main Mode: dropped message: "),
            literal("rejected", "dropped a copy of a message already rejected"),
            literal("out-of-state", "ignored a message in state"),
            literal("out-of-state", "before the ISAKMP SA is established"),
            literal("out-of-state", "encryption flag"),
            literal("other", "dropped "),
            literal("other", "ignored "));
    private static final Rule RETRANSMIT = rule("", "retransmission ", "retransmission \\d+ in state");
    private static final Rule DUPLICATE = literal("", "retransmitted message");
    /** How long an established exchange took, as its line ends: "... in 915 ms". */
    private static final Pattern TOOK = Pattern.compile(" in (\\d+) ms$");

    /** Told how long each exchange took until it was established (the metrics' latency histograms). */
    interface LatencyListener {
        void established(String exchange, double seconds);
    }

    private final Map<String, Long> handshakes = new ConcurrentSkipListMap<>();
    private final Map<String, Long> drops = new ConcurrentSkipListMap<>();
    private final Map<String, Long> peerEvents = new ConcurrentSkipListMap<>();
    private final AtomicLong retransmits = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private volatile LatencyListener latency = (exchange, seconds) -> { };

    /** Lines with {@code literal} that also match {@code regex}. */
    private static Rule rule(String counter, String literal, String regex) {
        return new Rule(counter, literal, Pattern.compile(regex));
    }

    /** Lines with {@code literal}: no regex. */
    private static Rule literal(String counter, String literal) {
        return new Rule(counter, literal, null);
    }

    void count(List<Action> actions, List<PeerEvent> events) {
        for (Action a : actions) {
            if (a instanceof Action.Log l) {
                count(l.message());
            }
        }
        for (PeerEvent e : events) {
            peerEvents.merge(e.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'), 1L, Long::sum);
        }
    }

    private void count(String line) {
        if (RETRANSMIT.matches(line)) {
            retransmits.incrementAndGet();
            return;
        }
        if (DUPLICATE.matches(line)) {
            duplicates.incrementAndGet();
            return;
        }
        for (Rule r : HANDSHAKES) {
            if (r.matches(line)) {
                Matcher n = NOTIFY.matcher(line);
                String key = r.counter.endsWith(".failed") && n.find() ? r.counter + "." + n.group(1) : r.counter;
                handshakes.merge(key, 1L, Long::sum);
                Matcher took = r.counter.endsWith(".established") ? TOOK.matcher(line) : null;
                if (took != null && took.find()) {
                    latency.established(exchange(r.counter), Long.parseLong(took.group(1)) / 1000.0);
                }
                return;
            }
        }
        for (Rule r : DROPS) {
            if (r.matches(line)) {
                drops.merge(r.counter, 1L, Long::sum);
                return;
            }
        }
    }

    /** "main-mode" of "main-mode.established": the exchange a handshake counter is about. */
    static String exchange(String counter) {
        return counter.substring(0, counter.indexOf('.'));
    }

    /** From now on, established exchanges are also reported to {@code l}. */
    void onLatency(LatencyListener l) {
        latency = l;
    }

    /** Datagrams the kernel dropped on our sockets since the last count (receive buffer full). */
    void kernelDrops(long n) {
        drops.merge("receive-buffer-full", n, Long::sum);
    }

    /** A copy for a reply: handshakes by outcome, drops by cause, peer events, retransmissions. */
    record Snapshot(Map<String, Long> handshakes, Map<String, Long> drops, Map<String, Long> peerEvents,
            long retransmits, long duplicatesAnswered) {
    }

    Snapshot snapshot() {
        return new Snapshot(new TreeMap<>(handshakes), new TreeMap<>(drops), new TreeMap<>(peerEvents),
                retransmits.get(), duplicates.get());
    }
}
