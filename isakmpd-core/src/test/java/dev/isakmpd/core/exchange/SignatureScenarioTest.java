package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.Identity;
import dev.isakmpd.core.policy.PeerAuth;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.ProposalNames;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.oakley.IkeSigner;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Main Mode with signatures and X.509 certificates (RFC 2409 s5.1, RFC 4945) between two engines,
 * on the OpenSSL-made test PKI: root CA, intermediate, end entities (TestPki).
 */
class SignatureScenarioTest {
    static final String A = EngineScenarioTest.A;
    static final String B = EngineScenarioTest.B;
    static final String DN_A = "C=XX, O=isakmpd test, CN=gw-a.example.org";
    static final String DN_B = "C=XX, O=isakmpd test, CN=gw-b.example.org";

    static PeerPolicy policy(String name, String local, String remote, PeerAuth.Signatures auth, String localId,
            String remoteId, boolean auto, String localNet, String remoteNet) {
        TunnelPolicy t = new TunnelPolicy("net", Subnet.parse(localNet), Subnet.parse(remoteNet),
                List.of(ProposalNames.parseEsp("aes128-sha1", true).proposal()), Optional.empty(),
                Duration.ofHours(1));
        InetSocketAddress us = Addresses.parseEndpoint(local, 500);
        boolean any = remote.equals("any");
        return new PeerPolicy(name, us, any ? new InetSocketAddress(Addresses.parseLiteral("0.0.0.0"), 500)
                : Addresses.parseEndpoint(remote, 500), auth,
                List.of(ProposalNames.parseIke("aes256-sha256-modp2048", true)), Duration.ofHours(8), List.of(t),
                auto, Optional.empty(),
                localId == null ? PeerPolicy.defaultLocalId(auth, us) : Identity.parse(localId),
                Optional.ofNullable(remoteId).map(Identity::parse),
                any ? Optional.of(Subnet.parse("0.0.0.0/0")) : Optional.empty(), false);
    }

    static EngineScenarioTest.Pair pair(PeerPolicy forB, PeerPolicy forA) {
        SimulatedNetwork net = new SimulatedNetwork(5, SimulatedNetwork.Faults.NONE);
        SimulatedNetwork.Node a = net.add(new SimulatedNetwork.Node("a", Addresses.parseEndpoint(A, 500),
                List.of(forB), 6));
        SimulatedNetwork.Node b = net.add(new SimulatedNetwork.Node("b", Addresses.parseEndpoint(B, 500),
                List.of(forA), 7));
        net.apply(a, a.engine.initiate(forB.name(), net.now));
        return new EngineScenarioTest.Pair(net, a, b);
    }

    static EngineScenarioTest.Pair standard(String certA, String certB, String expectB, String expectA) {
        return pair(policy("b", A, B, TestPki.auth(certA, true), null, expectB, true, "10.1.0.0/16", "10.2.0.0/16"),
                policy("a", B, A, TestPki.auth(certB, true), null, expectA, false, "10.2.0.0/16", "10.1.0.0/16"));
    }

    private static String logs(EngineScenarioTest.Pair p) {
        return "a:\n" + String.join("\n", p.a().log) + "\nb:\n" + String.join("\n", p.b().log);
    }

    private static boolean logged(SimulatedNetwork.Node n, String text) {
        return n.log.stream().anyMatch(l -> l.contains(text));
    }

