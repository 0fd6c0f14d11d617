package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.pki.TrustStore;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.Identity;
import dev.isakmpd.core.policy.PeerAuth;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.RemoteAccess;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.policy.XauthUsers;
import dev.isakmpd.core.registry.IkeAttributes;
import dev.isakmpd.oakley.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Hybrid authentication (draft-ietf-ipsec-isakmp-hybrid-auth-05) over the simulated network: our
 * gateway signs with gw-a's certificate, our client trusts the test root and proves nothing in
 * phase 1 but its plain HASH, then XAUTH authenticates the user and Mode-Config gives an address.
 */
class HybridAuthScenarioTest {
    private static final String GATEWAY = "203.0.113.1";
    private static final String CLIENT = "198.51.100.11";
    private static final XauthUsers USERS = new XauthUsers(Map.of(
            "alice", XauthUsers.hash("alice-pw".toCharArray(), new byte[16], 4)));
    /** gw-a's subject as its DN ID, and as the certificate names it. */
    private static final String GW_A_ID = "C=XX, O=isakmpd test, CN=gw-a.example.org";
    private static final String GW_A = "CN=gw-a.example.org, O=isakmpd test, C=XX";

    /** The same policy with another auth and local ID, in Main or Aggressive Mode. */
    private static PeerPolicy with(PeerPolicy p, PeerAuth auth, Identity localId, boolean aggressive) {
        return new PeerPolicy(p.name(), p.local(), p.remote(), auth, p.ikeProposals(), p.ikeLifetime(), p.tunnels(),
                p.autoStart(), p.dpd(), localId, p.remoteId(), p.remoteRange(), aggressive, p.natTraversal(),
                p.fragmentation(), p.remoteAccess());
    }

    private static PeerPolicy gateway(PeerAuth auth, boolean aggressive) {
        PeerPolicy fixed = policy("rw", GATEWAY, "198.51.100.1", "unused", "aes128-sha256-modp2048", "aes128-sha1",
                null, "10.1.0.0/16", "10.3.0.0/24", false);
        RemoteAccess ra = new RemoteAccess(Optional.of(new RemoteAccess.XauthServer(USERS, 3)),
                Optional.of(new RemoteAccess.ModeConfig(Subnet.parse("10.3.0.0/24"),
                        List.of(Addresses.parseLiteral("10.1.0.53")), Optional.empty(), List.of(), false)),
                Optional.empty());
        PeerPolicy rw = RoadWarriorScenarioTest.roadWarrior(fixed, "198.51.100.0/24").withRemoteAccess(ra);
        return with(rw, auth, PeerPolicy.defaultLocalId(auth, rw.local()), aggressive);
    }

    private static PeerPolicy client(TrustStore trust, String password, boolean aggressive) {
        PeerPolicy p = policy("gw", CLIENT, GATEWAY, "unused", "aes128-sha256-modp2048", "aes128-sha1", null,
                "10.3.0.1/32", "10.1.0.0/16", true).withRemoteAccess(new RemoteAccess(Optional.empty(),
                        Optional.empty(), Optional.of(new RemoteAccess.XauthClient("alice",
                                SecretBytes.copyOf(password.getBytes(StandardCharsets.UTF_8)), true))));
        return with(p, new PeerAuth.HybridClient(trust), p.localId(), aggressive);
    }

    private record Setup(SimulatedNetwork net, SimulatedNetwork.Node gw, SimulatedNetwork.Node client) {
        String log() {
            return "--- gw\n" + String.join("\n", gw.log) + "\n--- client\n" + String.join("\n", client.log);
        }
    }

    private static Setup run(long seed, PeerPolicy gateway, PeerPolicy client) {
        SimulatedNetwork net = new SimulatedNetwork(seed, SimulatedNetwork.Faults.NONE);
        SimulatedNetwork.Node gw = net.add(new SimulatedNetwork.Node("gw", Addresses.parseEndpoint(GATEWAY, 500),
                List.of(gateway), seed + 1));
        SimulatedNetwork.Node c = net.add(new SimulatedNetwork.Node("client", Addresses.parseEndpoint(CLIENT, 500),
                List.of(client), seed + 2));
        net.apply(c, c.engine.initiate("gw", net.now));
        return new Setup(net, gw, c);
    }

