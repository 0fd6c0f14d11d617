package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.kernel.Kernel;
import dev.isakmpd.core.kernel.KernelException;
import dev.isakmpd.core.policy.EspProposal;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.daemon.config.ControlSocket;
import dev.isakmpd.daemon.config.DaemonConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code check} can find out about this host before {@code run} meets it: whether the
 * kernel back-end opens and takes the ESP proposals, whether the listen endpoints can be bound
 * (address on this host, privilege for port 500, nobody else on it), whether the control socket's
 * directory is writable. Nothing is changed: what is opened is closed again.
 */
public final class HostChecks {
    private HostChecks() {
    }

    /** Every problem found, one line each, naming the setting; empty when run should start. */
    public static List<String> problems(DaemonConfig config) {
        List<String> out = new ArrayList<>();
        kernel(config, out);
        for (var e : config.listen()) {
            try {
                UdpTransport.bind(List.of(e)).close();
            } catch (IOException ex) {
                out.add("daemon.listen: " + ex.getMessage());
            }
        }
        config.control().map(ControlSocket::path).map(p -> p.toAbsolutePath().getParent())
                .filter(dir -> !writable(dir))
                .ifPresent(dir -> out.add("daemon.control-socket: cannot create the socket in " + dir
                        + " (not writable by this user)"));
        return out;
    }

    private static void kernel(DaemonConfig config, List<String> out) {
        Kernel kernel;
        try {
            kernel = Kernels.open(config);
        } catch (KernelException e) {
            out.add(e.getMessage());
            return;
        }
        try {
            for (PeerPolicy p : config.peers()) {
                for (TunnelPolicy t : p.tunnels()) {
                    List<EspProposal> refused = t.proposals().stream()
                            .filter(e -> !kernel.supports(e.cipher(), e.keyBits(), e.integrity())).toList();
                    if (refused.size() == t.proposals().size() && t.hasEsp()) {
                        out.add("peers." + p.name() + ".tunnels." + t.name() + ".esp: the " + config.kernel().configName()
                                + " kernel back-end can install none of " + names(kernel, refused)
                                + "; run will refuse to start");
                    } else if (!refused.isEmpty()) {
                        out.add("peers." + p.name() + ".tunnels." + t.name() + ".esp: the " + config.kernel().configName()
                                + " kernel back-end cannot install " + names(kernel, refused) + "; run leaves them out");
                    }
                    List<String> ah = t.ah().stream().filter(i -> !kernel.supportsAh(i)).map(i -> i.displayName()
                            + " (" + kernel.whyAhUnsupported(i) + ")").toList();
                    if (!ah.isEmpty()) {
                        out.add("peers." + p.name() + ".tunnels." + t.name() + ".ah: the " + config.kernel().configName()
                                + " kernel back-end cannot install " + ah + (ah.size() == t.ah().size()
                                ? "; run will refuse to start" : "; run leaves them out"));
                    }
                }
            }
        } finally {
            kernel.close();
        }
    }

    private static List<String> names(Kernel kernel, List<EspProposal> proposals) {
        return proposals.stream().map(e -> e.name() + " (" + kernel.whyUnsupported(e.cipher(), e.keyBits(),
                e.integrity()) + ")").toList();
    }

    /** The directory, or the nearest existing one above it (run creates the rest). */
    private static boolean writable(Path dir) {
        Path d = dir;
        while (d != null && !Files.exists(d)) {
            d = d.getParent();
        }
        return d != null && Files.isWritable(d);
    }
}
