package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.exchange.Action;
import dev.isakmpd.core.ha.HaRecord;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TEST ONLY (issue 15 "Crash at the worst moments", the kernel lab's HaFailoverIT): halts the
 * daemon right after the datagram carrying QM2 as responder, or QM3 as initiator, left its socket,
 * as a SIGKILL would: no Delete, no kernel clean-up, no shutdown hook. Armed by the control
 * socket's {@code {"command":"test-crash","after":"qm2"|"qm3"}}, which the daemon refuses unless
 * the JVM was started with {@code -Disakmpd.test-hooks=true}; no configuration file can turn it on.
 *
 * <p>How it finds the moment: with [ha] on, QM2 and QM3 wait for the standby's ack of their IPsec
 * SA pair record (docs/architecture.md "HA: the engine side"): QM2 for the pending pair's, QM3 for
 * the initiator's pair. So the hook takes the id of the next such synchronous record and halts
 * once the engine's answer to its ack, which sends the held message, has been carried out. A
 * message the engine released without the ack (degraded: the ack timed out) does not trigger it;
 * the hook then waits for the next one. All calls come on the event loop's thread.
 */
final class CrashHook {
    /** The JVM system property that lets the control socket arm the hook. */
    static final String PROPERTY = "isakmpd.test-hooks";

    private static final Logger LOG = LoggerFactory.getLogger("isakmpd.daemon");

    /** The message after which the daemon dies. */
    enum Moment {
        /** QM2, sent as Quick Mode responder: the peer may send on the new pair before we see QM3. */
        QM2,
        /** QM3, sent as Quick Mode initiator: the peer sends on the new pair once it has it. */
        QM3;

        /** "qm2" or "qm3", as the control command names it; empty for anything else. */
        static Optional<Moment> named(String s) {
            for (Moment m : values()) {
                if (m.name().toLowerCase(Locale.ROOT).equals(s)) {
                    return Optional.of(m);
                }
            }
            return Optional.empty();
        }
    }

    private final Runnable halt;
    private Moment armed;
    /** The id of the armed message's guard record, once the engine emitted it; 0 before. */
    private long record;
    private boolean due;

    /** @param halt what dying is: {@link #halting()} in the daemon, a flag in tests */
    CrashHook(Runnable halt) {
        this.halt = halt;
    }

    /** Whether this JVM was started with the test hooks on. */
    static boolean enabled() {
        return Boolean.getBoolean(PROPERTY);
    }

    /** The daemon's hook: Runtime.halt, the exit status a SIGKILL gives a shell (128 + 9). */
    static CrashHook halting() {
        return new CrashHook(() -> Runtime.getRuntime().halt(137));
    }

    /**
     * Why the control socket refuses {@code test-crash} with {@code after}; empty when it may arm
     * the hook.
     *
     * @param enabled whether this JVM runs with the test hooks on ({@link #enabled()})
     * @param ha whether [ha] is on: the hook finds QM2 and QM3 by their replication
     */
    static Optional<String> refusal(boolean enabled, boolean ha, String after) {
        if (!enabled) {
            return Optional.of("test-crash is a test hook: refused unless the daemon runs with -D" + PROPERTY
                    + "=true");
        }
        if (!ha) {
            return Optional.of("test-crash needs [ha]: it finds QM2 and QM3 by their replication");
        }
        return Moment.named(after).isPresent() ? Optional.empty()
                : Optional.of("test-crash needs \"after\": \"qm2\" or \"qm3\"");
    }

    /** Dies after the next {@code moment}; replaces what was armed before. */
    void arm(Moment moment) {
        armed = moment;
        record = 0;
        due = false;
        LOG.warn("TEST HOOK armed: this daemon halts right after it sends the next {} ({})", moment,
                moment == Moment.QM2 ? "as Quick Mode responder" : "as Quick Mode initiator");
    }

    /** A record the engine hands to the sync link. */
    void replicating(Action.Replicate r) {
        if (armed != null && record == 0 && r.sync() && r.record() instanceof HaRecord.IpsecPair p
                && (armed == Moment.QM2 ? p.pending() : p.initiator() && !p.pending())) {
            record = r.id();
        }
    }

    /**
     * The engine's answer to the standby's ack of record {@code id}, before it is carried out:
     * returned as it is. The hook is due when this sends the armed message.
     */
    List<Action> acknowledged(long id, List<Action> actions) {
        if (armed == null || id != record) {
            return actions;
        }
        if (actions.stream().anyMatch(Action.Send.class::isInstance)) {
            due = true;
        } else {
            LOG.warn("TEST HOOK: the {} went out before the standby's ack (degraded); waiting for the next", armed);
            record = 0;
        }
        return actions;
    }

    /** After the answer to an ack was carried out: dies if it sent the armed message. */
    void haltIfDue() {
        if (due) {
            LOG.error("TEST HOOK: halting right after sending {}, as a node dies (no Delete, no clean-up)", armed);
            armed = null;
            due = false;
            halt.run();
        }
    }
}