    private static void assertHybridClientUp(Setup s, String mode) {
        Subnet vip = Subnet.parse("10.3.0.1/32");
        assertTrue(s.net.runUntil(() -> s.client.kernel.list().size() == 2 && s.gw.kernel.list().stream()
                .anyMatch(sa -> sa.destinationSelector().equals(vip)), Duration.ofMinutes(1)), s::log);
        // the gateway: the client proved only its hash, its ID is a claim, and XAUTH proved the user
        assertTrue(s.gw.logged(mode + ": peer authenticated as '198.51.100.11' (HybridInitRSA: its ID is unproven "
                + "until XAUTH authenticates the user)"), s::log);
        assertTrue(s.gw.logged("XAUTH: user 'alice' authenticated"), s::log);
        // the client: the gateway's RSA signature over HASH_R, by a certificate from the trusted root
        assertTrue(s.client.logged(mode + ": peer authenticated as '" + GW_A_ID + "' (RSA signatures of '" + GW_A
                + "', issued by 'CN=Test Intermediate CA, O=isakmpd test, C=XX')"), s::log);
        assertTrue(s.client.logged("the gateway assigned 10.3.0.1, DNS 10.1.0.53"), s::log);
    }

    @Test
    void mainModeTheGatewaySignsTheClientHashesThenXauth() {
        Setup s = run(701, gateway(new PeerAuth.Hybrid(TestPki.auth("gw-a", false)), false),
                client(TestPki.trust(false), "alice-pw", false));
        assertHybridClientUp(s, "Main Mode");
        // MM5 (s4.2): ID and the plain HASH_I, no signature, no certificate; MM6: the gateway's CERTs and SIG
        assertTrue(s.gw.logged("received IDENTITY_PROTECTION [ ID HASH N(INITIAL-CONTACT) ]"), s::log);
        assertTrue(s.client.logged("received IDENTITY_PROTECTION [ ID CERT CERT SIG ]"), s::log);
        // an unproven ID must not delete that identity's other SAs
        assertTrue(s.gw.logged("INITIAL-CONTACT ignored: HybridInitRSA does not prove the peer's ID"), s::log);
    }

    @Test
    void aggressiveModeTheSame() {
        Setup s = run(711, gateway(new PeerAuth.Hybrid(TestPki.auth("gw-a", false)), true),
                client(TestPki.trust(false), "alice-pw", true));
        assertHybridClientUp(s, "Aggressive Mode");
    }

    @Test
    void theGatewayMayStartPhaseOneThenTheMethodIsTheRespVariant() {
        // s5: a gateway that initiates proposes HybridRespRSA; the client (the responder) hashes
        PeerPolicy rw = gateway(new PeerAuth.Hybrid(TestPki.auth("gw-a", false)), false);
        PeerPolicy toClient = new PeerPolicy(rw.name(), rw.local(), Addresses.parseEndpoint(CLIENT, 500), rw.auth(),
                rw.ikeProposals(), rw.ikeLifetime(), rw.tunnels(), false, rw.dpd(), rw.localId(), rw.remoteId(),
                Optional.empty(), false, rw.natTraversal(), rw.fragmentation(), rw.remoteAccess());
        PeerPolicy c = client(TestPki.trust(false), "alice-pw", false);
        PeerPolicy waiting = new PeerPolicy(c.name(), c.local(), c.remote(), c.auth(), c.ikeProposals(),
                c.ikeLifetime(), c.tunnels(), false, c.dpd(), c.localId(), c.remoteId(), c.remoteRange(), false,
                c.natTraversal(), c.fragmentation(), c.remoteAccess());
        SimulatedNetwork net = new SimulatedNetwork(751, SimulatedNetwork.Faults.NONE);
        SimulatedNetwork.Node gw = net.add(new SimulatedNetwork.Node("gw", Addresses.parseEndpoint(GATEWAY, 500),
                List.of(toClient), 752));
        SimulatedNetwork.Node cl = net.add(new SimulatedNetwork.Node("client", Addresses.parseEndpoint(CLIENT, 500),
                List.of(waiting), 753));
        net.apply(gw, gw.engine.initiate("rw", net.now));
        Setup s = new Setup(net, gw, cl);
        assertTrue(net.runUntil(() -> gw.logged("XAUTH: user 'alice' authenticated"), Duration.ofMinutes(1)), s::log);
        assertTrue(gw.logged("Main Mode: peer authenticated as '198.51.100.11' (HybridRespRSA: its ID is unproven"),
                s::log);
        assertTrue(cl.logged("Main Mode: peer authenticated as '" + GW_A_ID + "' (RSA signatures of '" + GW_A),
                s::log);
    }

