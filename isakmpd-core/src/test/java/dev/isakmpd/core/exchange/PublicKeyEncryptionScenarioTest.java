package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.Identity;
import dev.isakmpd.core.policy.PeerAuth;
import dev.isakmpd.core.policy.PeerPolicy;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Main Mode authenticated with public key encryption (RFC 2409 s5.2, method 4) and its revised
 * mode (s5.3, method 5), between two engines with the RSA keys of the test PKI; and the property
 * that closes the Bleichenbacher oracle: a ciphertext that does not decrypt gets exactly the
 * answers a wrong key pair gets.
 */
class PublicKeyEncryptionScenarioTest {
    static final String A = EngineScenarioTest.A;
    static final String B = EngineScenarioTest.B;

    static PublicKey publicKey(String name) {
        return TestPki.certificates(name + ".crt.pem").get(0).getPublicKey();
    }

    static PeerPolicy policy(String name, String local, String remote, String ourKey, PublicKey peerKey,
            boolean revised, boolean auto, String localNet, String remoteNet) {
        PeerPolicy psk = EngineScenarioTest.policy(name, local, remote, "unused", "aes256-sha256-modp2048",
                "aes128-sha1", null, localNet, remoteNet, auto);
        return new PeerPolicy(psk.name(), psk.local(), psk.remote(),
                new PeerAuth.PublicKeyEncryption(TestPki.key(ourKey), peerKey, revised), psk.ikeProposals(),
                psk.ikeLifetime(), psk.tunnels(), auto, Optional.empty(), Identity.address(psk.local().getAddress()),
                Optional.of(Identity.address(psk.remote().getAddress())), Optional.empty(), false);
    }

    static EngineScenarioTest.Pair pair(boolean revised, PublicKey aThinksB, PublicKey bThinksA) {
        SimulatedNetwork net = new SimulatedNetwork(21, SimulatedNetwork.Faults.NONE);
        SimulatedNetwork.Node a = net.add(new SimulatedNetwork.Node("a", Addresses.parseEndpoint(A, 500),
                List.of(policy("b", A, B, "gw-a", aThinksB, revised, true, "10.1.0.0/16", "10.2.0.0/16")), 22));
        SimulatedNetwork.Node b = net.add(new SimulatedNetwork.Node("b", Addresses.parseEndpoint(B, 500),
                List.of(policy("a", B, A, "gw-b", bThinksA, revised, false, "10.2.0.0/16", "10.1.0.0/16")), 23));
        net.apply(a, a.engine.initiate("b", net.now));
        return new EngineScenarioTest.Pair(net, a, b);
    }

    private static String logs(EngineScenarioTest.Pair p) {
        return "a:\n" + String.join("\n", p.a().log) + "\nb:\n" + String.join("\n", p.b().log);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void bothModesComeUpWithMirroredKeys(boolean revised) {
        EngineScenarioTest.Pair p = pair(revised, publicKey("gw-b"), publicKey("gw-a"));
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)), () -> logs(p));
        EngineScenarioTest.assertMirrored(p, false);
        String how = revised ? "revised public key encryption" : "public key encryption";
        assertTrue(p.b().logged("peer authenticated as '127.0.0.1' (authenticated by " + how + ")"), () -> logs(p));
        // the ID and nonce bodies of MM3/MM4 are ciphertext (and, revised, KE too)
        String mm3 = revised ? "[ No KE ID NAT-D NAT-D ]" : "[ KE ID No NAT-D NAT-D ]";
        assertTrue(p.a().log.stream().anyMatch(l -> l.contains("sending IDENTITY_PROTECTION " + mm3)), () -> logs(p));
        assertTrue(p.a().log.stream().anyMatch(l -> l.contains("(encrypted)") || l.contains("Encrypted body")),
                () -> logs(p));
    }

    /**
     * What the responder sends, as (length of each datagram) and the notify it ends with: for a
     * nonce that did not decrypt (the initiator used another public key) and for one that
     * decrypted but did not match (the responder sealed its own for another key).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aCiphertextThatDoesNotDecryptGetsTheAnswersOfAWrongKeyPair(boolean revised) {
        EngineScenarioTest.Pair invalidCiphertext = pair(revised, publicKey("nosign"), publicKey("gw-a"));
        EngineScenarioTest.Pair wrongKeyPair = pair(revised, publicKey("gw-b"), publicKey("nosign"));
        assertFalse(invalidCiphertext.net().runUntil(invalidCiphertext::bothUp, Duration.ofMinutes(2)));
        assertFalse(wrongKeyPair.net().runUntil(wrongKeyPair::bothUp, Duration.ofMinutes(2)));
        assertEquals(responderSends(wrongKeyPair), responderSends(invalidCiphertext));
        // message 5, encrypted under keys from a nonce the two sides do not share, fails alike
        for (EngineScenarioTest.Pair p : List.of(invalidCiphertext, wrongKeyPair)) {
            assertTrue(p.b().logged("authentication failed: message 5/6 did not decrypt to valid payloads"),
                    () -> logs(p));
            assertTrue(p.b().logged("wrong key pair, or a nonce that did not decrypt?"), () -> logs(p));
        }
    }

    private static List<String> responderSends(EngineScenarioTest.Pair p) {
        return p.b().log.stream().filter(l -> l.contains("sending ")).map(l -> l.replaceAll(".*sending ", "")
                .replaceAll("\n.*", "")).toList();
    }
}
