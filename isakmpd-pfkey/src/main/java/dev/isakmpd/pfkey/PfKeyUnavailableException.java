package dev.isakmpd.pfkey;

import dev.isakmpd.core.kernel.KernelException;

/** PF_KEY cannot be used here at all (no af_key in the kernel, no permission, no JNA). */
public final class PfKeyUnavailableException extends KernelException {
    private static final long serialVersionUID = 1L;

    public PfKeyUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
