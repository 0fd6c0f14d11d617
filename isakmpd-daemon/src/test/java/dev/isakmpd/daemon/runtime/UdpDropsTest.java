package dev.isakmpd.daemon.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isakmpd.core.exchange.Datagram;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kernel drop counters of our sockets, and bursts drained in batches (issue 11: lost Deletes). */
class UdpDropsTest {
    @TempDir
    Path dir;

    @Test
    void kernelFormOfAnEndpointAsProcNetUdpWritesIt() {
        assertEquals("0100007F:01F4", UdpDrops.kernelForm(new InetSocketAddress("127.0.0.1", 500)));
        assertEquals("B80D0120000000000000000001000000:1194",
                UdpDrops.kernelForm(new InetSocketAddress("2001:db8::1", 4500)));
    }

    @Test
    void dropsOfOurSocketsAreSummedOthersIgnored() throws Exception {
        Files.writeString(dir.resolve("udp"), String.join("\n",
                "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref "
                        + "pointer drops",
                "  1: 0100007F:01F4 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1 2 "
                        + "0000000000000000 17",
                "  2: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 3 2 "
                        + "0000000000000000 99"));
        UdpDrops drops = new UdpDrops(List.of(new InetSocketAddress("127.0.0.1", 500)), dir);
        assertEquals(17, drops.total(), "only 127.0.0.1:500; no udp6 file is not an error");
    }

    @Test
    void aBurstIsReceivedWhole() throws Exception {
        InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (DatagramSocket probe = new DatagramSocket(at)) {
            at = new InetSocketAddress(InetAddress.getLoopbackAddress(), probe.getLocalPort());
        }
        try (UdpTransport t = UdpTransport.bind(List.of(at)); DatagramSocket sender = new DatagramSocket()) {
            for (int i = 0; i < 2000; i++) {
                byte[] b = {(byte) (i >> 8), (byte) i};
                sender.send(new DatagramPacket(b, b.length, at));
            }
            List<Datagram> got = new ArrayList<>();
            for (int turns = 0; turns < 200 && got.size() < 2000; turns++) {
                t.poll(100, got::add);
            }
            assertEquals(2000, got.size(), "2000 datagrams sent at once, none lost");
        }
    }
}
