package dev.isakmpd.xfrm;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * A netlink socket whose kernel is a function: each datagram sent is decoded and its requests
 * answered in order as the kernel's netlink_rcv_skb does: an NLMSG_ERROR (header only, as with
 * NETLINK_CAP_ACK) for each request that fails, and an ACK for each that asked for one
 * (NLM_F_ACK). Not thread-safe: for a socket without reader thread.
 */
final class FakeNetlink implements LibC {
    static final int PORT = 4242;
    static final int EAGAIN = 11;
    private final XfrmCodec codec = XfrmCodec.host();
    /** The errno (0: done) the fake kernel answers each request with. */
    private final ToIntFunction<XfrmMessage> kernel;
    /** Each datagram sent, as its requests. */
    final List<List<XfrmMessage>> sent = new ArrayList<>();
    /** Datagrams (byte[]) and recv errors (Integer errno) for the next receives. */
    final ArrayDeque<Object> receive = new ArrayDeque<>();
    /** A send fails with this errno, unless 0. */
    int sendErrno;

    FakeNetlink(ToIntFunction<XfrmMessage> kernel) {
        this.kernel = kernel;
    }

    XfrmSocket socket() {
        return new XfrmSocket(this, 3, PORT, false);
    }

    @Override
    public NativeLong send(int fd, byte[] buf, NativeLong len, int flags) {
        if (sendErrno != 0) {
            throw new LastErrorException(sendErrno);
        }
        List<XfrmMessage> ms;
        try {
            ms = codec.decodeAll(buf, len.intValue());
        } catch (XfrmFormatException e) {
            throw new AssertionError("sent a datagram the codec cannot read: " + e.getMessage(), e);
        }
        sent.add(ms);
        for (XfrmMessage m : ms) {
            int errno = kernel.applyAsInt(m);
            if ((m.header().flags() & Xfrm.NLM_F_ACK) != 0 || errno != 0) {
                receive.add(error(m.header(), errno));
            }
        }
        return len;
    }

    /** struct nlmsghdr + struct nlmsgerr with the request's header only (NLM_F_CAPPED). */
    static byte[] error(NetlinkHeader request, int errno) {
        ByteBuffer b = ByteBuffer.allocate(36).order(ByteOrder.nativeOrder());
        b.putInt(36).putShort((short) Xfrm.NLMSG_ERROR).putShort((short) Xfrm.NLM_F_CAPPED).putInt(request.seq())
                .putInt(request.pid()).putInt(-errno).putInt(0).putShort((short) request.type())
                .putShort((short) request.flags()).putInt(request.seq()).putInt(request.pid());
        return b.array();
    }

    @Override
    public NativeLong recv(int fd, byte[] buf, NativeLong len, int flags) {
        Object next = receive.poll();
        if (next == null) {
            throw new LastErrorException(EAGAIN); // what SO_RCVTIMEO gives when nothing came
        }
        if (next instanceof Integer errno) {
            throw new LastErrorException(errno);
        }
        byte[] d = (byte[]) next;
        System.arraycopy(d, 0, buf, 0, d.length);
        return new NativeLong(d.length);
    }

    @Override
    public int poll(byte[] fds, int nfds, int timeoutMillis) {
        return receive.isEmpty() ? 0 : 1;
    }

    @Override
    public String strerror(int errnum) {
        return "error " + errnum;
    }

    @Override
    public int close(int fd) {
        return 0;
    }

    @Override
    public int socket(int domain, int type, int protocol) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int bind(int fd, byte[] addr, int len) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int getsockname(int fd, byte[] addr, int[] len) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int setsockopt(int fd, int level, int name, int[] value, int len) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int setsockopt(int fd, int level, int name, Pointer value, int len) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int getsockopt(int fd, int level, int name, int[] value, int[] len) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int if_nametoindex(String name) {
        throw new UnsupportedOperationException();
    }
}
