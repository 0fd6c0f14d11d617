package dev.isakmpd.xfrm;

import dev.isakmpd.core.kernel.KernelException;

/** The kernel refused an XFRM request (a negative errno in NLMSG_ERROR, or a failing send); says which and why. */
public final class XfrmException extends KernelException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public XfrmException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public XfrmException(String message, Throwable cause) {
        super(message, cause);
        this.errno = 0;
    }

    /** The errno (positive) the kernel answered with; 0 when the failure was not an errno (timeout). */
    public int errno() {
        return errno;
    }
}
