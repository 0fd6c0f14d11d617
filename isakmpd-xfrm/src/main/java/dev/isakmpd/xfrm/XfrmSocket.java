package dev.isakmpd.xfrm;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A netlink socket of the XFRM family, {@code socket(AF_NETLINK, SOCK_RAW, NETLINK_XFRM)}, through
 * JNA. A socket that joined the multicast groups has one reader thread that receives everything:
 * a message carrying our port id and the sequence number of a pending request goes back to its
 * caller, everything else (ACQUIRE and EXPIRE) to the event listener, on the reader thread. A
 * socket without groups has no reader: its caller sends and receives the answer itself, which
 * spares two thread switches per request (XfrmKernel uses one of each, as strongSwan does).
 */
public final class XfrmSocket implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger("isakmpd.kernel.xfrm");
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_TRUNC = 0x20;
    private static final int EPERM = 1;
    private static final int EINTR = 4;
    private static final int EACCES = 13;
    private static final int EPROTONOSUPPORT = 93;
    private static final int EAFNOSUPPORT = 97;
    private static final int ENOBUFS = 105;
    private static final int POLL_MILLIS = 200;
    private static final int RECV_BUFFER = 256 * 1024;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final LibC libc;
    private final int fd;
    private final int portId;
    private final XfrmCodec codec = XfrmCodec.host();
    private final Map<Integer, LinkedBlockingQueue<XfrmMessage>> waiting = new ConcurrentHashMap<>();
    private final Thread reader;
    private volatile Consumer<XfrmMessage> events = m -> { };
    private volatile BiConsumer<byte[], XfrmMessage> tap;
    private volatile boolean closed;
    private int nextSeq = ThreadLocalRandom.current().nextInt(1, 1 << 30);
    /** Without a reader: messages of one datagram not yet looked at (a dump's parts arrive together). */
    private final ArrayDeque<XfrmMessage> unclaimed = new ArrayDeque<>();

    /** Only for a socket without reader: what {@link #receive} fills, used by one caller at a time. */
    private final byte[] answerBuffer;

    private XfrmSocket(LibC libc, int fd, int portId, boolean events) {
        this.libc = libc;
        this.fd = fd;
        this.portId = portId;
        if (events) {
            this.answerBuffer = null;
            this.reader = new Thread(this::readLoop, "xfrm-reader-" + portId);
            this.reader.setDaemon(true);
            this.reader.start();
        } else {
            this.answerBuffer = new byte[RECV_BUFFER];
            this.reader = null;
        }
    }

    /**
     * Opens the socket; with {@code events} it joins the multicast groups XFRMNLGRP_ACQUIRE and
     * XFRMNLGRP_EXPIRE (a daemon has exactly one such socket, or every event arrives twice).
     *
     * @throws XfrmUnavailableException when this system has no XFRM netlink (the message says what to do)
     */
    public static XfrmSocket open(boolean events) throws XfrmUnavailableException {
        LibC libc;
        try {
            libc = LibC.Holder.get();
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            throw new XfrmUnavailableException("cannot load libc through JNA (" + e.getMessage()
                    + "); is the JNA native library allowed to unpack (-Djna.tmpdir)?", e);
        }
        int fd;
        try {
            fd = libc.socket(Xfrm.AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, Xfrm.NETLINK_XFRM);
        } catch (LastErrorException e) {
            int errno = e.getErrorCode();
            String why = errno == EAFNOSUPPORT ? "this system has no netlink (not Linux?)"
                    : errno == EPROTONOSUPPORT ? "this kernel has no XFRM netlink (CONFIG_XFRM_USER); load it with"
                            + " \"modprobe xfrm_user\""
                    : errno == EPERM || errno == EACCES ? "not permitted: XFRM needs root (CAP_NET_ADMIN)"
                    : "errno " + errno + " (" + libc.strerror(errno) + ")";
            throw new XfrmUnavailableException("socket(AF_NETLINK, SOCK_RAW, NETLINK_XFRM) failed: " + why, e);
        }
        try {
            // error answers then carry our request's header only, never its keys
            libc.setsockopt(fd, Xfrm.SOL_NETLINK, Xfrm.NETLINK_CAP_ACK, new int[] {1}, 4);
            try {
                libc.setsockopt(fd, Xfrm.SOL_NETLINK, Xfrm.NETLINK_EXT_ACK, new int[] {1}, 4);
            } catch (LastErrorException e) {
                LOG.debug("no extended ACKs (kernel before 4.12?): errno {}", e.getErrorCode());
            }
            int groups = events ? (1 << (Xfrm.XFRMNLGRP_ACQUIRE - 1)) | (1 << (Xfrm.XFRMNLGRP_EXPIRE - 1)) : 0;
            if (events) {
                enlargeReceiveBuffer(libc, fd);
            }
            byte[] addr = sockaddrNl(0, groups);
            libc.bind(fd, addr, addr.length);
            int[] len = {addr.length};
            libc.getsockname(fd, addr, len);
            int port = ByteBuffer.wrap(addr).order(ByteOrder.nativeOrder()).getInt(4);
            return new XfrmSocket(libc, fd, port, events);
        } catch (LastErrorException e) {
            libc.close(fd);
            int errno = e.getErrorCode();
            throw new XfrmUnavailableException("setting up the NETLINK_XFRM socket failed: errno " + errno + " ("
                    + libc.strerror(errno) + ")" + (errno == EPERM ? ": joining the XFRM multicast groups needs"
                            + " root (CAP_NET_ADMIN)" : ""), e);
        }
    }

    /** struct sockaddr_nl: nl_family u16, nl_pad u16, nl_pid u32, nl_groups u32 (host order). */
    private static byte[] sockaddrNl(int pid, int groups) {
        return ByteBuffer.allocate(12).order(ByteOrder.nativeOrder()).putShort((short) Xfrm.AF_NETLINK)
                .putShort((short) 0).putInt(pid).putInt(groups).array();
    }

    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVBUF = 8;
    private static final int SO_RCVBUFFORCE = 33;
    /**
     * The event socket's receive buffer. The kernel's counter reports (NEWAE) come in bursts: each
     * SA's XFRMA_ETIMER_THRESH timer starts when it is installed, so SAs installed together report
     * together. In the kernel lab, 1,000 busy pairs lost two thirds of their reports to the
     * default 208 KiB (net.core.rmem_default), and an ACQUIRE or EXPIRE arriving in such a burst
     * is lost with them; with 4 MiB none was (docs/ha.md "Scale"). The kernel charges only what
     * waits.
     */
    static final int EVENT_BUFFER = 16 << 20;

    /** SO_RCVBUFFORCE (root: past net.core.rmem_max), else as much as SO_RCVBUF gives, with a warning. */
    private static void enlargeReceiveBuffer(LibC libc, int fd) {
        try {
            libc.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, new int[] {EVENT_BUFFER}, 4);
        } catch (LastErrorException e) {
            libc.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, new int[] {EVENT_BUFFER}, 4);
            LOG.warn("XFRM events: no {}-byte receive buffer without CAP_NET_ADMIN (errno {}), {} bytes (net.core."
                    + "rmem_max): a burst of counter reports may overflow it and take ACQUIREs or EXPIREs with it",
                    EVENT_BUFFER, e.getErrorCode(), receiveBuffer(libc, fd));
        }
    }

    /** SO_RCVBUF as the kernel reports it: twice what it grants, for its bookkeeping (socket(7)). */
    private static int receiveBuffer(LibC libc, int fd) {
        int[] value = {0};
        libc.getsockopt(fd, SOL_SOCKET, SO_RCVBUF, value, new int[] {4});
        return value[0];
    }

    /** This socket's receive buffer (SO_RCVBUF, as the kernel reports it). */
    int receiveBuffer() {
        return receiveBuffer(libc, fd);
    }

    /** The netlink port id the kernel gave this socket (what it puts in nlmsg_pid of its answers). */
    public int portId() {
        return portId;
    }

    /**
     * Joins one more multicast group (e.g. {@link Xfrm#XFRMNLGRP_AEVENTS}) on this bound socket,
     * without a new bind: NETLINK_ADD_MEMBERSHIP.
     */
    public void join(int group) throws XfrmException {
        try {
            libc.setsockopt(fd, Xfrm.SOL_NETLINK, Xfrm.NETLINK_ADD_MEMBERSHIP, new int[] {group}, 4);
        } catch (LastErrorException e) {
            int errno = e.getErrorCode();
            throw new XfrmException("joining XFRM multicast group " + group + " failed: errno " + errno + " ("
                    + libc.strerror(errno) + ")", errno);
        }
    }

    /** Where unsolicited messages go; called on the reader thread. */
    public void onEvent(Consumer<XfrmMessage> listener) {
        this.events = listener;
    }

    /**
     * Tests only: sees a copy of every received message's bytes (keys included) with its decoding,
     * before it is dispatched. Never set in the daemon.
     */
    public void tap(BiConsumer<byte[], XfrmMessage> t) {
        this.tap = t;
    }

    /** Sends a request with NLM_F_ACK and waits for the kernel's ACK; a negative errno becomes an exception. */
    public void request(XfrmMessage m) throws XfrmException {
        exchange(m, Xfrm.NLM_F_REQUEST | Xfrm.NLM_F_ACK, false);
    }

    /** Sends a request the kernel answers with a message (GETSA, ALLOCSPI: a NEWSA) and returns it. */
    public XfrmMessage query(XfrmMessage m) throws XfrmException {
        return exchange(m, Xfrm.NLM_F_REQUEST, false).get(0);
    }

    /** A dump (GETSA, GETPOLICY with NLM_F_DUMP): every answer up to NLMSG_DONE. */
    public List<XfrmMessage> dump(int type) throws XfrmException {
        return exchange(XfrmMessage.of(type, 0, new XfrmBody.Empty()), Xfrm.NLM_F_REQUEST | Xfrm.NLM_F_DUMP, true);
    }

    private synchronized List<XfrmMessage> exchange(XfrmMessage request, int flags, boolean dump)
            throws XfrmException {
        int seq = nextSeq++;
        // the request's own flags (NLM_F_REPLACE for NEWAE) beside these
        XfrmMessage m = new XfrmMessage(new NetlinkHeader(request.type(), flags | request.header().flags(), seq, portId),
                request.body(),
                request.attributes());
        LinkedBlockingQueue<XfrmMessage> q = new LinkedBlockingQueue<>();
        waiting.put(seq, q);
        List<XfrmMessage> all = new ArrayList<>();
        try {
            send(m);
            while (true) {
                XfrmMessage r = reader == null ? answer(seq, m) : poll(q, m);
                if (r.body() instanceof XfrmBody.Error e) {
                    if (e.error() != 0) {
                        all.forEach(XfrmMessage::wipeKeys);
                        int errno = -e.error();
                        throw new XfrmException(m.describe() + " failed: errno " + errno + " (" + libc.strerror(errno) + ")"
                                + (e.message().isEmpty() ? "" : ": " + e.message()), errno);
                    }
                    return all;
                }
                if (r.type() == Xfrm.NLMSG_DONE) {
                    if ((r.header().flags() & Xfrm.NLM_F_DUMP_INTR) != 0) {
                        LOG.debug("{}: the tables changed during the dump", m.describe());
                    }
                    return all;
                }
                all.add(r);
                if (!dump) {
                    return all;
                }
            }
        } finally {
            waiting.remove(seq);
        }
    }

    /** Without a reader thread: receives on the caller's thread until the answer with {@code seq} arrives. */
    private XfrmMessage answer(int seq, XfrmMessage m) throws XfrmException {
        long deadline = System.nanoTime() + DEFAULT_TIMEOUT.toNanos();
        ArrayDeque<XfrmMessage> pending = unclaimed;
        while (true) {
            XfrmMessage r = pending.poll();
            if (r == null) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new XfrmException(m.describe() + ": no answer from the kernel within "
                            + DEFAULT_TIMEOUT.toMillis() + " ms", 0);
                }
                try {
                    pending.addAll(receive(answerBuffer, (int) Math.min(left, POLL_MILLIS)));
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == EINTR) {
                        continue;
                    }
                    throw new XfrmException(m.describe() + ": recv failed: errno " + e.getErrorCode() + " ("
                            + libc.strerror(e.getErrorCode()) + ")", e.getErrorCode());
                }
                continue;
            }
            if (r.header().pid() == portId && r.header().seq() == seq) {
                return r;
            }
            // the late answer to a request that timed out: nobody waits for it any more
            LOG.debug("dropped an XFRM answer nobody waits for: {}", r.describe());
            r.wipeKeys();
        }
    }

    private XfrmMessage poll(LinkedBlockingQueue<XfrmMessage> q, XfrmMessage m) throws XfrmException {
        try {
            XfrmMessage r = q.poll(DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (r == null) {
                throw new XfrmException(m.describe() + ": no answer from the kernel within " + DEFAULT_TIMEOUT.toMillis()
                        + " ms", 0);
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new XfrmException(m.describe() + ": interrupted", e);
        }
    }

    private void send(XfrmMessage m) throws XfrmException {
        if (closed) {
            throw new XfrmException(m.describe() + ": XFRM socket closed", 0);
        }
        byte[] bytes = codec.encode(m);
        try {
            if (LOG.isDebugEnabled()) {
                LOG.debug("send {}", m.describe());
            }
            long n = libc.send(fd, bytes, new NativeLong(bytes.length), 0).longValue();
            if (n != bytes.length) {
                throw new XfrmException(m.describe() + ": short send (" + n + " of " + bytes.length + " bytes)", 0);
            }
        } catch (LastErrorException e) {
            throw new XfrmException(m.describe() + " refused by send(): errno " + e.getErrorCode() + " ("
                    + libc.strerror(e.getErrorCode()) + ")", e.getErrorCode());
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * Waits up to {@code millis} for one datagram and decodes its messages (none on timeout, or
     * when it was cut or does not decode, which is logged). The buffer is wiped afterwards.
     */
    private List<XfrmMessage> receive(byte[] buf, int millis) {
        byte[] pollfd = new byte[8];
        ByteBuffer.wrap(pollfd).order(ByteOrder.nativeOrder()).putInt(0, fd).putShort(4, (short) 1 /* POLLIN */);
        int n = 0;
        try {
            if (libc.poll(pollfd, 1, millis) <= 0) {
                return List.of();
            }
            // MSG_TRUNC: netlink then answers the datagram's real length, so a cut one is seen
            n = libc.recv(fd, buf, new NativeLong(buf.length), MSG_TRUNC).intValue();
            if (n <= 0) {
                return List.of();
            }
            if (n > buf.length) {
                LOG.warn("dropped a {}-byte XFRM datagram: larger than the {}-byte buffer", n, buf.length);
                return List.of();
            }
            List<XfrmMessage> ms;
            try {
                ms = codec.decodeAll(buf, n);
            } catch (XfrmFormatException e) {
                LOG.warn("dropped a {}-byte XFRM datagram from the kernel: {}", n, e.getMessage());
                return List.of();
            }
            BiConsumer<byte[], XfrmMessage> t = tap;
            if (t != null) {
                tapEach(t, buf, n, ms);
            }
            if (LOG.isDebugEnabled()) {
                ms.forEach(m -> LOG.debug("recv {}", m.describe()));
            }
            return ms;
        } finally {
            Arrays.fill(buf, 0, Math.min(Math.max(n, 0), buf.length), (byte) 0);
        }
    }

    private void readLoop() {
        byte[] buf = new byte[RECV_BUFFER];
        while (!closed) {
            try {
                receive(buf, POLL_MILLIS).forEach(this::dispatch);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == ENOBUFS) {
                    LOG.warn("the kernel dropped XFRM messages for us (receive buffer full): ACQUIREs or EXPIREs"
                            + " may be lost");
                } else if (!closed && e.getErrorCode() != EINTR) {
                    LOG.warn("XFRM receive failed: errno {} ({})", e.getErrorCode(), libc.strerror(e.getErrorCode()));
                    sleepQuietly();
                }
            } catch (RuntimeException e) {
                LOG.error("XFRM reader: {}", e.toString(), e);
            }
        }
    }

    private void tapEach(BiConsumer<byte[], XfrmMessage> t, byte[] buf, int n, List<XfrmMessage> ms) {
        int at = 0;
        for (XfrmMessage m : ms) {
            int len = ByteBuffer.wrap(buf, at, 4).order(ByteOrder.nativeOrder()).getInt();
            t.accept(Arrays.copyOfRange(buf, at, at + len), m);
            at += XfrmCodec.align(len);
        }
    }

    private void dispatch(XfrmMessage m) {
        if (m.header().pid() == portId) {
            LinkedBlockingQueue<XfrmMessage> q = waiting.get(m.header().seq());
            if (q != null) {
                q.add(m);
                return;
            }
        }
        try {
            events.accept(m);
        } catch (RuntimeException e) {
            LOG.error("XFRM event listener failed on {}: {}", m.describe(), e.toString(), e);
        }
        m.wipeKeys();
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (reader != null) {
                reader.join(2 * POLL_MILLIS + 1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            libc.close(fd);
        } catch (LastErrorException e) {
            LOG.warn("closing the XFRM socket: errno {}", e.getErrorCode());
        }
    }
}
