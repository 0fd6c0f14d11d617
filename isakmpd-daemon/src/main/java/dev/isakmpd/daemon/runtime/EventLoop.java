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
import dev.isakmpd.daemon.ha.RoleGate;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that touches the engine (which is not thread-safe): waits for datagrams, the
 * engine's next timer or a peer's next keying try, feeds them in, executes the actions that come
 * out, counts them, publishes the SA table. Kernel events and control-socket requests come from
 * other threads through queues. Nothing the engine throws stops it.
 */
final class EventLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger("isakmpd.daemon");
    /** After a timer run fails, wait this long before the next, instead of spinning on a timer that stays due. */
    private static final Duration TIMER_FAILURE_PAUSE = Duration.ofSeconds(1);
    /** The SA table is published at most this often (issue 11: at most once per second). */
    static final Duration STATUS_INTERVAL = Duration.ofSeconds(1);
    /** The DEBUG switch of the engine follows this logger's level, which isakmpctl can change. */
    private static final Logger IKE = LoggerFactory.getLogger("isakmpd.ike");

    /** Replaced by a reload, on this thread. */
    private DaemonConfig config;
    private final Engine engine;
    private final UdpTransport transport;
    private final ActionExecutor executor;
    private final StatusPublisher status;
    private final Clock clock;
    private final Kernel kernel;
    /** The security policies installed for the configured tunnels; a reload changes them. */
    private final List<SpdTunnel> policies;
    private final PeerSupervisor supervisor;
    private final Stats stats;
    private final Notifier notifier;
    /** Kernel events arrive on the back-end's thread and wait here for the loop. */
    private final ConcurrentLinkedQueue<KernelEvent> kernelEvents = new ConcurrentLinkedQueue<>();
    /** Work for the loop's thread from other threads (control-socket commands). */
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Closed when the loop ends, after the engine's last actions (the control socket). */
    private final List<AutoCloseable> closeAtExit = new ArrayList<>();
    private volatile boolean stopRequested;
    private volatile boolean failed;
    private Instant timersPausedUntil = Instant.MIN;
    /** Something changed since the SA table was last published. */
    private boolean statusDirty = true;
    private Instant lastStatus = Instant.EPOCH;
    /** The kernel's drop counters of our sockets, read once per second. */
    private final UdpDrops drops;
    private long dropsSeen;
    private Instant lastDropCheck = Instant.EPOCH;
    /** HA: only the active node initiates, answers ACQUIRE and soft EXPIRE, and reads IKE datagrams. */
    private RoleGate gate = RoleGate.ALWAYS_ACTIVE;
    /** The auto=start peers were initiated (a standby waits until it becomes active). */
    private boolean autoStarted;
    /** HA: the kernel's counter reports waiting for the engine; null while HA is off. */
    private CounterReports counterReports;

    EventLoop(DaemonConfig config, Engine engine, UdpTransport transport, ActionExecutor executor,
            StatusPublisher status, Clock clock, Kernel kernel, List<SpdTunnel> policies, PeerSupervisor supervisor,
            Stats stats, Notifier notifier) {
        this.notifier = notifier;
        this.drops = new UdpDrops(transport.endpoints());
        this.supervisor = supervisor;
        this.stats = stats;
        this.kernel = kernel;
        this.policies = new ArrayList<>(policies);
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
            notifier.ready();
            startAutoPeers();
            while (!stopRequested) {
                boolean queued = !kernelEvents.isEmpty() || !tasks.isEmpty();
                transport.poll(queued ? 0 : millisUntilNextTimer(), this::receive);
                for (KernelEvent e; (e = kernelEvents.poll()) != null;) {
                    handle(e);
                }
                handleCounterReports();
                for (Runnable t; (t = tasks.poll()) != null;) {
                    runTask(t);
                }
                if (timerDue()) {
                    if (!dispatch("running timers", () -> engine.timeout(clock.instant()))) {
                        timersPausedUntil = clock.instant().plus(TIMER_FAILURE_PAUSE);
                    }
                }
                for (String peer : supervisor.takeDue(clock.instant())) {
                    if (gate.active()) {
                        dispatch("retrying peer " + peer, () -> engine.up(peer, clock.instant()));
                    } else {
                        LOG.debug("standby: not retrying peer {}", peer);
                    }
                }
                notifier.pingIfDue(clock.instant());
                executor.reportHeldWarnings(clock.instant());
                publishStatusIfDue(clock.instant());
                countKernelDrops(clock.instant());
            }
            notifier.stopping();
            LOG.info("shutting down: deleting SAs and telling peers");
            dispatch("shutting down", () -> engine.shutdown(clock.instant()));
            publishStatus(clock.instant());
            status.remove();
        } catch (IOException | RuntimeException e) {
            failed = true;
            LOG.error("event loop stopped: {}", e.toString(), e);
        } finally {
            executor.stopCapture();
            for (AutoCloseable c : closeAtExit) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.warn("closing {}: {}", c, e.toString());
                }
            }
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

    DaemonConfig config() {
        return config;
    }

    /** After a reload: the configuration now in force and the policies now installed. Loop thread only. */
    void reconfigured(DaemonConfig next, List<SpdTunnel> installed) {
        config = next;
        policies.clear();
        policies.addAll(installed);
    }

    List<SpdTunnel> policies() {
        return List.copyOf(policies);
    }

    /** A failing control-socket task is logged; it must not end the negotiation of every tunnel. */
    private static void runTask(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.error("a control request failed: {}", e.toString(), e);
        }
    }

    /** Runs {@code task} on the loop's thread, soon. */
    void submit(Runnable task) {
        tasks.add(task);
        transport.wakeup();
    }

    /**
     * Starts a decrypted capture into {@code file}, with its key table beside it (loop thread, or
     * before the loop starts). The key table's content is never logged.
     *
     * @return what was started, for the log and the control reply
     * @throws IOException naming the file, when it exists or cannot be created
     * @throws IllegalStateException when a capture is already being written
     */
    String startCapture(Path file) throws IOException {
        Optional<DecryptedCapture> running = executor.capture();
        if (running.isPresent()) {
            throw new IllegalStateException("a capture is already being written to " + running.get().file()
                    + " (isakmpctl pcap stop ends it)");
        }
        DecryptedCapture c = DecryptedCapture.open(file, clock);
        executor.startCapture(c);
        String what = "writing a decrypted capture to " + c.file() + ", its Wireshark key table (secret) to "
                + c.keyTable();
        LOG.info("{}", what);
        return what;
    }

    /** Ends the decrypted capture (loop thread); says which, or that none was running. */
    String stopCapture() {
        Optional<DecryptedCapture> running = executor.capture();
        executor.stopCapture();
        return running.map(c -> "stopped the decrypted capture to " + c.file()).orElse("no capture was running");
    }

    /** Before the loop starts: closed when it ends. */
    void closeAtExit(AutoCloseable c) {
        closeAtExit.add(c);
    }

    private void handle(KernelEvent e) {
        if (!gate.active() && (e instanceof KernelEvent.Acquire || e instanceof KernelEvent.Expire x && !x.hard())) {
            LOG.debug("standby: ignoring {}", e);
            return;
        }
        if (e instanceof KernelEvent.Acquire a) {
            Optional<PeerPolicy> peer = config.peers().stream()
                    .filter(p -> p.remote().getAddress().equals(a.destination())).findFirst();
            if (peer.isPresent() && !supervisor.acquireAllowed(peer.get().name())) {
                LOG.info("peer {}: ignoring {}: the peer was taken down (isakmpctl up brings it back)",
                        peer.get().name(), a);
                return;
            }
            dispatch(() -> "handling " + a, () -> engine.acquire(a, clock.instant()));
        } else if (e instanceof KernelEvent.Expire x) {
            dispatch(() -> "handling " + x, () -> engine.expired(x, clock.instant()));
        } else if (e instanceof KernelEvent.Counters c && counterReports != null) {
            counterReports.add(c);
        }
    }

    /** HA: each SA's newest counter report of this round goes to the engine; a standby's are dropped. */
    private void handleCounterReports() {
        if (counterReports == null || counterReports.isEmpty()) {
            return;
        }
        if (gate.active()) {
            dispatch("handling counter reports", () -> counterReports.drain(clock.instant()));
        } else {
            counterReports.clear();
        }
    }

    /**
     * HA: the kernel's counter reports go to the engine (coalesced per SA, {@link CounterReports}),
     * and with {@code replicate} on to the standby; set before the loop starts.
     */
    void reportCounters(boolean replicate) {
        counterReports = new CounterReports(engine, replicate);
    }

    /** HA: the engine's records go to {@code r}; set before the loop starts. */
    void replicateTo(java.util.function.Consumer<Action.Replicate> r) {
        executor.replicateTo(r);
    }

    /** HA: the gate this loop and its executor obey; set before the loop starts. */
    void roleGate(RoleGate g) {
        gate = g;
        executor.roleGate(g);
    }

    RoleGate roleGate() {
        return gate;
    }

    /** Loop thread: initiates the auto=start peers once this node may act (at start, or when it turns active). */
    void startAutoPeers() {
        if (autoStarted || !gate.active()) {
            return;
        }
        autoStarted = true;
        for (String peer : supervisor.autoStart()) {
            dispatch("initiating peer " + peer, () -> engine.up(peer, clock.instant()));
        }
    }

    /**
     * HA: this node just became active (loop thread): the SAs its standby table holds go live
     * (Engine.takeover), each outbound one {@code margin} sequence numbers above the last replicated.
     */
    void takeover(long margin) {
        dispatch("taking over the active's SAs", () -> engine.takeover(clock.instant(), margin));
    }

    void requestStop() {
        stopRequested = true;
        transport.wakeup();
    }

    boolean failed() {
        return failed;
    }

    private void receive(Datagram d) {
        if (!gate.active()) {
            LOG.debug("standby: dropping {} bytes from {}", d.data().length, Endpoints.format(d.remote()));
            return;
        }
        executor.received(d);
        dispatch(() -> "handling " + d.data().length + " bytes from " + Endpoints.format(d.remote()) + " ("
                + config.peerAt(d.remote()).map(p -> "peer " + p.name()).orElse("no configured peer") + ")",
                () -> engine.receive(d, clock.instant()));
    }

    /**
     * Runs one engine call and its actions; false when the engine threw, which is logged. Loop
     * thread only. Constant work per call: {@code context} is built only for that log line, and
     * the SA table is only marked changed; it is published by {@link #publishStatusIfDue}.
     */
    boolean dispatch(Supplier<String> context, Supplier<List<Action>> call) {
        List<Action> actions;
        engine.debugLogging(IKE.isDebugEnabled());
        engine.capture(executor.capture().isPresent());
        try {
            actions = call.get();
        } catch (RuntimeException e) {
            LOG.error("engine failed {}: {}", context.get(), e.toString(), e);
            return false;
        }
        executor.execute(actions);
        List<Engine.PeerEvent> events = engine.peerEvents();
        stats.count(actions, events);
        if (!actions.isEmpty() || !events.isEmpty()) {
            Instant now = clock.instant();
            events.forEach(e -> supervisor.onEvent(e, now));
            statusDirty = true;
        }
        return true;
    }

    boolean dispatch(String context, Supplier<List<Action>> call) {
        return dispatch(() -> context, call);
    }

    /**
     * Publishes the SA table (status file, {@link Daemon#status}, the control socket's listings) at
     * most once per {@link #STATUS_INTERVAL}, and only when something changed: listing every SA
     * after every datagram cost more than the handshakes themselves under load (issue 11).
     */
    private void publishStatusIfDue(Instant now) {
        if (statusDirty && !now.isBefore(lastStatus.plus(STATUS_INTERVAL))) {
            publishStatus(now);
        }
    }

    /** Once per {@link #STATUS_INTERVAL}: what the kernel dropped on our sockets is logged and counted. */
    private void countKernelDrops(Instant now) {
        if (now.isBefore(lastDropCheck.plus(STATUS_INTERVAL))) {
            return;
        }
        lastDropCheck = now;
        long total = drops.total();
        if (total > dropsSeen) {
            LOG.warn("the kernel dropped {} datagram(s) on our UDP sockets: their receive buffer was full "
                    + "(daemon.receive-buffer, sysctl net.core.rmem_max)", total - dropsSeen);
            stats.kernelDrops(total - dropsSeen);
        }
        dropsSeen = total;
    }

    private void publishStatus(Instant now) {
        statusDirty = false;
        lastStatus = now;
        List<IsakmpSaInfo> isakmp;
        try {
            isakmp = engine.isakmpSas();
        } catch (RuntimeException e) {
            LOG.error("engine failed listing ISAKMP SAs: {}", e.toString(), e);
            isakmp = status.current().isakmp();
        }
        status.refresh(isakmp, !gate.active());
    }

    /** The SA table as it is now, for a control request (loop thread only). */
    DaemonStatus freshStatus() {
        if (statusDirty) {
            publishStatus(clock.instant());
        }
        return status.current();
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
        return engineTimer().map(t -> !t.isAfter(clock.instant())).orElse(false);
    }

    /** The engine's next timer, the next keying try or the next watchdog ping, whichever comes first. */
    private Optional<Instant> nextTimer() {
        Optional<Instant> statusDue = statusDirty ? Optional.of(lastStatus.plus(STATUS_INTERVAL)) : Optional.empty();
        return Stream.of(engineTimer(), supervisor.nextRetry(), notifier.nextPing(), statusDue,
                executor.nextWarningReport())
                .flatMap(Optional::stream).min(Instant::compareTo);
    }

    private Optional<Instant> engineTimer() {
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
