package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.IpsecMode;
import dev.isakmpd.core.policy.NatTraversal;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.core.sa.UdpEncapsulation;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * UDP-encapsulated transport mode through a NAT (L2TP/IPsec style): both Quick Mode messages
 * carry NAT-OAi and NAT-OAr (RFC 3947 s5.2), each side as it sees the addresses, and each side's
 * SAs carry the address the peer says it has; in tunnel mode no NAT-OA is sent.
 */
class NatOriginalAddressScenarioTest {
    private static final String GW = "198.51.100.1";
    private static final String NAT_PUBLIC = "203.0.113.7";
    private static final String CLIENT = "10.0.0.2";

    private record Setup(SimulatedNetwork net, SimulatedNetwork.Node client, SimulatedNetwork.Node gw) {
        boolean up() {
            return client.kernel.list().size() == 2 && gw.kernel.list().size() == 2;
        }

        String logs() {
            return "client:\n" + String.join("\n", client.log) + "\ngw:\n" + String.join("\n", gw.log);
        }
    }

    private static SimulatedNetwork.Node node(SimulatedNetwork net, String name, String address, PeerPolicy p,
            long seed) {
        SimulatedNetwork.Node n = net.add(new SimulatedNetwork.Node(name, Addresses.parseEndpoint(address, 500),
                List.of(p), seed));
        net.listen(n, NatTraversal.PORT);
        return n;
    }

    /** The client's selector is its own (private) address, as an L2TP client's IDci is. */
    private static Setup clientBehindNat(long seed, IpsecMode mode, String clientNet, String gwNet) {
        SimulatedNetwork net = new SimulatedNetwork(seed, SimulatedNetwork.Faults.NONE);
        net.add(new SimulatedNetwork.Nat(NAT_PUBLIC, 40000, CLIENT));
        PeerPolicy gw = RoadWarriorScenarioTest.roadWarrior(policy("rw", GW, NAT_PUBLIC, "k",
                "aes128-sha256-modp2048", "aes128-sha1", null, gwNet, clientNet, false), "0.0.0.0/0");
        PeerPolicy client = policy("gw", CLIENT, GW, "k", "aes128-sha256-modp2048", "aes128-sha1", null, clientNet,
                gwNet, true);
        Setup s = new Setup(net, node(net, "client", CLIENT, TransportModeScenarioTest.hosts(client, mode), seed + 1),
                node(net, "gw", GW, TransportModeScenarioTest.hosts(gw, mode), seed + 2));
        net.apply(s.client(), s.client().engine.initiate("gw", net.now));
        return s;
    }

    private static Optional<String> originalAddress(SimulatedNetwork.Node n, IpsecSa.Direction d) {
        return EngineScenarioTest.sa(n, d).udpEncapsulation().flatMap(UdpEncapsulation::originalAddress)
                .map(Addresses::format);
    }

    @Test
    void transportModeThroughANatSendsBothOriginalAddressesBothWays() {
        Setup s = clientBehindNat(401, IpsecMode.TRANSPORT, CLIENT, GW);
        assertTrue(s.net().runUntil(s::up, Duration.ofMinutes(1)), s::logs);
        String both = "sending QUICK_MODE [ HASH SA No ID ID NAT-OA NAT-OA ]";
        assertTrue(s.client().logged(both) && s.gw().logged(both), s::logs);
        // the client: NAT-OAi its own address, NAT-OAr the gateway's; the gateway: the NAT's, then its own
        String client = String.join("\n", s.client().log);
        String gw = String.join("\n", s.gw().log);
        assertTrue(client.contains("NAT original address: " + CLIENT + "\n") && client.contains(
                "NAT original address: " + GW + "\n"), s::logs);
        assertTrue(gw.contains("NAT original address: " + NAT_PUBLIC + "\n"), s::logs);
        assertTrue(s.gw().logged("UDP-Encapsulated-Transport"), "QM carried encapsulation mode 4");
        for (SimulatedNetwork.Node n : List.of(s.client(), s.gw())) {
            for (IpsecSa sa : n.kernel.list()) {
                assertEquals(IpsecMode.TRANSPORT, sa.mode(), n.name);
                assertTrue(sa.udpEncapsulation().isPresent(), n.name);
            }
        }
        // what the peer says its own address is goes with the SAs to the kernel
        assertEquals(Optional.of(CLIENT), originalAddress(s.gw(), IpsecSa.Direction.IN));
        assertEquals(Optional.of(CLIENT), originalAddress(s.gw(), IpsecSa.Direction.OUT));
        assertEquals(Optional.of(GW), originalAddress(s.client(), IpsecSa.Direction.IN));
    }

    @Test
    void tunnelModeThroughANatSendsNoOriginalAddress() {
        Setup s = clientBehindNat(402, IpsecMode.TUNNEL, "10.0.0.0/24", "192.168.50.0/24");
        assertTrue(s.net().runUntil(s::up, Duration.ofMinutes(1)), s::logs);
        assertFalse(s.client().logged("NAT-OA") || s.gw().logged("NAT-OA"), s::logs);
        assertEquals(Optional.empty(), originalAddress(s.gw(), IpsecSa.Direction.IN));
    }
}
