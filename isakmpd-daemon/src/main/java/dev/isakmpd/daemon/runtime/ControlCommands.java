package dev.isakmpd.daemon.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.isakmpd.core.exchange.Action;
import dev.isakmpd.core.exchange.Engine;
import dev.isakmpd.core.exchange.IsakmpSaInfo;
import dev.isakmpd.core.kernel.Kernel;
import dev.isakmpd.core.kernel.KernelException;
import dev.isakmpd.core.kernel.SaTraffic;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.Phase1Proposal;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.daemon.Endpoints;
import dev.isakmpd.daemon.config.DaemonConfig;
import dev.isakmpd.daemon.config.RestartPolicy;
import dev.isakmpd.daemon.control.ControlProtocol;
import dev.isakmpd.oakley.DhGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * The control socket's commands. Anything that reads or changes the engine runs on the event
 * loop's thread (the engine is single-threaded); replies carry key fingerprints, never keys or
 * pre-shared keys.
 */
final class ControlCommands {
    /** The log components, as the loggers are named ("isakmpd.ike", ...). */
    static final List<String> COMPONENTS = List.of("ike", "net", "kernel", "daemon", "control", "status");

    /** Read on the control thread, replaced by a reload on the loop thread. */
    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger("isakmpd.control");

    private volatile DaemonConfig config;
    private final Engine engine;
    private final EventLoop loop;
    private final PeerSupervisor supervisor;
    private final Stats stats;
    private final Clock clock;
    private final Instant started;

    private final Supplier<CompletableFuture<String>> reload;

    private final Kernel kernel;

    /** TEST ONLY: set at start; test-crash arms it only in a JVM started with the test hooks on. */
    private volatile CrashHook crash;

    /**
     * @param reload re-reads the configuration and applies it, answering with a reply line
     * @param kernel asked for the SAs' counters on the control thread, so the loop never waits for a dump
     */
    ControlCommands(DaemonConfig config, Engine engine, EventLoop loop, PeerSupervisor supervisor, Stats stats,
            Clock clock, Supplier<CompletableFuture<String>> reload, Kernel kernel) {
        this.kernel = kernel;
        this.reload = reload;
        this.config = config;
        this.engine = engine;
        this.loop = loop;
        this.supervisor = supervisor;
        this.stats = stats;
        this.clock = clock;
        this.started = clock.instant();
    }

    /** A reload replaced the configuration. */
    void reconfigured(DaemonConfig next) {
        config = next;
    }

    /** Answers one request with one reply line; called on the control socket's thread. */
    CompletableFuture<String> handle(ControlProtocol.Request r) {
        return switch (r.command()) {
            case "status" -> onLoop(this::status);
            case "list-sas" -> listSas();
            case "list-conns" -> onLoop(this::listConns);
            case "stats" -> onLoop(this::stats);
            case "up" -> withPeer(r, this::up);
            case "down" -> withPeer(r, this::down);
            case "rekey" -> withPeer(r, peer -> rekey(peer, r.text("tunnel"), "true".equals(r.text("isakmp"))));
            case "reload" -> reload.get();
            case "log-level" -> CompletableFuture.completedFuture(logLevel(r.text("level"), r.text("component")));
            case "pcap-start" -> pcapStart(r.text("file"));
            case "pcap-stop" -> onLoop(() -> Map.of("message", loop.stopCapture()));
            case "test-crash" -> testCrash(r.text("after")); // test only: not in the list below
            default -> CompletableFuture.completedFuture(ControlProtocol.error("unknown command '" + word(r.command())
                    + "' (known: status, list-sas, list-conns, up, down, rekey, stats, reload, "
                    + "log-level, pcap-start, pcap-stop)"));
        };
    }

    /** Runs {@code work} on the loop's thread; whatever it throws becomes an error reply, never the loop's end. */
    private CompletableFuture<String> onLoop(Supplier<Object> work) {
        CompletableFuture<String> reply = new CompletableFuture<>();
        loop.submit(() -> {
            try {
                reply.complete(ControlProtocol.ok(work.get()));
            } catch (IllegalArgumentException e) {
                reply.complete(ControlProtocol.error(e.getMessage())); // what the request named does not exist
            } catch (RuntimeException e) {
                LOG.error("control command failed: {}", e.toString(), e);
                reply.complete(ControlProtocol.error("internal error: " + e));
            }
        });
        return reply;
    }

    private interface PeerCommand {
        Object apply(String peer);
    }

