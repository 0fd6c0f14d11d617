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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    /** The decrypted capture being written, if any (isakmpd run --pcap, isakmpctl pcap start). */
    private DecryptedCapture capture;
    private final WarningLimiter warnings;
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
        // a set: retainAll asks contains() once per key (a list made this quadratic: 12,000 SAs, 10^8 compares)
        installed.keySet().retainAll(inKernel.stream().map(DaemonStatus::key).collect(Collectors.toSet()));
        return Map.copyOf(installed);
    }

    void execute(List<Action> actions) {
        for (int n = 0; n < actions.size(); n++) {
            Action a = actions.get(n);
            if (a instanceof Action.InstallSa i && n + 1 < actions.size()
                    && actions.get(n + 1) instanceof Action.OutboundSequence q && q.sa() == i.sa()
                    && kernel instanceof XfrmKernel x) {
                install(i.sa(), x, q.last()); // one NEWSA: no packet leaves between install and counter
                n++;
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
                replayState(q.sa(), new ReplayState(q.last(), 0, 0), "goes on after sequence number " + q.last());
            } else if (a instanceof Action.InboundWindow w) {
                replayState(w.sa(), w.replay(), "accepts sequence numbers above " + w.replay().inbound()
                        + " and those missing from its window");
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

    private void install(IpsecSa sa) {
        install(sa, null, 0);
    }

    /**
     * Installs {@code sa}; with {@code x}, as an HA takeover's outbound SA that goes on after
     * sequence number {@code last}, set in the same NEWSA.
     */
    private void install(IpsecSa sa, XfrmKernel x, long last) {
        try {
            if (x == null) {
                kernel.install(sa);
            } else {
                x.install(sa, new ReplayState(last, 0, 0));
            }
            installed.put(DaemonStatus.key(sa), clock.instant());
            KERNEL.info("installed {}/{} {}{}", sa.peer(), sa.tunnel(), sa.describe(),
                    x == null ? "" : ", going on after sequence number " + last);
        } catch (KernelException | RuntimeException e) {
            KERNEL.error("cannot install {}/{} {} {} spi=0x{}: {}", sa.peer(), sa.tunnel(), sa.protocolName(),
                    sa.direction().name().toLowerCase(), sa.spiHex(), e.getMessage());
        }
    }

    /**
     * HA takeover: an outbound SA goes on above the dead active's counter, an inbound SA's window
     * moves up to where the dead active left it (XFRM NEWAE with NLM_F_REPLACE). PF_KEY has no such
     * call (docs/ha.md "PF_KEY and BSD").
     */
    private void replayState(IpsecSa sa, ReplayState state, String done) {
        String which = sa.direction().name().toLowerCase();
        try {
            if (!(kernel instanceof XfrmKernel x)) {
                throw new KernelException("only the XFRM back-end can set sequence numbers");
            }
            x.counters().set(sa.destination(), sa.spi(), sa.protocol(), state);
            KERNEL.info("{} {}/{} spi=0x{} {}", which, sa.peer(), sa.tunnel(), sa.spiHex(), done);
        } catch (KernelException | RuntimeException e) {
            KERNEL.error("cannot set the sequence numbers of {} {}/{} spi=0x{} to {}: {}", which, sa.peer(),
                    sa.tunnel(), sa.spiHex(), state, e.getMessage());
        }
    }

    private void delete(IpsecSa sa) {
        try {
            installed.remove(DaemonStatus.key(sa));
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
