package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.NatTraversal;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.core.sa.UdpEncapsulation;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * NAT traversal (RFC 3947, RFC 3948) between engines over the simulated network, with simulated
 * NATs that rewrite source addresses and ports: detection, the float to port 4500, ESP in UDP,
 * keepalives, a NAT mapping that changes under established SAs, and what must not move anything.
 */
class NatTraversalScenarioTest {
    private static final String GW = "198.51.100.1";
    static final String NAT_PUBLIC = "203.0.113.7";
    static final String CLIENT = "10.0.0.2";
    private static final int NAT_T = NatTraversal.PORT;

    /** A client behind a NAT, a road-warrior gateway on a public address. */
    record Setup(SimulatedNetwork net, SimulatedNetwork.Nat nat, SimulatedNetwork.Node client,
            SimulatedNetwork.Node gw) {
        boolean up() {
            return client.kernel.list().size() == 2 && gw.kernel.list().size() == 2;
        }

        String logs() {
            return "client:\n" + String.join("\n", client.log) + "\ngw:\n" + String.join("\n", gw.log);
        }
    }

    private static PeerPolicy clientPolicy(String address, String gateway, boolean aggressive) {
        PeerPolicy p = policy("gw", address, gateway, "k", "aes128-sha256-modp2048", "aes128-sha1", null,
                "10.0.0.0/24", "192.168.50.0/24", true);
        return aggressive ? AggressiveModeScenarioTest.aggressive(p, true) : p;
    }

    private static PeerPolicy gatewayPolicy(String address, boolean aggressive) {
        PeerPolicy p = RoadWarriorScenarioTest.roadWarrior(policy("rw", address, NAT_PUBLIC, "k",
                "aes128-sha256-modp2048", "aes128-sha1", null, "192.168.50.0/24", "10.0.0.0/24", false),
                "0.0.0.0/0");
        return aggressive ? AggressiveModeScenarioTest.aggressive(p, true) : p;
    }

    private static SimulatedNetwork.Node node(SimulatedNetwork net, String name, String address, PeerPolicy p,
            long seed) {
        SimulatedNetwork.Node n = net.add(new SimulatedNetwork.Node(name, Addresses.parseEndpoint(address, 500),
                List.of(p), seed));
        net.listen(n, NAT_T);
        return n;
    }

    static Setup clientBehindNat(long seed, boolean aggressive) {
        SimulatedNetwork net = new SimulatedNetwork(seed, SimulatedNetwork.Faults.NONE);
        SimulatedNetwork.Nat nat = net.add(new SimulatedNetwork.Nat(NAT_PUBLIC, 40000, CLIENT));
        SimulatedNetwork.Node gw = node(net, "gw", GW, gatewayPolicy(GW, aggressive), seed + 1);
        SimulatedNetwork.Node client = node(net, "client", CLIENT, clientPolicy(CLIENT, GW, aggressive), seed + 2);
        net.apply(client, client.engine.initiate("gw", net.now));
        return new Setup(net, nat, client, gw);
    }

    private static UdpEncapsulation encap(SimulatedNetwork.Node n, IpsecSa.Direction dir) {
        return EngineScenarioTest.sa(n, dir).udpEncapsulation().orElseThrow(
                () -> new AssertionError(n.name + " " + dir + " SA is not UDP-encapsulated"));
    }

    private static void assertEspInUdp(Setup s) {
        InetSocketAddress mapped = s.nat.mapped(new InetSocketAddress(Addresses.parseLiteral(CLIENT), NAT_T));
        assertEquals(new UdpEncapsulation(NAT_T, NAT_T, java.util.Optional.empty()),
                encap(s.client, IpsecSa.Direction.OUT), s::logs);
        assertEquals(new UdpEncapsulation(NAT_T, NAT_T, java.util.Optional.empty()),
                encap(s.client, IpsecSa.Direction.IN));
        assertEquals(new UdpEncapsulation(NAT_T, mapped.getPort(), java.util.Optional.empty()),
                encap(s.gw, IpsecSa.Direction.OUT));
        assertEquals(new UdpEncapsulation(mapped.getPort(), NAT_T, java.util.Optional.empty()),
                encap(s.gw, IpsecSa.Direction.IN));
        IpsecSa gwOut = EngineScenarioTest.sa(s.gw, IpsecSa.Direction.OUT);
        IpsecSa clientIn = EngineScenarioTest.sa(s.client, IpsecSa.Direction.IN);
        assertEquals(NAT_PUBLIC, Addresses.format(gwOut.destination()), "the gateway sends to the NAT");
        assertEquals(CLIENT, Addresses.format(clientIn.destination()));
        assertEquals(gwOut.spi(), clientIn.spi());
        assertArrayEquals(gwOut.encryptionKey().bytes(), clientIn.encryptionKey().bytes());
        assertEquals(mapped, s.gw.engine.isakmpSas().get(0).remote(), "the gateway answers where MM5/AM3 came from");
        assertEquals(NAT_T, s.client.engine.isakmpSas().get(0).local().getPort());
    }

