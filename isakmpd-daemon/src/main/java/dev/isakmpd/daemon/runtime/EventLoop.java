package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.exchange.Action;
import dev.isakmpd.core.exchange.Datagram;
import dev.isakmpd.core.exchange.Engine;
import dev.isakmpd.core.exchange.IsakmpSaInfo;
import dev.isakmpd.core.kernel.Kernel;
import dev.isakmpd.core.kernel.KernelEvent;
import dev.isakmpd.core.kernel.KernelException;
import dev.isakmpd.core.kernel.SpdTunnel;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.daemon.Endpoints;
import dev.isakmpd.daemon.config.DaemonConfig;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that touches the engine (which is not thread-safe): waits for datagrams or the
 * engine's next timer, feeds them in, executes the actions that come out, publishes the SA table.
 * Nothing the engine throws stops it.
 */
final class EventLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger("isakmpd.daemon");
    /** After a timer run fails, wait this long before the next, instead of spinning on a timer that stays due. */
    private static final Duration TIMER_FAILURE_PAUSE = Duration.ofSeconds(1);

    private final DaemonConfig config;
    private final Engine engine;
    private final UdpTransport transport;
    private final ActionExecutor executor;
    private final StatusPublisher status;
    private final Clock clock;
    private final Kernel kernel;
    private final List<SpdTunnel> policies;
    /** Kernel events arrive on the back-end's thread and wait here for the loop. */
    private final ConcurrentLinkedQueue<KernelEvent> kernelEvents = new ConcurrentLinkedQueue<>();
    private volatile boolean stopRequested;
    private volatile boolean failed;
    private Instant timersPausedUntil = Instant.MIN;

    EventLoop(DaemonConfig config, Engine engine, UdpTransport transport, ActionExecutor executor,
            StatusPublisher status, Clock clock, Kernel kernel, List<SpdTunnel> policies) {
        this.kernel = kernel;
        this.policies = List.copyOf(policies);
        this.config = config;
        this.engine = engine;
        this.transport = transport;
        this.executor = executor;
        this.status = status;
        this.clock = clock;
    }

    @Override
    public void run() {
        try {
            for (PeerPolicy p : config.peers()) {
                if (p.autoStart()) {
                    dispatch("initiating peer " + p.name(), () -> engine.initiate(p.name(), clock.instant()));
                }
            }
            while (!stopRequested) {
                transport.poll(kernelEvents.isEmpty() ? millisUntilNextTimer() : 0, this::receive);
                for (KernelEvent e; (e = kernelEvents.poll()) != null;) {
                    handle(e);
                }
                if (timerDue()) {
                    if (!dispatch("running timers", () -> engine.timeout(clock.instant()))) {
                        timersPausedUntil = clock.instant().plus(TIMER_FAILURE_PAUSE);
                    }
                }
            }
            LOG.info("shutting down: deleting SAs and telling peers");
            dispatch("shutting down", () -> engine.shutdown(clock.instant()));
        } catch (IOException | RuntimeException e) {
            failed = true;
            LOG.error("event loop stopped: {}", e.toString(), e);
        } finally {
            transport.close();
            for (SpdTunnel t : policies) {
                try {
                    kernel.deletePolicy(t);
                } catch (KernelException | RuntimeException e) {
                    LOG.warn("removing the policies of {}: {}", t.describe(), e.getMessage());
                }
            }
            kernel.close();
        }
    }

    /** Called on the kernel back-end's thread: queue the event and wake the loop. */
    void kernelEvent(KernelEvent e) {
        kernelEvents.add(e);
        transport.wakeup();
    }

    private void handle(KernelEvent e) {
        if (e instanceof KernelEvent.Acquire a) {
            dispatch("handling " + a, () -> engine.acquire(a, clock.instant()));
        } else if (e instanceof KernelEvent.Expire x) {
            dispatch("handling " + x, () -> engine.expired(x, clock.instant()));
        }
    }

    void requestStop() {
        stopRequested = true;
        transport.wakeup();
    }

    boolean failed() {
        return failed;
    }

    private void receive(Datagram d) {
        String peer = config.peerAt(d.remote()).map(p -> "peer " + p.name()).orElse("no configured peer");
        dispatch("handling " + d.data().length + " bytes from " + Endpoints.format(d.remote()) + " (" + peer + ")",
                () -> engine.receive(d, clock.instant()));
    }

    /** Runs one engine call and its actions; false when the engine threw, which is logged. */
    private boolean dispatch(String context, Supplier<List<Action>> call) {
        List<Action> actions;
        try {
            actions = call.get();
        } catch (RuntimeException e) {
            LOG.error("engine failed {}: {}", context, e.toString(), e);
            return false;
        }
        executor.execute(actions);
        for (Engine.PeerEvent e : engine.peerEvents()) {
            restartIfDead(e);
        }
        List<IsakmpSaInfo> isakmp;
        try {
            isakmp = engine.isakmpSas();
        } catch (RuntimeException e) {
            LOG.error("engine failed listing ISAKMP SAs: {}", e.toString(), e);
            isakmp = status.current().isakmp();
        }
        status.refresh(isakmp);
        return true;
    }

    /** The engine reports a dead peer; an auto = "start" peer is negotiated anew. */
    private void restartIfDead(Engine.PeerEvent e) {
        if (e.kind() == Engine.PeerEvent.Kind.DEAD
                && config.peers().stream().anyMatch(p -> p.name().equals(e.peer()) && p.autoStart())) {
            LOG.info("peer {}: negotiating anew (auto = start)", e.peer());
            dispatch("restarting peer " + e.peer(), () -> engine.up(e.peer(), clock.instant()));
        }
    }

    private long millisUntilNextTimer() {
        Optional<Instant> next = nextTimer();
        if (next.isEmpty()) {
            return UdpTransport.FOREVER;
        }
        long millis = Duration.between(clock.instant(), next.get()).toMillis();
        // select(ms) may return a little early; +1 avoids waking just before the deadline and spinning.
        return millis < 0 ? 0 : millis + 1;
    }

    private boolean timerDue() {
        return nextTimer().map(t -> !t.isAfter(clock.instant())).orElse(false);
    }

    private Optional<Instant> nextTimer() {
        Optional<Instant> next;
        try {
            next = engine.nextTimeout();
        } catch (RuntimeException e) {
            LOG.error("engine failed computing its next timer: {}", e.toString(), e);
            next = Optional.of(clock.instant().plus(TIMER_FAILURE_PAUSE));
        }
        return next.map(t -> t.isBefore(timersPausedUntil) ? timersPausedUntil : t);
    }
}
