package dev.isakmpd.core.exchange;

import dev.isakmpd.core.registry.NotifyType;

/**
 * Ends the processing of one message: {@code notify} is what RFC 2408 s5 says to answer with,
 * {@code fatal} whether the exchange (and, in phase 1, the ISAKMP SA) dies with it.
 */
final class ExchangeFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient NotifyType notifyType;
    private final boolean fatal;

    ExchangeFailure(NotifyType notify, boolean fatal, String message) {
        super(message);
        this.notifyType = notify;
        this.fatal = fatal;
    }

    static ExchangeFailure fatal(NotifyType notify, String message) {
        return new ExchangeFailure(notify, true, message);
    }

    NotifyType notifyType() {
        return notifyType;
    }

    boolean isFatal() {
        return fatal;
    }
}
