package dev.isakmpd.xfrm;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Host addresses through rtnetlink ({@code NETLINK_ROUTE}, RTM_NEWADDR / RTM_DELADDR, rtnetlink(7)):
 * what {@code ip addr add|del ADDRESS/32 dev IFACE} does, for the virtual address a Mode-Config
 * gateway assigns our client. One short-lived socket per call: it happens once per ISAKMP SA.
 */
public final class InterfaceAddresses {
    static final int NETLINK_ROUTE = 0;
    static final int RTM_NEWADDR = 20;
    static final int RTM_DELADDR = 21;
    static final int NLMSG_ERROR = 2;
    static final int NLM_F_REQUEST = 0x1;
    static final int NLM_F_ACK = 0x4;
    static final int NLM_F_EXCL = 0x200;
    static final int NLM_F_CREATE = 0x400;
    static final int IFA_ADDRESS = 1;
    static final int IFA_LOCAL = 2;
    /** IPv6: no duplicate address detection, so the address is usable at once. */
    static final int IFA_F_NODAD = 0x02;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    public static final int EEXIST = 17;
    public static final int EADDRNOTAVAIL = 99;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int ANSWER_MILLIS = 5000;

    private final LibC libc;

    private InterfaceAddresses(LibC libc) {
        this.libc = libc;
    }

    /** @throws XfrmUnavailableException when libc cannot be loaded */
    public static InterfaceAddresses open() throws XfrmUnavailableException {
        try {
            return new InterfaceAddresses(LibC.Holder.get());
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            throw new XfrmUnavailableException("cannot load libc through JNA (" + e.getMessage() + ")", e);
        }
    }

    /** Puts {@code address} as a host address (/32, /128) on {@code iface}; EEXIST when it is there already. */
    public void add(InetAddress address, String iface) throws XfrmException {
        request(message(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, index(iface), address),
                "add " + address.getHostAddress() + " to " + iface);
    }

    /** Removes it again; EADDRNOTAVAIL when it is not there. */
    public void delete(InetAddress address, String iface) throws XfrmException {
        request(message(RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK, index(iface), address),
                "remove " + address.getHostAddress() + " from " + iface);
    }

    private int index(String iface) throws XfrmException {
        int i = libc.if_nametoindex(iface);
        if (i == 0) {
            throw new XfrmException("no interface " + iface, 19); // ENODEV
        }
        return i;
    }

    /** nlmsghdr, ifaddrmsg, IFA_LOCAL and IFA_ADDRESS (host byte order for the headers, rtnetlink(7)). */
    static byte[] message(int type, int flags, int ifindex, InetAddress address) {
        byte[] a = address.getAddress();
        int rta = 4 + a.length; // already a multiple of 4
        int len = 16 + 8 + 2 * rta;
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
        b.putInt(len).putShort((short) type).putShort((short) flags).putInt(1).putInt(0);
        boolean v6 = address instanceof Inet6Address;
        b.put((byte) (v6 ? AF_INET6 : AF_INET)).put((byte) (8 * a.length)).put((byte) (v6 ? IFA_F_NODAD : 0))
                .put((byte) 0).putInt(ifindex);
        for (int t : new int[] {IFA_LOCAL, IFA_ADDRESS}) {
            b.putShort((short) rta).putShort((short) t).put(a);
        }
        return b.array();
    }

    private void request(byte[] m, String what) throws XfrmException {
        int fd;
        try {
            fd = libc.socket(Xfrm.AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        } catch (LastErrorException e) {
            throw failed(what, "socket(AF_NETLINK, NETLINK_ROUTE)", e.getErrorCode());
        }
        try {
            libc.send(fd, m, new NativeLong(m.length), 0);
            byte[] pollfd = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(fd).putShort((short) 1)
                    .putShort((short) 0).array(); // POLLIN
            if (libc.poll(pollfd, 1, ANSWER_MILLIS) <= 0) {
                throw new XfrmException(what + ": no answer from the kernel within " + ANSWER_MILLIS + " ms", 0);
            }
            byte[] answer = new byte[4096];
            int n = libc.recv(fd, answer, new NativeLong(answer.length), 0).intValue();
            int errno = ackError(answer, n);
            if (errno != 0) {
                throw failed(what, "the kernel", errno);
            }
        } catch (LastErrorException e) {
            throw failed(what, "send/recv", e.getErrorCode());
        } finally {
            libc.close(fd);
        }
    }

    /** The errno of an NLMSG_ERROR answer (0 for the ACK). */
    static int ackError(byte[] answer, int n) throws XfrmException {
        ByteBuffer b = ByteBuffer.wrap(answer, 0, n).order(ByteOrder.nativeOrder());
        if (n < 20 || b.getShort(4) != NLMSG_ERROR) {
            throw new XfrmException("unexpected rtnetlink answer of " + n + " bytes", 0);
        }
        return -b.getInt(16);
    }

    private XfrmException failed(String what, String where, int errno) {
        return new XfrmException(what + ": " + where + " said errno " + errno + " (" + libc.strerror(errno) + ")"
                + (errno == 1 ? ": changing addresses needs CAP_NET_ADMIN" : ""), errno);
    }
}
