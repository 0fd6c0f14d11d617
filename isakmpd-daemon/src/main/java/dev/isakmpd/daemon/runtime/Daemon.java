package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.exchange.Engine;
import dev.isakmpd.core.kernel.Kernel;
import dev.isakmpd.core.kernel.KernelException;
import dev.isakmpd.core.kernel.SpdTunnel;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.daemon.Endpoints;
import dev.isakmpd.daemon.config.ConfigException;
import dev.isakmpd.daemon.config.DaemonConfig;
import dev.isakmpd.daemon.config.HaSettings;
import dev.isakmpd.daemon.control.ControlProtocol;
import dev.isakmpd.daemon.control.ControlServer;
import dev.isakmpd.core.ha.HaCodec;
import dev.isakmpd.daemon.ha.HaNode;
import dev.isakmpd.oakley.DhGroup;
import dev.isakmpd.oakley.IkeCrypto;
import dev.isakmpd.xfrm.XfrmKernel;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One running daemon: its sockets, its engine and the event-loop thread that drives them. */
public final class Daemon {
    private static final Logger LOG = LoggerFactory.getLogger("isakmpd.daemon");
    private static final Logger KERNEL = LoggerFactory.getLogger("isakmpd.kernel");
    /**
     * HA: how long a guarded message (MM6, QM2, QM3, R-U-THERE) waits for the standby's ack before
     * the active goes on degraded (issue 15: the active never waits on a dead standby).
     */
    static final Duration REPLICATION_ACK_TIMEOUT = Duration.ofMillis(200);
    private final EventLoop loop;
    private final StatusPublisher status;
    private final Thread thread;
    private final ConfigSource source;
    private final ConfigReload reload;

    private Daemon(EventLoop loop, StatusPublisher status, String threadName, ConfigSource source,
            ConfigReload reload) {
        this.loop = loop;
        this.status = status;
        this.thread = new Thread(loop, threadName);
        this.source = source;
        this.reload = reload;
    }

    /**
     * Binds the listen endpoints and starts the event loop, which initiates the auto=start peers.
     *
     * @param threadName names the loop thread, and so tells daemons apart in one process's log
     * <p>With a real kernel it first leaves out the ESP proposals the kernel cannot install and
     * installs each tunnel's security policies, so that traffic triggers ACQUIREs; the loop
     * removes them again at shutdown.
     *
     * @throws IOException when an endpoint or the control socket cannot be bound (the message names it), a tunnel has no
     *     proposal the kernel supports, or a policy cannot be installed
     */
    public static Daemon start(DaemonConfig config, Kernel kernel, String threadName) throws IOException {
        return start(config, kernel, threadName, Notifier.NONE, ConfigSource.NONE);
    }

    /**
     * As {@link #start(DaemonConfig, Kernel, String)}, telling {@code notifier} (systemd) how it
     * goes, and re-reading {@code source} on {@link #reload()}.
     */
    public static Daemon start(DaemonConfig config, Kernel kernel, String threadName, Notifier notifier,
            ConfigSource source) throws IOException {
        return start(config, kernel, threadName, notifier, source, Optional.empty());
    }

