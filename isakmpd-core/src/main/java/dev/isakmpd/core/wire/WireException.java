package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.NotifyType;

import java.util.Objects;

/**
 * A received message violates the wire format. Carries where (byte offset into the decoded buffer), which field,
 * and the RFC 2408 s3.14.1 notify type a responder may report (sending it is a policy decision, s5).
 */
public class WireException extends Exception {
    private final NotifyType notifyType;
    private final int offset;
    private final String field;

    public WireException(NotifyType notifyType, int offset, String field, String detail) {
        super("offset " + offset + ": " + field + " " + detail + " (notify " + notifyType + ")");
        this.notifyType = Objects.requireNonNull(notifyType, "notifyType");
        this.offset = offset;
        this.field = Objects.requireNonNull(field, "field");
    }

    static WireException malformed(int offset, String field, String detail) {
        return new WireException(NotifyType.PAYLOAD_MALFORMED, offset, field, detail);
    }

    /** Byte offset of the offending field, relative to the start of the buffer handed to the decoder. */
    public int offset() {
        return offset;
    }

    /** Name of the offending field, e.g. "payload length", "RESERVED", "# of transforms". */
    public String field() {
        return field;
    }

    public NotifyType notifyType() {
        return notifyType;
    }
}
