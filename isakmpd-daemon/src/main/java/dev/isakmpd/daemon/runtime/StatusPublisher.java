package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.exchange.IsakmpSaInfo;
import dev.isakmpd.core.kernel.Kernel;
import dev.isakmpd.core.kernel.KernelException;
import dev.isakmpd.core.sa.IpsecSa;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the SA table after each batch of actions: to other threads (the demo) and, when
 * configured, to the status file, which is rewritten only when its text would change.
 */
final class StatusPublisher {
    private static final Logger LOG = LoggerFactory.getLogger("isakmpd.status");

    private final Optional<Path> file;
    private final Kernel kernel;
    private volatile DaemonStatus current = DaemonStatus.EMPTY;
    private List<String> written;

    StatusPublisher(Optional<Path> file, Kernel kernel) {
        this.file = file;
        this.kernel = kernel;
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
        current = new DaemonStatus(isakmp, esp);
        if (file.isEmpty()) {
            return;
        }
        StatusFile.Table table = current.table();
        if (table.lines().equals(written)) {
            return;
        }
        try {
            StatusFile.write(file.get(), table);
            written = table.lines();
        } catch (IOException e) {
            LOG.error("cannot write status file {}: {}", file.get(), e.toString());
        }
    }
}
