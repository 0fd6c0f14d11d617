package dev.isakmpd.core.exchange;

import java.time.Instant;
import java.util.Arrays;

/**
 * The last message an exchange sent and when to send it again (RFC 2408 s5.1), plus the last
 * message it received, so that a peer's retransmission is answered from this cache instead of
 * being processed twice (RFC 2409 s5 requires that duplicates not change state).
 */
final class Retransmitter {
    private final RetransmitPolicy policy;
    private Datagram lastSent;
    private byte[] lastReceived;
    private Datagram reply;
    private Instant deadline;
    private int attempts;

    Retransmitter(RetransmitPolicy policy) {
        this.policy = policy;
    }

    /**
     * Records a new outbound message: {@code answersLast} when it answers the last message received
     * (so a duplicate of that message gets it again), {@code awaitReply} to arm the timer.
     */
    void sent(Datagram d, Instant now, boolean answersLast, boolean awaitReply) {
        lastSent = d;
        if (answersLast) {
            reply = d;
        }
        attempts = 0;
        deadline = awaitReply ? now.plus(policy.delay(0)) : null;
    }

    /** Records an accepted message; until answered, its duplicates get no reply. */
    void received(byte[] datagram) {
        lastReceived = datagram.clone();
        reply = null;
    }

    /** What {@link #stop} and {@link #received} change, to put back if the message is then rejected. */
    record Mark(byte[] lastReceived, Datagram reply, Instant deadline) {
    }

    Mark mark() {
        return new Mark(lastReceived, reply, deadline);
    }

    void reset(Mark m) {
        lastReceived = m.lastReceived;
        reply = m.reply;
        deadline = m.deadline;
    }

    private boolean isDuplicate(byte[] datagram) {
        return lastReceived != null && Arrays.equals(lastReceived, datagram);
    }

    /**
     * A byte-identical copy of the last accepted message is answered with our cached reply, if we
     * sent one, and never processed again.
     *
     * @return whether {@code d} was such a copy
     */
    boolean answerDuplicate(Datagram d, String tag, Out out) {
        if (!isDuplicate(d.rawData())) {
            return false;
        }
        out.debug(tag + "retransmitted message" + (reply != null ? ", resending our reply" : ""));
        if (reply != null) {
            out.send(reply);
        }
        return true;
    }

    Datagram lastSent() {
        return lastSent;
    }

    /** The reply was received: stop resending. */
    void stop() {
        deadline = null;
    }

    Instant deadline() {
        return deadline;
    }

    boolean due(Instant now) {
        return deadline != null && !now.isBefore(deadline);
    }

    /** Called when due: true if another retransmission is allowed (and re-arms), false to give up. */
    boolean retry(Instant now) {
        if (attempts >= policy.retries()) {
            deadline = null;
            return false;
        }
        attempts++;
        deadline = now.plus(policy.delay(attempts));
        return true;
    }

    int attempts() {
        return attempts;
    }
}
