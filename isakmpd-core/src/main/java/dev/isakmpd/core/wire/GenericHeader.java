package dev.isakmpd.core.wire;

/** A parsed generic payload header (RFC 2408 s3.2), shared by top-level payloads and the nested P/T payloads. */
record GenericHeader(int start, int nextPayload, int length) {
    static final int LENGTH = 4;

    /**
     * Reads and checks a generic header: RESERVED must be 0 (s5.3 receive step 2) and the payload length must
     * cover the header and stay within the enclosing container.
     *
     * @param what      "payload", "proposal" or "transform" (the length field is named after it)
     * @param container what encloses it, for the message ("message", "SA payload", ...)
     */
    static GenericHeader read(WireReader r, String what, String container) throws WireException {
        int start = r.position();
        if (r.remaining() < LENGTH) {
            throw WireException.malformed(start, what + " header",
                    "needs 4 bytes but only " + r.remaining() + " remain in " + container);
        }
        int next = r.u8("next payload");
        int reservedAt = r.position();
        int reserved = r.u8("RESERVED");
        if (reserved != 0) {
            throw WireException.malformed(reservedAt, "RESERVED",
                    String.format("is 0x%02x in %s header, must be 0 (RFC 2408 s5.3)", reserved, what));
        }
        int lengthAt = r.position();
        String lengthField = what + " length";
        int length = r.u16(lengthField);
        if (length < LENGTH) {
            throw WireException.malformed(lengthAt, lengthField, length + " is shorter than the generic header");
        }
        if (length - LENGTH > r.remaining()) {
            throw WireException.malformed(lengthAt, lengthField,
                    length + " exceeds the " + (r.remaining() + LENGTH) + " bytes left in " + container);
        }
        return new GenericHeader(start, next, length);
    }

    /** The payload body (after the header); the outer reader moves past it. */
    WireReader body(WireReader r) throws WireException {
        return r.split(length - LENGTH, "payload body");
    }
}
