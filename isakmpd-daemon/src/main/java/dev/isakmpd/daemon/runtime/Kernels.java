package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.kernel.InMemoryKernel;
import dev.isakmpd.core.kernel.Kernel;
import dev.isakmpd.core.kernel.KernelException;
import dev.isakmpd.core.kernel.SpdTunnel;
import dev.isakmpd.core.policy.EspIntegrity;
import dev.isakmpd.core.policy.EspProposal;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.daemon.config.DaemonConfig;
import dev.isakmpd.pfkey.PfKeyKernel;
import dev.isakmpd.xfrm.XfrmKernel;
import dev.isakmpd.xfrm.XfrmUnavailableException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the kernel back-end that the configuration names, and fits the policy to what it can do. */
public final class Kernels {
    private static final Logger LOG = LoggerFactory.getLogger("isakmpd.kernel");

    private Kernels() {
    }

    /**
     * {@code memory}: an in-memory table (only when the file says so). {@code pfkey}: the PF_KEY v2
     * socket, registered for ESP. {@code xfrm}: XFRM netlink, after removing what a crashed
     * instance left. {@code auto}: XFRM where it opens (Linux), PF_KEY otherwise; logs the choice.
     *
     * @throws KernelException when the back-end cannot be opened; the message says why and what to do
     */
    public static Kernel open(DaemonConfig config) throws KernelException {
        return switch (config.kernel()) {
            case MEMORY -> new InMemoryKernel();
            case PFKEY -> pfkey(config, "pfkey");
            case XFRM -> {
                try {
                    yield XfrmKernel.open();
                } catch (KernelException e) {
                    throw refused(config, "xfrm", e);
                }
            }
            case AUTO -> auto(config);
        };
    }

    private static Kernel auto(DaemonConfig config) throws KernelException {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            LOG.info("kernel = \"auto\": PF_KEY ({} has no XFRM netlink)", System.getProperty("os.name"));
            return pfkey(config, "auto");
        }
        XfrmKernel xfrm;
        try {
            xfrm = XfrmKernel.open();
        } catch (XfrmUnavailableException e) {
            LOG.info("kernel = \"auto\": PF_KEY, because XFRM netlink did not open: {}", e.getMessage());
            return pfkey(config, "auto");
        } catch (KernelException e) {
            throw refused(config, "auto", e);
        }
        LOG.info("kernel = \"auto\": XFRM netlink");
        return xfrm;
    }

    /**
     * Whether the back-end cannot carry ESP counters to a new HA active: PF_KEY can neither report
     * nor set an SA's sequence number (XFRM can), so after a takeover every SA is rekeyed at once
     * (docs/ha.md "PF_KEY and BSD").
     */
    public static boolean lacksCounters(Kernel kernel) {
        return kernel instanceof PfKeyKernel;
    }

    private static Kernel pfkey(DaemonConfig config, String name) throws KernelException {
        try {
            return PfKeyKernel.open();
        } catch (KernelException e) {
            throw refused(config, name, e);
        }
    }

    private static KernelException refused(DaemonConfig config, String name, KernelException e) {
        return new KernelException(config.source() + ": daemon.kernel = \"" + name + "\": " + e.getMessage()
                + ". To run without a kernel back-end (nothing reaches the IP stack) set kernel = \"memory\"", e);
    }

    /**
     * The peers with only the ESP proposals the kernel can install (PF_KEY: learnt with
     * SADB_REGISTER, less hmac(sha256) on Linux; XFRM: every cipher and HMAC core knows), so
     * that we never agree to SAs the kernel would refuse.
     *
     * @throws KernelException when a tunnel is left with no proposal at all
     */
    public static List<PeerPolicy> supportedByKernel(List<PeerPolicy> peers, Kernel kernel) throws KernelException {
        List<PeerPolicy> out = new ArrayList<>();
        for (PeerPolicy p : peers) {
            List<TunnelPolicy> tunnels = new ArrayList<>();
            for (TunnelPolicy t : p.tunnels()) {
                List<EspProposal> ok = new ArrayList<>();
                for (EspProposal e : t.proposals()) {
                    if (kernel.supports(e.cipher(), e.keyBits(), e.integrity())) {
                        ok.add(e);
                    } else {
                        LOG.warn("peer {} tunnel {}: ESP proposal {} left out: the kernel cannot install it ({})",
                                p.name(), t.name(), e.name(), kernel.whyUnsupported(e.cipher(), e.keyBits(),
                                        e.integrity()));
                    }
                }
                if (ok.isEmpty() && t.hasEsp()) {
                    throw new KernelException("peer " + p.name() + " tunnel " + t.name() + ": none of its ESP proposals "
                            + t.proposals() + " can be installed by this kernel");
                }
                List<EspIntegrity> ah = t.ah().stream().filter(kernel::supportsAh).toList();
                if (ah.size() < t.ah().size()) {
                    String left = t.ah().stream().filter(i -> !ah.contains(i)).map(i -> i.displayName() + " ("
                            + kernel.whyAhUnsupported(i) + ")").toList().toString();
                    if (ah.isEmpty()) {
                        throw new KernelException("peer " + p.name() + " tunnel " + t.name() + ": none of its AH "
                                + "proposals can be installed by this kernel: " + left);
                    }
                    LOG.warn("peer {} tunnel {}: AH proposals {} left out: the kernel cannot install them", p.name(),
                            t.name(), left);
                }
                tunnels.add(new TunnelPolicy(t.name(), t.local(), t.remote(), ok, t.pfsGroup(), t.lifetime(),
                        t.mode(), t.lifeKilobytes(), ah, t.compress()));
            }
            out.add(p.withTunnels(tunnels));
        }
        return out;
    }

    /**
     * The security policies of every tunnel to a peer at a fixed address. A peer accepted from a
     * range of addresses has no tunnel endpoint until a client connects, so it gets none here.
     */
    public static List<SpdTunnel> policies(List<PeerPolicy> peers) {
        List<SpdTunnel> out = new ArrayList<>();
        for (PeerPolicy p : peers) {
            if (!p.hasFixedAddress()) {
                continue;
            }
            for (TunnelPolicy t : p.tunnels()) {
                out.add(new SpdTunnel(p.name(), t.name(), p.local().getAddress(), p.remote().getAddress(), t.local(),
                        t.remote(), t.mode(), p.local().getPort(), t.protocols()));
            }
        }
        return out;
    }
}
