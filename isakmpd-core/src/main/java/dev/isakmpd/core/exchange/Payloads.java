package dev.isakmpd.core.exchange;

import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.wire.HashPayload;
import dev.isakmpd.core.wire.Payload;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Finding the payloads an exchange step needs in a decoded chain. */
final class Payloads {
    private Payloads() {
    }

    static <T extends Payload> Optional<T> first(List<Payload> payloads, Class<T> type) {
        for (Payload p : payloads) {
            if (type.isInstance(p)) {
                return Optional.of(type.cast(p));
            }
        }
        return Optional.empty();
    }

    static <T extends Payload> List<T> all(List<Payload> payloads, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (Payload p : payloads) {
            if (type.isInstance(p)) {
                out.add(type.cast(p));
            }
        }
        return out;
    }

    /** The payload a message step cannot do without: its absence is PAYLOAD-MALFORMED (RFC 2408 s5). */
    static <T extends Payload> T required(List<Payload> payloads, Class<T> type, String what) throws ExchangeFailure {
        return first(payloads, type).orElseThrow(() -> ExchangeFailure.fatal(NotifyType.PAYLOAD_MALFORMED,
                what + " payload missing"));
    }

    /**
     * A protected Quick Mode or Informational message starts with its HASH (RFC 2409 s5.5, s5.7),
     * and it must be the one we computed.
     */
    static void checkHash(Packet p, byte[] expected, String name) throws ExchangeFailure {
        if (p.payloads().isEmpty() || !(p.payloads().get(0) instanceof HashPayload hash)) {
            throw ExchangeFailure.fatal(NotifyType.PAYLOAD_MALFORMED, name + " is not the first payload");
        }
        if (!MessageDigest.isEqual(expected, hash.hash())) {
            throw ExchangeFailure.fatal(NotifyType.INVALID_HASH_INFORMATION, name + " does not verify");
        }
    }
}
