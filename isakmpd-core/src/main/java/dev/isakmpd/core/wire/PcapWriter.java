package dev.isakmpd.core.wire;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Objects;

/**
 * Writes ISAKMP datagrams to a classic pcap file (libpcap format, microsecond timestamps) as plain IPv4 or IPv6 +
 * UDP packets with the real addresses and ports, link type RAW (101), so Wireshark/tshark dissect them as they
 * would a capture - the way OpenBSD isakmpd's -L writes its decrypted exchanges. Checksums are computed (UDP over
 * IPv6 requires one, RFC 8200 s8.1). A datagram to or from port 4500 gets the 4-byte non-ESP marker of RFC 3948
 * s2.2 in front of the ISAKMP header, as on the wire.
 *
 * <p>Not thread-safe; the caller owns the stream (closing the writer closes it).
 */
public final class PcapWriter implements Closeable {
    /** LINKTYPE_RAW: the packet starts with the IP header, version nibble says v4 or v6. */
    public static final int LINKTYPE_RAW = 101;
    public static final int NAT_T_PORT = 4500;
    private static final int SNAPLEN = 0xFFFF;
    private static final int IPV4_HEADER = 20;
    private static final int IPV6_HEADER = 40;
    private static final int UDP_HEADER = 8;
    private static final int PROTO_UDP = 17;

    private final OutputStream out;

    public PcapWriter(OutputStream out) throws IOException {
        this.out = Objects.requireNonNull(out, "out");
        byte[] h = new byte[24];
        le32(h, 0, 0xa1b2c3d4); // magic, microseconds
        le16(h, 4, 2);          // version 2.4
        le16(h, 6, 4);
        le32(h, 8, 0);          // thiszone
        le32(h, 12, 0);         // sigfigs
        le32(h, 16, SNAPLEN);
        le32(h, 20, LINKTYPE_RAW);
        out.write(h);
    }

    /**
     * Writes one datagram. Source and destination must be of the same address family.
     *
     * @param isakmp the UDP payload as the daemon sends or receives it (without the non-ESP marker)
     */
    public void write(Instant time, InetSocketAddress source, InetSocketAddress destination, byte[] isakmp)
            throws IOException {
        byte[] packet = packet(source, destination, isakmp);
        byte[] rec = new byte[16];
        long micros = Math.floorMod(time.getNano() / 1000, 1_000_000);
        le32(rec, 0, (int) time.getEpochSecond());
        le32(rec, 4, (int) micros);
        le32(rec, 8, packet.length);
        le32(rec, 12, packet.length);
        out.write(rec);
        out.write(packet);
    }

    /** The IP packet (header, UDP header, optional non-ESP marker, ISAKMP bytes) for one datagram. */
    static byte[] packet(InetSocketAddress source, InetSocketAddress destination, byte[] isakmp) {
        boolean marker = source.getPort() == NAT_T_PORT || destination.getPort() == NAT_T_PORT;
        int udpLength = UDP_HEADER + (marker ? 4 : 0) + isakmp.length;
        boolean v4 = source.getAddress() instanceof Inet4Address;
        if (v4 != (destination.getAddress() instanceof Inet4Address)
                || (!v4 && !(source.getAddress() instanceof Inet6Address))) {
            throw new IllegalArgumentException("source and destination must both be IPv4 or both IPv6");
        }
        int ipHeader = v4 ? IPV4_HEADER : IPV6_HEADER;
        if (udpLength + ipHeader > SNAPLEN) {
            throw new IllegalArgumentException("datagram of " + isakmp.length + " bytes does not fit one packet");
        }
        byte[] p = new byte[ipHeader + udpLength];
        byte[] src = source.getAddress().getAddress();
        byte[] dst = destination.getAddress().getAddress();
        if (v4) {
            p[0] = 0x45;
            be16(p, 2, p.length);
            be16(p, 6, 0x4000); // DF, fragment offset 0
            p[8] = 64;          // TTL
            p[9] = PROTO_UDP;
            System.arraycopy(src, 0, p, 12, 4);
            System.arraycopy(dst, 0, p, 16, 4);
            be16(p, 10, ~sum(p, 0, IPV4_HEADER, 0) & 0xFFFF);
        } else {
            p[0] = 0x60;
            be16(p, 4, udpLength);
            p[6] = PROTO_UDP;
            p[7] = 64; // hop limit
            System.arraycopy(src, 0, p, 8, 16);
            System.arraycopy(dst, 0, p, 24, 16);
        }
        int u = ipHeader;
        be16(p, u, source.getPort());
        be16(p, u + 2, destination.getPort());
        be16(p, u + 4, udpLength);
        System.arraycopy(isakmp, 0, p, u + UDP_HEADER + (marker ? 4 : 0), isakmp.length); // marker bytes stay 0
        // UDP checksum over the pseudo-header (RFC 768; RFC 8200 s8.1 for IPv6)
        long pseudo = sum(src, 0, src.length, 0);
        pseudo = sum(dst, 0, dst.length, pseudo);
        pseudo += PROTO_UDP + udpLength;
        int checksum = ~sum(p, u, udpLength, pseudo) & 0xFFFF;
        be16(p, u + 6, checksum == 0 ? 0xFFFF : checksum);
        return p;
    }

    /** One's-complement sum of 16-bit words, folded. */
    private static int sum(byte[] b, int off, int len, long acc) {
        long s = acc;
        int i = off;
        for (; i + 1 < off + len; i += 2) {
            s += ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
        }
        if (i < off + len) {
            s += (b[i] & 0xFF) << 8;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) s;
    }

    private static void be16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    private static void le16(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
    }

    private static void le32(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
