package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.exchange.Engine.PeerEvent;
import dev.isakmpd.core.kernel.KernelEvent;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.RemoteAccess;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.policy.XauthUsers;
import dev.isakmpd.core.registry.AttributeMessageType;
import dev.isakmpd.core.registry.ConfigAttributes;
import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.registry.IkeAttributes;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.core.wire.AttributePayload;
import dev.isakmpd.core.wire.DataAttribute;
import dev.isakmpd.core.wire.IsakmpHeader;
import dev.isakmpd.core.wire.SaPayload;
import dev.isakmpd.oakley.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * XAUTH and Mode-Config over the simulated network: our gateway against our client role, each
 * client behind its own address under one road-warrior policy.
 */
class RemoteAccessScenarioTest {
    private static final String GATEWAY = "203.0.113.1";
    /** bcrypt cost 4 (the minimum): these tests check the protocol, not the hash's slowness. */
    private static final XauthUsers USERS = new XauthUsers(Map.of(
            "alice", XauthUsers.hash("alice-pw".toCharArray(), new byte[16], 4),
            "bob", XauthUsers.hash("bob-pw".toCharArray(), new byte[16], 4),
            "carol", XauthUsers.hash("carol-pw".toCharArray(), new byte[16], 4)));

    private static PeerPolicy gateway(String pool, boolean push) {
        PeerPolicy fixed = policy("rw", GATEWAY, "198.51.100.1", "group-psk", "aes128-sha256-modp2048",
                "aes128-sha1", null, "10.1.0.0/16", pool, false);
        RemoteAccess ra = new RemoteAccess(Optional.of(new RemoteAccess.XauthServer(USERS, 3)),
                Optional.of(new RemoteAccess.ModeConfig(Subnet.parse(pool),
                        List.of(Addresses.parseLiteral("10.1.0.53")), Optional.of("corp.example"),
                        List.of(Subnet.parse("10.1.0.0/16")), push)), Optional.empty());
        return RoadWarriorScenarioTest.roadWarrior(fixed, "198.51.100.0/24").withRemoteAccess(ra);
    }

    private static PeerPolicy clientPolicy(String address, String virtualIp, String user, String password, boolean pull) {
        return clientPolicy(address, virtualIp, "10.1.0.0/16", user, password, pull);
    }

    private static PeerPolicy clientPolicy(String address, String virtualIp, String remoteSubnet, String user,
            String password, boolean pull) {
        PeerPolicy p = policy("gw", address, GATEWAY, "group-psk", "aes128-sha256-modp2048", "aes128-sha1", null,
                virtualIp + "/32", remoteSubnet, true);
        return user == null ? p : p.withRemoteAccess(new RemoteAccess(Optional.empty(), Optional.empty(),
                Optional.of(new RemoteAccess.XauthClient(user,
                        SecretBytes.copyOf(password.getBytes(StandardCharsets.UTF_8)), pull))));
    }

    private record Setup(SimulatedNetwork net, SimulatedNetwork.Node gw) {
        SimulatedNetwork.Node client(int i, String virtualIp, String user, String password, boolean pull) {
            String address = "198.51.100." + (10 + i);
            SimulatedNetwork.Node c = net.add(new SimulatedNetwork.Node("c" + i, Addresses.parseEndpoint(address, 500),
                    List.of(clientPolicy(address, virtualIp, user, password, pull)), 100 + i));
            net.apply(c, c.engine.initiate("gw", net.now));
            return c;
        }
    }

    private static Setup setup(long seed, String pool, boolean push) {
        SimulatedNetwork net = new SimulatedNetwork(seed, SimulatedNetwork.Faults.NONE);
        SimulatedNetwork.Node gw = net.add(new SimulatedNetwork.Node("gw", Addresses.parseEndpoint(GATEWAY, 500),
                List.of(gateway(pool, push)), seed + 1));
        return new Setup(net, gw);
    }

    static String log(SimulatedNetwork.Node... nodes) {
        StringBuilder sb = new StringBuilder();
        for (SimulatedNetwork.Node n : nodes) {
            sb.append("--- ").append(n.name).append('\n').append(String.join("\n", n.log)).append('\n');
        }
        return sb.toString();
    }

