package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.NotifyType;

/**
 * Outcome of a field check shared by constructors and decoders, so that every value that can be built can also be
 * decoded again (and the other way round): a constructor turns it into IllegalArgumentException, a decoder into a
 * WireException at the field's offset.
 */
record Violation(NotifyType notifyType, String field, String detail) {

    WireException at(int offset) {
        return new WireException(notifyType, offset, field, detail);
    }

    IllegalArgumentException asIllegalArgument() {
        return new IllegalArgumentException(field + " " + detail + " (would be rejected with " + notifyType + ")");
    }

    static void throwIfPresent(Violation v) {
        if (v != null) {
            throw v.asIllegalArgument();
        }
    }
}
