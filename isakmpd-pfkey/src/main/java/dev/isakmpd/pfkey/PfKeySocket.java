package dev.isakmpd.pfkey;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import dev.isakmpd.core.policy.Addresses;
import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PF_KEY v2 socket: {@code socket(PF_KEY, SOCK_RAW, PF_KEY_V2)} through JNA. One reader thread
 * receives everything the kernel sends; answers to our requests (our pid, the request's type and
 * sequence number) go back to the caller of {@link #call}, everything else (ACQUIRE, EXPIRE,
 * other daemons' messages the kernel broadcasts) goes to the event listener, on the reader thread.
 */
public final class PfKeySocket implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger("isakmpd.kernel.pfkey");
    private static final int AF_KEY_SOCK_RAW = 3;
    private static final int EAFNOSUPPORT = 97;
    private static final int ENOENT = 2;
    private static final int POLL_MILLIS = 200;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final LibC libc;
    private final int fd;
    private final int pid;
    private final SadbCodec codec = SadbCodec.host();
    private final Map<Long, LinkedBlockingQueue<SadbMessage>> waiting = new ConcurrentHashMap<>();
    private final Thread reader;
    private volatile Consumer<SadbMessage> events = m -> { };
    private volatile java.util.function.BiConsumer<byte[], SadbMessage> tap;
    private volatile boolean closed;
    private int nextSeq = ThreadLocalRandom.current().nextInt(1, 1 << 30);

    private PfKeySocket(LibC libc, int fd) {
        this.libc = libc;
        this.fd = fd;
        this.pid = (int) ProcessHandle.current().pid();
        this.reader = new Thread(this::readLoop, "pfkey-reader-" + fd);
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /**
     * Opens the socket.
     *
     * @throws PfKeyUnavailableException when this kernel has no PF_KEY (the message says what to do)
     */
    public static PfKeySocket open() throws PfKeyUnavailableException {
        LibC libc;
        try {
            libc = LibC.Holder.get();
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            throw new PfKeyUnavailableException("cannot load libc through JNA (" + e.getMessage()
                    + "); is the JNA native library allowed to unpack (-Djna.tmpdir)?", e);
        }
        try {
            return new PfKeySocket(libc, libc.socket(Sadb.PF_KEY, AF_KEY_SOCK_RAW, Sadb.PF_KEY_V2));
        } catch (LastErrorException e) {
            String why = e.getErrorCode() == EAFNOSUPPORT
                    ? "this kernel has no PF_KEY (CONFIG_NET_KEY); load it with \"modprobe af_key\", or run on a"
                            + " kernel that has it"
                    : e.getErrorCode() == 1 || e.getErrorCode() == 13
                            ? "not permitted: PF_KEY needs root (CAP_NET_ADMIN)"
                            : "errno " + e.getErrorCode() + " (" + libc.strerror(e.getErrorCode()) + ")";
            throw new PfKeyUnavailableException("socket(PF_KEY, SOCK_RAW, PF_KEY_V2) failed: " + why, e);
        }
    }

    public int pid() {
        return pid;
    }

    /** Where kernel-originated and foreign messages go; called on the reader thread. */
    public void onEvent(Consumer<SadbMessage> listener) {
        this.events = listener;
    }

    /**
     * Tests only: sees a copy of every received message's bytes (keys included) with its decoding,
     * before it is dispatched. Never set in the daemon.
     */
    public void tap(java.util.function.BiConsumer<byte[], SadbMessage> t) {
        this.tap = t;
    }

    /** Sends {@code request} with a fresh sequence number and our pid and waits for the kernel's answer. */
    public SadbMessage call(SadbMessage request) throws PfKeyException {
        return call(request, DEFAULT_TIMEOUT);
    }

    public synchronized SadbMessage call(SadbMessage request, Duration timeout) throws PfKeyException {
        int seq = nextSeq++;
        SadbMessage m = request.withSeqPid(seq, pid);
        LinkedBlockingQueue<SadbMessage> q = new LinkedBlockingQueue<>();
        long key = key(m.type(), seq);
        waiting.put(key, q);
        try {
            send(m);
            SadbMessage reply = poll(q, timeout, m);
            failIfError(m, reply);
            return reply;
        } finally {
            waiting.remove(key);
        }
    }

    /**
     * SADB_DUMP (or X_SPDDUMP): all the kernel's answers. An empty table is an empty list (Linux
     * answers ENOENT). Linux numbers the answers count-down and ends with sequence number 0.
     */
    public synchronized List<SadbMessage> dump(int type, int satype, Duration timeout) throws PfKeyException {
        SadbMessage m = SadbMessage.request(type, satype).withSeqPid(nextSeq++, pid);
        LinkedBlockingQueue<SadbMessage> q = new LinkedBlockingQueue<>();
        long key = key(type, -1);
        waiting.put(key, q);
        List<SadbMessage> all = new ArrayList<>();
        try {
            send(m);
            while (true) {
                SadbMessage r = poll(q, timeout, m);
                if (r.errno() == ENOENT && all.isEmpty()) {
                    return all;
                }
                failIfError(m, r);
                all.add(r);
                if (r.seq() == 0) {
                    return all;
                }
            }
        } finally {
            waiting.remove(key);
        }
    }

    private SadbMessage poll(LinkedBlockingQueue<SadbMessage> q, Duration timeout, SadbMessage m)
            throws PfKeyException {
        try {
            SadbMessage r = q.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (r == null) {
                throw new PfKeyException(what(m) + ": no answer from the kernel within " + timeout.toMillis()
                        + " ms", 0);
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PfKeyException(what(m) + ": interrupted", e);
        }
    }

    private void failIfError(SadbMessage request, SadbMessage reply) throws PfKeyException {
        if (reply.errno() != 0) {
            throw new PfKeyException(what(request) + " failed: errno " + reply.errno() + " ("
                    + libc.strerror(reply.errno()) + ")", reply.errno());
        }
    }

    /** Sends a message without waiting for an answer (e.g. an ACQUIRE error reply). */
    public void send(SadbMessage m) throws PfKeyException {
        if (closed) {
            throw new PfKeyException(what(m) + ": PF_KEY socket closed", 0);
        }
        byte[] bytes = codec.encode(m);
        try {
            if (LOG.isDebugEnabled()) {
                LOG.debug("send {}", m.describe());
            }
            long n = libc.send(fd, bytes, new NativeLong(bytes.length), 0).longValue();
            if (n != bytes.length) {
                throw new PfKeyException(what(m) + ": short send (" + n + " of " + bytes.length + " bytes)", 0);
            }
        } catch (LastErrorException e) {
            throw new PfKeyException(what(m) + " refused by send(): errno " + e.getErrorCode() + " ("
                    + libc.strerror(e.getErrorCode()) + ")", e.getErrorCode());
        } finally {
            java.util.Arrays.fill(bytes, (byte) 0);
        }
    }

    private void readLoop() {
        byte[] buf = new byte[256 * 1024];
        byte[] pollfd = new byte[8];
        ByteBuffer.wrap(pollfd).order(ByteOrder.nativeOrder()).putInt(0, fd).putShort(4, (short) 1 /* POLLIN */);
        while (!closed) {
            try {
                pollfd[6] = 0;
                pollfd[7] = 0;
                if (libc.poll(pollfd, 1, POLL_MILLIS) <= 0) {
                    continue;
                }
                int n = libc.recv(fd, buf, new NativeLong(buf.length), 0).intValue();
                if (n <= 0) {
                    continue;
                }
                SadbMessage m;
                try {
                    m = codec.decode(buf, n);
                    java.util.function.BiConsumer<byte[], SadbMessage> t = tap;
                    if (t != null) {
                        t.accept(java.util.Arrays.copyOf(buf, n), m);
                    }
                } catch (PfKeyFormatException e) {
                    LOG.warn("dropped a {}-byte PF_KEY message from the kernel: {}", n, e.getMessage());
                    continue;
                } finally {
                    java.util.Arrays.fill(buf, 0, n, (byte) 0);
                }
                dispatch(m);
            } catch (LastErrorException e) {
                if (!closed && e.getErrorCode() != 4 /* EINTR */) {
                    LOG.warn("PF_KEY receive failed: errno {} ({})", e.getErrorCode(), libc.strerror(e.getErrorCode()));
                    sleepQuietly();
                }
            } catch (RuntimeException e) {
                LOG.error("PF_KEY reader: {}", e.toString(), e);
            }
        }
    }

    private void dispatch(SadbMessage m) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("recv {}", m.describe());
        }
        if (m.pid() == pid) {
            LinkedBlockingQueue<SadbMessage> q = waiting.get(key(m.type(), m.seq()));
            if (q == null && (m.type() == Sadb.DUMP || m.type() == Sadb.X_SPDDUMP)) {
                q = waiting.get(key(m.type(), -1));
            }
            if (q != null) {
                q.add(m);
                return;
            }
        }
        try {
            events.accept(m);
        } catch (RuntimeException e) {
            LOG.error("PF_KEY event listener failed on {}: {}", m.describe(), e.toString(), e);
        }
        m.wipeKeys();
    }

    private static long key(int type, int seq) {
        return ((long) type << 32) | (seq & 0xffffffffL);
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String what(SadbMessage m) {
        StringBuilder s = new StringBuilder("SADB_" + Sadb.messageName(m.type()) + " " + Sadb.satypeName(m.satype()));
        m.find(SadbExtension.Sa.class).ifPresent(sa -> s.append(String.format(" spi 0x%08x", sa.spi())));
        m.address(Sadb.EXT_ADDRESS_SRC).ifPresent(a -> s.append(" ").append(Addresses.format(a.address()))
                .append(a.prefixLength() != a.address().getAddress().length * 8 ? "/" + a.prefixLength() : ""));
        m.address(Sadb.EXT_ADDRESS_DST).ifPresent(a -> s.append(" -> ").append(Addresses.format(a.address()))
                .append(a.prefixLength() != a.address().getAddress().length * 8 ? "/" + a.prefixLength() : ""));
        m.find(SadbExtension.Policy.class).ifPresent(p -> s.append(" dir ").append(p.direction()));
        return s.toString();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            reader.join(2 * POLL_MILLIS + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            libc.close(fd);
        } catch (LastErrorException e) {
            LOG.warn("closing the PF_KEY socket: errno {}", e.getErrorCode());
        }
    }
}
