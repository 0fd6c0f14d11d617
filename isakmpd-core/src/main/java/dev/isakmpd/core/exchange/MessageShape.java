package dev.isakmpd.core.exchange;

import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.wire.Payload;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which payloads one message of an exchange must and may carry, how many of each, and which must
 * come first: the exchange described as data, in the manner of OpenBSD isakmpd's exchange
 * scripts. {@link #check} is the one place where unexpected, missing, repeated or misplaced
 * payloads are refused, before any handler looks at the message.
 */
record MessageShape(String name, PayloadType first, Map<PayloadType, Count> counts) {

    /** How many payloads of one type the message may carry. */
    record Count(int min, int max) {
        static final int MANY = Integer.MAX_VALUE;
    }

    MessageShape {
        counts = Map.copyOf(counts);
    }

    static Builder of(String name) {
        return new Builder(name);
    }

    /**
     * @throws ExchangeFailure INVALID-PAYLOAD-TYPE for a payload type this message cannot carry
     *     (RFC 2408 s5.2 step 2, s3.1), PAYLOAD-MALFORMED for a missing, repeated or misplaced one
     */
    void check(List<Payload> payloads) throws ExchangeFailure {
        if (first != null && (payloads.isEmpty() || !payloads.get(0).type().equals(first))) {
            throw ExchangeFailure.fatal(NotifyType.PAYLOAD_MALFORMED, name + ": the " + first.shortName()
                    + " payload must come first" + (payloads.isEmpty() ? ", the message is empty"
                    : ", got " + payloads.get(0).type().shortName()));
        }
        Map<PayloadType, Integer> seen = new LinkedHashMap<>();
        for (Payload p : payloads) {
            Count c = counts.get(p.type());
            if (c == null) {
                throw ExchangeFailure.fatal(NotifyType.INVALID_PAYLOAD_TYPE, name + " cannot carry a "
                        + p.type().shortName() + " payload (type " + p.type().value() + ")");
            }
            int n = seen.merge(p.type(), 1, Integer::sum);
            if (n > c.max()) {
                throw ExchangeFailure.fatal(NotifyType.PAYLOAD_MALFORMED, name + " carries " + n + " or more "
                        + p.type().shortName() + " payloads; at most " + c.max() + " allowed");
            }
        }
        for (Map.Entry<PayloadType, Count> e : counts.entrySet()) {
            int n = seen.getOrDefault(e.getKey(), 0);
            if (n < e.getValue().min()) {
                throw ExchangeFailure.fatal(NotifyType.PAYLOAD_MALFORMED, name + " lacks the "
                        + e.getKey().shortName() + " payload");
            }
        }
    }

    /** This shape with one more required payload, e.g. the proof (HASH or SIG) an auth method sends. */
    MessageShape requiring(PayloadType type) {
        Map<PayloadType, Count> c = new LinkedHashMap<>(counts);
        c.put(type, new Count(1, 1));
        return new MessageShape(name, first, c);
    }

    static final class Builder {
        private final String name;
        private PayloadType first;
        private final Map<PayloadType, Count> counts = new LinkedHashMap<>();

        private Builder(String name) {
            this.name = name;
        }

        /** Exactly one, and the first payload of the message. */
        Builder first(PayloadType t) {
            first = t;
            return one(t);
        }

        Builder one(PayloadType t) {
            counts.put(t, new Count(1, 1));
            return this;
        }

        Builder optional(PayloadType t) {
            counts.put(t, new Count(0, 1));
            return this;
        }

        Builder any(PayloadType... types) {
            for (PayloadType t : types) {
                counts.put(t, new Count(0, Count.MANY));
            }
            return this;
        }

        Builder between(PayloadType t, int min, int max) {
            counts.put(t, new Count(min, max));
            return this;
        }

        MessageShape build() {
            return new MessageShape(name, first, counts);
        }
    }
}
