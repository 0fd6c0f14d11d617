package dev.isakmpd.pfkey;

import dev.isakmpd.core.kernel.KernelException;

/** The kernel refused a PF_KEY request (sadb_msg_errno or a failing send); says which and why. */
public final class PfKeyException extends KernelException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public PfKeyException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public PfKeyException(String message, Throwable cause) {
        super(message, cause);
        this.errno = 0;
    }

    /** The errno the kernel answered with; 0 when the failure was not an errno (timeout, format). */
    public int errno() {
        return errno;
    }
}
