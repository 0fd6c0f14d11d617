package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.exchange.IsakmpSaInfo;
import dev.isakmpd.core.kernel.Kernel;
import dev.isakmpd.core.kernel.KernelException;
import dev.isakmpd.core.sa.IpsecSa;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the SA table after each batch of actions: to other threads (the demo, the control
 * socket) and, when configured, to the status file, which is rewritten only when its text would
 * change. The file is written afresh (empty) at start, so that it never shows what a crashed
 * daemon held, and removed at a clean stop.
 */
final class StatusPublisher {
    private static final Logger LOG = LoggerFactory.getLogger("isakmpd.status");

    private final Optional<Path> file;
    private final Kernel kernel;
    private final Function<List<IpsecSa>, Map<String, Instant>> installTimes;
    private final Clock clock;
    private volatile DaemonStatus current = DaemonStatus.EMPTY;
    private List<String> written;

    /** @param installTimes when we installed each of the SAs listed, where known */
    StatusPublisher(Optional<Path> file, Kernel kernel, Function<List<IpsecSa>, Map<String, Instant>> installTimes,
            Clock clock) {
        this.file = file;
        this.kernel = kernel;
        this.installTimes = installTimes;
        this.clock = clock;
    }

    /** Replaces whatever a previous run left with an empty table. */
    void start() throws IOException {
        if (file.isPresent()) {
            try {
                StatusFile.write(file.get(), DaemonStatus.EMPTY.table(), clock.instant());
            } catch (IOException e) {
                throw new IOException("cannot write status file " + file.get() + " (daemon.status-file): " + e, e);
            }
            written = List.of();
        }
    }

    /** At a clean stop: no SAs are held any more, and no file says otherwise. */
    void remove() {
        if (file.isPresent()) {
            try {
                Files.deleteIfExists(file.get());
            } catch (IOException e) {
                LOG.warn("cannot remove status file {}: {}", file.get(), e.toString());
            }
        }
    }

    DaemonStatus current() {
        return current;
    }

    void refresh(List<IsakmpSaInfo> isakmp) {
        List<IpsecSa> esp;
        try {
            esp = kernel.list();
        } catch (KernelException e) {
            LOG.error("cannot list the kernel's SAs: {}", e.getMessage());
            esp = current.esp();
        }
        current = new DaemonStatus(isakmp, esp, installTimes.apply(esp));
        if (file.isEmpty()) {
            return;
        }
        StatusFile.Table table = current.table();
        if (table.lines().equals(written)) {
            return;
        }
        try {
            StatusFile.write(file.get(), table, clock.instant());
            written = table.lines();
        } catch (IOException e) {
            LOG.error("cannot write status file {}: {}", file.get(), e.toString());
        }
    }
}
