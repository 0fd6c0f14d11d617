package dev.isakmpd.core.exchange;

import dev.isakmpd.core.sa.IpsecSa;

/** What the engine asks its runtime to do; the engine itself performs no I/O. */
public sealed interface Action {

    /** Send a datagram (the local address says which socket). */
    record Send(Datagram datagram) implements Action {
    }

    /** Install an SA in the kernel (SADB_UPDATE for inbound SAs reserved by GETSPI, SADB_ADD outbound). */
    record InstallSa(IpsecSa sa) implements Action {
    }

    /** Remove an SA from the kernel. */
    record DeleteSa(IpsecSa sa) implements Action {
    }

    /** A log line. INFO: one per protocol event; DEBUG: packet dumps. Never carries secrets. */
    record Log(Level level, String message) implements Action {
    }

    enum Level { DEBUG, INFO, WARN, ERROR }
}