    @Test
    void theGatewayRekeysAClientBehindTheNatThroughItsMapping() {
        Setup s = clientBehindNat(171, false);
        assertTrue(s.net.runUntil(s::up, Duration.ofSeconds(30)), s::logs);
        IpsecSa oldIn = EngineScenarioTest.sa(s.gw, IpsecSa.Direction.IN);
        InetSocketAddress mapped = s.nat.mapped(new InetSocketAddress(Addresses.parseLiteral(CLIENT), NAT_T));
        s.net.apply(s.gw, s.gw.engine.expired(new dev.isakmpd.core.kernel.KernelEvent.Expire(oldIn.destination(),
                oldIn.spi(), false), s.net.now));
        assertTrue(s.gw.logged("rekeying tunnel net for 10.0.0.0/24 with the client at " + NAT_PUBLIC + ":"
                + mapped.getPort()), s::logs);
        // the replacement comes up, the replaced pair is retired on both sides
        assertTrue(s.net.runUntil(() -> s.gw.kernel.list().size() == 4, Duration.ofSeconds(30)), s::logs);
        assertTrue(s.net.runUntil(s::up, Duration.ofMinutes(2)), s::logs);
        assertNotEquals(oldIn.spi(), EngineScenarioTest.sa(s.gw, IpsecSa.Direction.IN).spi());
        assertEspInUdp(s);
    }

    @Test
    void mainModeFromBehindANatFloatsTo4500AndCarriesEspInUdp() {
        Setup s = clientBehindNat(301, false);
        assertTrue(s.net.runUntil(s::up, Duration.ofMinutes(1)), s::logs);
        assertEspInUdp(s);
        assertTrue(s.client.logged("NAT-T (RFC 3947): we are behind a NAT"), s::logs);
        assertTrue(s.gw.logged("NAT-T (RFC 3947): the peer is behind a NAT"), s::logs);
        assertTrue(s.client.logged("moving to port 4500"), s::logs);
        assertTrue(s.client.logged("sending IDENTITY_PROTECTION [ SA V V V V V V ]"), s::logs);
        assertTrue(s.gw.logged("sending IDENTITY_PROTECTION [ SA V V V ]"),
                "DPD, FRAGMENTATION and the one NAT-T VID chosen");
        assertTrue(s.client.logged("sending IDENTITY_PROTECTION [ KE No NAT-D NAT-D ]"), s::logs);
        assertTrue(s.gw.logged("sending QUICK_MODE [ HASH SA No ID ID ]"), s::logs);
        assertTrue(s.gw.logged("UDP-Encapsulated-Tunnel"), "QM carried encapsulation mode 3");
        assertEquals(5, s.client.sent, "MM1, MM3, MM5, QM1, QM3: nothing lost to the float");
    }

    @Test
    void aggressiveModeFromBehindANatFloatsAm3() {
        Setup s = clientBehindNat(311, true);
        assertTrue(s.net.runUntil(s::up, Duration.ofMinutes(1)), s::logs);
        assertEspInUdp(s);
        assertTrue(s.gw.logged("sending AGGRESSIVE [ SA KE No ID HASH V V V NAT-D NAT-D ]"), s::logs);
        assertTrue(s.client.logged("sending AGGRESSIVE [ HASH NAT-D NAT-D N(INITIAL-CONTACT) ]"), s::logs);
        assertTrue(s.gw.logged("NAT-T (RFC 3947): the peer is behind a NAT"), s::logs);
    }

