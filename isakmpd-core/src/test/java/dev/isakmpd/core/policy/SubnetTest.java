package dev.isakmpd.core.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class SubnetTest {
    @Test
    void parsesPrefixesAndHosts() throws Exception {
        Subnet s = Subnet.parse("10.1.0.0/16");
        assertEquals(16, s.prefixLength());
        assertArrayEquals(new byte[] {(byte) 255, (byte) 255, 0, 0}, s.maskBytes());
        assertTrue(Subnet.parse("198.51.100.7").isHost());
        assertEquals(32, Subnet.parse("2001:db8::/32").prefixLength());
        assertEquals(s, Subnet.fromMask(InetAddress.getByName("10.1.0.0").getAddress(), s.maskBytes()));
    }

    @Test
    void rejectsHostBitsBadMasksAndNames() {
        assertThrows(IllegalArgumentException.class, () -> Subnet.parse("10.1.0.1/16"));
        assertThrows(IllegalArgumentException.class, () -> Subnet.parse("10.1.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> Subnet.parse("gateway.example/24"));
        assertThrows(IllegalArgumentException.class,
                () -> Subnet.fromMask(new byte[] {10, 0, 0, 0}, new byte[] {(byte) 255, 0, (byte) 255, 0}));
    }

    @Test
    void protocolAndPortNarrowASelector() {
        Subnet host = Subnet.parse("198.51.100.7");
        Subnet anyUdp = host.withProtocolPort(Subnet.UDP, 0);
        Subnet l2tp = host.withProtocolPort(Subnet.UDP, 1701);
        assertTrue(host.encloses(l2tp));
        assertTrue(anyUdp.encloses(l2tp));
        assertFalse(l2tp.encloses(anyUdp));
        assertFalse(l2tp.encloses(host));
        assertFalse(host.withProtocolPort(Subnet.TCP, 0).overlaps(l2tp));
        assertFalse(host.withProtocolPort(Subnet.UDP, 500).overlaps(l2tp));
        assertTrue(anyUdp.overlaps(l2tp));
        assertEquals("198.51.100.7/32[udp/%any]", anyUdp.toString());
        assertEquals(host, l2tp.addressesOnly());
    }

    @Test
    void parsesProtocolPortAsLeftprotoport() {
        assertArrayEquals(new int[] {17, 1701}, Subnet.parseProtocolPort("udp/1701"));
        assertArrayEquals(new int[] {17, 1701}, Subnet.parseProtocolPort("17/1701"));
        assertArrayEquals(new int[] {17, 0}, Subnet.parseProtocolPort("udp/%any"));
        assertArrayEquals(new int[] {6, 0}, Subnet.parseProtocolPort("tcp"));
        assertThrows(IllegalArgumentException.class, () -> Subnet.parseProtocolPort("udp/0"));
        assertThrows(IllegalArgumentException.class, () -> Subnet.parseProtocolPort("udp/65536"));
        assertThrows(IllegalArgumentException.class, () -> Subnet.parseProtocolPort("l2tp/1701"));
        assertThrows(IllegalArgumentException.class, () -> Subnet.parse("10.0.0.1").withProtocolPort(0, 1701));
    }

    @Test
    void endpointsTakeDefaultPorts() {
        assertEquals(500, Addresses.parseEndpoint("127.0.0.2", 500).getPort());
        assertEquals(4500, Addresses.parseEndpoint("[::1]:4500", 500).getPort());
        assertEquals(15000, Addresses.parseEndpoint("127.0.0.1:15000", 500).getPort());
        assertThrows(IllegalArgumentException.class, () -> Addresses.parseEndpoint("127.0.0.1:0", 500));
    }
}