    private static void assertUpWithVirtualIp(Setup s, SimulatedNetwork.Node c, String virtualIp) {
        Subnet host = Subnet.parse(virtualIp + "/32");
        assertTrue(s.net.runUntil(() -> c.kernel.list().size() == 2 && s.gw.kernel.list().stream()
                .anyMatch(sa -> sa.destinationSelector().equals(host)), Duration.ofMinutes(1)), () -> log(s.gw, c));
        assertTrue(s.gw.kernel.list().stream().anyMatch(sa -> sa.direction() == IpsecSa.Direction.IN
                && sa.sourceSelector().equals(host)), () -> log(s.gw, c));
        assertTrue(s.gw.policies.stream().anyMatch(t -> t.remote().equals(host)
                && t.local().equals(Subnet.parse("10.1.0.0/16"))), () -> s.gw.policies.toString());
        assertTrue(c.logged("the gateway assigned " + virtualIp + ", DNS 10.1.0.53"), () -> log(c));
        assertEquals(List.of(Addresses.parseLiteral(virtualIp)), c.addresses, () -> log(c));
    }

    @Test
    void pullStyleGivesTheClientAnAddressAndATunnelForExactlyIt() {
        Setup s = setup(301, "10.3.0.0/24", false);
        SimulatedNetwork.Node c = s.client(1, "10.3.0.1", "alice", "alice-pw", true);
        assertUpWithVirtualIp(s, c, "10.3.0.1");
        assertTrue(s.gw.logged("XAUTH: user 'alice' authenticated"), () -> log(s.gw));
        assertTrue(s.gw.logged("Mode-Config: 10.3.0.1 for user 'alice'"), () -> log(s.gw));
        assertFalse(s.gw.log.stream().anyMatch(l -> l.contains("alice-pw")), "the password reached a log line");
        assertFalse(c.log.stream().anyMatch(l -> l.contains("alice-pw")), "the password reached a log line");
        assertEquals(1, s.gw.policies.size(), s.gw.policies::toString);

        // the ISAKMP SA goes: the lease and the client's policies with it
        s.net.apply(s.gw, s.gw.engine.down("rw", s.net.now));
        assertTrue(s.gw.policies.isEmpty(), s.gw.policies::toString);
        assertTrue(s.gw.logged("10.3.0.1 returned to pool 10.3.0.0/24"), () -> log(s.gw));
        // the client hears the Delete: its address goes from the host with its ISAKMP SA
        assertTrue(s.net.runUntil(c.addresses::isEmpty, Duration.ofSeconds(5)), () -> log(c));
    }

    /**
     * Apple's, Android's and vpnc's clients propose their address === 0.0.0.0/0 whatever the
     * split-include said (notes s4, Cisco Unity style): the gateway echoes the IDs and installs the
     * tunnel's own subnet (strongSwan's unity_narrow); without that they got INVALID-ID-INFORMATION.
     */
    @Test
    void aClientProposingEverythingGetsTheTunnelsSubnetOnTheGateway() {
        Setup s = setup(311, "10.3.0.0/24", false);
        String address = "198.51.100.11";
        SimulatedNetwork.Node c = s.net.add(new SimulatedNetwork.Node("c1", Addresses.parseEndpoint(address, 500),
                List.of(clientPolicy(address, "10.3.0.1", "0.0.0.0/0", "alice", "alice-pw", true)), 101));
        s.net.apply(c, c.engine.initiate("gw", s.net.now));
        assertUpWithVirtualIp(s, c, "10.3.0.1");
        assertTrue(s.gw.logged("(0.0.0.0/0 === 10.3.0.1/32, installed as 10.1.0.0/16)"), () -> log(s.gw));
        assertTrue(s.gw.kernel.list().stream().allMatch(sa -> sa.direction() == IpsecSa.Direction.OUT
                ? sa.sourceSelector().equals(Subnet.parse("10.1.0.0/16"))
                : sa.destinationSelector().equals(Subnet.parse("10.1.0.0/16"))), () -> s.gw.kernel.list().toString());
        // the client installs what it asked for: everything goes into the tunnel
        assertTrue(c.kernel.list().stream().filter(sa -> sa.direction() == IpsecSa.Direction.OUT)
                .allMatch(sa -> sa.destinationSelector().equals(Subnet.parse("0.0.0.0/0"))), () -> log(c));
    }

