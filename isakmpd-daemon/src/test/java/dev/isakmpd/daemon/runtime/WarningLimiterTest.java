package dev.isakmpd.daemon.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WarningLimiterTest {
    private static final Instant T0 = Instant.parse("2026-12-07T08:00:00Z");

    private static String garbage(int i) {
        return "127.0." + (i >> 8 & 0xff) + "." + (i & 0xff) + ":" + (1024 + i) + ": dropped " + (10 + i % 7)
                + "-byte datagram: ISAKMP header needs 28 bytes";
    }

    @Test
    void aFloodOfOneKindIsCutToItsBurstAndRateAndCountedInOneReport() {
        WarningLimiter w = new WarningLimiter(T0);
        int written = 0;
        // 10,000 garbage datagrams from 10,000 sources within one second
        for (int i = 0; i < 10_000; i++) {
            if (w.allow(garbage(i), T0.plusNanos(i * 100_000L))) {
                written++;
            }
        }
        assertEquals(WarningLimiter.BURST + 1, written, "the burst, then 2 a second (one in the second that passed)");
        assertEquals(Optional.of(T0.plusNanos(WarningLimiter.BURST * 100_000L).plus(WarningLimiter.REPORT_AFTER)),
                w.nextReport());
        assertEquals(List.of(), w.reports(T0.plusSeconds(5)), "not due yet");
        List<String> reports = w.reports(T0.plusSeconds(11));
        assertEquals(1, reports.size(), reports.toString());
        assertTrue(reports.get(0).startsWith("9,979 more warning(s) like this one held back in the last 10 s: "
                + "127.0.39.15:11023: dropped"), reports.get(0));
        assertEquals(Optional.empty(), w.nextReport());
        assertEquals(List.of(), w.reports(T0.plusSeconds(30)), "each held line is reported once");
    }

    @Test
    void otherKindsKeepTheirOwnBudgetAndTheRateRefills() {
        WarningLimiter w = new WarningLimiter(T0);
        for (int i = 0; i < 1000; i++) {
            w.allow(garbage(i), T0);
        }
        assertTrue(w.allow("peer gw 198.51.100.2:500 [0123456789abcdef:fedcba9876543210] authentication failed", T0),
                "a different warning still gets through");
        assertTrue(w.allow(garbage(5), T0.plusSeconds(1)), "2 a second come back");
    }

    @Test
    void allKindsTogetherAreCappedTooSoRandomTextCannotDefeatIt() {
        WarningLimiter w = new WarningLimiter(T0);
        int written = 0;
        for (int i = 0; i < 5000; i++) {
            // every line its own kind, as an attacker choosing the words might make them
            if (w.allow("dropped: unknown payload type " + letters(i), T0)) {
                written++;
            }
        }
        assertEquals(WarningLimiter.BURST * 10, written);
        List<String> reports = w.reports(T0.plus(WarningLimiter.REPORT_AFTER));
        assertEquals(5000 - written, reports.stream().mapToLong(r -> Long.parseLong(r.substring(0, r.indexOf(' '))
                .replace(",", ""))).sum(), "every held line is counted in some report");
        // 5,000 kinds: the first 200 written, then 3,776 held and forgotten as newer kinds came, 1,024 held
        assertEquals(WarningLimiter.KINDS + 1, reports.size(), "one per kind remembered, one for the forgotten");
        assertTrue(reports.get(0).matches("3,776 more warning\\(s\\) of 3,776 other kinds held back .*"), reports.get(0));
    }

    /** i in base 26 with the letters a..z: no digit, so every i is a kind of its own. */
    private static String letters(int i) {
        StringBuilder s = new StringBuilder();
        do {
            s.append((char) ('a' + i % 26));
            i /= 26;
        } while (i > 0);
        return s.toString();
    }
}
