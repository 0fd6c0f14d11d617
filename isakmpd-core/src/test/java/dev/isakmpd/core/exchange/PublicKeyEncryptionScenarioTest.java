package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.Identity;
import dev.isakmpd.core.policy.PeerAuth;
import dev.isakmpd.core.policy.PeerPolicy;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Main Mode and Aggressive Mode authenticated with public key encryption (RFC 2409 s5.2, method
 * 4) and its revised mode (s5.3, method 5), between two engines with the RSA keys of the test
 * PKI, checked against an independent computation (scripts/phase1-check.py: openssl and the Python
 * standard library); and the property that closes the Bleichenbacher oracle: a ciphertext that
 * does not decrypt gets exactly the answers a wrong key pair gets.
 */
class PublicKeyEncryptionScenarioTest {
    static final String A = EngineScenarioTest.A;
    static final String B = EngineScenarioTest.B;

    static PublicKey publicKey(String name) {
        return TestPki.certificates(name + ".crt.pem").get(0).getPublicKey();
    }

    static PeerPolicy policy(String name, String local, String remote, String ourKey, PublicKey peerKey,
            boolean revised, boolean aggressive, boolean auto, String localNet, String remoteNet) {
        PeerPolicy psk = EngineScenarioTest.policy(name, local, remote, "unused", "aes256-sha256-modp2048",
                "aes128-sha1", null, localNet, remoteNet, auto);
        return new PeerPolicy(psk.name(), psk.local(), psk.remote(),
                new PeerAuth.PublicKeyEncryption(TestPki.key(ourKey), peerKey, revised), psk.ikeProposals(),
                psk.ikeLifetime(), psk.tunnels(), auto, Optional.empty(), Identity.address(psk.local().getAddress()),
                Optional.of(Identity.address(psk.remote().getAddress())), Optional.empty(), aggressive);
    }

    static EngineScenarioTest.Pair pair(boolean revised, boolean aggressive, PublicKey aThinksB, PublicKey bThinksA) {
        SimulatedNetwork net = new SimulatedNetwork(21, SimulatedNetwork.Faults.NONE);
        SimulatedNetwork.Node a = net.add(new SimulatedNetwork.Node("a", Addresses.parseEndpoint(A, 500),
                List.of(policy("b", A, B, "gw-a", aThinksB, revised, aggressive, true, "10.1.0.0/16", "10.2.0.0/16")), 22));
        SimulatedNetwork.Node b = net.add(new SimulatedNetwork.Node("b", Addresses.parseEndpoint(B, 500),
                List.of(policy("a", B, A, "gw-b", bThinksA, revised, aggressive, false, "10.2.0.0/16", "10.1.0.0/16")), 23));
        net.apply(a, a.engine.initiate("b", net.now));
        return new EngineScenarioTest.Pair(net, a, b);
    }

    private static String logs(EngineScenarioTest.Pair p) {
        return "a:\n" + String.join("\n", p.a().log) + "\nb:\n" + String.join("\n", p.b().log);
    }

