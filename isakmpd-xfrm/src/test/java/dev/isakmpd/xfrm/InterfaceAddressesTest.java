package dev.isakmpd.xfrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The rtnetlink messages of {@link InterfaceAddresses}, byte by byte (rtnetlink(7), linux/if_addr.h). */
class InterfaceAddressesTest {
    @Test
    void anIpv4HostAddressIsAnIfaddrmsgWithLocalAndAddress() throws Exception {
        byte[] m = InterfaceAddresses.message(InterfaceAddresses.RTM_NEWADDR, 0x605, 1,
                InetAddress.getByName("10.3.0.1"));
        ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.nativeOrder());
        assertEquals(40, m.length);
        assertEquals(40, b.getInt(0));
        assertEquals(20, b.getShort(4));
        assertEquals(0x605, b.getShort(6));
        // ifaddrmsg: AF_INET, /32, no flags, scope universe, ifindex 1
        assertEquals("02200000", HexFormat.of().formatHex(m, 16, 20));
        assertEquals(1, b.getInt(20));
        // IFA_LOCAL then IFA_ADDRESS, 8 bytes each
        assertEquals(8, b.getShort(24));
        assertEquals(2, b.getShort(26));
        assertEquals("0a030001", HexFormat.of().formatHex(m, 28, 32));
        assertEquals(8, b.getShort(32));
        assertEquals(1, b.getShort(34));
        assertEquals("0a030001", HexFormat.of().formatHex(m, 36, 40));
    }

    @Test
    void anIpv6HostAddressIsA128WithoutDuplicateDetection() throws Exception {
        byte[] m = InterfaceAddresses.message(InterfaceAddresses.RTM_DELADDR, 5, 3,
                InetAddress.getByName("2001:db8::7"));
        assertEquals(16 + 8 + 2 * 20, m.length);
        assertEquals("0a800200", HexFormat.of().formatHex(m, 16, 20));
    }

    @Test
    void theAckCarriesTheNegatedErrno() throws Exception {
        byte[] ack = ByteBuffer.allocate(36).order(ByteOrder.nativeOrder()).putInt(36)
                .putShort((short) InterfaceAddresses.NLMSG_ERROR).putShort((short) 0).putInt(1).putInt(0)
                .putInt(-InterfaceAddresses.EEXIST).array();
        assertEquals(InterfaceAddresses.EEXIST, InterfaceAddresses.ackError(ack, ack.length));
        ByteBuffer.wrap(ack).order(ByteOrder.nativeOrder()).putInt(16, 0);
        assertEquals(0, InterfaceAddresses.ackError(ack, ack.length));
        assertThrows(XfrmException.class, () -> InterfaceAddresses.ackError(ack, 12));
    }
}
