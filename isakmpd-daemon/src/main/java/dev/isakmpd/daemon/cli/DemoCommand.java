package dev.isakmpd.daemon.cli;

import dev.isakmpd.core.exchange.IsakmpSaInfo;
import dev.isakmpd.core.kernel.InMemoryKernel;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.daemon.Endpoints;
import dev.isakmpd.daemon.config.ConfigException;
import dev.isakmpd.daemon.config.ConfigLoader;
import dev.isakmpd.daemon.config.DaemonConfig;
import dev.isakmpd.daemon.config.Durations;
import dev.isakmpd.daemon.runtime.Daemon;
import dev.isakmpd.daemon.runtime.DaemonStatus;
import dev.isakmpd.daemon.runtime.SaPairing;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code isakmpd demo}: two daemons in one process (the built-in demo-a.toml and demo-b.toml,
 * 127.0.0.1:15000 and 127.0.0.2:15000, in-memory kernels) negotiate Main Mode and Quick Mode
 * with PFS, show their SAs, check that they pair up, and shut down with Deletes.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run two daemons in this process until they share an ESP tunnel, show it, shut down.")
public final class DemoCommand implements Callable<Integer> {
    private static final Duration NEGOTIATION_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    @Spec
    private CommandSpec spec;

    @Mixin
    private LogLevelOption logLevel;

    @Override
    public Integer call() throws ConfigException, InterruptedException {
        logLevel.apply();
        try {
            return demo(spec.commandLine().getOut());
        } catch (IOException e) {
            spec.commandLine().getErr().println("demo: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return ExitCodes.FAILURE;
        }
    }

    private int demo(PrintWriter out) throws IOException, ConfigException, InterruptedException {
        DaemonConfig configA = builtIn("demo-a.toml");
        DaemonConfig configB = builtIn("demo-b.toml");
        // The responder first, so that the initiator's first message finds it listening.
        Daemon b = Daemon.start(configB, new InMemoryKernel(), "demo-b");
        Daemon a;
        try {
            a = Daemon.start(configA, new InMemoryKernel(), "demo-a");
        } catch (IOException | RuntimeException e) {
            b.stop(STOP_TIMEOUT);
            throw e;
        }
        int rc = ExitCodes.OK;
        if (!waitFor(() -> complete(a.status()) && complete(b.status()), NEGOTIATION_TIMEOUT)) {
            out.println("demo: no ISAKMP SA and ESP SA pair on both sides within " + NEGOTIATION_TIMEOUT.toSeconds()
                    + " s");
            rc = ExitCodes.FAILURE;
        } else {
            show(out, "demo-a", a.status());
            show(out, "demo-b", b.status());
            List<String> problems = SaPairing.mismatches("demo-a", a.status().table(), "demo-b", b.status().table());
            problems.forEach(p -> out.println("MISMATCH " + p));
            if (problems.isEmpty()) {
                out.println("SPIs, algorithms and key fingerprints pair up: each side's outbound SA is the other's inbound SA.");
            } else {
                rc = ExitCodes.FAILURE;
            }
        }
        out.println();
        out.println("Stopping demo-a: it deletes its SAs and tells demo-b with Delete payloads.");
        out.flush();
        a.stop(STOP_TIMEOUT);
        if (rc == ExitCodes.OK) {
            boolean deleted = waitFor(() -> b.status().esp().isEmpty(), STOP_TIMEOUT);
            out.println(deleted ? "demo-b removed its ESP SAs on demo-a's Delete."
                    : "demo-b still holds ESP SAs " + STOP_TIMEOUT.toSeconds() + " s after demo-a's Delete.");
        }
        b.stop(STOP_TIMEOUT);
        out.println("Both daemons stopped.");
        out.flush();
        return rc;
    }

    private static DaemonConfig builtIn(String name) throws IOException, ConfigException {
        try (InputStream in = DemoCommand.class.getResourceAsStream("/dev/isakmpd/daemon/demo/" + name)) {
            if (in == null) {
                throw new IOException("built-in demo configuration " + name + " is missing from the jar");
            }
            return ConfigLoader.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), name + " (built in)",
                    Path.of("."));
        }
    }

    private static boolean complete(DaemonStatus s) {
        return !s.isakmp().isEmpty()
                && s.esp().stream().anyMatch(e -> e.direction() == IpsecSa.Direction.IN)
                && s.esp().stream().anyMatch(e -> e.direction() == IpsecSa.Direction.OUT);
    }

    private static boolean waitFor(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    private static void show(PrintWriter out, String name, DaemonStatus s) {
        out.println();
        out.println("=== " + name + " ===");
        for (IsakmpSaInfo sa : s.isakmp()) {
            out.printf("ISAKMP SA with %s: %s, %s <-> %s, %s%n", sa.peer(), sa.role().name().toLowerCase(),
                    Endpoints.format(sa.local()), Endpoints.format(sa.remote()), sa.state());
            out.printf("    cookies   CKY-I=%s CKY-R=%s%n", sa.initiatorCookie(), sa.responderCookie());
            out.printf("    proposal  %s, lifetime %s%n", sa.proposal(), Durations.format(sa.lifetime()));
        }
        out.println("IPsec SAs (in-memory kernel):");
        for (IpsecSa sa : s.esp()) {
            out.printf("    %s/%s %s%n", sa.peer(), sa.tunnel(), sa.describe());
        }
    }
}
