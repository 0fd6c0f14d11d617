package dev.isakmpd.core.pki;

import dev.isakmpd.core.registry.NotifyType;

/** A peer's certificate that we do not accept, with the notify to answer it with (RFC 2408 s5.9). */
public final class CertificateRejected extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient NotifyType notifyType;

    public CertificateRejected(NotifyType notifyType, String message) {
        super(message);
        this.notifyType = notifyType;
    }

    public NotifyType notifyType() {
        return notifyType;
    }
}
