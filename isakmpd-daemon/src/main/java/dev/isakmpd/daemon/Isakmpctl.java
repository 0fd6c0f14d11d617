package dev.isakmpd.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.isakmpd.daemon.config.ControlSocket;
import dev.isakmpd.daemon.control.ControlClient;
import dev.isakmpd.daemon.control.ControlProtocol;
import dev.isakmpd.daemon.cli.CtlOutput;
import dev.isakmpd.daemon.cli.HashPasswordCommand;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code isakmpctl}: asks a running isakmpd over its control socket. Listings print tables, or
 * the daemon's JSON with {@code --json}; an error is one line on stderr and exit code 1.
 */
@Command(name = "isakmpctl", mixinStandardHelpOptions = true, version = "isakmpd-java 0.1.0",
        description = "Control a running isakmpd through its control socket.",
        subcommands = {Isakmpctl.Status.class, Isakmpctl.ListSas.class, Isakmpctl.ListConns.class,
            Isakmpctl.Stats.class, Isakmpctl.Up.class, Isakmpctl.Down.class, Isakmpctl.Rekey.class,
            Isakmpctl.Reload.class, Isakmpctl.LogLevel.class, Isakmpctl.Pcap.class,
            HashPasswordCommand.class, CommandLine.HelpCommand.class})