    private CompletableFuture<String> withPeer(ControlProtocol.Request r, PeerCommand command) {
        String peer = r.text("peer");
        if (peer == null || peer.isBlank()) {
            return CompletableFuture.completedFuture(ControlProtocol.error(r.command() + " needs a \"peer\""));
        }
        if (config.peer(peer).isEmpty()) {
            return CompletableFuture.completedFuture(ControlProtocol.error("no peer named '" + word(peer) + "' (known: "
                    + String.join(", ", config.peers().stream().map(PeerPolicy::name).toList()) + ")"));
        }
        return onLoop(() -> command.apply(peer));
    }

    /**
     * Starts a decrypted capture. The file must be new: the daemon (often root) never overwrites a
     * file for a control-socket client, and under the shipped unit can only write where it may
     * anyway (/run/isakmpd, /var/log/isakmpd).
     */
    private CompletableFuture<String> pcapStart(String file) {
        Path path;
        try {
            path = file == null ? null : Path.of(file);
        } catch (InvalidPathException e) {
            path = null;
        }
        if (path == null || !path.isAbsolute()) {
            return CompletableFuture.completedFuture(ControlProtocol.error("pcap-start needs an absolute \"file\""));
        }
        Path target = path;
        CompletableFuture<String> reply = new CompletableFuture<>();
        loop.submit(() -> {
            try {
                reply.complete(ControlProtocol.ok(Map.of("message", loop.startCapture(target))));
            } catch (IOException | IllegalStateException e) {
                LOG.warn("pcap start refused: {}", e.getMessage());
                reply.complete(ControlProtocol.error(e.getMessage()));
            }
        });
        return reply;
    }

    private Object status() {
        Instant now = clock.instant();
        List<IsakmpSaInfo> isakmp = engine.isakmpSas();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", ProcessHandle.current().pid());
        m.put("started", started.toString());
        m.put("uptime-seconds", Duration.between(started, now).toSeconds());
        m.put("config", config.source());
        m.put("kernel", config.kernel().configName());
        m.put("listen", config.listen().stream().map(Endpoints::format).toList());
        m.put("peers", config.peers().size());
        m.put("isakmp-sas", isakmp.stream().filter(s -> s.state().equals("ESTABLISHED")).count());
        m.put("isakmp-negotiating", isakmp.stream().filter(s -> !s.state().equals("ESTABLISHED")).count());
        m.put("ipsec-sas", loop.freshStatus().esp().size());
        m.put("half-open", halfOpen(isakmp));
        m.putAll(loop.roleGate().status());
        return m;
    }

    static long halfOpen(List<IsakmpSaInfo> isakmp) {
        return isakmp.stream().filter(s -> s.role() == IsakmpSaInfo.Role.RESPONDER
                && (s.state().equals("MM2_SENT") || s.state().equals("MM4_SENT"))).count();
    }

    private CompletableFuture<String> listSas() {
        Map<SaRef, SaTraffic> traffic = new HashMap<>();
        try {
            kernel.traffic().forEach(t -> traffic.put(new SaRef(t.destination(), t.spi()), t));
        } catch (KernelException e) {
            LOG.warn("list-sas: the kernel's counters could not be read: {}", e.getMessage());
        }
        return onLoop(() -> listSas(traffic));
    }

    private record SaRef(InetAddress destination, int spi) {
    }

