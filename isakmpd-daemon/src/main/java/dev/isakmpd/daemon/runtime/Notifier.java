package dev.isakmpd.daemon.runtime;

import java.time.Instant;
import java.util.Optional;

/** Tells a service manager how the daemon is doing; the event loop calls it, on its thread. */
public interface Notifier {
    /** Outside systemd: nothing to tell. */
    Notifier NONE = new Notifier() {
    };

    /** Sockets bound, kernel open, policies installed, the loop running. */
    default void ready() {
    }

    default void stopping() {
    }

    /** When the loop must next prove it is alive, if a watchdog is watching. */
    default Optional<Instant> nextPing() {
        return Optional.empty();
    }

    default void pingIfDue(Instant now) {
    }
}
