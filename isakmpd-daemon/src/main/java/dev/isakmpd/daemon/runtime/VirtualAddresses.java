package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.kernel.InMemoryKernel;
import dev.isakmpd.core.kernel.Kernel;
import dev.isakmpd.core.kernel.KernelException;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.xfrm.InterfaceAddresses;
import dev.isakmpd.xfrm.XfrmException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The addresses Mode-Config gateways gave our client (Action.AddAddress), on the host's loopback
 * interface as host addresses while at least one ISAKMP SA holds them (a phase-1 rekey holds the
 * same address twice for a while). strongSwan puts its virtual IP on an interface the same way;
 * traffic that leaves from the address matches the tunnel's policy. An address that was on the
 * host before is used and left there.
 */
final class VirtualAddresses {
    private static final Logger KERNEL = LoggerFactory.getLogger("isakmpd.kernel");
    static final String INTERFACE = "lo";

    /** Where the addresses go: rtnetlink, or nowhere for the in-memory kernel. */
    interface Host {
        /** @return false when the address was there already */
        boolean add(InetAddress a) throws KernelException;

        void delete(InetAddress a) throws KernelException;
    }

    private final Host host;
    private final Map<InetAddress, Integer> holds = new HashMap<>();
    /** Those we put there (and so remove with the last hold). */
    private final Set<InetAddress> added = new HashSet<>();

    VirtualAddresses(Host host) {
        this.host = host;
    }

    /** rtnetlink on Linux; with the in-memory kernel nothing reaches the IP stack, addresses neither. */
    static VirtualAddresses forKernel(Kernel kernel) {
        if (kernel instanceof InMemoryKernel) {
            return new VirtualAddresses(null);
        }
        return new VirtualAddresses(new Host() {
            @Override
            public boolean add(InetAddress a) throws KernelException {
                try {
                    InterfaceAddresses.open().add(a, INTERFACE);
                    return true;
                } catch (XfrmException e) {
                    if (e.errno() == InterfaceAddresses.EEXIST) {
                        return false;
                    }
                    throw e;
                }
            }

            @Override
            public void delete(InetAddress a) throws KernelException {
                InterfaceAddresses.open().delete(a, INTERFACE);
            }
        });
    }

    void add(String peer, InetAddress a) {
        if (holds.merge(a, 1, Integer::sum) > 1) {
            return;
        }
        String address = Addresses.format(a);
        if (host == null) {
            KERNEL.info("address {} from peer {} not put on the host (kernel = memory)", address, peer);
            return;
        }
        try {
            if (host.add(a)) {
                added.add(a);
                KERNEL.info("added address {}/{} from peer {} to {}", address, a.getAddress().length * 8, peer,
                        INTERFACE);
            } else {
                KERNEL.info("address {} from peer {} is on the host already; using it and leaving it there", address,
                        peer);
            }
        } catch (KernelException | RuntimeException e) {
            KERNEL.error("cannot add address {} from peer {} to {}: {}", address, peer, INTERFACE, e.getMessage());
        }
    }

    void delete(String peer, InetAddress a) {
        Integer n = holds.get(a);
        if (n == null) {
            return;
        }
        if (n > 1) {
            holds.put(a, n - 1);
            return;
        }
        holds.remove(a);
        if (!added.remove(a)) {
            return;
        }
        try {
            host.delete(a);
            KERNEL.info("removed address {} from peer {} from {}", Addresses.format(a), peer, INTERFACE);
        } catch (KernelException | RuntimeException e) {
            KERNEL.error("cannot remove address {} from peer {} from {}: {}", Addresses.format(a), peer, INTERFACE,
                    e.getMessage());
        }
    }
}
