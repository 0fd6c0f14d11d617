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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
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
    /**
     * The status file's line of each SA listed last time: only new or changed SAs get a line made
     * (issue 11: with 10,000s of SAs, making every line every second cost more than the handshakes).
     * ISAKMP SAs by their listing (a record: equal while nothing shown changed); ESP SAs, immutable
     * records, by instance, with the install time the line shows.
     */
    private Map<IsakmpSaInfo, String> isakmpLines = new HashMap<>();
    private Map<IpsecSa, EspLine> espLines = new IdentityHashMap<>();

    /** {@code key}: {@link DaemonStatus#key} of the SA, made once: thousands of ESP SAs are looked up each second. */
    private record EspLine(String key, Optional<Instant> installed, String line) {
    }

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

    /**
     * {@code status.table().lines()}, made anew only for the SAs that are new or changed since the last call;
     * {@code counted}: the ESP SAs as one comment line with their number.
     */
    private List<String> lines(DaemonStatus status, boolean counted) {
        List<String> lines = new ArrayList<>(status.isakmp().size() + status.esp().size());
        Map<IsakmpSaInfo, String> nextIsakmp = new HashMap<>();
        for (IsakmpSaInfo sa : status.isakmp()) {
            String line = isakmpLines.get(sa);
            if (line == null) {
                line = StatusFile.IsakmpEntry.of(sa).line();
            }
            nextIsakmp.put(sa, line);
            lines.add(line);
        }
        isakmpLines = nextIsakmp;
        if (counted) {
            lines.add("# HA standby: " + status.esp().size() + " ESP SA(s) in the kernel, the inbound SAs of the"
                    + " active's IPsec SA pairs; isakmpctl list-sas lists them");
            return lines;
        }
        Map<IpsecSa, EspLine> nextEsp = new IdentityHashMap<>();
        for (IpsecSa sa : status.esp()) {
            EspLine line = espLines.get(sa);
            String key = line == null ? DaemonStatus.key(sa) : line.key();
            Optional<Instant> installed = Optional.ofNullable(status.installed().get(key));
            if (line == null || !line.installed().equals(installed)) {
                line = new EspLine(key, installed, StatusFile.EspEntry.of(sa, installed).line());
            }
            nextEsp.put(sa, line);
            lines.add(line.line());
        }
        espLines = nextEsp;
        return lines;
    }

    /**
     * Lists the kernel's SAs for {@link #current} and rewrites the file if its text changed.
     * {@code counted}: the file shows the ESP SAs as a count, not a line each. For an HA standby,
     * whose kernel holds an inbound SA per pair of the active, changing with every handshake: its
     * file is read by no script, and rewriting every SA's line once a second was a third of its
     * event loop's time under load (docs/ha.md). isakmpctl list-sas and status still list them.
     */
    void refresh(List<IsakmpSaInfo> isakmp, boolean counted) {
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
        List<String> lines = lines(current, counted);
        if (lines.equals(written)) {
            return;
        }
        try {
            StatusFile.write(file.get(), lines, clock.instant());
            written = lines;
        } catch (IOException e) {
            LOG.error("cannot write status file {}: {}", file.get(), e.toString());
        }
    }
}