    @Test
    void theGatewayRekeysARoadWarriorsPairUnderItsIsakmpSaWithTheVirtualIpSelector() {
        Setup s = setup(302, "10.3.0.0/24", false);
        SimulatedNetwork.Node c = s.client(1, "10.3.0.1", "alice", "alice-pw", true);
        assertUpWithVirtualIp(s, c, "10.3.0.1");
        Subnet host = Subnet.parse("10.3.0.1/32");
        IpsecSa oldIn = s.gw.kernel.list().stream().filter(sa -> sa.direction() == IpsecSa.Direction.IN).findFirst()
                .orElseThrow();
        // the gateway's kernel reaches a soft limit first (say its byte limit, traffic being mostly downstream)
        s.net.apply(s.gw, s.gw.engine.expired(new KernelEvent.Expire(oldIn.destination(), oldIn.spi(), false),
                s.net.now));
        assertTrue(s.net.runUntil(() -> s.gw.kernel.list().size() == 4 && c.kernel.list().size() == 4,
                Duration.ofSeconds(30)), () -> log(s.gw, c));
        assertTrue(s.gw.logged("rekeying tunnel net for 10.3.0.1/32 with the client at 198.51.100.11:500"),
                () -> log(s.gw));
        assertFalse(s.gw.logged("no longer configured"), () -> log(s.gw));
        assertTrue(s.gw.kernel.list().stream().filter(sa -> sa.direction() == IpsecSa.Direction.OUT)
                .allMatch(sa -> sa.destinationSelector().equals(host)), () -> s.gw.kernel.list().toString());
        // the replaced pair is retired on both sides; the policy and the lease stay
        assertTrue(s.net.runUntil(() -> s.gw.kernel.list().size() == 2 && c.kernel.list().size() == 2,
                Duration.ofMinutes(2)), () -> log(s.gw, c));
        assertFalse(s.gw.kernel.list().stream().anyMatch(sa -> sa.spi() == oldIn.spi()), () -> log(s.gw));
        assertEquals(1, s.gw.policies.size(), s.gw.policies::toString);
        assertFalse(s.gw.logged("returned to pool"), () -> log(s.gw));
    }

    /** Loses the {@code nth} (from 1) Transaction message {@code node} sends. */
    private static void loseTransaction(SimulatedNetwork net, SimulatedNetwork.Node node, int nth) {
        int[] seen = {0};
        net.lose = (from, d) -> from == node && d.data().length > 18 && d.data()[18] == ExchangeType.TRANSACTION.value()
                && ++seen[0] == nth;
    }

    @Test
    void aLostAckOfXauthStatusIsImpliedByTheClientsModeConfigRequest() {
        Setup s = setup(304, "10.3.0.0/24", false);
        SimulatedNetwork.Node c = new SimulatedNetwork.Node("c1", Addresses.parseEndpoint("198.51.100.11", 500),
                List.of(clientPolicy("198.51.100.11", "10.3.0.1", "alice", "alice-pw", true)), 101);
        s.net.add(c);
        loseTransaction(s.net, c, 2); // REPLY(name, password), then ACK(STATUS): lost, then REQUEST
        s.net.apply(c, c.engine.initiate("gw", s.net.now));
        assertUpWithVirtualIp(s, c, "10.3.0.1");
        assertTrue(s.gw.logged("the client's Mode-Config REQUEST implies its ACK of XAUTH-STATUS OK"), () -> log(s.gw));
        assertFalse(s.gw.log.stream().anyMatch(l -> l.startsWith("WARN")), () -> log(s.gw));
        assertFalse(c.log.stream().anyMatch(l -> l.startsWith("WARN")), () -> log(c));
        s.net.runUntil(() -> false, Duration.ofMinutes(3)); // no retransmission of the SET is left to come
        assertFalse(s.gw.log.stream().anyMatch(l -> l.startsWith("WARN")), () -> log(s.gw));
        assertEquals(1, s.gw.engine.isakmpSas().size(), () -> log(s.gw));
    }

    @Test
    void aRetransmittedXauthSetIsAckedAgainByTheClient() {
        Setup s = setup(305, "10.3.0.0/24", false);
        SimulatedNetwork.Node c = new SimulatedNetwork.Node("c1", Addresses.parseEndpoint("198.51.100.11", 500),
                List.of(clientPolicy("198.51.100.11", "10.3.0.1", "alice", "alice-pw", true)), 101);
        s.net.add(c);
        int[] seen = {0};
        s.net.lose = (from, d) -> from == c && d.data().length > 18 && d.data()[18] == ExchangeType.TRANSACTION.value()
                && ++seen[0] >= 2 && seen[0] <= 3; // the ACK, and the first REQUEST: only the SET comes again
        s.net.apply(c, c.engine.initiate("gw", s.net.now));
        assertUpWithVirtualIp(s, c, "10.3.0.1");
        assertTrue(c.logged("retransmitted message, resending our reply"), () -> log(c));
        assertFalse(s.gw.log.stream().anyMatch(l -> l.startsWith("WARN")), () -> log(s.gw));
    }

