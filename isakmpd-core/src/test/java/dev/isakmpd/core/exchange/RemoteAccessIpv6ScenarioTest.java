package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static dev.isakmpd.core.exchange.RemoteAccessScenarioTest.log;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.ProposalNames;
import dev.isakmpd.core.policy.RemoteAccess;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.core.policy.XauthUsers;
import dev.isakmpd.core.registry.AttributeMessageType;
import dev.isakmpd.core.registry.ConfigAttributes;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.core.wire.AttributePayload;
import dev.isakmpd.core.wire.DataAttribute;
import dev.isakmpd.oakley.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Mode-Config with IPv6 pools over the simulated network (IPv6 inside, IPv4 outside, as a road
 * warrior on an IPv4 Internet gets an IPv6 address of the corporate network): our gateway against
 * our client role, pull and push, exhaustion, release, and one address of each family.
 */
class RemoteAccessIpv6ScenarioTest {
    private static final String GATEWAY = "203.0.113.1";
    private static final String CORP4 = "10.1.0.0/16";
    private static final String CORP6 = "2001:db8:1::/64";
    /** bcrypt cost 4 (the minimum): these tests check the protocol, not the hash's slowness. */
    private static final XauthUsers USERS = new XauthUsers(Map.of(
            "alice", XauthUsers.hash("alice-pw".toCharArray(), new byte[16], 4),
            "bob", XauthUsers.hash("bob-pw".toCharArray(), new byte[16], 4),
            "carol", XauthUsers.hash("carol-pw".toCharArray(), new byte[16], 4),
            "dave", XauthUsers.hash("dave-pw".toCharArray(), new byte[16], 4)));

    private static TunnelPolicy tunnel(String name, String local, String remote) {
        return new TunnelPolicy(name, Subnet.parse(local), Subnet.parse(remote),
                List.of(ProposalNames.parseEsp("aes128-sha1", true).proposal()), Optional.empty(), Duration.ofHours(1));
    }

    /** The gateway: pools (the first one first), a tunnel from the corporate network of each family to its pool. */
    private static PeerPolicy gateway(boolean push, String... pools) {
        List<TunnelPolicy> tunnels = new ArrayList<>();
        for (String pool : pools) {
            boolean v4 = Subnet.parse(pool).isIpv4();
            tunnels.add(tunnel(v4 ? "net" : "net6", v4 ? CORP4 : CORP6, pool));
        }
        PeerPolicy fixed = policy("rw", GATEWAY, "198.51.100.1", "group-psk", "aes128-sha256-modp2048",
                "aes128-sha1", null, CORP4, "10.3.0.0/24", false).withTunnels(tunnels);
        RemoteAccess ra = new RemoteAccess(Optional.of(new RemoteAccess.XauthServer(USERS, 3)),
                Optional.of(new RemoteAccess.ModeConfig(Subnet.parse(pools[0]),
                        List.of(Addresses.parseLiteral("10.1.0.53"), Addresses.parseLiteral("2001:db8:1::53")),
                        Optional.of("corp.example"), List.of(Subnet.parse(CORP4), Subnet.parse(CORP6)), push,
                        pools.length > 1 ? Optional.of(Subnet.parse(pools[1])) : Optional.empty())),
                Optional.empty());
        return RoadWarriorScenarioTest.roadWarrior(fixed, "198.51.100.0/24").withRemoteAccess(ra);
    }

    private record Setup(SimulatedNetwork net, SimulatedNetwork.Node gw) {
        /** Client {@code i} whose tunnels' local selectors are {@code virtualIps} (one tunnel per address). */
        SimulatedNetwork.Node client(int i, String user, boolean pull, String... virtualIps) {
            String address = "198.51.100." + (10 + i);
            List<TunnelPolicy> tunnels = new ArrayList<>();
            for (String vip : virtualIps) {
                boolean v4 = Addresses.parseLiteral(vip).getAddress().length == 4;
                tunnels.add(tunnel(v4 ? "net" : "net6", Subnet.host(Addresses.parseLiteral(vip)).toString(),
                        v4 ? CORP4 : CORP6));
            }
            PeerPolicy p = policy("gw", address, GATEWAY, "group-psk", "aes128-sha256-modp2048", "aes128-sha1", null,
                    "10.3.0.1/32", CORP4, true).withTunnels(tunnels).withRemoteAccess(new RemoteAccess(Optional.empty(),
                    Optional.empty(), Optional.of(new RemoteAccess.XauthClient(user,
                    SecretBytes.copyOf((user + "-pw").getBytes(StandardCharsets.UTF_8)), pull))));
            SimulatedNetwork.Node c = net.add(new SimulatedNetwork.Node("c" + i, Addresses.parseEndpoint(address, 500),
                    List.of(p), 100 + i));
            net.apply(c, c.engine.initiate("gw", net.now));
            return c;
        }
    }

