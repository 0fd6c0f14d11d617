package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.DeadPeerDetection;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** RFC 3706 bookkeeping for one ISAKMP SA, under a clock the test moves. */
class DeadPeerDetectorTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final DeadPeerDetection CONFIG = new DeadPeerDetection(Duration.ofSeconds(10), Duration.ofSeconds(30));

    @Test
    void probesAfterSilenceWithRisingSequenceNumbersWhoseHighBitIsClear() {
        DeadPeerDetector d = new DeadPeerDetector(CONFIG, 0xFFFFFFF0, T0);
        assertFalse(d.probeDue(T0.plusSeconds(9)));
        assertEquals(T0.plusSeconds(10), d.deadline());
        assertTrue(d.probeDue(T0.plusSeconds(10)));
        int first = d.probe(T0.plusSeconds(10));
        assertEquals(0x7FFFFFF0, first, "s6.2: the first sequence number has the high bit clear");
        assertEquals(first + 1, d.probe(T0.plusSeconds(20)));
        assertEquals(T0.plusSeconds(30), d.deadline(), "the next probe would be at 30 s, when it is dead");
        assertFalse(d.dead(T0.plusSeconds(29)));
        assertTrue(d.dead(T0.plusSeconds(30)));
        assertEquals(30, d.silentSeconds(T0.plusSeconds(30)));
    }

    @Test
    void onlyAnAckOfOurOwnProbeIsLife() {
        DeadPeerDetector d = new DeadPeerDetector(CONFIG, 100, T0);
        int seq = d.probe(T0.plusSeconds(10));
        assertFalse(d.acknowledged(seq + 5, T0.plusSeconds(11)), "s6.1: a sequence number we never sent");
        assertTrue(d.acknowledged(seq, T0.plusSeconds(12)));
        assertFalse(d.acknowledged(seq, T0.plusSeconds(13)), "answered once; a replay is not life");
        assertFalse(d.dead(T0.plusSeconds(41)));
        assertTrue(d.dead(T0.plusSeconds(42)));
    }

    @Test
    void anyAuthenticatedMessageIsLifeAndPostponesTheProbe() {
        DeadPeerDetector d = new DeadPeerDetector(CONFIG, 1, T0);
        d.heard(T0.plusSeconds(8));
        assertFalse(d.probeDue(T0.plusSeconds(17)));
        assertTrue(d.probeDue(T0.plusSeconds(18)));
        int seq = d.probe(T0.plusSeconds(18));
        d.heard(T0.plusSeconds(19));
        assertFalse(d.acknowledged(seq, T0.plusSeconds(20)), "outstanding probes are settled by the traffic");
    }
}