    @Test
    void aSetRepeatedAfterTheClientMovedOnIsAckedAgainAndTheLateAckIsIgnoredQuietly() {
        Setup s = setup(312, "10.3.0.0/24", false);
        SimulatedNetwork.Node c = new SimulatedNetwork.Node("c1", Addresses.parseEndpoint("198.51.100.11", 500),
                List.of(clientPolicy("198.51.100.11", "10.3.0.1", "alice", "alice-pw", true)), 101);
        s.net.add(c);
        List<Datagram> gatewayTransactions = new java.util.ArrayList<>();
        int[] seen = {0};
        s.net.lose = (from, d) -> {
            boolean transaction = d.data().length > 18 && d.data()[18] == ExchangeType.TRANSACTION.value();
            if (from == s.gw && transaction) {
                gatewayTransactions.add(d);
            }
            return from == c && transaction && ++seen[0] == 2; // the ACK: the REQUEST implies it
        };
        s.net.apply(c, c.engine.initiate("gw", s.net.now));
        assertUpWithVirtualIp(s, c, "10.3.0.1");
        Datagram set = gatewayTransactions.get(1); // REQUEST(name, password), SET(STATUS OK), REPLY
        s.net.lose = (from, d) -> false;
        s.net.inject(new Datagram(set.remote(), set.local(), set.data()), s.net.now.plusMillis(10));
        s.net.runUntil(() -> false, Duration.ofSeconds(5));
        assertTrue(c.logged("the gateway repeated its XAUTH SET; acknowledging it again"), () -> log(c));
        assertTrue(s.gw.logged("ignored a late message of the finished XAUTH Transaction"), () -> log(s.gw));
        assertFalse(s.gw.log.stream().anyMatch(l -> l.startsWith("WARN")), () -> log(s.gw));
        assertFalse(c.log.stream().anyMatch(l -> l.startsWith("WARN")), () -> log(c));
    }

    @Test
    void xauthAndModeConfigCompleteThroughLossAndDuplication() {
        for (long seed = 306; seed < 312; seed++) {
            SimulatedNetwork net = new SimulatedNetwork(seed, new SimulatedNetwork.Faults(0.25, 0.1,
                    Duration.ofMillis(300)));
            SimulatedNetwork.Node gw = net.add(new SimulatedNetwork.Node("gw", Addresses.parseEndpoint(GATEWAY, 500),
                    List.of(gateway("10.3.0.0/24", false)), seed + 1));
            Setup s = new Setup(net, gw);
            SimulatedNetwork.Node c = s.client(1, "10.3.0.1", "alice", "alice-pw", true);
            assertUpWithVirtualIp(s, c, "10.3.0.1");
            assertFalse(gw.log.stream().anyMatch(l -> l.contains("dropped") && l.contains("in state")),
                    () -> log(gw, c));
        }
    }

    /** The authentication method of the first transform of the SA in a plaintext Main Mode message. */
    private static long authMethod(Datagram d) throws Exception {
        IsakmpHeader h = IsakmpHeader.decode(d.data());
        Packet p = Packet.decode(h, Packet.body(h, d.data()));
        SaPayload sa = (SaPayload) p.payloads().get(0);
        return sa.proposals().get(0).transforms().get(0).attributes().stream()
                .filter(a -> a.type() == IkeAttributes.AUTHENTICATION_METHOD).findFirst().orElseThrow().longValue();
    }

    @Test
    void ourXauthClientProposesXauthInitPreSharedAndTheGatewayEchoesIt() throws Exception {
        Setup s = setup(313, "10.3.0.0/24", false);
        SimulatedNetwork.Node c = s.client(1, "10.3.0.1", "alice", "alice-pw", true);
        assertUpWithVirtualIp(s, c, "10.3.0.1");
        List<Datagram> mainMode = s.net.delivered.stream().filter(d -> d.data()[18]
                == ExchangeType.IDENTITY_PROTECTION.value() && d.data()[16] == PayloadType.SA.value()).toList();
        assertEquals(2, mainMode.size()); // MM1 to the gateway, MM2 back
        assertEquals(IkeAttributes.AUTH_XAUTH_INIT_PRE_SHARED, authMethod(mainMode.get(0)));
        assertEquals(IkeAttributes.AUTH_XAUTH_INIT_PRE_SHARED, authMethod(mainMode.get(1)));
    }

