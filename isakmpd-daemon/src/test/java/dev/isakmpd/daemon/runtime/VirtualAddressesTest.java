package dev.isakmpd.daemon.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isakmpd.core.kernel.KernelException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Holds per address: the last ISAKMP SA that was given it takes it off the host, and only if we put it there. */
class VirtualAddressesTest {
    private static final class FakeHost implements VirtualAddresses.Host {
        final Set<InetAddress> on = new HashSet<>();
        final List<String> calls = new ArrayList<>();

        @Override
        public boolean add(InetAddress a) {
            calls.add("add " + a.getHostAddress());
            return on.add(a);
        }

        @Override
        public void delete(InetAddress a) throws KernelException {
            calls.add("delete " + a.getHostAddress());
            if (!on.remove(a)) {
                throw new KernelException("not there");
            }
        }
    }

    @Test
    void aRekeyedIsakmpSaHoldsTheAddressTwiceAndTheLastReleaseRemovesIt() throws Exception {
        FakeHost host = new FakeHost();
        VirtualAddresses v = new VirtualAddresses(host);
        InetAddress a = InetAddress.getByName("10.3.0.1");
        v.add("gw", a);
        v.add("gw", a); // the new ISAKMP SA after a phase-1 rekey
        v.delete("gw", a); // the old one goes
        assertEquals(Set.of(a), host.on);
        v.delete("gw", a);
        assertEquals(Set.of(), host.on);
        assertEquals(List.of("add 10.3.0.1", "delete 10.3.0.1"), host.calls);
        v.delete("gw", a); // nothing held: nothing happens
        assertEquals(2, host.calls.size());
    }

    @Test
    void anAddressThatWasThereBeforeIsLeftThere() throws Exception {
        FakeHost host = new FakeHost();
        InetAddress a = InetAddress.getByName("10.3.0.2");
        host.on.add(a);
        VirtualAddresses v = new VirtualAddresses(host);
        v.add("gw", a);
        v.delete("gw", a);
        assertEquals(Set.of(a), host.on);
        assertEquals(List.of("add 10.3.0.2"), host.calls);
    }
}
