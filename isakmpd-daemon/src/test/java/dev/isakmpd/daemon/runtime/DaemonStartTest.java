package dev.isakmpd.daemon.runtime;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isakmpd.core.kernel.InMemoryKernel;
import dev.isakmpd.daemon.config.ConfigLoader;
import dev.isakmpd.daemon.config.DaemonConfig;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A start that fails half way gives back what it had already taken. */
class DaemonStartTest {
    @TempDir
    Path dir;

    @Test
    void aControlSocketThatCannotBeBoundReleasesTheMetricsPortAndTheIkeSocket() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        int udp;
        int tcp;
        try (DatagramSocket u = new DatagramSocket(0, lo); ServerSocket t = new ServerSocket(0, 1, lo)) {
            udp = u.getLocalPort();
            tcp = t.getLocalPort();
        }
        // a regular file where the socket's directory should be: the control socket cannot be bound
        Path notADirectory = Files.writeString(dir.resolve("file"), "");
        String text = "[daemon]\nlisten = [\"127.0.0.1:" + udp + "\"]\nkernel = \"memory\"\n"
                + "control-socket = \"" + notADirectory.resolve("ctl.sock") + "\"\n"
                + "metrics = \"127.0.0.1:" + tcp + "\"\n";
        DaemonConfig config = ConfigLoader.parse(text, "test.toml", dir);

        assertThrows(IOException.class, () -> Daemon.start(config, new InMemoryKernel(), "daemon-start-test"));

        // both would throw BindException if the failed start still held them
        try (DatagramSocket u = new DatagramSocket(new InetSocketAddress(lo, udp));
                ServerSocket t = new ServerSocket()) {
            t.bind(new InetSocketAddress(lo, tcp));
        }
    }
}
