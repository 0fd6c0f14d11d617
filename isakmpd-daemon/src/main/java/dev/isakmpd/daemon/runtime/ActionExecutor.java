package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.exchange.Action;
import dev.isakmpd.core.exchange.Datagram;
import dev.isakmpd.core.kernel.Kernel;
import dev.isakmpd.core.kernel.KernelException;
import dev.isakmpd.core.kernel.ReplayState;
import dev.isakmpd.core.kernel.SpdTunnel;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.daemon.Endpoints;
import dev.isakmpd.daemon.ha.RoleGate;
import dev.isakmpd.xfrm.XfrmKernel;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/** Carries out the engine's actions. A failing action is logged and the next one still runs. */
final class ActionExecutor {
    private static final Logger IKE = LoggerFactory.getLogger("isakmpd.ike");
    private static final Logger KERNEL = LoggerFactory.getLogger("isakmpd.kernel");
    private static final Logger NET = LoggerFactory.getLogger("isakmpd.net");

    private final UdpTransport transport;
    private final Kernel kernel;
    private final Clock clock;
    /** Our client's Mode-Config addresses on the host. */
    private final VirtualAddresses addresses;
    /** When each SA we installed went in (by {@link DaemonStatus#key}), for its age and remaining lifetime. */
    private final Map<String, Instant> installed = new HashMap<>();
    /** {@link #installTimes}' answer, made again after a change to {@link #installed}. */
    private Map<String, Instant> installedCopy;
    /** The decrypted capture being written, if any (isakmpd run --pcap, isakmpctl pcap start). */
    private DecryptedCapture capture;
    private final WarningLimiter warnings;
    /** A longer run of SA writes (an HA takeover) logs each success at DEBUG and a summary at INFO. */
    static final int LOGGED_EACH = 16;
    /** HA: a standby sends nothing on UDP 500/4500. */
    private RoleGate gate = RoleGate.ALWAYS_ACTIVE;
    /** HA: where the engine's records go (the sync link); the engine emits none unless HA is on. */
    private java.util.function.Consumer<Action.Replicate> replicator =
            r -> KERNEL.error("HA: a record to replicate, but no sync link: {}", r);

    ActionExecutor(UdpTransport transport, Kernel kernel, Clock clock) {
        this.transport = transport;
        this.kernel = kernel;
        this.clock = clock;
        this.warnings = new WarningLimiter(clock.instant());
        this.addresses = VirtualAddresses.forKernel(kernel);
    }

    /**
     * The install times of the SAs in the kernel now; those of SAs gone from it (a hard EXPIRE
     * removes them there) are forgotten.
     */
    Map<String, Instant> installTimes(List<IpsecSa> inKernel) {
        // Every SA listed went in here (Kernel#list: this daemon's only), so there are more install times
        // than SAs listed only when some left the kernel without our delete (a kernel expiry): only then is
        // a key made per SA to drop theirs. Once a second on a loaded HA standby, a key string per SA was
        // much of its event loop's time. (A failed delete drops its time although the SA stays listed:
        // then an expired SA's time may stay until the counts differ again, shown as no more than a time.)
        if (installed.size() > inKernel.size()) {
            // a set: retainAll asks contains() once per key (a list made this quadratic: 12,000 SAs, 10^8 compares)
            installed.keySet().retainAll(inKernel.stream().map(DaemonStatus::key).collect(Collectors.toSet()));
            installedCopy = null;
        }
        if (installedCopy == null) {
            installedCopy = Map.copyOf(installed);
        }
        return installedCopy;
    }

    void execute(List<Action> actions) {
        for (int n = 0; n < actions.size(); n++) {
            Action a = actions.get(n);
            if (kernel instanceof XfrmKernel x && isSaWrite(a)) {
                n = writeRun(x, actions, n) - 1;
            } else if (a instanceof Action.Send s && !gate.active()) {
                NET.debug("standby: not sending {} bytes to {}", s.datagram().data().length,
                        Endpoints.format(s.datagram().remote()));
            } else if (a instanceof Action.Send s) {
                capturing(c -> c.sending(s.datagram()));
                send(s);
            } else if (a instanceof Action.Plaintext p) {
                capturing(c -> c.plaintext(p));
            } else if (a instanceof Action.DecryptionKey k) {
                capturing(c -> c.key(k));
            } else if (a instanceof Action.InstallSa i) {
                install(i.sa());
            } else if (a instanceof Action.DeleteSa d) {
                delete(d.sa());
            } else if (a instanceof Action.AddPolicy ap) {
                policy(ap.tunnel(), true);
            } else if (a instanceof Action.DeletePolicy dp) {
                policy(dp.tunnel(), false);
            } else if (a instanceof Action.AddAddress aa) {
                addresses.add(aa.peer(), aa.address());
            } else if (a instanceof Action.DeleteAddress da) {
                addresses.delete(da.peer(), da.address());
            } else if (a instanceof Action.Log l) {
                log(l);
            } else if (a instanceof Action.Replicate r) {
                replicator.accept(r);
            } else if (a instanceof Action.OutboundSequence q) {
                noCounters(q.sa(), new ReplayState(q.last(), 0, 0));
            } else if (a instanceof Action.InboundWindow w) {
                noCounters(w.sa(), w.replay());
            } else {
                // Action is sealed: a new kind must get a branch here, not be dropped unseen.
                throw new IllegalStateException("no executor for action " + a.getClass().getSimpleName());
            }
        }
        capturing(DecryptedCapture::endOfBatch);
    }

