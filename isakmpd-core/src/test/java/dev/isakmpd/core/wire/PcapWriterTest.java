package dev.isakmpd.core.wire;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The pcap framing itself (tshark checks the result in TsharkCheckTest). */
class PcapWriterTest {

    private static InetSocketAddress sock(String host, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    @Test
    void globalHeaderAndOneIpv4Record() throws Exception {
        byte[] isakmp = MainModeMessageTest.mm1();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter w = new PcapWriter(out)) {
            w.write(Instant.ofEpochSecond(1_800_000_000L, 123_456_789), sock("192.0.2.1", 500),
                    sock("192.0.2.2", 500), isakmp);
        }
        byte[] b = out.toByteArray();
        assertArrayEquals(new byte[] {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1, 2, 0, 4, 0},
                Arrays.copyOf(b, 8));
        assertEquals(PcapWriter.LINKTYPE_RAW, b[20]);
        int caplen = (b[32] & 0xFF) | (b[33] & 0xFF) << 8;
        assertEquals(20 + 8 + isakmp.length, caplen);
        assertEquals(123_456, (b[28] & 0xFF) | (b[29] & 0xFF) << 8 | (b[30] & 0xFF) << 16); // microseconds
        int ip = 40;
        assertEquals(0x45, b[ip]);
        assertEquals(17, b[ip + 9]);
        assertArrayEquals(isakmp, Arrays.copyOfRange(b, ip + 28, b.length));
        assertEquals(0, onesComplement(b, ip, 20)); // a correct IPv4 header checksum sums to 0xFFFF
    }

    @Test
    void natTPortGetsTheNonEspMarkerAndIpv6HasChecksum() throws Exception {
        byte[] isakmp = MainModeMessageTest.mm1();
        byte[] p = PcapWriter.packet(sock("2001:db8::1", 4500), sock("2001:db8::2", 4500), isakmp);
        assertEquals(0x60, p[0] & 0xF0);
        assertEquals(40 + 8 + 4 + isakmp.length, p.length);
        assertArrayEquals(new byte[4], Arrays.copyOfRange(p, 48, 52));
        assertArrayEquals(isakmp, Arrays.copyOfRange(p, 52, p.length));
        assertEquals(true, p[46] != 0 || p[47] != 0); // UDP checksum present (mandatory over IPv6)
        assertThrows(IllegalArgumentException.class,
                () -> PcapWriter.packet(sock("192.0.2.1", 500), sock("2001:db8::2", 500), isakmp));
        assertThrows(IllegalArgumentException.class,
                () -> PcapWriter.packet(sock("192.0.2.1", 500), sock("192.0.2.2", 500), new byte[70_000]));
    }

    private static int onesComplement(byte[] b, int off, int len) {
        long s = 0;
        for (int i = off; i < off + len; i += 2) {
            s += ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) (~s & 0xFFFF);
    }
}