    private static PeerPolicy aggressive(PeerPolicy p) {
        return new PeerPolicy(p.name(), p.local(), p.remote(), p.auth(), p.ikeProposals(), p.ikeLifetime(),
                p.tunnels(), p.autoStart(), p.dpd(), p.localId(), p.remoteId(), p.remoteRange(), true,
                p.natTraversal(), p.fragmentation(), p.remoteAccess());
    }

    @Test
    void aggressiveModeThenXauthAndModeConfig() {
        SimulatedNetwork net = new SimulatedNetwork(391, SimulatedNetwork.Faults.NONE);
        SimulatedNetwork.Node gw = net.add(new SimulatedNetwork.Node("gw", Addresses.parseEndpoint(GATEWAY, 500),
                List.of(aggressive(gateway("10.3.0.0/24", false))), 392));
        Setup s = new Setup(net, gw);
        String address = "198.51.100.11";
        SimulatedNetwork.Node c = net.add(new SimulatedNetwork.Node("c1", Addresses.parseEndpoint(address, 500),
                List.of(aggressive(clientPolicy(address, "10.3.0.1", "alice", "alice-pw", true))), 393));
        net.apply(c, c.engine.initiate("gw", net.now));
        assertUpWithVirtualIp(s, c, "10.3.0.1");
        assertTrue(c.logged("Aggressive Mode"), () -> log(c));
    }

    @Test
    void pushStyleSetsTheConfigurationAndTheClientAcknowledges() {
        Setup s = setup(311, "10.3.0.0/24", true);
        SimulatedNetwork.Node c = s.client(1, "10.3.0.1", "alice", "alice-pw", false);
        assertUpWithVirtualIp(s, c, "10.3.0.1");
        assertTrue(s.gw.logged("Mode-Config: the client acknowledged its configuration"), () -> log(s.gw));
        // the SET carries every class we serve (the client's packet dump names them)
        for (String pushed : List.of("INTERNAL_IP4_NETMASK (2, TLV 4 bytes)", "INTERNAL_IP4_DNS (3, TLV 4 bytes)",
                "UNITY_DEF_DOMAIN (28674, TLV 12 bytes)", "UNITY_SPLIT_INCLUDE (28676, TLV 14 bytes)")) {
            assertTrue(c.logged(pushed), () -> pushed + " not received\n" + log(c));
        }
    }

    @Test
    void whenTheLastIsakmpSaOfAClientExpiresItsAddressPolicyAndIpsecSasGo() {
        SimulatedNetwork net = new SimulatedNetwork(381, SimulatedNetwork.Faults.NONE);
        PeerPolicy g = gateway("10.3.0.0/24", false);
        PeerPolicy shortLived = new PeerPolicy(g.name(), g.local(), g.remote(), g.auth(), g.ikeProposals(),
                Duration.ofMinutes(10), g.tunnels(), false, g.dpd(), g.localId(), g.remoteId(), g.remoteRange(),
                false, g.natTraversal(), g.fragmentation(), g.remoteAccess());
        SimulatedNetwork.Node gw = net.add(new SimulatedNetwork.Node("gw", Addresses.parseEndpoint(GATEWAY, 500),
                List.of(shortLived), 382));
        Setup s = new Setup(net, gw);
        SimulatedNetwork.Node c = s.client(1, "10.3.0.1", "alice", "alice-pw", true);
        assertUpWithVirtualIp(s, c, "10.3.0.1");
        net.remove(c); // the client vanishes without a word
        net.runUntil(() -> false, Duration.ofMinutes(12));
        assertTrue(gw.engine.isakmpSas().isEmpty(), () -> log(gw));
        assertTrue(gw.logged("10.3.0.1 returned to pool 10.3.0.0/24"), () -> log(gw));
        assertTrue(gw.policies.isEmpty(), gw.policies::toString);
        assertTrue(gw.kernel.list().isEmpty(), () -> log(gw)); // the IPsec SAs lived an hour
    }

