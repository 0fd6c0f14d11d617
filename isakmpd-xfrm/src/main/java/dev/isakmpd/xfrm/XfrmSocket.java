package dev.isakmpd.xfrm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
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
    private static final int EAGAIN = 11;
    private static final int EACCES = 13;
    private static final int EPROTONOSUPPORT = 93;
    private static final int EAFNOSUPPORT = 97;
    private static final int ENOBUFS = 105;
    /** How long one recv blocks (SO_RCVTIMEO): how soon a reader sees {@link #close}, a request its deadline. */
    private static final int RECV_MILLIS = 200;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int SO_ATTACH_FILTER = 26;
    // classic BPF (linux/bpf_common.h)
    private static final int BPF_LD = 0x00;
    private static final int BPF_JMP = 0x05;
    private static final int BPF_RET = 0x06;
    private static final int BPF_W = 0x00;
    private static final int BPF_H = 0x08;
    private static final int BPF_ABS = 0x20;
    private static final int BPF_JEQ = 0x10;
    private static final int BPF_K = 0x00;
    private static final int RECV_BUFFER = 256 * 1024;
    /**
     * The most requests {@link #requestAll} puts in one datagram. The kernel answers a failing
     * request even without NLM_F_ACK, and drops an answer that does not fit our receive buffer
     * (ENOBUFS): an error answer takes about 1 KiB of it (a small skb's truesize), so 128 of them
     * fit the default 208 KiB with room to spare. 128 NEWSAs of about 460 bytes (59 KiB) are also
     * well below the kernel's limit on one datagram (its 208 KiB send buffer, netlink_sendmsg).
     * Each datagram costs a send and a recv, which the lab's one-CPU guest makes expensive
     * (docs/ha.md "Scale").
     */
    static final int BATCH = 128;
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
    /** With a reader: how often the kernel dropped messages for us (ENOBUFS), so answers may be lost. */
    private volatile long overruns;
    private int nextSeq = ThreadLocalRandom.current().nextInt(1, 1 << 30);
    /** Without a reader: messages of one datagram not yet looked at (a dump's parts arrive together). */
    private final ArrayDeque<XfrmMessage> unclaimed = new ArrayDeque<>();

    /** Only for a socket without reader: what {@link #receive} fills, used by one caller at a time. */
    private final byte[] answerBuffer;

    /** Package-private for tests, which give it a fake libc; {@link #open} gives it the real one. */
    XfrmSocket(LibC libc, int fd, int portId, boolean events) {
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
        return open(libc, events);
    }

    /** As {@link #open(boolean)}, through {@code libc} (tests count its calls). */
    static XfrmSocket open(LibC libc, boolean events) throws XfrmUnavailableException {
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
            receiveTimeout(libc, fd);
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

    /**
     * Each recv blocks at most {@link #RECV_MILLIS} (SO_RCVTIMEO, struct timeval: two longs): a
     * message costs one system call, not a poll and a recv, and a burst of them (the kernel's
     * counter reports) one each, with no poll in between.
     */
    private static void receiveTimeout(LibC libc, int fd) {
        try (Memory timeval = new Memory(2L * Native.LONG_SIZE)) {
            timeval.setNativeLong(0, new NativeLong(0));
            timeval.setNativeLong(Native.LONG_SIZE, new NativeLong(RECV_MILLIS * 1000L));
            libc.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeval, 2 * Native.LONG_SIZE);
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

    /**
     * Drops, in the kernel, the NEWAE it multicasts after each of our own NEWAE requests (flags
     * XFRM_AE_CU): an HA takeover sets thousands of inbound windows, and each echo would cost this
     * socket a wake-up and a receive for numbers the daemon just chose itself. The kernel's own
     * reports (XFRM_AE_CR after REPLAY_THRESH packets, XFRM_AE_CE on the timer) and every other
     * message pass. A classic BPF socket filter (SO_ATTACH_FILTER) over the message's first bytes.
     */
    public void dropCounterEchoes() throws XfrmException {
        byte[] program = counterEchoFilter(ByteOrder.nativeOrder());
        try (Memory filter = new Memory(program.length); Memory fprog = new Memory(2L * Native.POINTER_SIZE)) {
            filter.write(0, program, 0, program.length);
            fprog.clear();
            fprog.setShort(0, (short) (program.length / 8));
            fprog.setPointer(Native.POINTER_SIZE, filter);
            libc.setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog, 2 * Native.POINTER_SIZE);
        } catch (LastErrorException e) {
            int errno = e.getErrorCode();
            throw new XfrmException("attaching the socket filter for NEWAE echoes failed: errno " + errno + " ("
                    + libc.strerror(errno) + ")", errno);
        }
    }

    /**
     * struct sock_filter[6] (code u16, jt u8, jf u8, k u32, in host order): accept unless
     * nlmsg_type is XFRM_MSG_NEWAE and xfrm_aevent_id.flags (after the 16-byte header, at 40 in
     * the body) is XFRM_AE_CU. BPF loads are big-endian, so the constants are the host-order
     * fields read that way.
     */
    static byte[] counterEchoFilter(ByteOrder host) {
        int type = ByteBuffer.allocate(2).order(host).putShort(0, (short) Xfrm.MSG_NEWAE).order(ByteOrder.BIG_ENDIAN)
                .getShort(0) & 0xffff;
        int flags = ByteBuffer.allocate(4).order(host).putInt(0, Xfrm.XFRM_AE_CU).order(ByteOrder.BIG_ENDIAN)
                .getInt(0);
        ByteBuffer b = ByteBuffer.allocate(6 * 8).order(host);
        instruction(b, BPF_LD | BPF_H | BPF_ABS, 0, 0, 4); // nlmsg_type
        instruction(b, BPF_JMP | BPF_JEQ | BPF_K, 0, 3, type);
        instruction(b, BPF_LD | BPF_W | BPF_ABS, 0, 0, Xfrm.NLMSG_HDRLEN + 40); // xfrm_aevent_id.flags
        instruction(b, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, flags);
        instruction(b, BPF_RET | BPF_K, 0, 0, 0); // drop
        instruction(b, BPF_RET | BPF_K, 0, 0, -1); // accept all of it
        return b.array();
    }

    private static void instruction(ByteBuffer b, int code, int jt, int jf, int k) {
        b.putShort((short) code).put((byte) jt).put((byte) jf).putInt(k);
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

    /**
     * Sends requests that the kernel answers with an ACK only (NEWSA, UPDSA, NEWAE, DELSA, ...),
     * many in one datagram ({@link #BATCH} at most, one send each), and returns each request's
     * outcome in order: empty if the kernel did it, else why not. Only the last request of a
     * datagram asks for an ACK (NLM_F_ACK): the kernel handles a datagram's requests one after the
     * other before send returns, answers each that fails with its error (and its sequence number)
     * and goes on with the next one (netlink_rcv_skb), so once the last one's answer is in, every
     * earlier request without an error answer was done. A request whose outcome cannot be known
     * (no last answer within the timeout, answers dropped for a full receive buffer, a failed
     * send) is reported as failed, never as done.
     */
    public synchronized List<Optional<XfrmException>> requestAll(List<XfrmMessage> requests) {
        List<Optional<XfrmException>> out = new ArrayList<>(requests.size());
        for (int from = 0; from < requests.size(); from += BATCH) {
            out.addAll(batch(requests.subList(from, Math.min(requests.size(), from + BATCH))));
        }
        return out;
    }

    private List<Optional<XfrmException>> batch(List<XfrmMessage> requests) {
        int n = requests.size();
        int first = nextSeq;
        nextSeq += n;
        XfrmMessage[] sent = new XfrmMessage[n];
        List<Optional<XfrmException>> results = new ArrayList<>(Collections.nCopies(n, null));
        LinkedBlockingQueue<XfrmMessage> q = new LinkedBlockingQueue<>();
        byte[] bytes = datagram(requests, first, sent);
        for (int i = 0; i < n; i++) {
            waiting.put(first + i, q);
        }
        long overrunsBefore = overruns;
        String unknown = null;
        boolean lost = false;
        try {
            send(bytes, () -> n + " requests from " + sent[0].describe());
            long deadline = System.nanoTime() + DEFAULT_TIMEOUT.toNanos();
            while (results.get(n - 1) == null && unknown == null) {
                XfrmMessage r;
                try {
                    r = reader == null ? next(deadline) : take(q, deadline);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == ENOBUFS) {
                        lost = true; // and read on: the last answer may still come
                    } else if (e.getErrorCode() != EINTR) {
                        unknown = "recv failed: errno " + e.getErrorCode() + " (" + libc.strerror(e.getErrorCode())
                                + ")";
                    }
                    continue;
                }
                if (r == null) {
                    unknown = "no answer from the kernel within " + DEFAULT_TIMEOUT.toMillis() + " ms";
                    continue;
                }
                int i = r.header().seq() - first;
                if (r.header().pid() == portId && i >= 0 && i < n && r.body() instanceof XfrmBody.Error e) {
                    results.set(i, e.error() == 0 ? Optional.empty() : Optional.of(failure(sent[i], e)));
                } else {
                    LOG.debug("dropped an XFRM answer nobody waits for: {}", r.describe());
                    r.wipeKeys();
                }
            }
            if (unknown == null && (lost || overruns != overrunsBefore)) {
                unknown = "the kernel dropped messages for us (receive buffer full): this one's answer may be lost";
            }
        } catch (XfrmException e) {
            unknown = e.getMessage();
        } finally {
            for (int i = 0; i < n; i++) {
                waiting.remove(first + i);
            }
        }
        for (int i = 0; i < n; i++) {
            if (results.get(i) == null) {
                results.set(i, unknown == null ? Optional.empty()
                        : Optional.of(new XfrmException(sent[i].describe() + ": outcome unknown: " + unknown, 0)));
            }
        }
        return results;
    }

    /** The requests with their sequence numbers, NLM_F_ACK on the last, in one buffer (each padded to 4 bytes). */
    private byte[] datagram(List<XfrmMessage> requests, int first, XfrmMessage[] sent) {
        int n = requests.size();
        byte[][] parts = new byte[n][];
        int length = 0;
        for (int i = 0; i < n; i++) {
            XfrmMessage m = requests.get(i);
            int flags = Xfrm.NLM_F_REQUEST | (i == n - 1 ? Xfrm.NLM_F_ACK : 0) | m.header().flags();
            sent[i] = new XfrmMessage(new NetlinkHeader(m.type(), flags, first + i, portId), m.body(), m.attributes());
            parts[i] = codec.encode(sent[i]);
            length += parts[i].length;
        }
        byte[] bytes = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, bytes, at, part.length);
            at += part.length;
            Arrays.fill(part, (byte) 0);
        }
        return bytes;
    }

    private XfrmException failure(XfrmMessage m, XfrmBody.Error e) {
        int errno = -e.error();
        return new XfrmException(m.describe() + " failed: errno " + errno + " (" + libc.strerror(errno) + ")"
                + (e.message().isEmpty() ? "" : ": " + e.message()), errno);
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
                        throw failure(m, e);
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
        while (true) {
            XfrmMessage r;
            try {
                r = next(deadline);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == EINTR) {
                    continue;
                }
                throw new XfrmException(m.describe() + ": recv failed: errno " + e.getErrorCode() + " ("
                        + libc.strerror(e.getErrorCode()) + ")", e.getErrorCode());
            }
            if (r == null) {
                throw new XfrmException(m.describe() + ": no answer from the kernel within "
                        + DEFAULT_TIMEOUT.toMillis() + " ms", 0);
            }
            if (r.header().pid() == portId && r.header().seq() == seq) {
                return r;
            }
            // the late answer to a request that timed out: nobody waits for it any more
            LOG.debug("dropped an XFRM answer nobody waits for: {}", r.describe());
            r.wipeKeys();
        }
    }

    /**
     * Without a reader thread: the next message of this socket, received on the caller's thread;
     * null after the deadline. The clock is read only when a receive brought nothing (in the lab's
     * guest each read is a system call).
     */
    private XfrmMessage next(long deadline) {
        while (true) {
            XfrmMessage r = unclaimed.poll();
            if (r != null) {
                return r;
            }
            List<XfrmMessage> got = receive(answerBuffer);
            if (got.isEmpty() && System.nanoTime() - deadline >= 0) {
                return null;
            }
            unclaimed.addAll(got);
        }
    }

    /** With a reader thread: the next answer it hands over; null after the deadline or when interrupted. */
    private static XfrmMessage take(LinkedBlockingQueue<XfrmMessage> q, long deadline) {
        try {
            return q.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
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
        send(codec.encode(m), m::describe);
    }

    /** Sends one datagram of one or more messages ({@code what} says which, for logs and errors) and wipes it. */
    private void send(byte[] bytes, Supplier<String> what) throws XfrmException {
        try {
            if (closed) {
                throw new XfrmException(what.get() + ": XFRM socket closed", 0);
            }
            if (LOG.isDebugEnabled()) {
                LOG.debug("send {}", what.get());
            }
            long n = libc.send(fd, bytes, new NativeLong(bytes.length), 0).longValue();
            if (n != bytes.length) {
                throw new XfrmException(what.get() + ": short send (" + n + " of " + bytes.length + " bytes)", 0);
            }
        } catch (LastErrorException e) {
            throw new XfrmException(what.get() + " refused by send(): errno " + e.getErrorCode() + " ("
                    + libc.strerror(e.getErrorCode()) + ")", e.getErrorCode());
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * Waits up to {@link #RECV_MILLIS} for one datagram, in one recv (SO_RCVTIMEO; an answer to our
     * request is queued before our send returns, a queued event at once), and decodes its messages
     * (none on timeout, or when it was cut or does not decode, which is logged). The buffer is
     * wiped afterwards.
     */
    private List<XfrmMessage> receive(byte[] buf) {
        int n = 0;
        try {
            // MSG_TRUNC: netlink then answers the datagram's real length, so a cut one is seen
            try {
                n = libc.recv(fd, buf, new NativeLong(buf.length), MSG_TRUNC).intValue();
            } catch (LastErrorException e) {
                if (e.getErrorCode() == EAGAIN) {
                    return List.of(); // nothing within RECV_MILLIS
                }
                throw e;
            }
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
                receive(buf).forEach(this::dispatch);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == ENOBUFS) {
                    overruns++;
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
                reader.join(2 * RECV_MILLIS + 1000);
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