    void replicateTo(java.util.function.Consumer<Action.Replicate> r) {
        replicator = r;
    }

    void roleGate(RoleGate g) {
        gate = g;
    }

    /** A datagram arrived; the engine gets it next. */
    void received(Datagram d) {
        capturing(c -> c.received(d));
    }

    /** Starts writing a decrypted capture (replacing none: the caller stops the one running first). */
    void startCapture(DecryptedCapture c) {
        capture = c;
    }

    /** The capture being written, if any. */
    Optional<DecryptedCapture> capture() {
        return Optional.ofNullable(capture);
    }

    /** Stops and closes the capture, if one is being written. */
    void stopCapture() {
        DecryptedCapture c = capture;
        capture = null;
        if (c != null) {
            try {
                c.close();
                NET.info("decrypted capture {} stopped", c.file());
            } catch (IOException e) {
                NET.warn("closing the decrypted capture {}: {}", c.file(), e.getMessage());
            }
        }
    }

    private interface CaptureStep {
        void apply(DecryptedCapture c) throws IOException;
    }

    /** One step of the capture; a write that fails stops it (logged), and negotiation goes on. */
    private void capturing(CaptureStep step) {
        if (capture == null) {
            return;
        }
        try {
            step.apply(capture);
        } catch (IOException e) {
            NET.error("writing the decrypted capture {} failed, stopping it: {}", capture.file(), e.getMessage());
            stopCapture();
        }
    }

    private void send(Action.Send s) {
        try {
            transport.send(s.datagram());
        } catch (IOException e) {
            NET.warn("sending {} bytes to {} failed: {}", s.datagram().data().length,
                    Endpoints.format(s.datagram().remote()), e.getMessage());
        }
    }

    private static boolean isSaWrite(Action a) {
        return a instanceof Action.InstallSa || a instanceof Action.OutboundSequence
                || a instanceof Action.InboundWindow;
    }

    /**
     * The run of SA writes (InstallSa, OutboundSequence, InboundWindow) from {@code from} goes to the
     * XFRM back-end as one batch (XfrmKernel.writeAll: many requests per send, not a round trip
     * each; an HA takeover is thousands of them). An InstallSa followed by its OutboundSequence is
     * one NEWSA with the counter in it: no packet leaves between install and counter. Each write's
     * outcome is logged; a run longer than {@link #LOGGED_EACH} logs its successes at DEBUG and a
     * summary at INFO. Returns the index after the run.
     */
    private int writeRun(XfrmKernel x, List<Action> actions, int from) {
        List<XfrmKernel.SaWrite> writes = new ArrayList<>();
        int n = from;
        for (; n < actions.size() && isSaWrite(actions.get(n)); n++) {
            Action a = actions.get(n);
            if (a instanceof Action.InstallSa i && n + 1 < actions.size()
                    && actions.get(n + 1) instanceof Action.OutboundSequence q && q.sa() == i.sa()) {
                writes.add(new XfrmKernel.Install(i.sa(), new ReplayState(q.last(), 0, 0)));
                n++;
            } else if (a instanceof Action.InstallSa i) {
                writes.add(new XfrmKernel.Install(i.sa(), null));
            } else if (a instanceof Action.OutboundSequence q) {
                writes.add(new XfrmKernel.SetCounters(q.sa(), new ReplayState(q.last(), 0, 0)));
            } else if (a instanceof Action.InboundWindow w) {
                writes.add(new XfrmKernel.SetCounters(w.sa(), w.replay()));
            }
        }
        List<Optional<KernelException>> outcomes;
        try {
            outcomes = x.writeAll(writes);
        } catch (RuntimeException e) {
            outcomes = Collections.nCopies(writes.size(), Optional.of(new KernelException(e.toString())));
        }
        Level level = writes.size() > LOGGED_EACH ? Level.DEBUG : Level.INFO;
        Instant now = clock.instant(); // once: in the lab guest each clock read is a system call
        int installs = 0;
        int counters = 0;
        for (int k = 0; k < writes.size(); k++) {
            XfrmKernel.SaWrite w = writes.get(k);
            Optional<KernelException> failure = outcomes.get(k);
            if (w instanceof XfrmKernel.Install i && failure.isPresent()) {
                installFailed(i.sa(), failure.get());
            } else if (w instanceof XfrmKernel.Install i) {
                installed(i.sa(), i.start(), level, now);
                installs++;
            } else if (w instanceof XfrmKernel.SetCounters c && failure.isPresent()) {
                countersFailed(c.sa(), c.state(), failure.get());
            } else if (w instanceof XfrmKernel.SetCounters c) {
                countersSet(c, level);
                counters++;
            }
        }
        if (level == Level.DEBUG) {
            KERNEL.info("installed {} SA(s) and set the sequence numbers of {} more in one batch; {} failed", installs,
                    counters, writes.size() - installs - counters);
        }
        return n;
    }