public final class Isakmpctl implements Runnable {
    static final int OK = 0;
    static final int FAILED = 1;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = {"-s", "--socket"}, paramLabel = "PATH", description = "control socket (default: ${DEFAULT-VALUE})")
    private Path socket = ControlSocket.DEFAULT_PATH;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return new CommandLine(new Isakmpctl());
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "a command is required: status, list-sas, list-conns, stats, up, down, reload, log-level, pcap"
                        + " or hash-password");
    }

    /** Sends one request; prints the result with {@code print}, or the error as one line. */
    int call(CommandLine cl, String request, boolean json, java.util.function.BiConsumer<JsonNode, PrintWriter> print) {
        PrintWriter out = cl.getOut();
        PrintWriter err = cl.getErr();
        try {
            JsonNode result = ControlClient.call(socket, request);
            if (json) {
                out.println(result.toString());
            } else {
                print.accept(result, out);
            }
            out.flush();
            return OK;
        } catch (ControlClient.Failure e) {
            err.println("isakmpctl: " + e.getMessage());
            err.flush();
            return FAILED;
        }
    }

    /** A listing: tables by default, JSON with --json. */
    abstract static class Listing implements Callable<Integer> {
        @ParentCommand
        Isakmpctl parent;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--json", description = "print the daemon's JSON reply (one line) instead of a table")
        boolean json;

        abstract String command();

        abstract void print(JsonNode result, PrintWriter out);

        @Override
        public Integer call() {
            return parent.call(spec.commandLine(), ControlProtocol.request(command()), json, this::print);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Daemon uptime, SA counts, half-open Main Modes.")
    static final class Status extends Listing {
        String command() {
            return "status";
        }

        void print(JsonNode r, PrintWriter out) {
            CtlOutput.status(r, out);
        }
    }

    @Command(name = "list-sas", mixinStandardHelpOptions = true,
            description = "ISAKMP and IPsec SAs: age, remaining lifetime, selectors, algorithms, key fingerprints.")
    static final class ListSas extends Listing {
        String command() {
            return "list-sas";
        }

        void print(JsonNode r, PrintWriter out) {
            CtlOutput.sas(r, out);
        }
    }

    @Command(name = "list-conns", mixinStandardHelpOptions = true,
            description = "Configured peers and tunnels, whether they are up, keying tries and restart actions.")
    static final class ListConns extends Listing {
        String command() {
            return "list-conns";
        }

        void print(JsonNode r, PrintWriter out) {
            CtlOutput.conns(r, out);
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = "Counters: handshakes by outcome, retransmissions, drops by cause, half-open Main Modes.")
    static final class Stats extends Listing {
        String command() {
            return "stats";
        }

        void print(JsonNode r, PrintWriter out) {
            CtlOutput.stats(r, out);
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Negotiate the peer's tunnels that are not up, and keep them up (keying-tries).")
    static final class Up implements Callable<Integer> {
        @ParentCommand
        Isakmpctl parent;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(paramLabel = "PEER")
        String peer;

        @Override
        public Integer call() {
            return parent.call(spec.commandLine(), ControlProtocol.request("up", "peer", peer), false,
                    (r, out) -> out.println(r.path("message").asText()));
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Delete the peer's SAs (telling it with Deletes); it stays down until up.")
    static final class Down implements Callable<Integer> {
        @ParentCommand
        Isakmpctl parent;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(paramLabel = "PEER")
        String peer;

        @Override
        public Integer call() {
            return parent.call(spec.commandLine(), ControlProtocol.request("down", "peer", peer), false,
                    (r, out) -> out.println(r.path("message").asText()));
        }
    }

    @Command(name = "rekey", mixinStandardHelpOptions = true,
            description = "Negotiate new IPsec SAs for the peer's tunnel (or all its tunnels) now; the old ones are "
                    + "deleted once the new ones are up, so no packet is lost.")
    static final class Rekey implements Callable<Integer> {
        @ParentCommand
        Isakmpctl parent;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0", paramLabel = "PEER")
        String peer;
        @Parameters(index = "1", arity = "0..1", paramLabel = "TUNNEL", description = "default: every tunnel")
        String tunnel;
        @CommandLine.Option(names = "--isakmp", description = "a new ISAKMP SA (Main Mode) first, which replaces the "
                + "current one")
        boolean isakmp;

        @Override
        public Integer call() {
            return parent.call(spec.commandLine(), ControlProtocol.request("rekey", "peer", peer, "tunnel", tunnel,
                    "isakmp", isakmp ? "true" : null), false, (r, out) -> out.println(r.path("message").asText()));
        }
    }

    @Command(name = "reload", mixinStandardHelpOptions = true,
            description = "Re-read the configuration and apply the difference: unchanged peers and tunnels keep "
                    + "their SAs. A configuration with any error is refused whole.")
    static final class Reload implements Callable<Integer> {
        @ParentCommand
        Isakmpctl parent;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return parent.call(spec.commandLine(), ControlProtocol.request("reload"), false,
                    (r, out) -> out.println(r.path("message").asText()));
        }
    }

    @Command(name = "log-level", mixinStandardHelpOptions = true,
            description = "Set the log level at run time, of every component or of one: ike, net, kernel, daemon, "
                    + "control, status.")
    static final class LogLevel implements Callable<Integer> {
        @ParentCommand
        Isakmpctl parent;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0", paramLabel = "LEVEL", description = "error, warn, info, debug or trace")
        String level;
        @Parameters(index = "1", arity = "0..1", paramLabel = "COMPONENT")
        String component;

        @Override
        public Integer call() {
            return parent.call(spec.commandLine(), ControlProtocol.request("log-level", "level", level, "component",
                    component), false, (r, out) -> out.println(r.path("logger").asText() + ": "
                            + r.path("level").asText()));
        }
    }

    @Command(name = "pcap", mixinStandardHelpOptions = true,
            description = "Start or stop a decrypted capture (as OpenBSD isakmpd's -L).",
            subcommands = {PcapStart.class, PcapStop.class})
    static final class Pcap implements Runnable {
        @ParentCommand
        Isakmpctl parent;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            throw new CommandLine.ParameterException(spec.commandLine(), "pcap needs start FILE or stop");
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = {"Start a decrypted capture into FILE.",
                "Write every IKE message sent and received, decrypted, to FILE (pcap), and a Wireshark IKEv1 "
                + "decryption table to FILE.ikev1_decryption_table, with which Wireshark decrypts a raw capture "
                + "of the same traffic.",
                "Both files are new (never overwritten) and mode 600, written by the daemon: FILE must be where it "
                + "may write (/var/log/isakmpd under the shipped unit). The table holds keys: keep it secret."})
    static final class PcapStart implements Callable<Integer> {
        @ParentCommand
        Pcap pcap;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() {
            return pcap.parent.call(spec.commandLine(), ControlProtocol.request("pcap-start", "file",
                    file.toAbsolutePath().normalize().toString()), false,
                    (r, out) -> out.println(r.path("message").asText()));
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "End the decrypted capture.")
    static final class PcapStop implements Callable<Integer> {
        @ParentCommand
        Pcap pcap;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return pcap.parent.call(spec.commandLine(), ControlProtocol.request("pcap-stop"), false,
                    (r, out) -> out.println(r.path("message").asText()));
        }
    }
}
