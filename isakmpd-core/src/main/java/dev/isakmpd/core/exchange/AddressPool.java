package dev.isakmpd.core.exchange;

import dev.isakmpd.core.policy.Subnet;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One policy's Mode-Config address pool, IPv4 or IPv6: each client, by lease key (policy, proven
 * identity, XAUTH user), holds one address, shared by its ISAKMP SAs (a phase-1 rekey keeps it) and
 * freed when the last of them is gone. The network address (in IPv6 the Subnet-Router anycast
 * address, RFC 4291 s2.6.1) is never leased, nor is an IPv4 pool's broadcast address.
 */
final class AddressPool {
    private final Subnet subnet;
    /** The offsets leased are 1 up to, not including, this one. */
    private final int end;
    private final BitSet used = new BitSet();
    private final Map<String, Lease> leases = new HashMap<>();
    /** How many ISAKMP SAs hold each key's lease. */
    private final Map<String, Integer> holders = new HashMap<>();

    record Lease(String key, InetAddress address, int offset) {
    }

    AddressPool(Subnet subnet) {
        this.subnet = subnet;
        int hostBits = subnet.network().getAddress().length * 8 - subnet.prefixLength();
        // an IPv6 pool may be far larger than any number of clients: its offsets stop at 2^30
        this.end = hostBits > 30 ? 1 << 30 : subnet.isIpv4() ? (1 << hostBits) - 1 : 1 << hostBits;
    }

    Subnet subnet() {
        return subnet;
    }

    /** Addresses that can be leased at all. */
    int capacity() {
        return end - 1;
    }

    int leased() {
        return leases.size();
    }

    /** The key's lease, new or the one it holds already; empty when the pool is exhausted. */
    Optional<Lease> lease(String key) {
        Lease l = leases.get(key);
        if (l == null) {
            int offset = used.nextClearBit(1);
            if (offset >= end) {
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
        byte[] network = subnet.network().getAddress();
        byte[] a = BigInteger.valueOf(offset).add(new BigInteger(1, network)).toByteArray();
        byte[] out = new byte[network.length]; // toByteArray() has a sign octet or drops leading zeros
        int n = Math.min(a.length, out.length);
        System.arraycopy(a, a.length - n, out, out.length - n, n);
        try {
            return InetAddress.getByAddress(out);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 4 or 16 bytes are always an address
        }
    }
}
