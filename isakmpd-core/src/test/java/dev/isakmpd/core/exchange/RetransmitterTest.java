package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.Addresses;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Backoff, give-up and the duplicate cache of one exchange (RFC 2408 s5.1, RFC 2409 s5). */
class RetransmitterTest {
    static final InetSocketAddress A = Addresses.parseEndpoint("127.0.0.1", 500);
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    static Datagram datagram(int b) {
        return new Datagram(A, A, new byte[] {(byte) b, 1, 2, 3});
    }

    @Test
    void backsOffThenGivesUp() {
        Retransmitter r = new Retransmitter(new RetransmitPolicy(Duration.ofSeconds(2), Duration.ofSeconds(5), 3));
        r.sent(datagram(1), T0, false, true);
        assertEquals(T0.plusSeconds(2), r.deadline());
        Instant now = r.deadline();
        assertTrue(r.retry(now));
        assertEquals(now.plusSeconds(4), r.deadline(), "doubled");
        now = r.deadline();
        assertTrue(r.retry(now));
        assertEquals(now.plusSeconds(5), r.deadline(), "capped at max");
        now = r.deadline();
        assertTrue(r.retry(now));
        assertFalse(r.retry(r.deadline()), "retries exhausted");
        assertNull(r.deadline());
    }

    @Test
    void duplicateOfTheLastAcceptedMessageGetsTheCachedReplyOnlyOnceAnswered() {
        Retransmitter r = new Retransmitter(RetransmitPolicy.DEFAULT);
        Datagram request = datagram(7);
        r.received(request.rawData());
        Out out = new Out();
        assertTrue(r.answerDuplicate(request, T0, "", out));
        assertTrue(out.actions().stream().noneMatch(a -> a instanceof Action.Send), "no reply yet: nothing resent");
        Datagram reply = datagram(8);
        r.sent(reply, T0, true, false);
        out = new Out();
        assertTrue(r.answerDuplicate(request, T0, "", out));
        assertSame(reply, ((Action.Send) out.actions().stream().filter(a -> a instanceof Action.Send).findFirst()
                .orElseThrow()).datagram());
        assertFalse(r.answerDuplicate(datagram(9), T0, "", new Out()), "another message is not a duplicate");
    }

    @Test
    void aRejectedMessageLeavesTheCacheAsItWas() {
        Retransmitter r = new Retransmitter(RetransmitPolicy.DEFAULT);
        r.received(datagram(1).rawData());
        r.sent(datagram(2), T0, true, true);
        Retransmitter.Mark before = r.mark();
        r.stop();
        r.received(datagram(3).rawData());
        r.reset(before);
        assertTrue(r.answerDuplicate(datagram(1), T0, "", new Out()));
        assertEquals(T0.plusSeconds(2), r.deadline(), "timer restored");
    }
}
