package dev.isakmpd.daemon.runtime;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.isakmpd.core.kernel.Kernel;
import dev.isakmpd.daemon.Endpoints;
import dev.isakmpd.pfkey.PfKeyKernel;
import dev.isakmpd.xfrm.XfrmKernel;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Linux socket options of the IKE sockets that Java cannot set (xfrm-linux-constants.md, "The IKE
 * daemon's own sockets"): UDP_ENCAP = ESPINUDP on the NAT-T socket, so that the kernel takes ESP in
 * UDP (RFC 3948) off it and passes up only what has the non-ESP marker; and on every IKE socket a
 * bypass policy per direction, so that IKE never goes into our own tunnels (strongSwan's
 * add_socket_bypass). NIO does not reveal a channel's descriptor: it is found among ours in
 * /proc/self/fd as the UDP socket bound to the channel's address.
 */
final class IkeSocketOptions {
    /** Which per-socket policy format the kernel's key manager reads. */
    enum Bypass {
        /** IP_XFRM_POLICY with a struct xfrm_userpolicy_info (the XFRM back-end). */
        XFRM,
        /** IP_IPSEC_POLICY with a struct sadb_x_policy of type BYPASS (the PF_KEY back-end). */
        PFKEY,
        /** No kernel IPsec (the memory back-end): nothing to bypass. */
        NONE
    }

    static final int SOL_SOCKET = 1;
    static final int SO_TYPE = 3;
    static final int SOCK_DGRAM = 2;
    static final int SOL_UDP = 17;
    static final int UDP_ENCAP = 100;
    static final int UDP_ENCAP_ESPINUDP = 2;
    static final int IPPROTO_IP = 0;
    static final int IP_IPSEC_POLICY = 16;
    static final int IP_XFRM_POLICY = 17;
    static final int IPPROTO_IPV6 = 41;
    static final int IPV6_IPSEC_POLICY = 34;
    static final int IPV6_XFRM_POLICY = 35;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int XFRM_POLICY_IN = 0;
    static final int XFRM_POLICY_OUT = 1;
    static final int XFRM_USERPOLICY_INFO_SIZE = 168;
    static final int SADB_X_EXT_POLICY = 18;
    static final int IPSEC_POLICY_BYPASS = 4;
    static final int IPSEC_DIR_INBOUND = 1;
    static final int IPSEC_DIR_OUTBOUND = 2;

    interface LibC extends Library {
        int setsockopt(int fd, int level, int name, byte[] value, int len) throws LastErrorException;

        int getsockopt(int fd, int level, int name, byte[] value, int[] len) throws LastErrorException;

        int getsockname(int fd, byte[] addr, int[] len) throws LastErrorException;
    }

    private static final Logger LOG = LoggerFactory.getLogger("isakmpd.net");
    private static volatile LibC libc;

    private IkeSocketOptions() {
    }

    private static LibC libc() {
        LibC c = libc;
        if (c == null) {
            synchronized (IkeSocketOptions.class) {
                if (libc == null) {
                    libc = Native.load("c", LibC.class);
                }
                c = libc;
            }
        }
        return c;
    }

    /** The bypass format of a kernel back-end. */
    static Bypass bypassFor(Kernel kernel) {
        return kernel instanceof XfrmKernel ? Bypass.XFRM : kernel instanceof PfKeyKernel ? Bypass.PFKEY : Bypass.NONE;
    }

    /**
     * Sets the options on the UDP socket bound to {@code bound}: the bypass policies, and UDP_ENCAP
     * when it is the NAT-T socket.
     *
     * @throws IOException naming the option and the errno when the kernel refuses (no CAP_NET_ADMIN,
     *     no XFRM/PF_KEY support), or when the socket cannot be found
     */
    static void apply(InetSocketAddress bound, boolean natTraversal, Bypass bypass) throws IOException {
        if ((bypass == Bypass.NONE && !natTraversal) || !System.getProperty("os.name").equals("Linux")) {
            return; // the BSDs' PF_KEY sockets options differ; only Linux is supported for now
        }
        int fd = descriptorOf(bound);
        boolean v6 = bound.getAddress() instanceof Inet6Address;
        if (bypass == Bypass.XFRM) {
            for (int dir : new int[] {XFRM_POLICY_IN, XFRM_POLICY_OUT}) {
                set(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_XFRM_POLICY : IP_XFRM_POLICY,
                        xfrmBypass(v6 ? AF_INET6 : AF_INET, dir), "IP_XFRM_POLICY bypass", bound);
            }
        } else if (bypass == Bypass.PFKEY) {
            for (int dir : new int[] {IPSEC_DIR_INBOUND, IPSEC_DIR_OUTBOUND}) {
                set(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_IPSEC_POLICY : IP_IPSEC_POLICY, pfkeyBypass(dir),
                        "IP_IPSEC_POLICY bypass", bound);
            }
        }
        if (natTraversal) {
            set(fd, SOL_UDP, UDP_ENCAP, nativeInt(UDP_ENCAP_ESPINUDP), "UDP_ENCAP espinudp", bound);
        }
        LOG.info("UDP {}: {}{}", Endpoints.format(bound), bypass == Bypass.NONE ? "no IPsec bypass policy (no kernel IPsec)"
                : "IPsec bypass policies in and out (" + bypass + ")",
                natTraversal ? ", NAT-T: ESP in UDP to the kernel (UDP_ENCAP espinudp)" : "");
    }

    private static void set(int fd, int level, int name, byte[] value, String what, InetSocketAddress bound)
            throws IOException {
        try {
            libc().setsockopt(fd, level, name, value, value.length);
        } catch (LastErrorException e) {
            throw new IOException("cannot set " + what + " on the UDP socket " + bound + ": errno " + e.getErrorCode()
                    + (e.getErrorCode() == 1 ? " (needs CAP_NET_ADMIN)" : ""), e);
        }
    }

    /** A zeroed struct xfrm_userpolicy_info with sel.family, dir and action ALLOW (0). */
    static byte[] xfrmBypass(int family, int dir) {
        ByteBuffer b = ByteBuffer.allocate(XFRM_USERPOLICY_INFO_SIZE).order(ByteOrder.nativeOrder());
        b.putShort(40, (short) family);
        b.put(160, (byte) dir);
        return b.array();
    }

    /** struct sadb_x_policy: len 2 (in 8-byte units), SADB_X_EXT_POLICY, type BYPASS, dir. */
    static byte[] pfkeyBypass(int dir) {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        b.putShort(0, (short) 2);
        b.putShort(2, (short) SADB_X_EXT_POLICY);
        b.putShort(4, (short) IPSEC_POLICY_BYPASS);
        b.put(6, (byte) dir);
        return b.array();
    }

    private static byte[] nativeInt(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    /** The descriptor of our UDP socket bound to {@code bound}: getsockname on each socket of ours. */
    static int descriptorOf(InetSocketAddress bound) throws IOException {
        byte[] want = sockaddr(bound);
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path p : fds) {
                int fd;
                try {
                    fd = Integer.parseInt(p.getFileName().toString());
                    if (!Files.readSymbolicLink(p).toString().startsWith("socket:")) {
                        continue;
                    }
                } catch (NumberFormatException | IOException gone) {
                    continue; // not a descriptor, or closed meanwhile (the listing's own)
                }
                if (isUdpBoundTo(fd, want)) {
                    return fd;
                }
            }
        }
        throw new IOException("no UDP socket of ours is bound to " + bound);
    }

    private static boolean isUdpBoundTo(int fd, byte[] want) {
        try {
            byte[] type = new byte[4];
            libc().getsockopt(fd, SOL_SOCKET, SO_TYPE, type, new int[] {4});
            if (ByteBuffer.wrap(type).order(ByteOrder.nativeOrder()).getInt() != SOCK_DGRAM) {
                return false;
            }
            byte[] addr = new byte[128];
            int[] len = {addr.length};
            libc().getsockname(fd, addr, len);
            return len[0] >= want.length && Arrays.equals(Arrays.copyOf(addr, want.length), want);
        } catch (LastErrorException e) {
            return false;
        }
    }

    /** struct sockaddr_in (16 bytes) or the first 24 bytes of sockaddr_in6 (family, port, flowinfo, address). */
    static byte[] sockaddr(InetSocketAddress a) {
        boolean v6 = a.getAddress() instanceof Inet6Address;
        ByteBuffer b = ByteBuffer.allocate(v6 ? 24 : 8).order(ByteOrder.nativeOrder());
        b.putShort((short) (v6 ? AF_INET6 : AF_INET));
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) a.getPort());
        if (v6) {
            b.putInt(0);
        }
        b.put(a.getAddress().getAddress());
        return b.array();
    }
}