    private static Setup setup(long seed, boolean push, String... pools) {
        SimulatedNetwork net = new SimulatedNetwork(seed, SimulatedNetwork.Faults.NONE);
        SimulatedNetwork.Node gw = net.add(new SimulatedNetwork.Node("gw", Addresses.parseEndpoint(GATEWAY, 500),
                List.of(gateway(push, pools)), seed + 1));
        return new Setup(net, gw);
    }

    /** Up with a pair of IPsec SAs per virtual address, each with its selector and policy, each on the client. */
    private static void assertUpWith(Setup s, SimulatedNetwork.Node c, String... virtualIps) {
        List<Subnet> hosts = Arrays.stream(virtualIps).map(v -> Subnet.host(Addresses.parseLiteral(v))).toList();
        assertTrue(s.net.runUntil(() -> c.kernel.list().size() == 2 * hosts.size() && hosts.stream().allMatch(h ->
                s.gw.kernel.list().stream().anyMatch(sa -> sa.direction() == IpsecSa.Direction.OUT
                        && sa.destinationSelector().equals(h))), Duration.ofMinutes(1)), () -> log(s.gw, c));
        for (Subnet h : hosts) {
            Subnet corp = Subnet.parse(h.isIpv4() ? CORP4 : CORP6);
            assertTrue(s.gw.kernel.list().stream().anyMatch(sa -> sa.direction() == IpsecSa.Direction.IN
                    && sa.sourceSelector().equals(h) && sa.destinationSelector().equals(corp)), () -> log(s.gw, c));
            assertTrue(s.gw.policies.stream().anyMatch(t -> t.remote().equals(h) && t.local().equals(corp)),
                    () -> s.gw.policies.toString());
        }
        assertEquals(Arrays.stream(virtualIps).map(Addresses::parseLiteral).toList(), c.addresses, () -> log(c));
    }

    @Test
    void pullStyleGivesTheClientAnIpv6AddressDnsAndATunnelForExactlyIt() {
        Setup s = setup(601, false, "2001:db8:3::/112");
        SimulatedNetwork.Node c = s.client(1, "alice", true, "2001:db8:3::1");
        assertUpWith(s, c, "2001:db8:3::1");
        assertTrue(c.logged("the gateway assigned 2001:db8:3::1, DNS 2001:db8:1::53"), () -> log(c));
        // the address alone (16 octets, draft s3.4); no IPv4 DNS: the client asked for IPv6 classes only
        assertTrue(c.logged("INTERNAL_IP6_ADDRESS (8, TLV 16 bytes)"), () -> log(c));
        assertFalse(c.logged("INTERNAL_IP4_DNS (3, TLV"), () -> log(c));
        assertTrue(s.gw.logged("Mode-Config: 2001:db8:3::1 for user 'alice'"), () -> log(s.gw));
        assertEquals(1, s.gw.policies.size(), s.gw.policies::toString);

        s.net.apply(s.gw, s.gw.engine.down("rw", s.net.now));
        assertTrue(s.gw.policies.isEmpty(), s.gw.policies::toString);
        assertTrue(s.gw.logged("2001:db8:3::1 returned to pool 2001:db8:3::/112"), () -> log(s.gw));
        assertTrue(s.net.runUntil(c.addresses::isEmpty, Duration.ofSeconds(5)), () -> log(c));
    }

