package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.A;
import static dev.isakmpd.core.exchange.EngineScenarioTest.B;
import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static dev.isakmpd.core.exchange.EngineScenarioTest.sa;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.ProposalNames;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.core.sa.IpsecSa;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Every ESP transform between two engines, each engine taking each role once: the negotiated
 * algorithms, and KEYMAT of the right length (RFC 2409 s5.5; the key plus the 4-byte salt of
 * GCM, RFC 4106 s8.1, or nonce of CTR, RFC 3686 s5.1) mirrored between the two kernels.
 */
class Phase2TransformsScenarioTest {

    static PeerPolicy withEsp(PeerPolicy p, String... esp) {
        List<TunnelPolicy> tunnels = p.tunnels().stream().map(t -> new TunnelPolicy(t.name(), t.local(), t.remote(),
                java.util.Arrays.stream(esp).map(e -> ProposalNames.parseEsp(e, false, true).proposal()).toList(),
                t.pfsGroup(), t.lifetime())).toList();
        return p.withTunnels(tunnels);
    }

    /** Node a and b with these ESP proposals; {@code aInitiates} picks who starts. */
    static EngineScenarioTest.Pair pair(long seed, boolean aInitiates, List<String> espA, List<String> espB) {
        return EngineScenarioTest.start(seed,
                withEsp(policy("b", A, B, "k", "aes128-sha256-modp2048", "aes128-sha1", "modp2048", "10.1.0.0/16",
                        "10.2.0.0/16", aInitiates), espA.toArray(String[]::new)),
                withEsp(policy("a", B, A, "k", "aes128-sha256-modp2048", "aes128-sha1", "modp2048", "10.2.0.0/16",
                        "10.1.0.0/16", !aInitiates), espB.toArray(String[]::new)), aInitiates);
    }

    @ParameterizedTest(name = "{0} (a initiates: {1})")
    @CsvSource({
        "aes128gcm16, true, 20, 0", "aes128gcm16, false, 20, 0",
        "aes256gcm12, true, 36, 0", "aes192gcm8, false, 28, 0",
        "aes128ctr-sha256, true, 20, 32", "aes256ctr-sha1, false, 36, 20",
        "aes128-aesxcbc, true, 16, 16", "null-sha256, false, 0, 32"})
    void negotiatesAndInstallsMirroredKeys(String esp, boolean aInitiates, int encLen, int authLen) {
        EngineScenarioTest.Pair p = pair(100 + esp.length(), aInitiates, List.of("aes128-sha1", esp), List.of(esp));
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)), () -> String.join("\n", p.a().log));
        IpsecSa aOut = sa(p.a(), IpsecSa.Direction.OUT);
        IpsecSa bIn = sa(p.b(), IpsecSa.Direction.IN);
        IpsecSa bOut = sa(p.b(), IpsecSa.Direction.OUT);
        IpsecSa aIn = sa(p.a(), IpsecSa.Direction.IN);
        for (IpsecSa s : List.of(aOut, aIn, bOut, bIn)) {
            assertEquals(esp, s.algorithms());
            assertEquals(encLen, s.encryptionKey().length(), "key with its salt or nonce");
            assertEquals(authLen, s.authenticationKey().length());
        }
        assertArrayEquals(aOut.encryptionKey().bytes(), bIn.encryptionKey().bytes());
        assertArrayEquals(bOut.encryptionKey().bytes(), aIn.encryptionKey().bytes());
        assertArrayEquals(aOut.authenticationKey().bytes(), bIn.authenticationKey().bytes());
        if (encLen > 0) {
            assertFalse(java.util.Arrays.equals(aOut.encryptionKey().bytes(), aIn.encryptionKey().bytes()));
        }
    }

    @Test
    void gcmAgainstCbcOnlyIsNoProposalChosenAndTheLogSaysBoth() {
        EngineScenarioTest.Pair p = pair(7, true, List.of("aes128gcm16"), List.of("aes128-sha1"));
        p.net().runUntil(() -> p.a().logged("NO-PROPOSAL-CHOSEN"), Duration.ofMinutes(1));
        assertTrue(p.b().logged("transform 1: aes128gcm16 matches none of our ESP proposals; ours: [aes128-sha1]"),
                () -> String.join("\n", p.b().log));
        assertTrue(p.a().logged("peer notifies NO-PROPOSAL-CHOSEN"), () -> String.join("\n", p.a().log));
        assertTrue(p.a().kernel.list().isEmpty() && p.b().kernel.list().isEmpty());
    }

    @Test
    void theIcvLengthIsPartOfTheTransform() {
        EngineScenarioTest.Pair p = pair(8, false, List.of("aes128gcm16"), List.of("aes128gcm12", "aes128gcm8"));
        p.net().runUntil(() -> p.b().logged("NO-PROPOSAL-CHOSEN"), Duration.ofMinutes(1));
        assertTrue(p.a().logged("aes128gcm12 matches none of our ESP proposals"), () -> String.join("\n", p.a().log));
        assertTrue(p.a().logged("aes128gcm8 matches none"), () -> String.join("\n", p.a().log));
    }
}
