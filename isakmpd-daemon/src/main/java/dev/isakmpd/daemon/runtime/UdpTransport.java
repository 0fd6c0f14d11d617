package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.exchange.Datagram;
import dev.isakmpd.daemon.Endpoints;
import dev.isakmpd.daemon.config.DaemonConfig;
import java.io.Closeable;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The daemon's UDP sockets: one non-blocking channel per listen endpoint, all on one selector. */
final class UdpTransport implements Closeable {
    /** Waits for the next datagram or {@link #wakeup()} however long that takes. */
    static final long FOREVER = Long.MAX_VALUE;
    private static final Logger LOG = LoggerFactory.getLogger("isakmpd.net");
    private static final int MAX_DATAGRAM = 65535;
    /**
     * Datagrams taken from one socket per wake-up before the loop looks at its timers again: a
     * burst (2000 Deletes when a load generator stops) is drained in batches, not one per select.
     */
    static final int BATCH = 64;

    private final Selector selector;
    private final Map<InetSocketAddress, DatagramChannel> channels;
    /** One byte more than any datagram we accept, so that a full buffer reveals a truncated one. */
    private final ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM + 1);

    private UdpTransport(Selector selector, Map<InetSocketAddress, DatagramChannel> channels) {
        this.selector = selector;
        this.channels = channels;
    }

    /** Binds every endpoint, or none: on failure the ones bound so far are closed again. */
    static UdpTransport bind(List<InetSocketAddress> endpoints) throws IOException {
        return bind(endpoints, DaemonConfig.DEFAULT_RECEIVE_BUFFER);
    }

    /**
     * As {@link #bind(List)}, each socket with a receive buffer of {@code receiveBuffer} bytes: the
     * kernel caps what it grants at net.core.rmem_max, and the log says when it granted less.
     */
    static UdpTransport bind(List<InetSocketAddress> endpoints, int receiveBuffer) throws IOException {
        Selector selector = Selector.open();
        UdpTransport t = new UdpTransport(selector, new LinkedHashMap<>());
        try {
            for (InetSocketAddress e : endpoints) {
                DatagramChannel c = DatagramChannel.open(e.getAddress() instanceof Inet6Address
                        ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
                t.channels.put(e, c);
                try {
                    c.bind(e);
                } catch (IOException ex) {
                    throw new IOException("cannot bind UDP " + Endpoints.format(e) + ": " + ex.getMessage()
                            + hint(ex.getMessage(), e.getPort()), ex);
                }
                c.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer);
                // Linux reports twice what it reserves for data (the rest is its bookkeeping).
                int granted = c.getOption(StandardSocketOptions.SO_RCVBUF) / 2;
                if (granted < receiveBuffer) {
                    LOG.info("the kernel granted {} bytes of receive buffer on {}, not {}: raise the sysctl "
                            + "net.core.rmem_max, or bursts of messages (Deletes) may be dropped", granted,
                            Endpoints.format(e), receiveBuffer);
                }
                c.configureBlocking(false);
                c.register(selector, SelectionKey.OP_READ, e);
                LOG.info("listening on {}", Endpoints.format(e));
            }
        } catch (IOException e) {
            t.close();
            throw e;
        }
        return t;
    }

    /** What usually causes a bind error, for the admin who reads it. */
    static String hint(String error, int port) {
        String e = error == null ? "" : error;
        if (e.contains("Permission denied") && port < 1024) {
            return " (port " + port + " needs root or CAP_NET_BIND_SERVICE)";
        }
        if (e.contains("Address already in use")) {
            return " (another IKE daemon, such as strongSwan's charon, libreswan's pluto or a second isakmpd, "
                    + "usually holds it)";
        }
        if (e.contains("Cannot assign requested address")) {
            return " (the address is not configured on this host)";
        }
        return "";
    }

    /**
     * Waits up to {@code timeoutMillis} (0: not at all, {@link #FOREVER}: until a datagram or a
     * wakeup) and hands each datagram that arrived to {@code sink}.
     */
    void poll(long timeoutMillis, Consumer<Datagram> sink) throws IOException {
        if (timeoutMillis == 0) {
            selector.selectNow();
        } else {
            selector.select(timeoutMillis == FOREVER ? 0 : timeoutMillis);
        }
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
            SelectionKey key = it.next();
            it.remove();
            InetSocketAddress local = (InetSocketAddress) key.attachment();
            for (int n = 0; n < BATCH; n++) {
                buffer.clear();
                SocketAddress from;
                try {
                    from = ((DatagramChannel) key.channel()).receive(buffer);
                } catch (IOException e) {
                    LOG.warn("receive on {} failed: {}", Endpoints.format(local), e.toString());
                    break;
                }
                if (from == null) {
                    break; // drained
                }
                if (buffer.position() > MAX_DATAGRAM) {
                    LOG.warn("ignoring an oversized datagram from {}", from);
                    continue;
                }
                sink.accept(new Datagram(local, (InetSocketAddress) from,
                        Arrays.copyOf(buffer.array(), buffer.position())));
            }
        }
    }

    /** The endpoints bound, for the kernel's per-socket drop counters ({@link UdpDrops}). */
    List<InetSocketAddress> endpoints() {
        return List.copyOf(channels.keySet());
    }

    void wakeup() {
        selector.wakeup();
    }

    void send(Datagram d) throws IOException {
        DatagramChannel c = channels.get(d.local());
        if (c == null) {
            throw new IOException("no socket bound to " + Endpoints.format(d.local()));
        }
        c.send(ByteBuffer.wrap(d.data()), d.remote());
    }

    @Override
    public void close() {
        for (DatagramChannel c : channels.values()) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.debug("closing a socket: {}", e.toString());
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            LOG.debug("closing the selector: {}", e.toString());
        }
    }
}