    private Object listSas(Map<SaRef, SaTraffic> traffic) {
        Instant now = clock.instant();
        List<Map<String, Object>> isakmp = new ArrayList<>();
        for (IsakmpSaInfo sa : engine.isakmpSas()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("peer", sa.peer());
            m.put("role", sa.role().name().toLowerCase(Locale.ROOT));
            m.put("local", Endpoints.format(sa.local()));
            m.put("remote", Endpoints.format(sa.remote()));
            m.put("icookie", sa.initiatorCookie().toLowerCase(Locale.ROOT));
            m.put("rcookie", sa.responderCookie().toLowerCase(Locale.ROOT));
            m.put("proposal", sa.proposal());
            m.put("state", sa.state());
            if (sa.established() != null) {
                m.put("established", sa.established().toString());
                m.put("age-seconds", Duration.between(sa.established(), now).toSeconds());
                m.put("remaining-seconds", remaining(sa.established(), sa.lifetime(), now));
            }
            isakmp.add(m);
        }
        DaemonStatus current = loop.freshStatus();
        List<Map<String, Object>> ipsec = new ArrayList<>();
        for (IpsecSa sa : current.esp()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("peer", sa.peer());
            m.put("tunnel", sa.tunnel());
            m.put("direction", sa.direction().name().toLowerCase(Locale.ROOT));
            m.put("spi", sa.spiHex());
            m.put("src", Addresses.format(sa.source()));
            m.put("dst", Addresses.format(sa.destination()));
            m.put("selectors", sa.sourceSelector() + " === " + sa.destinationSelector());
            m.put("algorithms", sa.algorithms());
            m.put("pfs", sa.pfs());
            m.put("lifetime-seconds", sa.lifetime().toSeconds());
            Optional<Instant> installed = current.installedAt(sa);
            installed.ifPresent(t -> {
                m.put("installed", t.toString());
                m.put("age-seconds", Duration.between(t, now).toSeconds());
                m.put("remaining-seconds", remaining(t, sa.lifetime(), now));
            });
            SaTraffic t = traffic.get(new SaRef(sa.destination(), sa.spi()));
            if (t != null) {
                m.put("bytes", t.bytes());
                m.put("packets", t.packets());
            }
            m.put("enc-key-fp", sa.encryptionKey().fingerprint());
            m.put("auth-key-fp", sa.authenticationKey().fingerprint());
            ipsec.add(m);
        }
        return Map.of("isakmp", isakmp, "ipsec", ipsec);
    }

    private static long remaining(Instant since, Duration lifetime, Instant now) {
        return Math.max(0, Duration.between(now, since.plus(lifetime)).toSeconds());
    }

    private Object listConns() {
        Instant now = clock.instant();
        List<IsakmpSaInfo> isakmp = engine.isakmpSas();
        List<IpsecSa> esp = loop.freshStatus().esp();
        List<Map<String, Object>> out = new ArrayList<>();
        for (PeerPolicy p : config.peers()) {
            PeerSupervisor.Standing s = supervisor.standing(p.name());
            RestartPolicy policy = config.restartPolicy(p.name());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", p.name());
            m.put("local", Endpoints.format(p.local()));
            m.put("remote", Endpoints.format(p.remote()));
            m.put("auto", p.autoStart() ? "start" : "add");
            m.put("ike", p.ikeProposals().stream().map(Phase1Proposal::name).toList());
            boolean established = isakmp.stream().anyMatch(i -> i.peer().equals(p.name())
                    && i.state().equals("ESTABLISHED"));
            boolean connecting = isakmp.stream().anyMatch(i -> i.peer().equals(p.name())
                    && !i.state().equals("ESTABLISHED"));
            m.put("isakmp", established ? "established" : connecting ? "connecting" : "none");
            m.put("wanted", s.wanted);
            m.put("keying-tries", policy.forever() ? "forever" : Integer.toString(policy.keyingTries()));
            m.put("failed-tries", s.failedTries);
            m.put("gave-up", s.gaveUp);
            if (s.retryAt != null) {
                m.put("next-try-seconds", Math.max(0, Duration.between(now, s.retryAt).toMillis()) / 1000.0);
            }
            m.put("close-action", policy.closeAction().name().toLowerCase(Locale.ROOT));
            m.put("dpd-action", policy.dpdAction().name().toLowerCase(Locale.ROOT));
            List<Map<String, Object>> tunnels = new ArrayList<>();
            for (TunnelPolicy t : p.tunnels()) {
                Map<String, Object> tm = new LinkedHashMap<>();
                tm.put("name", t.name());
                tm.put("local-subnet", t.local().toString());
                tm.put("remote-subnet", t.remote().toString());
                tm.put("esp", t.proposals().stream().map(Object::toString).toList());
                tm.put("pfs", t.pfsGroup().map(DhGroup::name).orElse("none"));
                tm.put("up", esp.stream().anyMatch(sa -> sa.peer().equals(p.name()) && sa.tunnel().equals(t.name())
                        && sa.direction() == IpsecSa.Direction.OUT));
                tunnels.add(tm);
            }
            m.put("tunnels", tunnels);
            out.add(m);
        }
        return out;
    }

    private Object stats() {
        Stats.Snapshot s = stats.snapshot();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("handshakes", s.handshakes());
        m.put("retransmits", s.retransmits());
        m.put("duplicates-answered", s.duplicatesAnswered());
        m.put("drops", s.drops());
        m.put("peer-events", s.peerEvents());
        m.put("half-open", halfOpen(engine.isakmpSas()));
        return m;
    }

