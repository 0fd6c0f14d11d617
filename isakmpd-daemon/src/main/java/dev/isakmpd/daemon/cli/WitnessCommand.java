package dev.isakmpd.daemon.cli;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.daemon.config.HaSettings;
import dev.isakmpd.daemon.logging.LogSetup;
import dev.isakmpd.ha.ReplicationChannel;
import dev.isakmpd.ha.SyncLink;
import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code isakmpd ha-witness}: a third member of an HA pair's sync link (issue 15 s6, docs/ha.md).
 * It holds no state; a gateway whose [ha] names it as {@code witness} takes over only while the
 * witness is in the link's view. It needs the pair's key file (the link is encrypted).
 */
@Command(name = "ha-witness", mixinStandardHelpOptions = true,
        description = "Be the witness of an HA pair: a sync-link member that holds no state.")
public final class WitnessCommand implements Callable<Integer> {
    /** As [ha] key-file: the key derivation refuses shorter secrets. */
    private static final int MIN_KEY_BYTES = 16;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--listen", required = true, paramLabel = "ADDRESS[:PORT]",
            description = "this witness's address on the sync link (port 7800 by default; port + 100 is used too)")
    String listen;

    @Option(names = "--key-file", required = true, paramLabel = "FILE", description = "the pair's [ha] key-file")
    Path keyFile;

    @Parameters(arity = "2", paramLabel = "GATEWAY", description = "the two gateways' sync-link ADDRESS[:PORT]")
    List<String> gateways;

    @Override
    public Integer call() throws Exception {
        InetSocketAddress local = endpoint(listen, "--listen");
        List<InetSocketAddress> others = gateways.stream().map(g -> endpoint(g, "GATEWAY")).toList();
        byte[] key = key();
        LogSetup.configure(LogSetup.underSystemd(System.getenv()), Optional.empty());
        ReplicationChannel channel;
        try {
            channel = ReplicationChannel.witness(new SyncLink(local, others, SyncLink.DEFAULT_SNAPSHOT_TIMEOUT), key);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
        channel.connect();
        Runtime.getRuntime().addShutdownHook(new Thread(channel::close, "isakmpd-witness-shutdown"));
        new CountDownLatch(1).await(); // until a signal ends the JVM
        return ExitCodes.OK;
    }

    private InetSocketAddress endpoint(String text, String what) {
        try {
            return Addresses.parseEndpoint(text, HaSettings.DEFAULT_SYNC_PORT);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), what + " " + text + ": " + e.getMessage());
        }
    }

    private byte[] key() throws IOException {
        String line;
        try (BufferedReader r = Files.newBufferedReader(keyFile, StandardCharsets.UTF_8)) {
            line = r.readLine();
        }
        byte[] key = line == null ? new byte[0] : line.getBytes(StandardCharsets.UTF_8);
        if (key.length < MIN_KEY_BYTES) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--key-file " + keyFile + ": its first line "
                    + "holds " + key.length + " bytes, at least " + MIN_KEY_BYTES + " are needed");
        }
        return key;
    }
}
