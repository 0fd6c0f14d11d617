package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.A;
import static dev.isakmpd.core.exchange.EngineScenarioTest.B;
import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static dev.isakmpd.core.exchange.EngineScenarioTest.sa;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.kernel.SpdTunnel;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.IpsecMode;
import dev.isakmpd.core.policy.NatTraversal;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.core.sa.IpsecSa;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Protocol and port selectors (RFC 2407 s4.6.2: IDci/IDcr carry Protocol ID and Port), as
 * L2TP/IPsec uses them: transport mode for UDP port 1701. Both roles send and check them, the SAs
 * carry them; a responder whose tunnel names any port takes the initiator's; a road warrior
 * behind a NAT that names its private address gets SAs and a policy for its NAT's address, which
 * outlive its ISAKMP SA and go with its last IPsec SA.
 */
class ProtocolPortScenarioTest {
    private static final String GW = "198.51.100.1";
    private static final String NAT_PUBLIC = "203.0.113.7";
    private static final String CLIENT = "10.0.0.2";

    /** The peer's tunnels in {@code mode}, for these protocols and ports ("udp/1701"; null: any). */
    static PeerPolicy protoports(PeerPolicy p, IpsecMode mode, String local, String remote) {
        return p.withTunnels(p.tunnels().stream().map(t -> new TunnelPolicy(t.name(), pp(t.local(), local),
                pp(t.remote(), remote), t.proposals(), t.pfsGroup(), t.lifetime(), mode, 0)).toList());
    }

    private static Subnet pp(Subnet s, String text) {
        if (text == null) {
            return s;
        }
        int[] p = Subnet.parseProtocolPort(text);
        return s.withProtocolPort(p[0], p[1]);
    }

    private static EngineScenarioTest.Pair hosts(long seed, boolean aInitiates, String aLocal, String aRemote,
            String bLocal, String bRemote) {
        return EngineScenarioTest.start(seed,
                protoports(policy("b", A, B, "k", "aes128-sha256-modp2048", "aes128-sha1", null, A, B, aInitiates),
                        IpsecMode.TRANSPORT, aLocal, aRemote),
                protoports(policy("a", B, A, "k", "aes128-sha256-modp2048", "aes128-sha1", null, B, A, !aInitiates),
                        IpsecMode.TRANSPORT, bLocal, bRemote),
                aInitiates);
    }

