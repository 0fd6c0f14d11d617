package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.exchange.Engine;
import dev.isakmpd.core.exchange.RetransmitPolicy;
import dev.isakmpd.core.kernel.Kernel;
import dev.isakmpd.daemon.config.DaemonConfig;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;

/** One running daemon: its sockets, its engine and the event-loop thread that drives them. */
public final class Daemon {
    private final EventLoop loop;
    private final StatusPublisher status;
    private final Thread thread;

    private Daemon(EventLoop loop, StatusPublisher status, String threadName) {
        this.loop = loop;
        this.status = status;
        this.thread = new Thread(loop, threadName);
    }

    /**
     * Binds the listen endpoints and starts the event loop, which initiates the auto=start peers.
     *
     * @param threadName names the loop thread, and so tells daemons apart in one process's log
     * @throws IOException when an endpoint cannot be bound (the message names it)
     */
    public static Daemon start(DaemonConfig config, Kernel kernel, String threadName) throws IOException {
        UdpTransport transport = UdpTransport.bind(config.listen());
        try {
            Engine engine = new Engine(config.peers(), new SecureRandom(), kernel, RetransmitPolicy.DEFAULT);
            StatusPublisher status = new StatusPublisher(config.statusFile(), kernel);
            EventLoop loop = new EventLoop(config, engine, transport, new ActionExecutor(transport, kernel), status,
                    Clock.systemUTC());
            Daemon d = new Daemon(loop, status, threadName);
            d.thread.start();
            return d;
        } catch (RuntimeException e) {
            transport.close();
            throw e;
        }
    }

    /** Asks the loop to shut down (Deletes to peers, SAs out of the kernel) and waits up to {@code timeout}. */
    public boolean stop(Duration timeout) throws InterruptedException {
        loop.requestStop();
        return awaitTermination(timeout);
    }

    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        thread.join(Math.max(1, timeout.toMillis()));
        return !thread.isAlive();
    }

    /** True when the loop ended on an I/O failure rather than a requested stop. */
    public boolean failed() {
        return loop.failed();
    }

    /** The SA table as of the last batch of actions; safe to call from any thread. */
    public DaemonStatus status() {
        return status.current();
    }
}
