package dev.isakmpd.core.exchange;

import dev.isakmpd.core.wire.DataAttribute;

/** Reading SA attribute values (RFC 2408 s3.3) for proposal matching. */
final class Attributes {
    private Attributes() {
    }

    /** The value of a TV or TLV attribute; values beyond 32 bits saturate (only lifetimes can be that large). */
    static long value(DataAttribute a) {
        try {
            return Math.min(a.longValue(), 0xffffffffL);
        } catch (ArithmeticException e) {
            return 0xffffffffL;
        }
    }
}