    @Test
    void bothSidesBehindNatsBothSendKeepalives() {
        SimulatedNetwork net = new SimulatedNetwork(321, SimulatedNetwork.Faults.NONE);
        String gwInside = "192.168.1.1";
        net.add(new SimulatedNetwork.Nat(NAT_PUBLIC, 40000, CLIENT));
        SimulatedNetwork.Nat gwNat = net.add(new SimulatedNetwork.Nat(GW, 50000, gwInside));
        gwNat.forward(500, Addresses.parseEndpoint(gwInside, 500));
        gwNat.forward(NAT_T, Addresses.parseEndpoint(gwInside, NAT_T));
        SimulatedNetwork.Node gw = node(net, "gw", gwInside, gatewayPolicy(gwInside, false), 322);
        SimulatedNetwork.Node client = node(net, "client", CLIENT, clientPolicy(CLIENT, GW, false), 323);
        net.apply(client, client.engine.initiate("gw", net.now));
        Setup s = new Setup(net, null, client, gw);
        assertTrue(net.runUntil(s::up, Duration.ofMinutes(1)), s::logs);
        assertTrue(client.logged("NAT-T (RFC 3947): both sides are behind a NAT"), s::logs);
        assertTrue(gw.logged("NAT-T (RFC 3947): both sides are behind a NAT"), s::logs);
        net.runUntil(() -> false, Duration.ofSeconds(65));
        assertEquals(3, keepalivesTo(net, gwInside), "20 s apart, from the client");
        assertEquals(3, keepalivesTo(net, CLIENT), "and from the gateway");
        assertEquals(Addresses.parseEndpoint(GW, NAT_T), encapDestination(client));
        assertFalse(client.log.stream().anyMatch(l -> l.startsWith("WARN") && !l.contains("(NAT?)")), s::logs);
        assertFalse(gw.log.stream().anyMatch(l -> l.startsWith("WARN") && !l.contains("(NAT?)")), s::logs);
    }

    private static InetSocketAddress encapDestination(SimulatedNetwork.Node n) {
        IpsecSa out = EngineScenarioTest.sa(n, IpsecSa.Direction.OUT);
        return new InetSocketAddress(out.destination(), out.udpEncapsulation().orElseThrow().destinationPort());
    }

    private static long keepalivesTo(SimulatedNetwork net, String address) {
        return net.delivered.stream().filter(d -> d.data().length == 1 && d.data()[0] == (byte) 0xff
                && Addresses.format(d.local().getAddress()).equals(address)).count();
    }

    @Test
    void onlyTheSideBehindTheNatSendsKeepalivesAtTheConfiguredInterval() {
        Setup s = clientBehindNat(331, false);
        assertTrue(s.net.runUntil(s::up, Duration.ofMinutes(1)), s::logs);
        s.net.runUntil(() -> false, Duration.ofSeconds(61));
        assertEquals(3, keepalivesTo(s.net, GW), "one per 20 s from the client");
        assertEquals(0, keepalivesTo(s.net, CLIENT), "none from the gateway, which is not behind a NAT");
        assertFalse(s.gw.log.stream().anyMatch(l -> l.startsWith("WARN") && !l.contains("(NAT?)")), s::logs);
    }

    @Test
    void noNatMeansNoFloatAndPlainEsp() {
        SimulatedNetwork net = new SimulatedNetwork(341, SimulatedNetwork.Faults.NONE);
        SimulatedNetwork.Node gw = node(net, "gw", GW, gatewayPolicy(GW, false), 342);
        SimulatedNetwork.Node client = node(net, "client", NAT_PUBLIC, clientPolicy(NAT_PUBLIC, GW, false), 343);
        net.apply(client, client.engine.initiate("gw", net.now));
        Setup s = new Setup(net, null, client, gw);
        assertTrue(net.runUntil(s::up, Duration.ofMinutes(1)), s::logs);
        assertTrue(client.logged("NAT-T (RFC 3947): no NAT between us"), s::logs);
        assertFalse(client.logged("moving to port"), s::logs);
        assertTrue(EngineScenarioTest.sa(gw, IpsecSa.Direction.OUT).udpEncapsulation().isEmpty());
        net.runUntil(() -> false, Duration.ofSeconds(61));
        assertEquals(0, keepalivesTo(net, GW));
    }

