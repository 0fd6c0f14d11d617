package dev.isakmpd.daemon.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.Addresses;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The layouts of the per-socket bypass policies (xfrm-linux-constants.md, pfkey-linux-constants.md). */
class IkeSocketOptionsTest {
    @Test
    void xfrmBypassIsAZeroedUserpolicyInfoWithFamilyDirAndAllow() {
        byte[] b = IkeSocketOptions.xfrmBypass(IkeSocketOptions.AF_INET6, IkeSocketOptions.XFRM_POLICY_OUT);
        assertEquals(168, b.length);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        assertEquals(10, buf.getShort(40), "sel.family");
        assertEquals(1, b[160], "dir OUT");
        assertEquals(0, b[161], "action ALLOW");
        int nonZero = 0;
        for (byte x : b) {
            nonZero += x != 0 ? 1 : 0;
        }
        assertEquals(2, nonZero);
    }

    @Test
    void pfkeyBypassIsAnSadbXPolicyOfTypeBypass() {
        ByteBuffer b = ByteBuffer.wrap(IkeSocketOptions.pfkeyBypass(IkeSocketOptions.IPSEC_DIR_INBOUND))
                .order(ByteOrder.nativeOrder());
        assertEquals(16, b.capacity());
        assertEquals(2, b.getShort(0), "length in 8-byte units");
        assertEquals(18, b.getShort(2), "SADB_X_EXT_POLICY");
        assertEquals(4, b.getShort(4), "IPSEC_POLICY_BYPASS");
        assertEquals(1, b.get(6), "IPSEC_DIR_INBOUND");
    }

    @Test
    void sockaddrHasTheFamilyInHostOrderAndThePortInNetworkOrder() {
        byte[] v4 = IkeSocketOptions.sockaddr(Addresses.parseEndpoint("192.0.2.1", 4500));
        assertEquals(8, v4.length);
        assertEquals(0x1194, ((v4[2] & 0xff) << 8) | (v4[3] & 0xff));
        assertEquals("c0000201", HexFormat.of().formatHex(v4, 4, 8));
        assertEquals(24, IkeSocketOptions.sockaddr(Addresses.parseEndpoint("2001:db8::1", 500)).length);
    }

    @Test
    void findsTheDescriptorOfABoundChannel() throws Exception {
        try (DatagramChannel c = DatagramChannel.open(java.net.StandardProtocolFamily.INET)) { // as UdpTransport opens them
            c.bind(new InetSocketAddress(Addresses.parseLiteral("127.0.0.1"), 0));
            InetSocketAddress bound = (InetSocketAddress) c.getLocalAddress();
            assertTrue(IkeSocketOptions.descriptorOf(bound) > 2);
        }
    }
}
