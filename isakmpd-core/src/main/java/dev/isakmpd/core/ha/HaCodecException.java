package dev.isakmpd.core.ha;

/**
 * A replicated record that cannot be decoded: truncated, garbled, or from a newer daemon. The
 * message names the offset and the field; it never carries record content (keys).
 */
public final class HaCodecException extends Exception {
    private static final long serialVersionUID = 1L;

    public HaCodecException(String message) {
        super(message);
    }
}
