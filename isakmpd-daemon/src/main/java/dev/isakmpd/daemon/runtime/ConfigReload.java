package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.exchange.Engine;
import dev.isakmpd.core.kernel.Kernel;
import dev.isakmpd.core.kernel.KernelException;
import dev.isakmpd.core.kernel.SpdTunnel;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.daemon.config.DaemonConfig;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a re-read configuration to the running daemon, or refuses it whole and changes nothing.
 * Peers and tunnels are applied as a difference (Engine.reconfigure): unchanged ones keep their
 * SAs. What the daemon bound or opened at start (listen endpoints, kernel back-end, control
 * socket, status file, retransmission, legacy crypto) needs a restart to change. Loop thread only.
 */
final class ConfigReload {
    private static final Logger LOG = LoggerFactory.getLogger("isakmpd.daemon");

    /** The reason a configuration was refused, one line. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    private final EventLoop loop;
    private final Engine engine;
    private final Kernel kernel;
    private final PeerSupervisor supervisor;
    private final Clock clock;
    /** Told of the new configuration (the control commands). */
    private final List<Consumer<DaemonConfig>> listeners = new ArrayList<>();

    ConfigReload(EventLoop loop, Engine engine, Kernel kernel, PeerSupervisor supervisor, Clock clock) {
        this.loop = loop;
        this.engine = engine;
        this.kernel = kernel;
        this.supervisor = supervisor;
        this.clock = clock;
    }

    void onReconfigured(Consumer<DaemonConfig> listener) {
        listeners.add(listener);
    }

    /** @return a one-line summary of what changed */
    String apply(DaemonConfig next) throws Refused {
        DaemonConfig now = loop.config();
        needsRestart(now, next, "daemon.listen", DaemonConfig::listen);
        needsRestart(now, next, "daemon.kernel", DaemonConfig::kernel);
        needsRestart(now, next, "daemon.status-file", DaemonConfig::statusFile);
        needsRestart(now, next, "daemon.control-socket, control-mode or control-group", DaemonConfig::control);
        needsRestart(now, next, "daemon.retransmit-*", DaemonConfig::retransmit);
        needsRestart(now, next, "daemon.allow-legacy-crypto", DaemonConfig::allowLegacyCrypto);
        needsRestart(now, next, "daemon.metrics", DaemonConfig::metrics);
        needsRestart(now, next, "daemon.crypto", c -> c.crypto().configured());
        needsRestart(now, next, "daemon.crypto-threads", DaemonConfig::cryptoThreads);
        needsRestart(now, next, "[ha]", DaemonConfig::ha);
        List<PeerPolicy> peers;
        try {
            peers = Kernels.supportedByKernel(next.peers(), kernel);
        } catch (KernelException e) {
            throw new Refused(e.getMessage());
        }
        List<SpdTunnel> wanted = Kernels.policies(peers);
        List<SpdTunnel> current = loop.policies();
        List<SpdTunnel> added = new ArrayList<>();
        for (SpdTunnel t : wanted) {
            if (!current.contains(t)) {
                try {
                    kernel.addPolicy(t);
                    added.add(t);
                } catch (KernelException e) {
                    remove(added);
                    throw new Refused("cannot install the policies of " + t.describe() + ": " + e.getMessage());
                }
            }
        }
        Daemon.precompute(peers);
        List<Engine.Reconfigured> result = new ArrayList<>();
        if (!loop.dispatch("reloading the configuration", () -> {
            Engine.Reconfigured r = engine.reconfigure(peers, clock.instant());
            result.add(r);
            return r.actions();
        })) {
            remove(added);
            throw new Refused("the engine failed to apply it (see the log)");
        }
        remove(current.stream().filter(t -> !wanted.contains(t)).toList());
        loop.reconfigured(next, wanted);
        listeners.forEach(l -> l.accept(next));
        List<String> changed = result.get(0).changedPeers();
        for (String peer : supervisor.reconfigure(next, changed)) {
            loop.dispatch("bringing up peer " + peer + " after a reload", () -> engine.up(peer, clock.instant()));
        }
        List<String> before = now.peers().stream().map(PeerPolicy::name).toList();
        List<String> after = next.peers().stream().map(PeerPolicy::name).toList();
        List<String> addedPeers = after.stream().filter(n -> !before.contains(n)).toList();
        List<String> removedPeers = before.stream().filter(n -> !after.contains(n)).toList();
        List<String> changedPeers = changed.stream().filter(n -> !addedPeers.contains(n)).toList();
        String summary = "reloaded " + next.source() + ": peers added " + addedPeers + ", changed " + changedPeers
                + ", removed " + removedPeers + ", " + (after.size() - addedPeers.size() - changedPeers.size())
                + " unchanged";
        LOG.info("{}", summary);
        return summary;
    }

    private static void needsRestart(DaemonConfig now, DaemonConfig next, String what,
            Function<DaemonConfig, Object> setting) throws Refused {
        if (!Objects.equals(setting.apply(now), setting.apply(next))) {
            throw new Refused(what + " changed: restart the daemon to apply that; nothing was changed");
        }
    }

    private void remove(List<SpdTunnel> policies) {
        for (SpdTunnel t : policies) {
            try {
                kernel.deletePolicy(t);
            } catch (KernelException e) {
                LOG.warn("removing the policies of {}: {}", t.describe(), e.getMessage());
            }
        }
    }
}
