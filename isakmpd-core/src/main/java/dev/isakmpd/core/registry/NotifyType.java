package dev.isakmpd.core.registry;

/**
 * Notify message type (RFC 2408 s3.14.1; IPsec DOI status types RFC 2407 s4.6.3; DPD RFC 3706).
 * Open enum over 0..65535.
 */
public record NotifyType(int value) {
    private static final Registry<NotifyType> REGISTRY = new Registry<>(NotifyType::new);

    // RFC 2408 s3.14.1 error types
    public static final NotifyType INVALID_PAYLOAD_TYPE = REGISTRY.define(1, "INVALID-PAYLOAD-TYPE");
    public static final NotifyType DOI_NOT_SUPPORTED = REGISTRY.define(2, "DOI-NOT-SUPPORTED");
    public static final NotifyType SITUATION_NOT_SUPPORTED = REGISTRY.define(3, "SITUATION-NOT-SUPPORTED");
    public static final NotifyType INVALID_COOKIE = REGISTRY.define(4, "INVALID-COOKIE");
    public static final NotifyType INVALID_MAJOR_VERSION = REGISTRY.define(5, "INVALID-MAJOR-VERSION");
    public static final NotifyType INVALID_MINOR_VERSION = REGISTRY.define(6, "INVALID-MINOR-VERSION");
    public static final NotifyType INVALID_EXCHANGE_TYPE = REGISTRY.define(7, "INVALID-EXCHANGE-TYPE");
    public static final NotifyType INVALID_FLAGS = REGISTRY.define(8, "INVALID-FLAGS");
    public static final NotifyType INVALID_MESSAGE_ID = REGISTRY.define(9, "INVALID-MESSAGE-ID");
    public static final NotifyType INVALID_PROTOCOL_ID = REGISTRY.define(10, "INVALID-PROTOCOL-ID");
    public static final NotifyType INVALID_SPI = REGISTRY.define(11, "INVALID-SPI");
    public static final NotifyType INVALID_TRANSFORM_ID = REGISTRY.define(12, "INVALID-TRANSFORM-ID");
    public static final NotifyType ATTRIBUTES_NOT_SUPPORTED = REGISTRY.define(13, "ATTRIBUTES-NOT-SUPPORTED");
    public static final NotifyType NO_PROPOSAL_CHOSEN = REGISTRY.define(14, "NO-PROPOSAL-CHOSEN");
    public static final NotifyType BAD_PROPOSAL_SYNTAX = REGISTRY.define(15, "BAD-PROPOSAL-SYNTAX");
    public static final NotifyType PAYLOAD_MALFORMED = REGISTRY.define(16, "PAYLOAD-MALFORMED");
    public static final NotifyType INVALID_KEY_INFORMATION = REGISTRY.define(17, "INVALID-KEY-INFORMATION");
    public static final NotifyType INVALID_ID_INFORMATION = REGISTRY.define(18, "INVALID-ID-INFORMATION");
    public static final NotifyType INVALID_CERT_ENCODING = REGISTRY.define(19, "INVALID-CERT-ENCODING");
    public static final NotifyType INVALID_CERTIFICATE = REGISTRY.define(20, "INVALID-CERTIFICATE");
    public static final NotifyType CERT_TYPE_UNSUPPORTED = REGISTRY.define(21, "CERT-TYPE-UNSUPPORTED");
    public static final NotifyType INVALID_CERT_AUTHORITY = REGISTRY.define(22, "INVALID-CERT-AUTHORITY");
    public static final NotifyType INVALID_HASH_INFORMATION = REGISTRY.define(23, "INVALID-HASH-INFORMATION");
    public static final NotifyType AUTHENTICATION_FAILED = REGISTRY.define(24, "AUTHENTICATION-FAILED");
    public static final NotifyType INVALID_SIGNATURE = REGISTRY.define(25, "INVALID-SIGNATURE");
    public static final NotifyType ADDRESS_NOTIFICATION = REGISTRY.define(26, "ADDRESS-NOTIFICATION");
    public static final NotifyType NOTIFY_SA_LIFETIME = REGISTRY.define(27, "NOTIFY-SA-LIFETIME");
    public static final NotifyType CERTIFICATE_UNAVAILABLE = REGISTRY.define(28, "CERTIFICATE-UNAVAILABLE");
    public static final NotifyType UNSUPPORTED_EXCHANGE_TYPE = REGISTRY.define(29, "UNSUPPORTED-EXCHANGE-TYPE");
    public static final NotifyType UNEQUAL_PAYLOAD_LENGTHS = REGISTRY.define(30, "UNEQUAL-PAYLOAD-LENGTHS");

    // RFC 2408 s3.14.1 status types
    public static final NotifyType CONNECTED = REGISTRY.define(16384, "CONNECTED");
    // RFC 2407 s4.6.3 IPsec DOI status types
    public static final NotifyType RESPONDER_LIFETIME = REGISTRY.define(24576, "RESPONDER-LIFETIME");
    public static final NotifyType REPLAY_STATUS = REGISTRY.define(24577, "REPLAY-STATUS");
    public static final NotifyType INITIAL_CONTACT = REGISTRY.define(24578, "INITIAL-CONTACT");
    // RFC 3706 s5.3 dead peer detection (private-use status range)
    public static final NotifyType R_U_THERE = REGISTRY.define(36136, "R-U-THERE");
    public static final NotifyType R_U_THERE_ACK = REGISTRY.define(36137, "R-U-THERE-ACK");

    /** RFC 2408 s3.14.1: status types start here; everything below (including private use 8192..16383) is an error. */
    public static final int FIRST_STATUS = 16384;

    public NotifyType {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException("notify type out of range 0..65535: " + value);
        }
    }

    public static NotifyType of(int value) {
        return REGISTRY.of(value);
    }

    public boolean isKnown() {
        return REGISTRY.isKnown(value);
    }

    /**
     * True for error types. RFC 2408 s3.14.1 lists 1..8191 (defined + reserved) and 8192..16383 (private use) under
     * "ERROR TYPES"; RFC 2407 s4.6.3 confirms 8192 is the DOI's private error block. Value 0 is reserved, not an error.
     */
    public boolean isError() {
        return value > 0 && value < FIRST_STATUS;
    }

    /** True for status types (16384 and above). */
    public boolean isStatus() {
        return value >= FIRST_STATUS;
    }

    @Override
    public String toString() {
        return REGISTRY.describe(value);
    }
}
