package dev.isakmpd.daemon.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bind errors say what usually causes them. */
class UdpTransportTest {
    @Test
    void aPortInUseNamesTheUsualHolders() throws Exception {
        try (DatagramSocket other = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            InetSocketAddress taken = new InetSocketAddress("127.0.0.1", other.getLocalPort());
            IOException e = assertThrows(IOException.class, () -> UdpTransport.bind(List.of(taken)));
            assertTrue(e.getMessage().startsWith("cannot bind UDP 127.0.0.1:" + taken.getPort()
                    + ": Address already in use (another IKE daemon, such as strongSwan's charon"), e.getMessage());
        }
    }

    @Test
    void anAddressNotOnThisHostIsSaidToBeSo() {
        IOException e = assertThrows(IOException.class,
                () -> UdpTransport.bind(List.of(new InetSocketAddress("192.0.2.77", 15000))));
        assertTrue(e.getMessage().endsWith("(the address is not configured on this host)"), e.getMessage());
    }

    @Test
    void aPrivilegedPortNamesTheCapability() {
        assertEquals(" (port 500 needs root or CAP_NET_BIND_SERVICE)", UdpTransport.hint("Permission denied", 500));
        assertEquals("", UdpTransport.hint("Permission denied", 15000));
        assertEquals("", UdpTransport.hint(null, 500));
    }
}
