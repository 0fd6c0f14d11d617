package dev.isakmpd.oakley;

/**
 * A peer's key-exchange data is unacceptable; maps to the ISAKMP notify INVALID-KEY-INFORMATION
 * (RFC 2408 s3.14.1, value 17). Messages describe the failure, never the offending value.
 */
public final class InvalidKeyInformationException extends Exception {
    /** ISAKMP Notify Message Type INVALID-KEY-INFORMATION. */
    public static final int NOTIFY_TYPE = 17;

    public InvalidKeyInformationException(String message) {
        super(message);
    }

    public int notifyType() {
        return NOTIFY_TYPE;
    }
}