    @Test
    void aWrongPasswordEndsTheHybridIsakmpSaWithNothingLeft() {
        Setup s = run(721, gateway(new PeerAuth.Hybrid(TestPki.auth("gw-a", false)), false),
                client(TestPki.trust(false), "wrong", false));
        assertTrue(s.net.runUntil(() -> s.gw.logged("XAUTH: authentication of user 'alice' failed 3 times"),
                Duration.ofMinutes(2)), s::log);
        s.net.runUntil(() -> false, Duration.ofSeconds(5));
        assertEquals(List.of(), s.gw.kernel.list(), s::log);
        assertEquals(List.of(), s.client.kernel.list(), s::log);
        assertTrue(s.gw.policies.isEmpty(), s::log);
    }

    @Test
    void aClientProposingHybridToAPolicyWithoutItIsRefused() {
        Setup s = run(731, gateway(TestPki.auth("gw-a", false), false), client(TestPki.trust(false), "alice-pw",
                false));
        assertTrue(s.net.runUntil(() -> s.gw.logged("authentication method HybridInitRSA is not RSA signatures or "
                + "XAUTHInitRSA"), Duration.ofSeconds(30)), s::log);
        s.net.runUntil(() -> false, Duration.ofSeconds(5));
        assertFalse(s.gw.logged("peer authenticated"), s::log);
        assertEquals(List.of(), s.client.kernel.list(), s::log);
    }

    @Test
    void theClientRefusesAGatewayWhoseCertificateItDoesNotTrust() {
        TrustStore rogueOnly = new TrustStore(TestPki.certificates("rogue.crt.pem"), List.of());
        Setup s = run(741, gateway(new PeerAuth.Hybrid(TestPki.auth("gw-a", false)), false),
                client(rogueOnly, "alice-pw", false));
        assertTrue(s.net.runUntil(() -> s.client.logged("authentication failed: certificate '" + GW_A + "' refused"),
                Duration.ofSeconds(30)), s::log);
        s.net.runUntil(() -> false, Duration.ofSeconds(5));
        assertFalse(s.gw.logged("XAUTH: user 'alice' authenticated"), "no password goes to an unproven gateway");
        assertEquals(List.of(), s.client.kernel.list(), s::log);
    }

    @Test
    void hybridNeedsXauthAndAnRsaOrDssKey() {
        PeerPolicy noXauth = policy("rw", GATEWAY, CLIENT, "unused", "aes128-sha256-modp2048", "aes128-sha1", null,
                "10.1.0.0/16", "10.3.0.0/24", false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> with(noXauth, new PeerAuth.Hybrid(TestPki.auth("gw-a", false)), noXauth.localId(), false));
        assertEquals("peer rw: hybrid authentication needs XAUTH (server)", e.getMessage());
        assertEquals(IkeAttributes.AUTH_HYBRID_INIT_RSA, HybridAuth.method(IkeAttributes.AUTH_RSA_SIGNATURES, false));
        assertEquals(IkeAttributes.AUTH_HYBRID_RESP_DSS, HybridAuth.method(IkeAttributes.AUTH_DSS_SIGNATURES, true));
        assertThrows(IllegalArgumentException.class, () -> HybridAuth.method(IkeAttributes.AUTH_ECDSA_256, false));
    }
}
