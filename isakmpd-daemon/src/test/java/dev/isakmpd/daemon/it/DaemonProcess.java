package dev.isakmpd.daemon.it;

import dev.isakmpd.daemon.runtime.StatusFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** An isakmpd started as "java -jar target/isakmpd.jar run", its output in a file. */
final class DaemonProcess implements AutoCloseable {
    static final Path JAR = Path.of("target", "isakmpd.jar");

    final String name;
    final Path log;
    final Path status;
    private final Process process;

    private DaemonProcess(String name, Process process, Path log, Path status) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.status = status;
    }

    static DaemonProcess start(String name, Path config, Path status) throws IOException {
        return start(name, config, status, Map.of());
    }

    /** With {@code env} added to the environment (NOTIFY_SOCKET ...) and {@code args} to the command line. */
    static DaemonProcess start(String name, Path config, Path status, Map<String, String> env, String... args)
            throws IOException {
        Path log = config.resolveSibling(name + ".log");
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(), "run",
                "--config", config.toString(), "--foreground"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return new DaemonProcess(name, pb.start(), log, status);
    }

    StatusFile.Table table() throws IOException {
        try {
            return StatusFile.read(status);
        } catch (NoSuchFileException e) {
            return new StatusFile.Table(List.of(), List.of());
        }
    }

    /** Polls the status file until {@code condition} holds; false after {@code timeout}. */
    boolean awaitStatus(Predicate<StatusFile.Table> condition, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                return condition.test(table());
            }
            if (condition.test(table())) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    String output() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** SIGKILL: a crash, no Deletes sent. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, then the exit code (-1 if it did not exit within the timeout). */
    int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