    @Test
    void aWrongPasswordIsAskedAgainUpToTheRetriesThenTheIsakmpSaIsDeleted() {
        Setup s = setup(321, "10.3.0.0/24", false);
        SimulatedNetwork.Node c = s.client(1, "10.3.0.1", "alice", "not-her-password", true);
        s.net.runUntil(() -> false, Duration.ofMinutes(2));
        String all = log(s.gw, c);
        assertTrue(s.gw.logged("authentication of user 'alice' failed (attempt 1 of 3)"), all);
        assertTrue(s.gw.logged("authentication of user 'alice' failed (attempt 2 of 3)"), all);
        assertTrue(s.gw.logged("authentication of user 'alice' failed 3 times"), all);
        assertTrue(c.logged("XAUTH: the gateway refused user 'alice'"), all);
        assertFalse(all.contains("not-her-password"), "the password reached a log line");
        assertTrue(s.gw.engine.isakmpSas().isEmpty(), all);
        assertTrue(s.gw.kernel.list().isEmpty(), all);
        assertTrue(s.gw.policies.isEmpty());
        assertEquals(0, s.gw.engine.tableSizes().get("CBC chains"), () -> s.gw.engine.tableSizes().toString());
    }

    @Test
    void aRefusedXauthIsReportedAsARemoteAccessFailureOnBothSidesNotAsClosedByThePeer() {
        Setup s = setup(322, "10.3.0.0/24", false);
        SimulatedNetwork.Node c = s.client(1, "10.3.0.1", "alice", "not-her-password", true);
        Set<PeerEvent> gw = new HashSet<>();
        Set<PeerEvent> client = new HashSet<>();
        s.net.runUntil(() -> { // an engine reports the events of its last call: collect after each step
            gw.addAll(s.gw.engine.peerEvents());
            client.addAll(c.engine.peerEvents());
            return false;
        }, Duration.ofMinutes(2));
        assertTrue(s.gw.engine.isakmpSas().isEmpty(), () -> log(s.gw, c));
        assertEquals(Set.of(new PeerEvent("rw", PeerEvent.Kind.ESTABLISHED),
                new PeerEvent("rw", PeerEvent.Kind.REMOTE_ACCESS_FAILED)), gw, () -> log(s.gw, c));
        assertEquals(Set.of(new PeerEvent("gw", PeerEvent.Kind.ESTABLISHED),
                new PeerEvent("gw", PeerEvent.Kind.REMOTE_ACCESS_FAILED)), client, () -> log(s.gw, c));
    }

    @Test
    void anUnknownUserFailsLikeAWrongPassword() {
        Setup s = setup(331, "10.3.0.0/24", false);
        SimulatedNetwork.Node c = s.client(1, "10.3.0.1", "mallory", "alice-pw", true);
        s.net.runUntil(() -> false, Duration.ofMinutes(2));
        assertTrue(s.gw.logged("authentication of user 'mallory' failed 3 times"), () -> log(s.gw, c));
        assertTrue(s.gw.engine.isakmpSas().isEmpty(), () -> log(s.gw, c));
    }

    @Test
    void anExhaustedPoolDeletesTheNewClientsSaAndLeavesTheOthersAlone() {
        Setup s = setup(341, "10.3.0.0/30", false); // two addresses: .1 and .2
        SimulatedNetwork.Node a = s.client(1, "10.3.0.1", "alice", "alice-pw", true);
        assertUpWithVirtualIp(s, a, "10.3.0.1");
        SimulatedNetwork.Node b = s.client(2, "10.3.0.2", "bob", "bob-pw", true);
        assertUpWithVirtualIp(s, b, "10.3.0.2");
        SimulatedNetwork.Node c = s.client(3, "10.3.0.3", "carol", "carol-pw", true);
        s.net.runUntil(() -> false, Duration.ofMinutes(1));

        assertTrue(s.gw.logged("address pool 10.3.0.0/30 of peer rw is exhausted (2 leases) for user 'carol'"),
                () -> log(s.gw));
        assertTrue(c.kernel.list().isEmpty(), () -> log(c));
        assertEquals(4, s.gw.kernel.list().size(), () -> log(s.gw));
        assertEquals(2, s.gw.engine.isakmpSas().size(), () -> log(s.gw));
        assertEquals(2, a.kernel.list().size());
        assertEquals(2, b.kernel.list().size());
        assertEquals(2, s.gw.policies.size(), s.gw.policies::toString);
    }

