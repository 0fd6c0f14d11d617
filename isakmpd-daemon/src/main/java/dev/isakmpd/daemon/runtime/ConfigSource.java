package dev.isakmpd.daemon.runtime;

import dev.isakmpd.daemon.config.ConfigException;
import dev.isakmpd.daemon.config.DaemonConfig;
import java.util.List;

/** Where a reload reads the configuration from: the file the daemon was started with. */
@FunctionalInterface
public interface ConfigSource {
    /** A daemon started from a configuration in memory (the demo, tests) has nothing to re-read. */
    ConfigSource NONE = () -> {
        throw new ConfigException(List.of("this daemon was not started from a configuration file"));
    };

    DaemonConfig load() throws ConfigException;
}
