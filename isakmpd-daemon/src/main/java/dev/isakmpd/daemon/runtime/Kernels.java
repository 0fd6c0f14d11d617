package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.kernel.InMemoryKernel;
import dev.isakmpd.core.kernel.Kernel;
import dev.isakmpd.daemon.config.ConfigException;
import dev.isakmpd.daemon.config.DaemonConfig;
import java.util.List;

/** Opens the kernel back-end that the configuration names. */
public final class Kernels {
    private Kernels() {
    }

    public static Kernel open(DaemonConfig config) throws ConfigException {
        return switch (config.kernel()) {
            case MEMORY -> new InMemoryKernel();
            case PFKEY -> throw new ConfigException(List.of(config.source()
                    + ": daemon.kernel: \"pfkey\" is not implemented yet; set kernel = \"memory\" to run with an"
                    + " in-memory SA table (nothing reaches the IP stack)"));
        };
    }
}