    @Test
    void pushStyleSetsTheIpv6ConfigurationAndTheClientAcknowledges() {
        Setup s = setup(602, true, "2001:db8:3::/112");
        SimulatedNetwork.Node c = s.client(1, "alice", false, "2001:db8:3::1");
        assertUpWith(s, c, "2001:db8:3::1");
        assertTrue(s.gw.logged("Mode-Config: the client acknowledged its configuration"), () -> log(s.gw));
        for (String pushed : List.of("INTERNAL_IP6_ADDRESS (8, TLV 16 bytes)", "INTERNAL_IP6_NETMASK (9, TLV 16 bytes)",
                "INTERNAL_IP6_DNS (10, TLV 16 bytes)", "INTERNAL_IP6_SUBNET (15, TLV 17 bytes)",
                "INTERNAL_IP4_DNS (3, TLV 4 bytes)")) {
            assertTrue(c.logged(pushed), () -> pushed + " not received\n" + log(c));
        }
        assertFalse(c.logged("INTERNAL_IP4_ADDRESS (1, TLV"), () -> log(c)); // no IPv4 pool
    }

    @Test
    void dualStackGivesOneAddressOfEachFamilyAndATunnelForEach() {
        Setup s = setup(603, false, "10.3.0.0/24", "2001:db8:3::/112");
        SimulatedNetwork.Node c = s.client(1, "alice", true, "10.3.0.1", "2001:db8:3::1");
        assertUpWith(s, c, "10.3.0.1", "2001:db8:3::1");
        assertTrue(c.logged("the gateway assigned 10.3.0.1, 2001:db8:3::1, DNS 10.1.0.53, 2001:db8:1::53"),
                () -> log(c));
        assertEquals(2, s.gw.policies.size(), s.gw.policies::toString);

        s.net.apply(s.gw, s.gw.engine.down("rw", s.net.now));
        assertTrue(s.gw.logged("10.3.0.1 returned to pool 10.3.0.0/24"), () -> log(s.gw));
        assertTrue(s.gw.logged("2001:db8:3::1 returned to pool 2001:db8:3::/112"), () -> log(s.gw));
        assertTrue(s.gw.policies.isEmpty(), s.gw.policies::toString);
        assertTrue(s.net.runUntil(c.addresses::isEmpty, Duration.ofSeconds(5)), () -> log(c));
    }

    @Test
    void aClientAskingOnlyForIpv4FromADualStackGatewayGetsOnlyIpv4() {
        Setup s = setup(604, false, "2001:db8:3::/112", "10.3.0.0/24");
        SimulatedNetwork.Node c = s.client(1, "alice", true, "10.3.0.1");
        assertUpWith(s, c, "10.3.0.1");
        assertFalse(s.gw.logged("2001:db8:3::"), () -> log(s.gw)); // nothing leased from the IPv6 pool
        assertEquals(1, s.gw.policies.size(), s.gw.policies::toString);
    }

    @Test
    void anExhaustedIpv6PoolDeletesTheNewClientsSaAndTheReleasedAddressGoesToTheNextClient() {
        Setup s = setup(605, false, "2001:db8:3::/126"); // ::1, ::2, ::3 (::0 is the subnet-router anycast)
        SimulatedNetwork.Node a = s.client(1, "alice", true, "2001:db8:3::1");
        assertUpWith(s, a, "2001:db8:3::1");
        SimulatedNetwork.Node b = s.client(2, "bob", true, "2001:db8:3::2");
        assertUpWith(s, b, "2001:db8:3::2");
        SimulatedNetwork.Node c = s.client(3, "carol", true, "2001:db8:3::3");
        assertUpWith(s, c, "2001:db8:3::3");
        SimulatedNetwork.Node d = s.client(4, "dave", true, "2001:db8:3::1");
        s.net.runUntil(() -> false, Duration.ofMinutes(1));
        assertTrue(s.gw.logged("address pool 2001:db8:3::/126 of peer rw is exhausted (3 leases) for user 'dave'"),
                () -> log(s.gw));
        assertTrue(d.kernel.list().isEmpty(), () -> log(d));
        assertEquals(3, s.gw.engine.isakmpSas().size(), () -> log(s.gw));
        assertEquals(6, s.gw.kernel.list().size(), () -> log(s.gw));

        // alice leaves: her address returns, with her SAs and policy, and dave gets it on his next try
        s.net.apply(a, a.engine.down("gw", s.net.now));
        assertTrue(s.net.runUntil(() -> s.gw.logged("2001:db8:3::1 returned to pool 2001:db8:3::/126"),
                Duration.ofSeconds(5)), () -> log(s.gw));
        assertEquals(2, s.gw.policies.size(), s.gw.policies::toString);
        s.net.apply(d, d.engine.initiate("gw", s.net.now));
        assertUpWith(s, d, "2001:db8:3::1");
        assertEquals(2, b.kernel.list().size());
        assertEquals(2, c.kernel.list().size());
    }