    @Test
    void forcedEncapsulationFakesTheNatDAndUsesEspInUdpWithoutANat() {
        SimulatedNetwork net = new SimulatedNetwork(351, SimulatedNetwork.Faults.NONE);
        SimulatedNetwork.Node gw = node(net, "gw", GW, gatewayPolicy(GW, false), 352);
        PeerPolicy forced = clientPolicy(NAT_PUBLIC, GW, false).withNatTraversal(
                new NatTraversal(true, NatTraversal.DEFAULT_KEEPALIVE, true, NAT_T));
        SimulatedNetwork.Node client = node(net, "client", NAT_PUBLIC, forced, 353);
        net.apply(client, client.engine.initiate("gw", net.now));
        Setup s = new Setup(net, null, client, gw);
        assertTrue(net.runUntil(s::up, Duration.ofMinutes(1)), s::logs);
        assertTrue(gw.logged("NAT-T (RFC 3947): the peer is behind a NAT"), "the gateway believes the fake NAT-D");
        assertTrue(client.logged("UDP encapsulation forced"), s::logs);
        assertEquals(new UdpEncapsulation(NAT_T, NAT_T, java.util.Optional.empty()),
                encap(gw, IpsecSa.Direction.OUT));
        assertEquals(new UdpEncapsulation(NAT_T, NAT_T, java.util.Optional.empty()),
                encap(client, IpsecSa.Direction.OUT));
    }

    @Test
    void withNatTraversalOffThePeerSendsNoNatTVendorIdsAndNoNatD() {
        SimulatedNetwork net = new SimulatedNetwork(361, SimulatedNetwork.Faults.NONE);
        SimulatedNetwork.Node gw = node(net, "gw", GW, gatewayPolicy(GW, false), 362);
        PeerPolicy off = clientPolicy(NAT_PUBLIC, GW, false).withNatTraversal(
                new NatTraversal(false, NatTraversal.DEFAULT_KEEPALIVE, false, NAT_T));
        SimulatedNetwork.Node client = node(net, "client", NAT_PUBLIC, off, 363);
        net.apply(client, client.engine.initiate("gw", net.now));
        Setup s = new Setup(net, null, client, gw);
        assertTrue(net.runUntil(s::up, Duration.ofMinutes(1)), s::logs);
        assertTrue(client.logged("sending IDENTITY_PROTECTION [ SA V V ]"), "DPD and FRAGMENTATION: " + s.logs());
        assertTrue(gw.logged("sending IDENTITY_PROTECTION [ KE No ]"), s::logs);
    }

    @Test
    void aNewNatMappingIsFollowedOnlyOnceAnAuthenticatedMessageComesFromIt() {
        Setup s = clientBehindNat(371, false);
        assertTrue(s.net.runUntil(s::up, Duration.ofMinutes(1)), s::logs);
        InetSocketAddress oldMapping = s.gw.engine.isakmpSas().get(0).remote();
        IsakmpSaInfo sa = s.gw.engine.isakmpSas().get(0);
        byte[] cookies = HexFormat.of().parseHex(sa.initiatorCookie() + sa.responderCookie());

        // Unauthenticated: an encrypted Informational with the SA's cookies from elsewhere, and garbage inside.
        byte[] forged = new byte[4 + 28 + 32];
        System.arraycopy(cookies, 0, forged, 4, 16);
        forged[4 + 16] = 8; // next payload HASH
        forged[4 + 17] = 0x10;
        forged[4 + 18] = 5; // Informational
        forged[4 + 19] = 1; // encrypted
        forged[4 + 23] = 1; // message ID
        forged[4 + 27] = 60;
        InetSocketAddress attacker = Addresses.parseEndpoint(NAT_PUBLIC, 41234);
        s.net.inject(new Datagram(Addresses.parseEndpoint(GW, NAT_T), attacker, forged), s.net.now.plusMillis(1));
        s.net.runUntil(() -> false, Duration.ofSeconds(1));
        assertEquals(oldMapping, s.gw.engine.isakmpSas().get(0).remote(), "a forged datagram moves nothing");
        assertFalse(s.gw.logged("peer moved from " + oldMapping.getAddress().getHostAddress() + ":"
                + oldMapping.getPort()), s::logs);

        s.nat.rebind();
        int installsBefore = s.gw.installs;
        s.net.apply(s.client, s.client.engine.initiate("gw", s.net.now)); // a Quick Mode from the new mapping
        assertTrue(s.net.runUntil(() -> s.gw.logged("peer moved from " + NAT_PUBLIC + ":" + oldMapping.getPort()),
                Duration.ofSeconds(30)), s::logs);
        s.net.runUntil(() -> s.gw.installs >= installsBefore + 4, Duration.ofSeconds(30));
        InetSocketAddress newMapping = s.nat.mapped(new InetSocketAddress(Addresses.parseLiteral(CLIENT), NAT_T));
        assertNotEquals(oldMapping, newMapping);
        assertEquals(newMapping, s.gw.engine.isakmpSas().get(0).remote(), s::logs);
        assertTrue(s.gw.logged("follow the peer to " + NAT_PUBLIC + ":" + newMapping.getPort()), s::logs);
        for (IpsecSa out : s.gw.kernel.list().stream().filter(x -> x.direction() == IpsecSa.Direction.OUT).toList()) {
            assertEquals(newMapping.getPort(), out.udpEncapsulation().orElseThrow().destinationPort(),
                    "every IPsec SA with the client follows it: " + out.describe());
        }
        assertEquals(4, s.gw.kernel.list().size(), "the old pair (moved) and the new pair");
    }

