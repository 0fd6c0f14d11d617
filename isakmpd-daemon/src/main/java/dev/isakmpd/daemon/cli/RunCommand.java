package dev.isakmpd.daemon.cli;

import dev.isakmpd.core.kernel.Kernel;
import dev.isakmpd.core.kernel.KernelException;
import dev.isakmpd.daemon.config.ConfigException;
import dev.isakmpd.daemon.config.ConfigLoader;
import dev.isakmpd.daemon.config.DaemonConfig;
import dev.isakmpd.daemon.runtime.Daemon;
import dev.isakmpd.daemon.logging.LogSetup;
import dev.isakmpd.daemon.runtime.Kernels;
import dev.isakmpd.daemon.systemd.SystemdNotifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code isakmpd run}: the daemon. SIGTERM or SIGINT shut it down cleanly, telling peers with
 * Deletes; SIGHUP reloads the configuration.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the daemon.")
public final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger("isakmpd.daemon");
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    @Spec
    private CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "configuration file (default: ${DEFAULT-VALUE})")
    private Path config = ConfigLoader.DEFAULT_PATH;

    @Mixin
    private LogLevelOption logLevel;

    @Option(names = "--log-file", paramLabel = "FILE",
            description = "append the log to FILE instead of writing it to stderr")
    private Path logFile;

    @Option(names = "--pcap", paramLabel = "FILE",
            description = "Write every IKE message sent and received, decrypted, to FILE (pcap), and a Wireshark "
                    + "IKEv1 decryption table for a raw capture to FILE.ikev1_decryption_table. Both are new files, "
                    + "mode 600; the table holds keys: keep it secret. isakmpctl pcap stop ends it.")
    private Path pcap;

    @Option(names = {"-f", "--foreground"},
            description = "Stay in the foreground. This is the only mode (a JVM cannot fork itself into the "
                    + "background: use systemd or a shell's &); the flag is accepted so scripts can say so.")
    private boolean foreground;

    @Override
    public Integer call() throws InterruptedException {
        LogSetup.configure(LogSetup.underSystemd(System.getenv()), Optional.ofNullable(logFile));
        logLevel.apply();
        PrintWriter err = spec.commandLine().getErr();
        DaemonConfig c;
        Kernel kernel;
        try {
            c = ConfigLoader.load(config);
        } catch (ConfigException e) {
            e.errors().forEach(err::println);
            err.println("isakmpd: not started: " + e.errors().size() + " configuration error(s)");
            err.flush();
            return ExitCodes.BAD_CONFIG;
        }
        try {
            kernel = Kernels.open(c);
        } catch (KernelException e) {
            err.println("isakmpd: not started: " + e.getMessage());
            err.flush();
            return ExitCodes.FAILURE;
        }
        c.warnings().forEach(w -> LOG.warn("{}", w));
        Daemon daemon;
        try {
            daemon = Daemon.start(c, kernel, "isakmpd", SystemdNotifier.fromEnvironment(System.getenv()),
                    () -> ConfigLoader.load(config), Optional.ofNullable(pcap));
        } catch (IOException e) {
            LOG.error("not started: {}", e.getMessage());
            kernel.close();
            return ExitCodes.FAILURE;
        }
        LOG.info("started with {} ({} peer(s), kernel {})", config, c.peers().size(), c.kernel().configName());
        reloadOnSighup(daemon);
        Thread hook = new Thread(() -> shutDown(daemon), "isakmpd-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        while (!daemon.awaitTermination(Duration.ofHours(1))) {
            // the loop only ends on a signal (the hook stops it) or on a fatal I/O error
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            Thread.currentThread().join(); // a signal is being handled: the hook decides the exit code
        }
        return daemon.failed() ? ExitCodes.FAILURE : ExitCodes.OK;
    }

    /**
     * SIGHUP re-reads the configuration and applies the difference, as isakmpctl reload does,
     * instead of ending the JVM (its default). The outcome is logged by the reload itself.
     */
    @SuppressWarnings("sunapi")
    private static void reloadOnSighup(Daemon daemon) {
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
            LOG.info("SIGHUP: reloading the configuration");
            daemon.reload();
        });
    }

    /**
     * Runs on SIGTERM/SIGINT. It halts with the daemon's own exit code: without that, the JVM
     * would report 143/130 for a shutdown that went exactly as it should.
     */
    private static void shutDown(Daemon daemon) {
        boolean stopped;
        try {
            stopped = daemon.stop(SHUTDOWN_TIMEOUT);
        } catch (InterruptedException e) {
            stopped = false;
        }
        if (!stopped) {
            LOG.error("event loop did not stop within {} s", SHUTDOWN_TIMEOUT.toSeconds());
        } else {
            LOG.info("stopped");
        }
        Runtime.getRuntime().halt(stopped && !daemon.failed() ? ExitCodes.OK : ExitCodes.FAILURE);
    }
}
