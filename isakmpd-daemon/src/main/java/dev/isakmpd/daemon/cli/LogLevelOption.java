package dev.isakmpd.daemon.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** {@code --log-level}: sets the root logger's level over what logback.xml says. */
public final class LogLevelOption {
    /** The levels an operator picks from. */
    public enum LogLevel { ERROR, WARN, INFO, DEBUG, TRACE }

    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "info",
            description = "error, warn, info (default), debug (packet dumps) or trace")
    private LogLevel level;

    void apply() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(level.name()));
    }
}