    @ParameterizedTest
    @CsvSource({"gw-a, gw-b, RSA signatures", "gw-a-ec, gw-b-ec, ECDSA-256"})
    void signaturesWithAChainBothWays(String certA, String certB, String method) {
        EngineScenarioTest.Pair p = standard(certA, certB, DN_B, DN_A);
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)), () -> logs(p));
        // each side proved itself with its end-entity certificate, issued by the intermediate it sent
        assertTrue(logged(p.a(), "peer authenticated as '" + DN_B + "' (" + method + " of 'CN=gw-b.example.org, "
                + "O=isakmpd test, C=XX', issued by 'CN=Test Intermediate CA"), () -> logs(p));
        assertTrue(logged(p.b(), "peer authenticated as '" + DN_A + "' (" + method), () -> logs(p));
        assertTrue(logged(p.b(), "[ KE No CERTREQ NAT-D NAT-D ]"), () -> logs(p));
        EngineScenarioTest.assertMirrored(p, false);
    }

    @Test
    void certificateAndPolicyIdentityByAlternativeName() {
        // The initiator presents its FQDN (a subjectAltName), the responder's policy asks for it.
        EngineScenarioTest.Pair p = pair(
                policy("b", A, B, TestPki.auth("gw-a", false), "@gw-a.example.org", "198.51.100.2", true,
                        "10.1.0.0/16", "10.2.0.0/16"),
                policy("a", B, A, TestPki.auth("gw-b", false), "198.51.100.2", "@gw-a.example.org", false,
                        "10.2.0.0/16", "10.1.0.0/16"));
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)), () -> logs(p));
        assertTrue(logged(p.b(), "peer authenticated as '@gw-a.example.org'"), () -> logs(p));
        assertTrue(logged(p.a(), "peer authenticated as '198.51.100.2'"), () -> logs(p));
    }

    @Test
    void roadWarriorFromAnAddressNotInTheConfigIsChosenByItsCertificate() {
        EngineScenarioTest.Pair p = pair(
                policy("gw", A, B, TestPki.auth("gw-a", true), null, DN_B, true, "10.1.0.0/16", "10.2.0.0/16"),
                policy("rw", B, "any", TestPki.auth("gw-b", true), null, DN_A, false, "10.2.0.0/16",
                        "10.1.0.0/16"));
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)), () -> logs(p));
        assertEquals("rw", p.b().kernel.list().get(0).peer(), "the SAs name the policy");
        assertTrue(p.b().log.stream().anyMatch(l -> l.contains("peer rw 127.0.0.1:500") && l.contains("IPsec SAs "
                + "established")), () -> logs(p));
    }

    @Test
    void revokedCertificateIsRefused() {
        EngineScenarioTest.Pair p = standard("revoked", "gw-b", DN_B, null);
        assertFalse(p.net().runUntil(p::bothUp, Duration.ofMinutes(2)));
        assertTrue(logged(p.b(), "certificate 'CN=revoked.example.org, O=isakmpd test, C=XX' refused: it is "
                + "revoked"), () -> logs(p));
        assertTrue(logged(p.b(), "(notify INVALID-CERTIFICATE)"), () -> logs(p));
        assertTrue(p.b().engine.ipsecSas().isEmpty());
    }

    @Test
    void certificateFromAnUntrustedCaIsRefused() {
        EngineScenarioTest.Pair p = standard("gw-a", "rogue-gw-b", DN_B, DN_A);
        assertFalse(p.net().runUntil(p::bothUp, Duration.ofMinutes(2)));
        assertTrue(logged(p.a(), "refused: no path to a trusted CA"), () -> logs(p));
        assertTrue(logged(p.a(), "(notify INVALID-CERT-AUTHORITY)"), () -> logs(p));
    }

    @Test
    void certificateThatMayNotSignIsRefused() {
        EngineScenarioTest.Pair p = standard("nosign", "gw-b", null, null);
        assertFalse(p.net().runUntil(p::bothUp, Duration.ofMinutes(2)));
        assertTrue(logged(p.b(), "neither digitalSignature nor nonRepudiation"), () -> logs(p));
    }

    @Test
    void idThatTheCertificateDoesNotNameFailsOnTheResponderAndTheLogNamesBoth() {
        EngineScenarioTest.Pair p = pair(
                policy("b", A, B, TestPki.auth("gw-a", true), "@gw-b.example.org", null, true, "10.1.0.0/16",
                        "10.2.0.0/16"),
                policy("a", B, A, TestPki.auth("gw-b", true), null, null, false, "10.2.0.0/16", "10.1.0.0/16"));
        assertFalse(p.net().runUntil(p::bothUp, Duration.ofMinutes(2)));
        assertTrue(logged(p.b(), "the peer's ID '@gw-b.example.org' is not in its certificate 'CN=gw-a.example.org"),
                () -> logs(p));
        assertTrue(logged(p.b(), "(notify AUTHENTICATION-FAILED)"), () -> logs(p));
    }

    @Test
    void authenticatedPeerThatIsNotTheConfiguredRemoteIdIsRefused() {
        EngineScenarioTest.Pair p = standard("gw-a", "gw-b", "@someone-else.example.org", DN_A);
        assertFalse(p.net().runUntil(p::bothUp, Duration.ofMinutes(2)));
        assertTrue(logged(p.a(), "the peer is '" + DN_B + "', peer b must be '@someone-else.example.org'"),
                () -> logs(p));
    }

    @Test
    void signatureThatDoesNotVerifyIsInvalidSignature() {
        PeerAuth.Signatures good = TestPki.auth("gw-b", true);
        IkeSigner broken = new IkeSigner() {
            @Override
            public int authMethod() {
                return good.signer().authMethod();
            }

            @Override
            public byte[] sign(byte[] hash) {
                byte[] s = good.signer().sign(hash);
                s[s.length / 2] ^= 1;
                return s;
            }
        };
        PeerAuth.Signatures bad = new PeerAuth.Signatures(broken, good.chain(), good.trust(), true);
        EngineScenarioTest.Pair p = pair(
                policy("b", A, B, TestPki.auth("gw-a", true), null, null, true, "10.1.0.0/16", "10.2.0.0/16"),
                policy("a", B, A, bad, null, null, false, "10.2.0.0/16", "10.1.0.0/16"));
        assertFalse(p.net().runUntil(p::bothUp, Duration.ofMinutes(2)));
        assertTrue(logged(p.a(), "the signature over HASH_R does not verify with the key of 'CN=gw-b.example.org"),
                () -> logs(p));
        assertTrue(logged(p.a(), "(notify INVALID-SIGNATURE)"), () -> logs(p));
    }
}