    /**
     * The client's NAT mapping changes within a second of a rekey the gateway started: the new
     * pair's outbound SA still waits for the delayed switch, so following the client moves in the
     * kernel only what is there (the in-memory kernel would say "no SA", then "exists"), and the
     * switch installs the moved outbound SA.
     */
    @Test
    void aMoveBeforeTheDelayedOutboundSwitchMovesOnlyWhatIsInstalled() {
        SimulatedNetwork net = new SimulatedNetwork(395, SimulatedNetwork.Faults.NONE);
        SimulatedNetwork.Nat nat = net.add(new SimulatedNetwork.Nat(NAT_PUBLIC, 40000, CLIENT));
        SimulatedNetwork.Node gw = node(net, "gw", GW, policy("client", GW, NAT_PUBLIC, "k", "aes128-sha256-modp2048",
                "aes128-sha1", null, "192.168.50.0/24", "10.0.0.0/24", false), 396);
        SimulatedNetwork.Node client = node(net, "client", CLIENT, clientPolicy(CLIENT, GW, false), 397);
        net.apply(client, client.engine.initiate("gw", net.now));
        Setup s = new Setup(net, nat, client, gw);
        assertTrue(net.runUntil(s::up, Duration.ofMinutes(1)), s::logs);
        net.apply(gw, gw.engine.rekey("client", java.util.Optional.empty(), false, net.now));
        assertTrue(net.runUntil(() -> gw.installs == 3 && client.installs == 4, Duration.ofSeconds(10)), s::logs);
        nat.rebind();
        net.apply(client, client.engine.rekey("gw", java.util.Optional.empty(), false, net.now)); // from the new mapping
        net.runUntil(() -> false, QuickMode.OUTBOUND_SWITCH_DELAY.multipliedBy(3));
        InetSocketAddress newMapping = nat.mapped(new InetSocketAddress(Addresses.parseLiteral(CLIENT), NAT_T));
        assertTrue(gw.logged("follow the peer to " + NAT_PUBLIC + ":" + newMapping.getPort()), s::logs);
        assertTrue(gw.logged("sending on the new outbound SA"), s::logs);
        List<IpsecSa> outs = gw.kernel.list().stream().filter(x -> x.direction() == IpsecSa.Direction.OUT).toList();
        assertEquals(3, outs.size(), "the first pair, the gateway's rekey and the client's: " + outs);
        for (IpsecSa out : outs) {
            assertEquals(newMapping.getPort(), out.udpEncapsulation().orElseThrow().destinationPort(), out.describe());
        }
    }

    @Test
    void aDatagramOn4500WithoutTheNonEspMarkerIsDroppedAndKeepalivesAreIgnored() {
        Setup s = clientBehindNat(381, false);
        InetSocketAddress gw4500 = Addresses.parseEndpoint(GW, NAT_T);
        InetSocketAddress from = Addresses.parseEndpoint(NAT_PUBLIC, 45000);
        s.net.runUntil(() -> false, Duration.ofMillis(5)); // MM1 reaches the gateway: one ISAKMP SA
        Datagram mm1 = s.net.delivered.get(0);
        s.net.inject(new Datagram(gw4500, from, mm1.data()), s.net.now.plusMillis(1));
        for (int i = 0; i < 1000; i++) {
            s.net.inject(new Datagram(gw4500, from, new byte[] {(byte) 0xff}), s.net.now.plusMillis(2));
        }
        assertTrue(s.net.runUntil(s::up, Duration.ofMinutes(1)), s::logs);
        assertTrue(s.gw.logged("no non-ESP marker (RFC 3948 s2.2)"), s::logs);
        assertEquals(1, s.gw.engine.isakmpSas().size(), "the unframed MM1 started nothing");
        assertEquals(1, s.gw.log.stream().filter(l -> l.startsWith("WARN") && l.contains("non-ESP")).count());
        Map<String, Integer> sizes = s.gw.engine.tableSizes();
        assertEquals(1, sizes.get("ISAKMP SAs"), "1000 keepalives leave no state");
    }