    @ParameterizedTest
    @CsvSource({"false, false", "true, false", "false, true", "true, true"})
    void bothMethodsComeUpWithMirroredKeys(boolean revised, boolean aggressive) {
        EngineScenarioTest.Pair p = pair(revised, aggressive, publicKey("gw-b"), publicKey("gw-a"));
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)), () -> logs(p));
        EngineScenarioTest.assertMirrored(p, false);
        String how = revised ? "revised public key encryption" : "public key encryption";
        assertTrue(p.b().logged("peer authenticated as '127.0.0.1' (authenticated by " + how + ")"), () -> logs(p));
        assertTrue(p.a().logged("peer authenticated as '127.0.0.2' (authenticated by " + how + ")"), () -> logs(p));
        // the ID and nonce bodies go sealed with KE (and, revised, KE too); the proof is a HASH alone
        // (vendor IDs and NAT-D follow)
        String sealed = revised ? "No KE ID" : "KE ID No";
        String[] sent = aggressive
                ? new String[] {"sending AGGRESSIVE [ SA " + sealed + " V", "sending AGGRESSIVE [ SA " + sealed
                        + " HASH V", "sending AGGRESSIVE [ HASH"}
                : new String[] {"sending IDENTITY_PROTECTION [ " + sealed + " NAT-D NAT-D ]",
                        "sending IDENTITY_PROTECTION [ HASH"};
        for (String s : sent) {
            assertTrue(p.a().logged(s) || p.b().logged(s), () -> s + "\n" + logs(p));
        }
        assertTrue(p.a().log.stream().anyMatch(l -> l.contains("(encrypted)") || l.contains("Encrypted body")),
                () -> logs(p));
    }

    /**
     * HASH_I and HASH_R as an independent implementation computes them from the messages on the
     * wire and the two private keys: it opens the sealed nonces and IDs (and, revised, KE) with
     * openssl, and must arrive at the HASHes each engine accepted from the other.
     */
    @ParameterizedTest
    @CsvSource({"false, false", "true, false", "false, true", "true, true"})
    void anIndependentImplementationOpensThePayloadsAndComputesTheSameHashes(boolean revised, boolean aggressive)
            throws Exception {
        EngineScenarioTest.Pair p = pair(revised, aggressive, publicKey("gw-b"), publicKey("gw-a"));
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)), () -> logs(p));
        Path pki = Path.of("src/test/resources/pki");
        List<String> args = new ArrayList<>(List.of("--initiator-key", pki.resolve("gw-a.key.pem").toString(),
                "--responder-key", pki.resolve("gw-b.key.pem").toString(), "--hash", "SHA2_256", "--cipher",
                "aes-256-cbc"));
        if (revised) {
            args.add("--revised");
        }
        Map<String, String> independent = IndependentPhase1Check.assertSameHashes(p, args.toArray(String[]::new));
        assertEquals("010000007f000001", independent.get("idii_b"), "IDii opened from its ciphertext");
    }

    /**
     * What the responder sends, as (length of each datagram) and the notify it ends with: for a
     * nonce that did not decrypt (the initiator used another public key) and for one that
     * decrypted but did not match (the responder sealed its own for another key). In Aggressive
     * Mode the initiator, not the responder, is the first to find the HASH wrong.
     */
    @ParameterizedTest
    @CsvSource({"false, false", "true, false", "false, true", "true, true"})
    void aCiphertextThatDoesNotDecryptGetsTheAnswersOfAWrongKeyPair(boolean revised, boolean aggressive) {
        EngineScenarioTest.Pair invalidCiphertext = pair(revised, aggressive, publicKey("nosign"), publicKey("gw-a"));
        EngineScenarioTest.Pair wrongKeyPair = pair(revised, aggressive, publicKey("gw-b"), publicKey("nosign"));
        assertFalse(invalidCiphertext.net().runUntil(invalidCiphertext::bothUp, Duration.ofMinutes(2)));
        assertFalse(wrongKeyPair.net().runUntil(wrongKeyPair::bothUp, Duration.ofMinutes(2)));
        assertEquals(responderSends(wrongKeyPair), responderSends(invalidCiphertext));
        assertEquals(datagramLengths(wrongKeyPair, B), datagramLengths(invalidCiphertext, B));
        for (EngineScenarioTest.Pair p : List.of(invalidCiphertext, wrongKeyPair)) {
            if (aggressive) {
                // AM2's HASH_R is over a nonce the two sides do not share
                assertTrue(p.a().logged("authentication failed: HASH_R does not verify"), () -> logs(p));
            } else {
                // message 5, encrypted under keys from a nonce the two sides do not share, fails alike
                assertTrue(p.b().logged("authentication failed: message 5/6 did not decrypt to valid payloads"),
                        () -> logs(p));
                assertTrue(p.b().logged("wrong key pair, or a nonce that did not decrypt?"), () -> logs(p));
            }
        }
    }

    private static List<String> responderSends(EngineScenarioTest.Pair p) {
        return p.b().log.stream().filter(l -> l.contains("sending ")).map(l -> l.replaceAll(".*sending ", "")
                .replaceAll("\n.*", "")).toList();
    }

    /** The lengths of the datagrams that arrived from {@code from}. */
    private static List<Integer> datagramLengths(EngineScenarioTest.Pair p, String from) {
        return p.net().delivered.stream().filter(d -> Addresses.format(d.remote().getAddress()).equals(from))
                .map(d -> d.data().length).toList();
    }
}