    private static String logs(SimulatedNetwork.Node... nodes) {
        StringBuilder b = new StringBuilder();
        for (SimulatedNetwork.Node n : nodes) {
            b.append(n.name).append(":\n").append(String.join("\n", n.log)).append('\n');
        }
        return b.toString();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void bothRolesNegotiateAndInstallUdpPort1701(boolean aInitiates) {
        EngineScenarioTest.Pair p = hosts(41, aInitiates, "udp/1701", "udp/1701", "udp/1701", "udp/1701");
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)), () -> logs(p.a(), p.b()));
        Subnet a = Subnet.parse(A).withProtocolPort(Subnet.UDP, 1701);
        Subnet b = Subnet.parse(B).withProtocolPort(Subnet.UDP, 1701);
        assertEquals(a, sa(p.a(), IpsecSa.Direction.OUT).sourceSelector());
        assertEquals(b, sa(p.a(), IpsecSa.Direction.OUT).destinationSelector());
        assertEquals(b, sa(p.b(), IpsecSa.Direction.OUT).sourceSelector());
        assertEquals(a, sa(p.b(), IpsecSa.Direction.IN).sourceSelector());
        SimulatedNetwork.Node initiator = aInitiates ? p.a() : p.b();
        assertTrue(initiator.logged("initiating for " + (aInitiates ? a + " === " + b : b + " === " + a)),
                () -> logs(initiator));
    }

    @Test
    void aResponderThatTakesAnyPortNarrowsToTheInitiators() {
        EngineScenarioTest.Pair p = hosts(42, true, "udp/1701", "udp/1701", "udp/1701", "udp/%any");
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)), () -> logs(p.a(), p.b()));
        Subnet a = Subnet.parse(A).withProtocolPort(Subnet.UDP, 1701);
        assertEquals(a, sa(p.b(), IpsecSa.Direction.IN).sourceSelector());
        assertEquals(a, sa(p.b(), IpsecSa.Direction.OUT).destinationSelector());
    }

    @Test
    void anotherProtocolIsInvalidIdInformation() {
        EngineScenarioTest.Pair p = hosts(43, true, "tcp/1701", "tcp/1701", "udp/1701", "udp/%any");
        p.net().runUntil(() -> p.a().logged("INVALID-ID-INFORMATION"), Duration.ofMinutes(1));
        assertTrue(p.b().logged("no tunnel for " + A + "/32[tcp/1701] === " + B + "/32[tcp/1701]"),
                () -> logs(p.b()));
        assertTrue(p.a().logged("peer notifies INVALID-ID-INFORMATION"), () -> logs(p.a()));
        assertTrue(p.a().kernel.list().isEmpty() && p.b().kernel.list().isEmpty());
    }

    /** A gateway's L2TP policy for clients from anywhere, and one client behind a NAT naming its own address. */
    private record RoadWarrior(SimulatedNetwork net, SimulatedNetwork.Node client, SimulatedNetwork.Node gw) {
        boolean up() {
            return client.kernel.list().size() == 2 && gw.kernel.list().size() == 2;
        }
    }

    private static RoadWarrior roadWarrior(long seed, Duration gatewayIkeLifetime) {
        SimulatedNetwork net = new SimulatedNetwork(seed, SimulatedNetwork.Faults.NONE);
        net.add(new SimulatedNetwork.Nat(NAT_PUBLIC, 40000, CLIENT));
        PeerPolicy fixed = policy("rw", GW, NAT_PUBLIC, "k", "aes128-sha256-modp2048", "aes128-sha1", null, GW,
                "0.0.0.0/0", false);
        PeerPolicy template = protoports(RoadWarriorScenarioTest.roadWarrior(fixed, "0.0.0.0/0"),
                IpsecMode.TRANSPORT, "udp/1701", "udp/%any");
        PeerPolicy gw = new PeerPolicy(template.name(), template.local(), template.remote(), template.auth(),
                template.ikeProposals(), gatewayIkeLifetime, template.tunnels(), false, template.dpd(),
                template.localId(), template.remoteId(), template.remoteRange(), false);
        PeerPolicy client = protoports(policy("gw", CLIENT, GW, "k", "aes128-sha256-modp2048", "aes128-sha1", null,
                CLIENT, GW, true), IpsecMode.TRANSPORT, "udp/1701", "udp/1701");
        SimulatedNetwork.Node c = net.add(new SimulatedNetwork.Node("client", Addresses.parseEndpoint(CLIENT, 500),
                List.of(client), seed + 1));
        SimulatedNetwork.Node g = net.add(new SimulatedNetwork.Node("gw", Addresses.parseEndpoint(GW, 500),
                List.of(gw), seed + 2));
        net.listen(c, NatTraversal.PORT);
        net.listen(g, NatTraversal.PORT);
        net.apply(c, c.engine.initiate("gw", net.now));
        return new RoadWarrior(net, c, g);
    }

    @Test
    void aRoadWarriorBehindANatGetsSasAndAPolicyForItsNatsAddress() {
        RoadWarrior s = roadWarrior(44, Duration.ofHours(8));
        assertTrue(s.net().runUntil(s::up, Duration.ofMinutes(1)), () -> logs(s.client(), s.gw()));
        Subnet seen = Subnet.parse(NAT_PUBLIC).withProtocolPort(Subnet.UDP, 1701);
        Subnet gw = Subnet.parse(GW).withProtocolPort(Subnet.UDP, 1701);
        assertTrue(s.gw().logged("transport-mode client behind a NAT names " + CLIENT + "/32[udp/1701] (its NAT-OA);"
                + " its SAs and policy take its address as we see it, " + seen), () -> logs(s.gw()));
        IpsecSa in = sa(s.gw(), IpsecSa.Direction.IN);
        assertEquals(seen, in.sourceSelector());
        assertEquals(gw, in.destinationSelector());
        assertEquals(IpsecMode.TRANSPORT, in.mode());
        assertTrue(in.udpEncapsulation().isPresent(), in::describe);
        assertEquals(seen, sa(s.gw(), IpsecSa.Direction.OUT).destinationSelector());
        // the client keeps the selectors it proposed
        assertEquals(Subnet.parse(CLIENT).withProtocolPort(Subnet.UDP, 1701),
                sa(s.client(), IpsecSa.Direction.OUT).sourceSelector());
        assertEquals(1, s.gw().policies.size(), s.gw().policies::toString);
        SpdTunnel policy = s.gw().policies.get(0);
        assertEquals(seen, policy.remote());
        assertEquals(gw, policy.local());
        assertEquals(IpsecMode.TRANSPORT, policy.mode());
        assertEquals(NAT_PUBLIC, Addresses.format(policy.remoteEndpoint()));
        // the client rekeys: the new pair holds the same policy, the retired one lets go of it
        int oldSpi = in.spi();
        assertTrue(s.net().runUntil(() -> s.gw().kernel.list().size() == 2
                && sa(s.gw(), IpsecSa.Direction.IN).spi() != oldSpi, Duration.ofHours(1)), () -> logs(s.gw()));
        assertEquals(List.of(policy), s.gw().policies);
    }

    @Test
    void theClientsPolicyOutlivesItsIsakmpSaAndGoesWithItsLastIpsecSa() {
        RoadWarrior s = roadWarrior(45, Duration.ofMinutes(2));
        assertTrue(s.net().runUntil(s::up, Duration.ofMinutes(1)), () -> logs(s.client(), s.gw()));
        assertTrue(s.net().runUntil(() -> s.gw().logged("ISAKMP SA lifetime 120s expired"), Duration.ofMinutes(5)),
                () -> logs(s.gw()));
        assertEquals(2, s.gw().kernel.list().size(), () -> logs(s.gw()));
        assertEquals(1, s.gw().policies.size(), () -> logs(s.gw()));
        s.net().apply(s.gw(), s.gw().engine.down("rw", s.net().now));
        assertTrue(s.gw().kernel.list().isEmpty(), () -> logs(s.gw()));
        assertTrue(s.gw().policies.isEmpty(), () -> logs(s.gw()));
        assertEquals(0, s.gw().engine.tableSizes().get("client policies"));
        assertEquals(0, s.gw().engine.tableSizes().get("client policy holds"));
    }

    /** The client deletes its pair (RFC 2408 s3.15): its policy goes with it, as when we delete it. */
    @Test
    void theClientsDeleteTakesItsPolicyToo() {
        RoadWarrior s = roadWarrior(46, Duration.ofHours(8));
        assertTrue(s.net().runUntil(s::up, Duration.ofMinutes(1)), () -> logs(s.client(), s.gw()));
        assertEquals(1, s.gw().policies.size(), () -> logs(s.gw()));
        s.net().apply(s.client(), s.client().engine.down("gw", s.net().now));
        assertTrue(s.net().runUntil(() -> s.gw().kernel.list().isEmpty(), Duration.ofSeconds(10)),
                () -> logs(s.gw()));
        assertTrue(s.gw().policies.isEmpty(), () -> s.gw().policies.toString());
        assertEquals(0, s.gw().engine.tableSizes().get("client policy holds"));
    }
}
