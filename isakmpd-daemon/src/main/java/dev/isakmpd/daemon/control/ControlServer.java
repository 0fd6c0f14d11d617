package dev.isakmpd.daemon.control;

import dev.isakmpd.daemon.config.ControlSocket;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control socket: a thread with its own selector reads request lines from any number of
 * clients without blocking, hands each request to the handler (which runs engine work on the
 * event loop's thread) and writes the replies back in order. Every misbehaving client is bounded:
 * a line over {@link ControlProtocol#MAX_REQUEST_LINE}, unread replies over {@link #MAX_UNREAD},
 * silence over {@link #IDLE}, or more clients than {@link #MAX_CLIENTS}: it gets an error line
 * where one can still be written, and is dropped. Negotiation never waits for a client.
 */
public final class ControlServer implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger("isakmpd.control");
    static final int MAX_CLIENTS = 128;
    /** Replies a client has not read; a client that never reads is dropped at this. */
    static final int MAX_UNREAD = 1024 * 1024;
    /** Requests queued behind the one being answered. */
    static final int MAX_QUEUED = 16;
    static final Duration IDLE = Duration.ofSeconds(60);

    private final Path path;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final Function<ControlProtocol.Request, CompletableFuture<String>> handler;
    private final ConcurrentLinkedQueue<Runnable> completions = new ConcurrentLinkedQueue<>();
    private final Set<Client> clients = new HashSet<>();
    private final Thread thread;
    private volatile boolean closed;

    private ControlServer(Path path, ServerSocketChannel server, Selector selector,
            Function<ControlProtocol.Request, CompletableFuture<String>> handler) {
        this.path = path;
        this.server = server;
        this.selector = selector;
        this.handler = handler;
        this.thread = new Thread(this::run, "isakmpd-control");
        this.thread.setDaemon(true);
    }

    /**
     * Binds the socket (with its mode and group) and starts serving.
     *
     * @param handler answers one request with one reply line; called on the control thread
     */
    public static ControlServer start(ControlSocket config,
            Function<ControlProtocol.Request, CompletableFuture<String>> handler) throws IOException {
        ServerSocketChannel server = SocketFile.bind(config);
        Selector selector;
        try {
            selector = Selector.open();
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            server.close();
            Files.deleteIfExists(config.path());
            throw e;
        }
        ControlServer s = new ControlServer(config.path(), server, selector, handler);
        s.thread.start();
        LOG.info("control socket {}", config.path());
        return s;
    }

    private void run() {
        try {
            while (!closed) {
                selector.select(IDLE.toMillis() / 4);
                for (Runnable r; (r = completions.poll()) != null;) {
                    r.run();
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                    } else {
                        Client c = (Client) key.attachment();
                        if (key.isReadable()) {
                            c.read();
                        }
                        if (key.isValid() && key.isWritable()) {
                            c.flush();
                        }
                    }
                }
                selector.selectedKeys().clear();
                long now = System.nanoTime();
                for (Client c : Set.copyOf(clients)) {
                    if (now - c.lastActivity > IDLE.toNanos()) {
                        c.drop("idle for " + IDLE.toSeconds() + " s");
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                LOG.error("control socket stopped: {}", e.toString(), e);
            }
        }
    }

    private void accept() throws IOException {
        SocketChannel ch = server.accept();
        if (ch == null) {
            return;
        }
        ch.configureBlocking(false);
        Client c = new Client(ch);
        if (clients.size() >= MAX_CLIENTS) {
            LOG.warn("refusing a control connection: {} clients are connected", clients.size());
            c.reply(ControlProtocol.error("too many control connections (" + MAX_CLIENTS + "); try again later"));
            c.closeAfterReplies();
            return;
        }
        clients.add(c);
        c.key = ch.register(selector, SelectionKey.OP_READ, c);
    }

    /** One connected client: its partial line, queued requests and unwritten replies. */
    private final class Client {
        private final SocketChannel channel;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private final Deque<String> queued = new ArrayDeque<>();
        private final Deque<ByteBuffer> out = new ArrayDeque<>();
        private final ByteBuffer in = ByteBuffer.allocate(8192);
        private SelectionKey key;
        private long unread;
        private boolean busy;
        private boolean inputDone;
        private boolean closing;
        private long lastActivity = System.nanoTime();

        Client(SocketChannel channel) {
            this.channel = channel;
        }

        void read() {
            in.clear();
            int n;
            try {
                n = channel.read(in);
            } catch (IOException e) {
                drop("read failed: " + e.getMessage());
                return;
            }
            lastActivity = System.nanoTime();
            if (n < 0) {
                inputDone = true;
                key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
                if (line.size() > 0) {
                    refuse("incomplete request: the connection ended before a newline");
                } else if (!busy && queued.isEmpty()) {
                    closeAfterReplies();
                }
                return;
            }
            byte[] b = in.array();
            int start = 0;
            for (int i = 0; i < n && !closing; i++) {
                if (b[i] == '\n') {
                    line.write(b, start, i - start);
                    start = i + 1;
                    enqueue(line.toString(StandardCharsets.UTF_8).strip());
                    line.reset();
                }
            }
            if (closing) {
                return;
            }
            line.write(b, start, n - start);
            if (line.size() > ControlProtocol.MAX_REQUEST_LINE) {
                refuse("request line longer than " + ControlProtocol.MAX_REQUEST_LINE + " bytes");
            }
        }

        private void enqueue(String request) {
            if (request.isEmpty()) {
                return;
            }
            if (queued.size() >= MAX_QUEUED) {
                refuse("more than " + MAX_QUEUED + " requests waiting for replies");
                return;
            }
            queued.add(request);
            next();
        }

        /** Answers the queued requests one at a time, so replies come back in request order. */
        private void next() {
            if (busy || closing) {
                return;
            }
            String request = queued.poll();
            if (request == null) {
                if (inputDone) {
                    closeAfterReplies();
                }
                return;
            }
            busy = true;
            CompletableFuture<String> reply;
            try {
                reply = handler.apply(ControlProtocol.parse(request));
            } catch (ControlProtocol.BadRequest e) {
                reply = CompletableFuture.completedFuture(ControlProtocol.error(e.getMessage()));
            }
            reply.whenComplete((text, failure) -> {
                completions.add(() -> {
                    busy = false;
                    reply(failure == null ? text : ControlProtocol.error("internal error: " + failure));
                    next();
                });
                selector.wakeup();
            });
        }

        /** Says why, then closes: what the client sent cannot be read as requests any more. */
        private void refuse(String why) {
            LOG.warn("control client refused: {}", why);
            queued.clear();
            reply(ControlProtocol.error(why));
            closeAfterReplies();
        }

        void reply(String text) {
            if (!channel.isOpen()) {
                return;
            }
            byte[] b = (text + "\n").getBytes(StandardCharsets.UTF_8);
            unread += b.length;
            if (unread > MAX_UNREAD) {
                drop("it does not read its replies (" + unread + " bytes unread)");
                return;
            }
            out.add(ByteBuffer.wrap(b));
            flush();
        }

        void flush() {
            try {
                while (!out.isEmpty()) {
                    ByteBuffer b = out.peek();
                    unread -= channel.write(b);
                    if (b.hasRemaining()) {
                        break;
                    }
                    out.poll();
                }
            } catch (IOException e) {
                drop("write failed: " + e.getMessage());
                return;
            }
            if (out.isEmpty() && closing) {
                close();
            } else if (key != null && key.isValid()) {
                int ops = out.isEmpty() ? key.interestOps() & ~SelectionKey.OP_WRITE
                        : key.interestOps() | SelectionKey.OP_WRITE;
                key.interestOps(ops);
            }
        }

        void closeAfterReplies() {
            closing = true;
            if (key != null && key.isValid()) {
                key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
            }
            // a client refused at accept is not registered: its one short error line was written or lost
            if (out.isEmpty() || key == null) {
                close();
            }
        }

        void drop(String why) {
            LOG.warn("dropping control client: {}", why);
            close();
        }

        private void close() {
            closing = true;
            clients.remove(this);
            out.clear();
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing a control connection: {}", e.toString());
            }
        }
    }

    /** Stops serving, closes every connection and removes the socket file. */
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Client c : Set.copyOf(clients)) {
            c.close();
        }
        try {
            server.close();
            selector.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("removing control socket {}: {}", path, e.toString());
        }
    }
}
