package dev.isakmpd.core.exchange;

import java.time.Duration;
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
    /** Retransmissions of {@link #lastSent} allowed on our own timer. */
    private int maxResends;
    /** Duplicates answered with {@link #reply} so far. */
    private int answered;
    /** For a reply sent with {@link #sentAnswerOnly}: how long to wait after each time it went out. */
    private Duration answerWait;

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
            answered = 0;
        }
        attempts = 0;
        maxResends = policy.retries();
        answerWait = null;
        deadline = awaitReply ? now.plus(policy.delay(0)) : null;
    }

    /**
     * Records a reply that is resent only when the message it answers comes again (the peer's
     * retransmission says our reply was lost), never on our own timer; the exchange gives up
     * {@code wait} after the reply last went out. What a responder sends before the peer is
     * authenticated: anyone can make us send it to any address, so each request is worth one
     * reply, not six.
     */
    void sentAnswerOnly(Datagram d, Instant now, Duration wait) {
        lastSent = d;
        reply = d;
        answered = 0;
        attempts = 0;
        maxResends = 0;
        answerWait = wait;
        deadline = now.plus(wait);
    }

    /** Allows {@code resends} retransmissions of the message just sent instead of the policy's retries. */
    void allowResends(int resends) {
        maxResends = resends;
    }

    /**
     * What answered our reply was rejected: the reply is not sent again, neither on our timer nor
     * to duplicates, so one crafted message cannot make us answer it twice, differently. The
     * exchange still accepts a genuine message until its deadline.
     */
    void silence() {
        reply = null;
        maxResends = attempts;
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
    boolean answerDuplicate(Datagram d, Instant now, String tag, Out out) {
        if (!isDuplicate(d.rawData())) {
            return false;
        }
        // a peer retransmits at most its retries; the network may duplicate some of those
        boolean resend = reply != null && answered < 2 * policy.retries();
        out.debug(tag + "retransmitted message" + (resend ? ", resending our reply" : ""));
        if (resend) {
            answered++;
            out.send(reply);
            if (answerWait != null && deadline != null) {
                deadline = now.plus(answerWait); // the peer is still there, waiting for it
            }
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
        if (attempts >= maxResends) {
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