    @Test
    void aQuickModeBeforeXauthIsRefusedAndAClientThatNeverAnswersLosesItsSa() {
        Setup s = setup(351, "10.3.0.0/24", false);
        SimulatedNetwork.Node c = s.client(1, "10.3.0.1", null, null, true); // no XAUTH client configured
        Set<PeerEvent> gw = new HashSet<>();
        BooleanSupplier collect = () -> {
            gw.addAll(s.gw.engine.peerEvents());
            return false;
        };
        s.net.runUntil(collect, Duration.ofMinutes(2));
        // a person may still be typing: the request is retransmitted for XAUTH_REQUEST_SPAN (150 s)
        assertEquals(1, s.gw.engine.isakmpSas().size(), () -> log(s.gw, c));
        s.net.runUntil(collect, Duration.ofMinutes(1));
        assertTrue(gw.contains(new PeerEvent("rw", PeerEvent.Kind.REMOTE_ACCESS_FAILED)), gw::toString);
        String all = log(s.gw, c);
        assertTrue(s.gw.logged("refused Quick Mode: the peer has not completed XAUTH"), all);
        assertTrue(c.logged("dropped Transaction message: peer gw has no XAUTH or Mode-Config"), all);
        assertTrue(s.gw.logged("no answer in state XAUTH_ASKED"), all);
        assertTrue(s.gw.kernel.list().isEmpty(), all);
        assertTrue(s.gw.engine.isakmpSas().isEmpty(), all);
    }

    @Test
    void aClientClaimingAnotherAddressOfThePoolIsRefused() {
        Setup s = setup(361, "10.3.0.0/24", false);
        SimulatedNetwork.Node c = s.client(1, "10.3.0.9", "alice", "alice-pw", true); // it gets .1
        s.net.runUntil(() -> false, Duration.ofMinutes(1));
        assertTrue(s.gw.logged("the client proposes 10.3.0.9/32 in the Mode-Config pool, but its address is 10.3.0.1"),
                () -> log(s.gw, c));
        assertTrue(s.gw.kernel.list().isEmpty(), () -> log(s.gw));
    }

    @Test
    void aTransactionMessageBeforePhase1CompletesIsDroppedWithALogLine() {
        Setup s = setup(371, "10.3.0.0/24", false);
        SimulatedNetwork.Node c = s.client(1, "10.3.0.1", "alice", "alice-pw", true);
        // run until the gateway has answered MM1 (its half-open SA knows both cookies), not further
        assertTrue(s.net.runUntil(() -> s.gw.engine.isakmpSas().size() == 1
                && !s.gw.engine.isakmpSas().get(0).responderCookie().equals("0000000000000000"), Duration.ofSeconds(5)));
        IsakmpSaInfo info = s.gw.engine.isakmpSas().get(0);
        Cookies cookies = new Cookies(HexFormat.of().parseHex(info.initiatorCookie()),
                HexFormat.of().parseHex(info.responderCookie()));
        byte[] body = new byte[32];
        IsakmpHeader h = new IsakmpHeader(cookies.initiator(), cookies.responder(), PayloadType.HASH, 1, 0,
                ExchangeType.TRANSACTION, IsakmpHeader.FLAG_ENCRYPTION, 0x1234, IsakmpHeader.LENGTH + body.length);
        Datagram forged = new Datagram(s.gw.address, c.address, Packet.concat(h.encode(), body));
        List<Action> actions = s.gw.engine.receive(forged, s.net.now);
        assertTrue(actions.stream().anyMatch(a -> a instanceof Action.Log l
                && l.message().contains("dropped Transaction message before the ISAKMP SA is established")),
                actions::toString);
        assertFalse(actions.stream().anyMatch(a -> a instanceof Action.Send), actions::toString);
    }

