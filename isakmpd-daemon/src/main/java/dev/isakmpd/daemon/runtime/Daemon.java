package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.exchange.Engine;
import dev.isakmpd.core.kernel.Kernel;
import dev.isakmpd.core.kernel.KernelException;
import dev.isakmpd.core.kernel.SpdTunnel;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.daemon.config.DaemonConfig;
import dev.isakmpd.daemon.control.ControlServer;
import dev.isakmpd.oakley.DhGroup;
import dev.isakmpd.oakley.IkeCrypto;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One running daemon: its sockets, its engine and the event-loop thread that drives them. */
public final class Daemon {
    private static final Logger LOG = LoggerFactory.getLogger("isakmpd.daemon");
    private static final Logger KERNEL = LoggerFactory.getLogger("isakmpd.kernel");
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
     * <p>With a real kernel it first leaves out the ESP proposals the kernel cannot install and
     * installs each tunnel's security policies, so that traffic triggers ACQUIREs; the loop
     * removes them again at shutdown.
     *
     * @throws IOException when an endpoint or the control socket cannot be bound (the message names it), a tunnel has no
     *     proposal the kernel supports, or a policy cannot be installed
     */
    public static Daemon start(DaemonConfig config, Kernel kernel, String threadName) throws IOException {
        return start(config, kernel, threadName, Notifier.NONE);
    }

    /** As {@link #start(DaemonConfig, Kernel, String)}, telling {@code notifier} (systemd) how it goes. */
    public static Daemon start(DaemonConfig config, Kernel kernel, String threadName, Notifier notifier)
            throws IOException {
        List<PeerPolicy> peers;
        try {
            peers = Kernels.supportedByKernel(config.peers(), kernel);
        } catch (KernelException e) {
            throw new IOException(e.getMessage(), e);
        }
        precompute(peers);
        UdpTransport transport = UdpTransport.bind(config.listen());
        List<SpdTunnel> installed = new ArrayList<>();
        try {
            for (SpdTunnel t : Kernels.policies(peers)) {
                kernel.addPolicy(t);
                installed.add(t);
            }
            IkeCrypto crypto = IkeCrypto.bouncyCastle(new SecureRandom(), config.allowLegacyCrypto());
            Engine engine = new Engine(peers, crypto, kernel, config.retransmit());
            Clock clock = Clock.systemUTC();
            ActionExecutor executor = new ActionExecutor(transport, kernel, clock);
            StatusPublisher status = new StatusPublisher(config.statusFile(), kernel, executor::installTimes, clock);
            status.start();
            PeerSupervisor supervisor = new PeerSupervisor(config);
            Stats stats = new Stats();
            EventLoop loop = new EventLoop(config, engine, transport, executor, status, clock, kernel, installed,
                    supervisor, stats, notifier);
            if (config.control().isPresent()) {
                ControlCommands commands = new ControlCommands(config, engine, loop, supervisor, stats, status,
                        clock);
                loop.closeAtExit(ControlServer.start(config.control().get(), commands::handle));
            }
            kernel.onEvent(loop::kernelEvent);
            Daemon d = new Daemon(loop, status, threadName);
            d.thread.start();
            return d;
        } catch (IOException e) {
            transport.close();
            undo(kernel, installed);
            throw e;
        } catch (KernelException e) {
            transport.close();
            undo(kernel, installed);
            throw new IOException(e.getMessage(), e);
        } catch (RuntimeException e) {
            transport.close();
            undo(kernel, installed);
            throw e;
        }
    }

    /** Builds the fixed-base tables of every configured group now, not during the first exchange. */
    private static void precompute(List<PeerPolicy> peers) {
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

    private static void undo(Kernel kernel, List<SpdTunnel> installed) {
        for (SpdTunnel t : installed) {
            try {
                kernel.deletePolicy(t);
            } catch (KernelException x) {
                KERNEL.warn("removing the policies of {}: {}", t.describe(), x.getMessage());
            }
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
