package dev.isakmpd.core.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void endpointsTakeDefaultPorts() {
        assertEquals(500, Addresses.parseEndpoint("127.0.0.2", 500).getPort());
        assertEquals(4500, Addresses.parseEndpoint("[::1]:4500", 500).getPort());
        assertEquals(15000, Addresses.parseEndpoint("127.0.0.1:15000", 500).getPort());
        assertThrows(IllegalArgumentException.class, () -> Addresses.parseEndpoint("127.0.0.1:0", 500));
    }
}
