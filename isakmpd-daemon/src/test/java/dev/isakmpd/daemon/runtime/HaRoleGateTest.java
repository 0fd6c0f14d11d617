package dev.isakmpd.daemon.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.isakmpd.core.kernel.InMemoryKernel;
import dev.isakmpd.daemon.config.ConfigLoader;
import dev.isakmpd.daemon.config.DaemonConfig;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon in an HA pair initiates its auto=start peer only once keepalived says MASTER: as a
 * standby it sends nothing on its IKE socket.
 */
class HaRoleGateTest {
    @TempDir
    Path dir;

    @Test
    void standbyInitiatesNothingUntilKeepalivedSaysMaster() throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        int ikePort;
        try (DatagramSocket u = new DatagramSocket(0, lo)) {
            ikePort = u.getLocalPort();
        }
        Path fifo = dir.resolve("vrrp.fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        Files.writeString(dir.resolve("ha.key"), "0f3a9c1be4d27a8e5b6c0d1f2e3a4b5c\n");
        try (DatagramChannel peer = DatagramChannel.open().bind(new InetSocketAddress(lo, 0))) {
            peer.configureBlocking(false);
            String text = "[daemon]\nlisten = [\"127.0.0.1:" + ikePort + "\"]\nkernel = \"memory\"\n"
                    + "control-socket = \"off\"\n"
                    + "\n[peers.far]\nlocal = \"127.0.0.1:" + ikePort + "\"\nremote = \"127.0.0.1:"
                    + ((InetSocketAddress) peer.getLocalAddress()).getPort() + "\"\npsk = \"a test secret\"\n"
                    + "ike = [\"aes128-sha256-modp2048\"]\nauto = \"start\"\n"
                    + "\n[peers.far.tunnels.net]\nlocal-subnet = \"10.1.0.0/16\"\nremote-subnet = \"10.2.0.0/16\"\n"
                    + "esp = [\"aes128-sha1\"]\n"
                    + "\n[ha]\nmode = \"active-standby\"\nnode = \"gw-a\"\n"
                    + "sync-link = [\"127.0.0.41:" + free("127.0.0.41") + "\", \"127.0.0.42:7800\"]\n"
                    + "key-file = \"ha.key\"\nkeepalived-fifo = \"vrrp.fifo\"\ntrack-file = \"weight\"\n";
            DaemonConfig config = ConfigLoader.parse(text, "ha.toml", dir);
            Daemon d = Daemon.start(config, new InMemoryKernel(), "ha-gate-test");
            try (FileOutputStream keepalived = new FileOutputStream(fifo.toFile())) {
                say(keepalived, "INSTANCE \"VI_1\" BACKUP 100");
                awaitStatus(d, "ha-last-vrrp", "INSTANCE \"VI_1\" BACKUP 100");
                // The loop applied that line after its start-up step, where an active node initiates:
                // an MM1 would be waiting on the loopback socket by now.
                assertNull(peer.receive(ByteBuffer.allocate(2048)), "a standby sent an IKE datagram");
                assertEquals("standby", d.haStatus().get("ha-role"));

                say(keepalived, "INSTANCE \"VI_1\" MASTER 100");
                assertNotNull(receive(peer), "the new active initiates its auto=start peer");
                Map<String, Object> status = d.haStatus();
                assertEquals("active", status.get("ha-role"));
                assertEquals(1L, status.get("ha-epoch"));
            } finally {
                d.stop(Duration.ofSeconds(10));
            }
        }
    }

    private static void say(FileOutputStream fifo, String line) throws IOException {
        fifo.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        fifo.flush();
    }

    private static void awaitStatus(Daemon d, String key, Object value) throws InterruptedException {
        for (int i = 0; i < 300 && !value.equals(d.haStatus().get(key)); i++) {
            Thread.sleep(50);
        }
        assertEquals(value, d.haStatus().get(key));
    }

    private static ByteBuffer receive(DatagramChannel peer) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(2048);
        for (int i = 0; i < 300; i++) {
            if (peer.receive(b) != null) {
                return b;
            }
            Thread.sleep(50);
        }
        return null;
    }

    private static int free(String address) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(address))) {
            return s.getLocalPort() < 65435 ? s.getLocalPort() : 7800;
        }
    }
}