    @Test
    void aClientClaimingAnotherIpv6AddressOfThePoolIsRefused() {
        Setup s = setup(606, false, "2001:db8:3::/112");
        SimulatedNetwork.Node c = s.client(1, "alice", true, "2001:db8:3::9"); // it gets ::1
        s.net.runUntil(() -> false, Duration.ofMinutes(1));
        assertTrue(s.gw.logged("the client proposes 2001:db8:3::9/128 in the Mode-Config pool, but its address is "
                + "2001:db8:3::1"), () -> log(s.gw, c));
        assertTrue(c.logged("Mode-Config: no tunnel of peer gw has 2001:db8:3::1 in its local-subnet"), () -> log(c));
        assertTrue(s.gw.kernel.list().isEmpty(), () -> log(s.gw));
    }

    private static String badLength(AttributeMessageType type, DataAttribute a) {
        return RemoteAccessFlow.badLength(new AttributePayload(type, 1, a));
    }

    @Test
    void ipv6AttributesOfWrongLengthsAreNamed() {
        AttributeMessageType reply = AttributeMessageType.CFG_REPLY;
        byte[] withPrefix = Arrays.copyOf(Addresses.parseLiteral("2001:db8:3::1").getAddress(), 17);
        withPrefix[16] = 64;
        // 17 octets with a prefix length, as older strongSwan releases send them
        assertNull(badLength(reply, DataAttribute.variable(ConfigAttributes.INTERNAL_IP6_ADDRESS, withPrefix)));
        // and the draft's 16 octets without a prefix length
        assertNull(badLength(reply, DataAttribute.variable(ConfigAttributes.INTERNAL_IP6_ADDRESS, new byte[16])));
        assertNull(badLength(AttributeMessageType.CFG_REQUEST,
                DataAttribute.variable(ConfigAttributes.INTERNAL_IP6_ADDRESS, new byte[0])));
        assertEquals("INTERNAL_IP6_ADDRESS has a 15-byte value (draft-dukes-ike-mode-cfg-02 s3.4)",
                badLength(reply, DataAttribute.variable(ConfigAttributes.INTERNAL_IP6_ADDRESS, new byte[15])));
        assertEquals("INTERNAL_IP6_ADDRESS has a 0-byte value (draft-dukes-ike-mode-cfg-02 s3.4)",
                badLength(reply, DataAttribute.variable(ConfigAttributes.INTERNAL_IP6_ADDRESS, new byte[0])));
        withPrefix[16] = (byte) 129;
        assertEquals("INTERNAL_IP6_ADDRESS has prefix length 129 (at most 128)",
                badLength(reply, DataAttribute.variable(ConfigAttributes.INTERNAL_IP6_ADDRESS, withPrefix)));
        assertEquals("INTERNAL_IP6_ADDRESS must be a variable (TLV) attribute",
                badLength(reply, DataAttribute.basic(ConfigAttributes.INTERNAL_IP6_ADDRESS, 1)));
        assertEquals("INTERNAL_IP6_DNS has a 17-byte value (draft-dukes-ike-mode-cfg-02 s3.4)",
                badLength(reply, DataAttribute.variable(ConfigAttributes.INTERNAL_IP6_DNS, new byte[17])));
        assertEquals("INTERNAL_IP6_NBNS has a 4-byte value (draft-dukes-ike-mode-cfg-02 s3.4)",
                badLength(reply, DataAttribute.variable(ConfigAttributes.INTERNAL_IP6_NBNS, new byte[4])));
        assertEquals("INTERNAL_IP6_SUBNET has a 16-byte value (draft-dukes-ike-mode-cfg-02 s3.4)",
                badLength(reply, DataAttribute.variable(ConfigAttributes.INTERNAL_IP6_SUBNET, new byte[16])));
        assertEquals("INTERNAL_IP6_NETMASK has a 4-byte value (draft-dukes-ike-mode-cfg-02 s3.4)",
                badLength(reply, DataAttribute.variable(ConfigAttributes.INTERNAL_IP6_NETMASK, new byte[4])));
    }
}
