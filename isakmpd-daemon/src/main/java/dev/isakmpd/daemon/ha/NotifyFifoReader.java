package dev.isakmpd.daemon.ha;

import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads keepalived's vrrp_notify_fifo on its own thread and hands each line on. keepalived
 * creates the FIFO and closes it when it reloads or restarts, so the reader waits for it to
 * exist and reopens it at each end of file.
 */
final class NotifyFifoReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("isakmpd.daemon");
    private static final long MISSING_RETRY_MS = 500;
    /** keepalived's lines are short; a longer one is not keepalived's. */
    private static final int MAX_LINE = 1024;

    private final Path fifo;
    private final Consumer<String> lines;
    private final Thread thread;
    private volatile boolean closed;

    NotifyFifoReader(Path fifo, Consumer<String> lines) {
        this.fifo = fifo;
        this.lines = lines;
        this.thread = new Thread(this::run, "isakmpd-vrrp-fifo");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        boolean missingLogged = false;
        boolean notAFifoLogged = false;
        while (!closed) {
            if (!Files.exists(fifo)) {
                if (!missingLogged) {
                    LOG.warn("HA: keepalived's notify FIFO {} does not exist yet; this node stays standby until "
                            + "keepalived creates it and says MASTER", fifo);
                    missingLogged = true;
                }
                sleep();
                continue;
            }
            missingLogged = false;
            if (Files.isRegularFile(fifo) || Files.isDirectory(fifo)) {
                if (!notAFifoLogged) {
                    LOG.error("HA: {} is not a FIFO: keepalived's vrrp_notify_fifo must name it", fifo);
                    notAFifoLogged = true;
                }
                sleep();
                continue;
            }
            notAFifoLogged = false;
            try (BufferedReader r = Files.newBufferedReader(fifo, StandardCharsets.US_ASCII)) {
                for (String line; !closed && (line = r.readLine()) != null;) {
                    if (line.length() > MAX_LINE) {
                        LOG.warn("HA: ignoring a line of {} characters from {}", line.length(), fifo);
                    } else {
                        lines.accept(line);
                    }
                }
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("HA: reading {}: {}", fifo, e.toString());
                    sleep();
                }
            }
        }
    }

    private void sleep() {
        try {
            Thread.sleep(MISSING_RETRY_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /** Stops the thread, which may be blocked opening the FIFO until a writer comes: be that writer once. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        if (thread.isAlive() && Files.exists(fifo)) {
            Thread opener = new Thread(() -> {
                try (FileOutputStream unblock = new FileOutputStream(fifo.toFile(), true)) {
                    unblock.flush();
                } catch (IOException e) {
                    LOG.debug("HA: unblocking the FIFO reader: {}", e.toString());
                }
            }, "isakmpd-vrrp-fifo-close");
            opener.setDaemon(true);
            opener.start();
        }
    }
}