    private Object up(String peer) {
        if (supervisor.standing(peer) == null) {
            throw new IllegalStateException("peer " + peer + " was removed by a reload");
        }
        supervisor.up(peer);
        loop.dispatch("bringing up peer " + peer + " on request", () -> engine.up(peer, clock.instant()));
        return Map.of("peer", peer, "message", "negotiating the tunnels of " + peer + " that are not up");
    }

    private Object down(String peer) {
        if (supervisor.standing(peer) == null) {
            throw new IllegalStateException("peer " + peer + " was removed by a reload");
        }
        supervisor.down(peer);
        long pairs = loop.freshStatus().esp().stream().filter(sa -> sa.peer().equals(peer)).count() / 2;
        long isakmp = engine.isakmpSas().stream().filter(s -> s.peer().equals(peer)).count();
        loop.dispatch("taking down peer " + peer + " on request", () -> engine.down(peer, clock.instant()));
        return Map.of("peer", peer, "message", "deleted " + pairs + " IPsec SA pair(s) and " + isakmp
                + " ISAKMP SA(s) of " + peer + "; it stays down until isakmpctl up");
    }

    /** New SAs for one tunnel or all of the peer's, make-before-break; with {@code isakmp} a new ISAKMP SA first. */
    private Object rekey(String peer, String tunnel, boolean isakmp) {
        // throws for an unknown tunnel or a road-warrior policy: the reply is its message
        List<Action> actions = engine.rekey(peer, Optional.ofNullable(tunnel), isakmp,
                clock.instant());
        loop.dispatch("rekeying " + peer + " on request", () -> actions);
        return Map.of("peer", peer, "message", (isakmp ? "negotiating a new ISAKMP SA and new IPsec SAs for "
                : "negotiating new IPsec SAs for ") + (tunnel == null ? "every tunnel" : "tunnel " + tunnel) + " of "
                + peer + "; the old ones are deleted once the new ones are up");
    }

    /** TEST ONLY: the hook test-crash arms (see {@link CrashHook}). */
    void testHooks(CrashHook hook) {
        crash = hook;
    }

    /**
     * TEST ONLY (issue 15, the lab's crash at the worst moments): arms {@link CrashHook}. Refused
     * unless the JVM runs with -Disakmpd.test-hooks=true, and without [ha] (the hook finds QM2 and
     * QM3 by their replication).
     */
    private CompletableFuture<String> testCrash(String after) {
        CrashHook hook = crash;
        Optional<String> refused = CrashHook.refusal(CrashHook.enabled() && hook != null, config.ha().isPresent(),
                after);
        if (refused.isPresent()) {
            LOG.warn("test-crash refused: {}", refused.get());
            return CompletableFuture.completedFuture(ControlProtocol.error(refused.get()));
        }
        CrashHook.Moment moment = CrashHook.Moment.named(after).orElseThrow();
        return onLoop(() -> {
            hook.arm(moment);
            return Map.of("message", "armed: halting right after the next " + moment + " sent");
        });
    }

    /** Sets a level at run time; {@code component} is one of {@link #COMPONENTS} or a logger name. */
    private static String logLevel(String level, String component) {
        if (level == null) {
            return ControlProtocol.error("log-level needs a \"level\" (error, warn, info, debug, trace)");
        }
        Level l = Level.toLevel(level.toUpperCase(Locale.ROOT), null);
        if (l == null || !List.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE").contains(level.toUpperCase(Locale.ROOT))) {
            return ControlProtocol.error("unknown level '" + word(level) + "' (known: error, warn, info, debug, trace)");
        }
        String logger;
        if (component == null || component.isBlank()) {
            logger = org.slf4j.Logger.ROOT_LOGGER_NAME;
        } else if (COMPONENTS.contains(component)) {
            logger = "isakmpd." + component;
        } else if (component.startsWith("isakmpd.") && COMPONENTS.contains(component.substring(8))) {
            logger = component;
        } else {
            return ControlProtocol.error("unknown component '" + word(component) + "' (known: "
                    + String.join(", ", COMPONENTS) + ")");
        }
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.getLogger(logger).setLevel(l);
        LoggerFactory.getLogger("isakmpd.control").info("log level of {} set to {}",
                logger.equals(org.slf4j.Logger.ROOT_LOGGER_NAME) ? "all components" : logger, l);
        return ControlProtocol.ok(Map.of("logger", logger, "level", l.toString()));
    }

    /** Echoes client text in an error: short, one line. */
    private static String word(String s) {
        String one = s.replaceAll("[\\p{Cntrl}]", "?");
        return one.length() > 40 ? one.substring(0, 40) + "..." : one;
    }
}
