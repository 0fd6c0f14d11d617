package dev.isakmpd.xfrm;

import dev.isakmpd.core.kernel.KernelException;

/** XFRM netlink cannot be used here at all (not Linux, no xfrm_user, no permission, no JNA). */
public final class XfrmUnavailableException extends KernelException {
    private static final long serialVersionUID = 1L;

    public XfrmUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
