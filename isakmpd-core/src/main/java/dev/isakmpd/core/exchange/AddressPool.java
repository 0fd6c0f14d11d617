package dev.isakmpd.core.exchange;

import dev.isakmpd.core.policy.Subnet;
import java.nio.ByteBuffer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One policy's Mode-Config address pool (IPv4): each client, by lease key (policy, proven identity,
 * XAUTH user), holds one address, shared by its ISAKMP SAs (a phase-1 rekey keeps it) and freed
 * when the last of them is gone. The network and broadcast addresses are never leased.
 */
final class AddressPool {
    private final Subnet subnet;
    private final int size;
    private final BitSet used = new BitSet();
    private final Map<String, Lease> leases = new HashMap<>();
    /** How many ISAKMP SAs hold each key's lease. */
    private final Map<String, Integer> holders = new HashMap<>();

    record Lease(String key, InetAddress address, int offset) {
    }

    AddressPool(Subnet subnet) {
        this.subnet = subnet;
        this.size = 1 << (32 - subnet.prefixLength());
    }

    Subnet subnet() {
        return subnet;
    }

    /** Addresses that can be leased at all. */
    int capacity() {
        return size - 2;
    }

    int leased() {
        return leases.size();
    }

    /** The key's lease, new or the one it holds already; empty when the pool is exhausted. */
    Optional<Lease> lease(String key) {
        Lease l = leases.get(key);
        if (l == null) {
            int offset = used.nextClearBit(1);
            if (offset >= size - 1) {
                return Optional.empty();
            }
            used.set(offset);
            l = new Lease(key, address(offset), offset);
            leases.put(key, l);
        }
        holders.merge(key, 1, Integer::sum);
        return Optional.of(l);
    }

    /** One holder of the lease is gone; true when it was the last and the address is free again. */
    boolean release(Lease l) {
        Integer n = holders.get(l.key());
        if (n == null) {
            return false;
        }
        if (n > 1) {
            holders.put(l.key(), n - 1);
            return false;
        }
        holders.remove(l.key());
        leases.remove(l.key());
        used.clear(l.offset());
        return true;
    }

    private InetAddress address(int offset) {
        int base = ByteBuffer.wrap(subnet.network().getAddress()).getInt();
        try {
            return InetAddress.getByAddress(ByteBuffer.allocate(4).putInt(base + offset).array());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }
}