    @Test
    void aRequestWithAnAttributeOfAWrongLengthIsDroppedWithALogLine() {
        Setup s = setup(395, "10.3.0.0/24", false);
        SimulatedNetwork.Node c = s.client(1, "10.3.0.1", "alice", "alice-pw", true);
        assertUpWithVirtualIp(s, c, "10.3.0.1");
        IsakmpSaInfo info = c.engine.isakmpSas().get(0);
        IsakmpSession client = c.engine.session(new Cookies(HexFormat.of().parseHex(info.initiatorCookie()),
                HexFormat.of().parseHex(info.responderCookie())));
        Out out = new Out();
        Transaction.send(client, 0x5eed, new AttributePayload(AttributeMessageType.CFG_REQUEST, 7,
                DataAttribute.variable(ConfigAttributes.INTERNAL_IP4_ADDRESS, new byte[3])), out);
        Datagram sent = out.actions().stream().filter(Action.Send.class::isInstance).map(x -> ((Action.Send) x)
                .datagram()).findFirst().orElseThrow();
        List<Action> actions = s.gw.engine.receive(new Datagram(sent.remote(), sent.local(), sent.rawData()),
                s.net.now);
        assertTrue(actions.stream().anyMatch(x -> x instanceof Action.Log l && l.message().contains(
                "dropped ISAKMP_CFG_REQUEST: INTERNAL_IP4_ADDRESS has a 3-byte value")), actions::toString);
        assertFalse(actions.stream().anyMatch(Action.Send.class::isInstance), actions::toString);
        assertEquals(1, s.gw.engine.isakmpSas().size());
        assertEquals(2, s.gw.kernel.list().size());
    }

    @Test
    void attributesOfWrongLengthsAreNamed() {
        assertNull(RemoteAccessFlow.badLength(new AttributePayload(AttributeMessageType.CFG_REQUEST, 1,
                DataAttribute.variable(ConfigAttributes.INTERNAL_IP4_ADDRESS, new byte[0]),
                DataAttribute.variable(ConfigAttributes.INTERNAL_IP4_DNS, new byte[0]),
                DataAttribute.variable(ConfigAttributes.UNITY_SPLIT_INCLUDE, new byte[0]))));
        assertNull(RemoteAccessFlow.badLength(new AttributePayload(AttributeMessageType.CFG_REPLY, 1,
                DataAttribute.variable(ConfigAttributes.INTERNAL_IP4_ADDRESS, new byte[4]),
                DataAttribute.variable(ConfigAttributes.UNITY_SPLIT_INCLUDE, new byte[28]))));
        assertEquals("INTERNAL_IP4_ADDRESS has a 3-byte value (draft-dukes-ike-mode-cfg-02 s3.4)",
                RemoteAccessFlow.badLength(new AttributePayload(AttributeMessageType.CFG_REQUEST, 1,
                        DataAttribute.variable(ConfigAttributes.INTERNAL_IP4_ADDRESS, new byte[3]))));
        assertEquals("INTERNAL_IP4_DNS has a 0-byte value (draft-dukes-ike-mode-cfg-02 s3.4)",
                RemoteAccessFlow.badLength(new AttributePayload(AttributeMessageType.CFG_REPLY, 1,
                        DataAttribute.variable(ConfigAttributes.INTERNAL_IP4_DNS, new byte[0]))));
        assertNotNull(RemoteAccessFlow.badLength(new AttributePayload(AttributeMessageType.CFG_REPLY, 1,
                DataAttribute.variable(ConfigAttributes.UNITY_SPLIT_INCLUDE, new byte[13]))));
        assertEquals("XAUTH-STATUS must be a basic (TV) attribute (draft-beaulieu-ike-xauth-02 s6.2)",
                RemoteAccessFlow.badLength(new AttributePayload(AttributeMessageType.CFG_SET, 1,
                        DataAttribute.variable(ConfigAttributes.XAUTH_STATUS, new byte[] {0, 1}))));
        // strongSwan 5.9.8's ACK of our SET(XAUTH-STATUS OK), as seen in the kernel lab
        assertNull(RemoteAccessFlow.badLength(new AttributePayload(AttributeMessageType.CFG_ACK, 1,
                DataAttribute.variable(ConfigAttributes.XAUTH_STATUS, new byte[0]))));
        assertNotNull(RemoteAccessFlow.badLength(new AttributePayload(AttributeMessageType.CFG_ACK, 1,
                DataAttribute.variable(ConfigAttributes.XAUTH_STATUS, new byte[] {0, 1}))));
        assertNotNull(RemoteAccessFlow.badLength(new AttributePayload(AttributeMessageType.CFG_REPLY, 1,
                DataAttribute.variable(ConfigAttributes.XAUTH_USER_PASSWORD, new byte[129]))));
        assertNotNull(RemoteAccessFlow.badLength(new AttributePayload(AttributeMessageType.CFG_REPLY, 1,
                DataAttribute.basic(ConfigAttributes.XAUTH_USER_NAME, 7))));
    }
}
