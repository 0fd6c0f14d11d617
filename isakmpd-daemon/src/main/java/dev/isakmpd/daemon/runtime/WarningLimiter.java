package dev.isakmpd.daemon.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Keeps a flood of bad input from becoming a flood of log lines. Warnings are mostly about what
 * somebody sent us (garbage, a wrong key, a datagram without the non-ESP marker), so anyone can make
 * thousands a second, each one written to the journal. Each kind of warning (its text with every
 * number and address blanked) may burst to {@link #BURST} lines and then goes on at
 * {@link #PER_SECOND} a second; all kinds together at ten times that. What is held back is counted
 * and said in one line per kind and {@link #REPORT_AFTER}, with the last such warning as the example.
 * The metrics count every warning before this (Stats), so no count is lost.
 */
final class WarningLimiter {
    static final int BURST = 20;
    static final double PER_SECOND = 2;
    static final Duration REPORT_AFTER = Duration.ofSeconds(10);
    /** Kinds remembered at once; the least recently seen goes first. */
    static final int KINDS = 1024;
    /** Anything with a digit in it: numbers, addresses (IPv4 and IPv6), cookies, SPIs, ports. */
    private static final Pattern VARIABLE = Pattern.compile("[0-9A-Fa-f:.]*[0-9][0-9A-Fa-f:.]*");

    private static final class Bucket {
        private final int burst;
        private final double perSecond;
        private double tokens;
        private Instant refilled;
        private long held;
        private Instant heldSince;
        private String example;

        Bucket(int burst, double perSecond, Instant now) {
            this.burst = burst;
            this.perSecond = perSecond;
            this.tokens = burst;
            this.refilled = now;
        }

        boolean hasToken(Instant now) {
            double seconds = Math.max(0, Duration.between(refilled, now).toNanos() / 1e9);
            tokens = Math.min(burst, tokens + seconds * perSecond);
            refilled = now;
            return tokens >= 1;
        }

        /** True for the first line held since the last report. */
        boolean hold(String line, Instant now) {
            example = line;
            if (held++ == 0) {
                heldSince = now;
                return true;
            }
            return false;
        }
    }

    private final Map<String, Bucket> kinds = new LinkedHashMap<>(64, 0.75f, true);
    private final Bucket all;
    /** The earliest report due, or null when no line is held: the loop asks for it every turn. */
    private Instant nextReport;
    /** Held lines of kinds evicted before their report (more than {@link #KINDS} kinds at once). */
    private long forgottenLines;
    private long forgottenKinds;

    WarningLimiter(Instant now) {
        all = new Bucket(BURST * 10, PER_SECOND * 10, now);
    }

    /** Whether this warning may be written now; if not, it is counted for its kind's report. */
    boolean allow(String line, Instant now) {
        String kind = VARIABLE.matcher(line).replaceAll("#");
        Bucket b = kinds.get(kind);
        if (b == null) {
            if (kinds.size() >= KINDS) {
                evictOldest(now);
            }
            b = new Bucket(BURST, PER_SECOND, now);
            kinds.put(kind, b);
        }
        // both must have a token; take them only together, so a held line costs nothing
        if (b.hasToken(now) && all.hasToken(now)) {
            b.tokens--;
            all.tokens--;
            return true;
        }
        if (b.hold(line, now)) {
            earliest(reportTime(b));
        }
        return false;
    }

    /** The least recently seen kind goes; what it held is counted in a report of its own, due at once. */
    private void evictOldest(Instant now) {
        Iterator<Bucket> it = kinds.values().iterator();
        Bucket b = it.next();
        it.remove();
        if (b.held > 0) {
            forgottenLines += b.held;
            forgottenKinds++;
            earliest(now);
        }
    }

    private void earliest(Instant t) {
        if (nextReport == null || t.isBefore(nextReport)) {
            nextReport = t;
        }
    }

    /** The reports due now, one line per kind that held lines back for {@link #REPORT_AFTER}. */
    List<String> reports(Instant now) {
        if (nextReport == null || now.isBefore(nextReport)) {
            return List.of();
        }
        nextReport = null;
        List<String> out = new ArrayList<>();
        if (forgottenLines > 0) {
            out.add(String.format("%,d more warning(s) of %,d other kinds held back (too many kinds to tell apart)",
                    forgottenLines, forgottenKinds));
            forgottenLines = 0;
            forgottenKinds = 0;
        }
        for (Bucket b : kinds.values()) {
            if (b.held > 0 && now.isBefore(reportTime(b))) {
                earliest(reportTime(b));
            } else if (b.held > 0) {
                out.add(String.format("%,d more warning(s) like this one held back in the last %d s: %s", b.held,
                        Math.max(1, Duration.between(b.heldSince == Instant.MIN ? now : b.heldSince, now)
                                .toSeconds()), b.example));
                b.held = 0;
                b.example = null;
            }
        }
        return out;
    }

    /** When the next report is due, if any line is held. */
    Optional<Instant> nextReport() {
        return Optional.ofNullable(nextReport);
    }

    private static Instant reportTime(Bucket b) {
        return b.heldSince == Instant.MIN ? Instant.MIN : b.heldSince.plus(REPORT_AFTER);
    }
}