    private void install(IpsecSa sa) {
        try {
            kernel.install(sa);
            installed(sa, null, Level.INFO, clock.instant());
        } catch (KernelException | RuntimeException e) {
            installFailed(sa, e);
        }
    }

    /** @param start the sequence numbers the SA was installed with (a takeover's outbound SA), or null */
    private void installed(IpsecSa sa, ReplayState start, Level level, Instant at) {
        installed.put(DaemonStatus.key(sa), at);
        installedCopy = null;
        if (KERNEL.isEnabledForLevel(level)) { // describe() is no small string
            KERNEL.atLevel(level).log("installed {}/{} {}{}", sa.peer(), sa.tunnel(), sa.describe(),
                    start == null ? "" : ", going on after sequence number " + start.outbound());
        }
    }

    private static void installFailed(IpsecSa sa, Exception e) {
        KERNEL.error("cannot install {}/{} {} {} spi=0x{}: {}", sa.peer(), sa.tunnel(), sa.protocolName(),
                sa.direction().name().toLowerCase(), sa.spiHex(), e.getMessage());
    }

    /**
     * HA takeover: an outbound SA goes on above the dead active's counter, an inbound SA's window
     * moves up to where the dead active left it: XFRM NEWAE with NLM_F_REPLACE ({@link #writeRun}).
     * Other back-ends have no such call (PF_KEY: docs/ha.md "PF_KEY and BSD").
     */
    private static void noCounters(IpsecSa sa, ReplayState state) {
        countersFailed(sa, state, new KernelException("only the XFRM back-end can set sequence numbers"));
    }

    /** An outbound SA's counter (Action.OutboundSequence) or an inbound SA's window (Action.InboundWindow) set. */
    private static void countersSet(XfrmKernel.SetCounters c, Level level) {
        if (!KERNEL.isEnabledForLevel(level)) { // a takeover sets thousands at DEBUG
            return;
        }
        IpsecSa sa = c.sa();
        KERNEL.atLevel(level).log("{} {}/{} spi=0x{} {}", sa.direction().name().toLowerCase(), sa.peer(), sa.tunnel(),
                sa.spiHex(), sa.direction() == IpsecSa.Direction.OUT ? "goes on after sequence number "
                        + c.state().outbound() : "accepts sequence numbers above " + c.state().inbound()
                        + " and those missing from its window");
    }

    private static void countersFailed(IpsecSa sa, ReplayState state, Exception e) {
        KERNEL.error("cannot set the sequence numbers of {} {}/{} spi=0x{} to {}: {}",
                sa.direction().name().toLowerCase(), sa.peer(), sa.tunnel(), sa.spiHex(), state, e.getMessage());
    }

    private void delete(IpsecSa sa) {
        try {
            installed.remove(DaemonStatus.key(sa));
            installedCopy = null;
            kernel.delete(sa);
            KERNEL.info("deleted {}/{} {} {} spi=0x{}", sa.peer(), sa.tunnel(), sa.protocolName(),
                    sa.direction().name().toLowerCase(), sa.spiHex());
        } catch (KernelException | RuntimeException e) {
            KERNEL.error("cannot delete {}/{} {} {} spi=0x{}: {}", sa.peer(), sa.tunnel(), sa.protocolName(),
                    sa.direction().name().toLowerCase(), sa.spiHex(), e.getMessage());
        }
    }

    /** A road warrior's own policies, from its Mode-Config address (installed once it has one). */
    private void policy(SpdTunnel t, boolean add) {
        try {
            if (add) {
                kernel.addPolicy(t);
            } else {
                kernel.deletePolicy(t);
            }
            KERNEL.info("{} policy {}", add ? "installed" : "removed", t.describe());
        } catch (KernelException | RuntimeException e) {
            KERNEL.error("cannot {} policy {}: {}", add ? "install" : "remove", t.describe(), e.getMessage());
        }
    }

    private void log(Action.Log l) {
        switch (l.level()) {
            case DEBUG -> IKE.debug(l.message());
            case INFO -> IKE.info(l.message());
            case WARN -> {
                if (IKE.isWarnEnabled() && warnings.allow(l.message(), clock.instant())) {
                    IKE.warn(l.message());
                }
            }
            case ERROR -> IKE.error(l.message());
        }
    }

    /** The counts of warnings a flood made {@link WarningLimiter} hold back, once they are due. */
    void reportHeldWarnings(Instant now) {
        for (String report : warnings.reports(now)) {
            IKE.warn(report);
        }
    }

    Optional<Instant> nextWarningReport() {
        return warnings.nextReport();
    }
}