    /**
     * As {@link #start(DaemonConfig, Kernel, String, Notifier, ConfigSource)}, writing a decrypted
     * capture into {@code pcap} from the first message on (isakmpd run --pcap).
     */
    public static Daemon start(DaemonConfig config, Kernel kernel, String threadName, Notifier notifier,
            ConfigSource source, Optional<Path> pcap) throws IOException {
        List<PeerPolicy> peers;
        try {
            peers = Kernels.supportedByKernel(config.peers(), kernel);
        } catch (KernelException e) {
            throw new IOException(e.getMessage(), e);
        }
        precompute(peers);
        UdpTransport transport = UdpTransport.bind(config.sockets(), config.receiveBuffer());
        try {
            for (InetSocketAddress e : config.sockets()) {
                IkeSocketOptions.apply(e, config.isNatTraversal(e), IkeSocketOptions.bypassFor(kernel));
            }
        } catch (IOException e) {
            transport.close();
            throw e;
        }
        List<SpdTunnel> installed = new ArrayList<>();
        EarlyKernelEvents early = new EarlyKernelEvents();
        kernel.onEvent(early);
        // what a later step's failure must close again (the loop closes them at a normal exit)
        List<Closeable> servers = new ArrayList<>();
        try {
            for (SpdTunnel t : Kernels.policies(peers)) {
                kernel.addPolicy(t);
                installed.add(t);
            }
            IkeCrypto crypto = config.crypto().create(new SecureRandom(), config.allowLegacyCrypto());
            LOG.info("crypto: {}, Diffie-Hellman {}", config.crypto().describe(), config.cryptoThreads() == 0
                    ? "on the event loop" : "on " + config.cryptoThreads() + " worker thread(s)");
            DhWorkers dhWorkers = null;
            if (config.cryptoThreads() > 0) {
                dhWorkers = new DhWorkers(crypto, config.cryptoThreads());
                servers.add(dhWorkers::close);
                crypto = dhWorkers;
            }
            Engine engine = new Engine(peers, crypto, kernel, config.retransmit(), config.halfOpen());
            Clock clock = Clock.systemUTC();
            ActionExecutor executor = new ActionExecutor(transport, kernel, clock);
            StatusPublisher status = new StatusPublisher(config.statusFile(), kernel, executor::installTimes, clock);
            status.start();
            PeerSupervisor supervisor = new PeerSupervisor(config);
            Stats stats = new Stats();
            EventLoop loop = new EventLoop(config, engine, transport, executor, status, clock, kernel, installed,
                    supervisor, stats, notifier);
            if (dhWorkers != null) {
                loop.closeAtExit(dhWorkers);
            }
            if (pcap.isPresent()) {
                loop.startCapture(pcap.get());
            }
            if (config.metrics().isPresent()) {
                MetricsEndpoint metrics = MetricsEndpoint.start(config.metrics().get(), status::current, stats);
                servers.add(metrics);
                loop.closeAtExit(metrics);
                LOG.info("serving metrics on http://{}/metrics", Endpoints.format(metrics.address()));
            }
            ConfigReload reload = new ConfigReload(loop, engine, kernel, supervisor, clock);
            Daemon d = new Daemon(loop, status, threadName, source, reload);
            // TEST ONLY: armed by the control socket's test-crash, which only -Disakmpd.test-hooks=true allows
            CrashHook crash = CrashHook.halting();
            if (CrashHook.enabled()) {
                LOG.warn("TEST HOOKS ON (-D{}=true): the control socket's test-crash can halt this daemon; "
                        + "for the kernel lab only, never in production", CrashHook.PROPERTY);
            }
            if (config.control().isPresent()) {
                ControlCommands commands = new ControlCommands(config, engine, loop, supervisor, stats, clock,
                        d::reload, kernel);
                commands.testHooks(crash);
                reload.onReconfigured(commands::reconfigured);
                ControlServer control = ControlServer.start(config.control().get(), commands::handle);
                servers.add(control);
                loop.closeAtExit(control);
            }
            if (config.ha().isPresent()) {
                engine.replication(REPLICATION_ACK_TIMEOUT);
                engine.takeoverRekey(config.ha().get().takeoverRekeySpread(), Kernels.lacksCounters(kernel));
                reportCounters(kernel, config.ha().get());
                loop.reportCounters(config.ha().get().syncCounters());
                // a record older than the ack timeout made the active go degraded: that bounds the lag
                long margin = config.ha().get().takeoverMargin(REPLICATION_ACK_TIMEOUT);
                HaNode ha = new HaNode(config.ha().get(), new ReplicatedEngine(engine, loop, clock, crash), loop::submit,
                        () -> {
                            loop.takeover(margin);
                            loop.startAutoPeers();
                        });
                loop.roleGate(ha);
                loop.replicateTo(r -> {
                    crash.replicating(r);
                    ha.replicate(r.id(), HaCodec.encode(r.record()), r.sync());
                });
                servers.add(ha::close);
                loop.closeAtExit(ha);
                ha.start();
            }
            early.deliverTo(loop::kernelEvent);
            d.thread.start();
            return d;
        } catch (IOException | RuntimeException e) {
            undo(transport, servers, kernel, installed);
            throw e;
        } catch (KernelException e) {
            undo(transport, servers, kernel, installed);
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * HA: every SA goes into the kernel with the [ha] thresholds (XFRMA_REPLAY_THRESH,
     * XFRMA_ETIMER_THRESH), and the kernel's counter reports come as KernelEvent.Counters (issue 15 s4).
     */
    private static void reportCounters(Kernel kernel, HaSettings ha) throws KernelException {
        if (kernel instanceof XfrmKernel x) {
            x.counters().report(ha.replayThreshold(), ha.replayInterval());
            KERNEL.info("HA: ESP counters reported every {} packets or {} ms{}", ha.replayThreshold(),
                    ha.replayInterval().toMillis(), ha.syncCounters() ? "" : "; NOT replicated (sync-counters = false)");
        } else {
            KERNEL.warn("HA: this kernel back-end reports no ESP counters: a takeover starts each outbound SA at "
                    + "the takeover margin, and inbound windows stay where they are (docs/ha.md \"PF_KEY and BSD\")");
        }
    }

    /** Builds the fixed-base tables of every configured group now, not during the first exchange. */
    static void precompute(List<PeerPolicy> peers) {
        Set<DhGroup> groups = new LinkedHashSet<>();
        for (PeerPolicy p : peers) {
            p.ikeProposals().forEach(ike -> groups.add(ike.group()));
            p.tunnels().forEach(t -> t.pfsGroup().ifPresent(groups::add));
        }
        long start = System.nanoTime();
        groups.forEach(DhGroup::precompute);
        LOG.info("Diffie-Hellman tables ready for {} in {} ms", groups.stream().map(DhGroup::name).toList(),
                (System.nanoTime() - start) / 1_000_000);
    }

    /** A start that failed half way: the daemon must not hold sockets or leave policies behind. */
    private static void undo(UdpTransport transport, List<Closeable> servers, Kernel kernel,
            List<SpdTunnel> installed) {
        transport.close();
        for (Closeable c : servers) {
            try {
                c.close();
            } catch (IOException x) {
                LOG.warn("closing {}: {}", c, x.getMessage());
            }
        }
        for (SpdTunnel t : installed) {
            try {
                kernel.deletePolicy(t);
            } catch (KernelException x) {
                KERNEL.warn("removing the policies of {}: {}", t.describe(), x.getMessage());
            }
        }
    }

    /**
     * Re-reads the configuration and applies the difference on the loop's thread (SIGHUP,
     * isakmpctl reload). A configuration with any error is refused whole: nothing changes.
     *
     * @return the control-protocol reply line: a summary, or the one-line reason for refusing
     */
    public CompletableFuture<String> reload() {
        DaemonConfig next;
        try {
            next = source.load();
        } catch (ConfigException e) {
            e.errors().forEach(m -> LOG.error("reload refused: {}", m));
            return CompletableFuture.completedFuture(ControlProtocol.error("configuration refused, nothing changed: "
                    + e.errors().get(0) + (e.errors().size() > 1 ? " (and " + (e.errors().size() - 1)
                            + " more error(s), see the log)" : "")));
        }
        next.warnings().forEach(w -> LOG.warn("{}", w));
        CompletableFuture<String> reply = new CompletableFuture<>();
        loop.submit(() -> {
            try {
                reply.complete(ControlProtocol.ok(java.util.Map.of("message", reload.apply(next))));
            } catch (ConfigReload.Refused e) {
                LOG.error("reload refused: {}", e.getMessage());
                reply.complete(ControlProtocol.error(e.getMessage()));
            } catch (RuntimeException e) {
                LOG.error("reload failed: {}", e.toString(), e);
                reply.complete(ControlProtocol.error("reload failed: " + e));
            }
        });
        return reply;
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

    /** HA: node, role, takeover epoch, sync and peer state (empty without HA); safe to call from any thread. */
    public java.util.Map<String, Object> haStatus() {
        return loop.roleGate().status();
    }

    /** The SA table as of the last batch of actions; safe to call from any thread. */
    public DaemonStatus status() {
        return status.current();
    }
}
