package dev.isakmpd.core.kernel;

/** A kernel operation failed; the message says which and why. */
public final class KernelException extends Exception {
    private static final long serialVersionUID = 1L;

    public KernelException(String message) {
        super(message);
    }

    public KernelException(String message, Throwable cause) {
        super(message, cause);
    }
}
