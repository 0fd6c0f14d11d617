package dev.isakmpd.daemon.systemd;

import dev.isakmpd.daemon.runtime.Notifier;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sd_notify(3) for Type=notify units: READY=1, STOPPING=1 and, when the unit sets WatchdogSec,
 * WATCHDOG=1 at half of WATCHDOG_USEC, as sd_watchdog_enabled(3) advises.
 */
public final class SystemdNotifier implements Notifier {
    private static final Logger LOG = LoggerFactory.getLogger("isakmpd.daemon");

    private final UnixDatagram socket;
    private final String path;
    private final Optional<Duration> watchdogInterval;
    /** The first ping goes out at once. */
    private Instant nextPing = Instant.EPOCH;

    private SystemdNotifier(UnixDatagram socket, String path, Optional<Duration> watchdogInterval) {
        this.socket = socket;
        this.path = path;
        this.watchdogInterval = watchdogInterval;
    }

    /** The notifier systemd asks for through the environment, or a silent one outside systemd. */
    public static Notifier fromEnvironment(Map<String, String> env) {
        String path = env.get("NOTIFY_SOCKET");
        if (path == null || path.isEmpty()) {
            return Notifier.NONE;
        }
        Optional<Duration> watchdog = Optional.empty();
        String usec = env.get("WATCHDOG_USEC");
        String pid = env.get("WATCHDOG_PID");
        if (usec != null && (pid == null || pid.equals(Long.toString(ProcessHandle.current().pid())))) {
            try {
                watchdog = Optional.of(Duration.ofNanos(Long.parseLong(usec) * 1000 / 2));
            } catch (NumberFormatException e) {
                LOG.warn("ignoring WATCHDOG_USEC={}: not a number", usec);
            }
        }
        try {
            return new SystemdNotifier(UnixDatagram.open(), path, watchdog);
        } catch (IOException e) {
            LOG.warn("cannot notify systemd at {}: {}", path, e.getMessage());
            return Notifier.NONE;
        }
    }

    @Override
    public void ready() {
        send("READY=1\nSTATUS=negotiating");
    }

    @Override
    public void stopping() {
        send("STOPPING=1");
    }

    @Override
    public Optional<Instant> nextPing() {
        return watchdogInterval.map(i -> nextPing);
    }

    @Override
    public void pingIfDue(Instant now) {
        if (watchdogInterval.isPresent() && !now.isBefore(nextPing)) {
            send("WATCHDOG=1");
            nextPing = now.plus(watchdogInterval.get());
        }
    }

    private void send(String state) {
        try {
            socket.send(path, state);
        } catch (IOException e) {
            LOG.warn("cannot notify systemd ({}): {}", state.lines().findFirst().orElse(state), e.getMessage());
        }
    }
}
