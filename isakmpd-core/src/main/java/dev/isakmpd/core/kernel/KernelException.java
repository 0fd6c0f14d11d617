package dev.isakmpd.core.kernel;

/** A kernel operation failed; the message says which and why. Back-ends may subclass it (e.g. PF_KEY errno). */
public class KernelException extends Exception {
    private static final long serialVersionUID = 1L;

    public KernelException(String message) {
        super(message);
    }

    public KernelException(String message, Throwable cause) {
        super(message, cause);
    }
}