    @ParameterizedTest
    @ValueSource(longs = {391, 392})
    void twoClientsBehindOneNatAddressStayDistinct(long seed) {
        SimulatedNetwork net = new SimulatedNetwork(seed, SimulatedNetwork.Faults.NONE);
        String second = "10.0.0.3";
        SimulatedNetwork.Nat nat = net.add(new SimulatedNetwork.Nat(NAT_PUBLIC, 40000, CLIENT, second));
        SimulatedNetwork.Node gw = node(net, "gw", GW, gatewayPolicy(GW, false), seed + 1);
        SimulatedNetwork.Node c1 = node(net, "c1", CLIENT, clientPolicy(CLIENT, GW, false), seed + 2);
        SimulatedNetwork.Node c2 = node(net, "c2", second, clientPolicy(second, GW, false), seed + 3);
        net.apply(c1, c1.engine.initiate("gw", net.now));
        net.apply(c2, c2.engine.initiate("gw", net.now));
        assertTrue(net.runUntil(() -> gw.kernel.list().size() == 4 && c1.kernel.list().size() == 2
                && c2.kernel.list().size() == 2, Duration.ofMinutes(1)), () -> String.join("\n", gw.log));
        List<Integer> ports = gw.kernel.list().stream().filter(x -> x.direction() == IpsecSa.Direction.OUT)
                .map(x -> x.udpEncapsulation().orElseThrow().destinationPort()).sorted().toList();
        assertEquals(List.of(nat.mapped(Addresses.parseEndpoint(CLIENT, NAT_T)).getPort(),
                nat.mapped(Addresses.parseEndpoint(second, NAT_T)).getPort()).stream().sorted().toList(), ports);
        assertEquals(2, gw.engine.isakmpSas().stream().filter(x -> x.state().equals("ESTABLISHED")).count());
    }

    @Test
    void aGatewayRekeysPhase1ThroughTheNatFromPort4500() {
        SimulatedNetwork net = new SimulatedNetwork(401, SimulatedNetwork.Faults.NONE);
        SimulatedNetwork.Nat nat = net.add(new SimulatedNetwork.Nat(NAT_PUBLIC, 40000, CLIENT));
        PeerPolicy p = policy("client", GW, NAT_PUBLIC, "k", "aes128-sha256-modp2048", "aes128-sha1", null,
                "192.168.50.0/24", "10.0.0.0/24", false);
        PeerPolicy byNatAddress = new PeerPolicy(p.name(), p.local(), p.remote(), p.auth(), p.ikeProposals(),
                Duration.ofMinutes(10), p.tunnels(), false, p.dpd(), p.localId(), p.remoteId(), p.remoteRange(), false);
        SimulatedNetwork.Node gw = node(net, "gw", GW, byNatAddress, 402);
        SimulatedNetwork.Node client = node(net, "client", CLIENT, clientPolicy(CLIENT, GW, false), 403);
        net.apply(client, client.engine.initiate("gw", net.now));
        Setup s = new Setup(net, nat, client, gw);
        assertTrue(net.runUntil(s::up, Duration.ofMinutes(1)), s::logs);
        assertTrue(net.runUntil(() -> gw.logged("ISAKMP SA established (initiator"), Duration.ofMinutes(10)), s::logs);
        InetSocketAddress mapped = nat.mapped(Addresses.parseEndpoint(CLIENT, NAT_T));
        IsakmpSaInfo fresh = gw.engine.isakmpSas().stream().filter(x -> x.role() == IsakmpSaInfo.Role.INITIATOR)
                .findFirst().orElseThrow();
        assertEquals(mapped, fresh.remote(), "the new Main Mode went where the NAT maps the client's 4500");
        assertEquals(NAT_T, fresh.local().getPort());
        assertTrue(client.logged("NAT-T (RFC 3947): we are behind a NAT"), s::logs);
        assertFalse(gw.logged("moving to port"), "it started on 4500: no float, no port rewritten");
    }
}
