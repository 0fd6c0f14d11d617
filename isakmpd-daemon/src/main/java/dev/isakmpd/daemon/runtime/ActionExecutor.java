package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.exchange.Action;
import dev.isakmpd.core.kernel.Kernel;
import dev.isakmpd.core.kernel.KernelException;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.daemon.Endpoints;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Carries out the engine's actions. A failing action is logged and the next one still runs. */
final class ActionExecutor {
    private static final Logger IKE = LoggerFactory.getLogger("isakmpd.ike");
    private static final Logger KERNEL = LoggerFactory.getLogger("isakmpd.kernel");
    private static final Logger NET = LoggerFactory.getLogger("isakmpd.net");

    /** An IPsec SA in the kernel, by what identifies it there. */
    private record SaKey(InetAddress destination, int spi) {
        static SaKey of(IpsecSa sa) {
            return new SaKey(sa.destination(), sa.spi());
        }
    }

    private final UdpTransport transport;
    private final Kernel kernel;
    private final Clock clock;
    /** When each SA we installed went in, for its age and remaining lifetime. */
    private final Map<SaKey, Instant> installed = new HashMap<>();

    ActionExecutor(UdpTransport transport, Kernel kernel, Clock clock) {
        this.transport = transport;
        this.kernel = kernel;
        this.clock = clock;
    }

    /** When we installed this SA; empty for one we did not install (or have since deleted). */
    Optional<Instant> installedAt(IpsecSa sa) {
        return Optional.ofNullable(installed.get(SaKey.of(sa)));
    }

    /** Forgets the install times of SAs no longer in the kernel (a hard EXPIRE removes them there). */
    void retainInstallTimes(List<IpsecSa> inKernel) {
        installed.keySet().retainAll(inKernel.stream().map(SaKey::of).toList());
    }

    void execute(List<Action> actions) {
        for (Action a : actions) {
            if (a instanceof Action.Send s) {
                send(s);
            } else if (a instanceof Action.InstallSa i) {
                install(i.sa());
            } else if (a instanceof Action.DeleteSa d) {
                delete(d.sa());
            } else if (a instanceof Action.Log l) {
                log(l);
            }
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
        try {
            kernel.install(sa);
            installed.put(SaKey.of(sa), clock.instant());
            KERNEL.info("installed {}/{} {}", sa.peer(), sa.tunnel(), sa.describe());
        } catch (KernelException | RuntimeException e) {
            KERNEL.error("cannot install {}/{} ESP {} spi=0x{}: {}", sa.peer(), sa.tunnel(),
                    sa.direction().name().toLowerCase(), sa.spiHex(), e.getMessage());
        }
    }

    private void delete(IpsecSa sa) {
        try {
            installed.remove(SaKey.of(sa));
            kernel.delete(sa.destination(), sa.spi());
            KERNEL.info("deleted {}/{} ESP {} spi=0x{}", sa.peer(), sa.tunnel(), sa.direction().name().toLowerCase(),
                    sa.spiHex());
        } catch (KernelException | RuntimeException e) {
            KERNEL.error("cannot delete {}/{} ESP {} spi=0x{}: {}", sa.peer(), sa.tunnel(),
                    sa.direction().name().toLowerCase(), sa.spiHex(), e.getMessage());
        }
    }

    private static void log(Action.Log l) {
        switch (l.level()) {
            case DEBUG -> IKE.debug(l.message());
            case INFO -> IKE.info(l.message());
            case WARN -> IKE.warn(l.message());
            case ERROR -> IKE.error(l.message());
        }
    }
}
