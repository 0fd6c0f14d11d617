package dev.isakmpd.pfkey;

/** A PF_KEY message that breaks RFC 2367's layout rules; says where (byte offset) and what. */
public final class PfKeyFormatException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int offset;

    public PfKeyFormatException(int offset, String message) {
        super("PF_KEY message malformed at offset " + offset + ": " + message);
        this.offset = offset;
    }

    public int offset() {
        return offset;
    }
}
