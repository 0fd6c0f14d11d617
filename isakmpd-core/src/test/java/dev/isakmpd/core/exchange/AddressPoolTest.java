package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.Subnet;
import org.junit.jupiter.api.Test;

/** Which addresses a pool hands out, IPv4 and IPv6, and how many. */
class AddressPoolTest {

    private static String lease(AddressPool p, String key) {
        return Addresses.format(p.lease(key).orElseThrow().address());
    }

    @Test
    void ipv4LeavesOutTheNetworkAndBroadcastAddresses() {
        AddressPool p = new AddressPool(Subnet.parse("10.3.0.0/30"));
        assertEquals(2, p.capacity());
        assertEquals("10.3.0.1", lease(p, "a"));
        assertEquals("10.3.0.2", lease(p, "b"));
        assertTrue(p.lease("c").isEmpty());
    }

    @Test
    void ipv6CountsAcrossOctetsAndLeavesOutOnlyTheSubnetRouterAnycastAddress() {
        AddressPool p = new AddressPool(Subnet.parse("2001:db8:3::/112"));
        assertEquals(65535, p.capacity());
        for (int i = 1; i < 256; i++) {
            p.lease("k" + i);
        }
        assertEquals("2001:db8:3::100", lease(p, "k256"));
        AddressPool small = new AddressPool(Subnet.parse("2001:db8:3::fffc/126"));
        assertEquals(3, small.capacity());
        assertEquals("2001:db8:3::fffd", lease(small, "a"));
        assertEquals("2001:db8:3::fffe", lease(small, "b"));
        assertEquals("2001:db8:3::ffff", lease(small, "c"));
        assertTrue(small.lease("d").isEmpty());
    }

    @Test
    void aLargeIpv6PoolIsBoundedAndItsFreedAddressIsLeasedAgain() {
        AddressPool p = new AddressPool(Subnet.parse("2001:db8:3::/64"));
        assertEquals((1 << 30) - 1, p.capacity());
        AddressPool.Lease a = p.lease("a").orElseThrow();
        assertEquals("2001:db8:3::2", lease(p, "b"));
        assertTrue(p.release(a));
        assertEquals("2001:db8:3::1", lease(p, "c"));
    }
}
