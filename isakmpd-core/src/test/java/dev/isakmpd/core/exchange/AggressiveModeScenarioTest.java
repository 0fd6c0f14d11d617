package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.ProposalNames;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Aggressive Mode (RFC 2409 s5) between two engines: PSK and signatures, loss, refusals. */
class AggressiveModeScenarioTest {
    static final String A = EngineScenarioTest.A;
    static final String B = EngineScenarioTest.B;

    static PeerPolicy aggressive(PeerPolicy p, boolean on) {
        return new PeerPolicy(p.name(), p.local(), p.remote(), p.auth(), p.ikeProposals(), p.ikeLifetime(),
                p.tunnels(), p.autoStart(), p.dpd(), p.localId(), p.remoteId(), p.remoteRange(), on);
    }

    static PeerPolicy withIke(PeerPolicy p, String ike) {
        return new PeerPolicy(p.name(), p.local(), p.remote(), p.auth(), List.of(ProposalNames.parseIke(ike, true)),
                p.ikeLifetime(), p.tunnels(), p.autoStart(), p.dpd(), p.localId(), p.remoteId(), p.remoteRange(),
                p.aggressive());
    }

    static EngineScenarioTest.Pair pair(long seed, SimulatedNetwork.Faults faults, PeerPolicy forB, PeerPolicy forA) {
        SimulatedNetwork net = new SimulatedNetwork(seed, faults);
        SimulatedNetwork.Node a = net.add(new SimulatedNetwork.Node("a", Addresses.parseEndpoint(A, 500),
                List.of(forB), seed + 1));
        SimulatedNetwork.Node b = net.add(new SimulatedNetwork.Node("b", Addresses.parseEndpoint(B, 500),
                List.of(forA), seed + 2));
        net.apply(a, a.engine.initiate(forB.name(), net.now));
        return new EngineScenarioTest.Pair(net, a, b);
    }

    static PeerPolicy psk(String name, String local, String remote, boolean auto, String localNet, String remoteNet) {
        return EngineScenarioTest.policy(name, local, remote, "aggressive secret", "aes256-sha256-modp2048",
                "aes128-sha1", null, localNet, remoteNet, auto);
    }

    static EngineScenarioTest.Pair pskPair(long seed, SimulatedNetwork.Faults faults, boolean responderAllows) {
        return pair(seed, faults, aggressive(psk("b", A, B, true, "10.1.0.0/16", "10.2.0.0/16"), true),
                aggressive(psk("a", B, A, false, "10.2.0.0/16", "10.1.0.0/16"), responderAllows));
    }

    private static String logs(EngineScenarioTest.Pair p) {
        return "a:\n" + String.join("\n", p.a().log) + "\nb:\n" + String.join("\n", p.b().log);
    }

    @Test
    void preSharedKeyInThreeMessages() {
        EngineScenarioTest.Pair p = pskPair(31, SimulatedNetwork.Faults.NONE, true);
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)), () -> logs(p));
        EngineScenarioTest.assertMirrored(p, false);
        assertEquals(4, p.a().sent, "AM1, AM3, QM1, QM3");
        assertEquals(2, p.b().sent, "AM2, QM2");
        assertTrue(p.a().log.stream().anyMatch(l -> l.contains("sending AGGRESSIVE [ SA KE No ID V V V V V V ]")), () -> logs(p));
        assertTrue(p.b().log.stream().anyMatch(l -> l.contains("sending AGGRESSIVE [ SA KE No ID HASH V V V NAT-D NAT-D ]")),
                () -> logs(p));
    }

    /** HASH_I/HASH_R as scripts/phase1-check.py computes them from AM1 and AM2 on the wire. */
    @Test
    void preSharedKeyHashesAreThoseAnIndependentImplementationComputes() throws Exception {
        EngineScenarioTest.Pair p = pskPair(35, SimulatedNetwork.Faults.NONE, true);
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)), () -> logs(p));
        Map<String, String> v = IndependentPhase1Check.assertSameHashes(p, "--psk", "aggressive secret", "--hash",
                "SHA2_256");
        assertEquals("010000007f000001", v.get("idii_b"), "IDii read from AM1");
    }

    @ParameterizedTest
    @ValueSource(longs = {41, 42, 43, 44})
    void preSharedKeyUnderLossDuplicationAndReordering(long seed) {
        EngineScenarioTest.Pair p = pskPair(seed, new SimulatedNetwork.Faults(0.25, 0.3, Duration.ofMillis(3000)),
                true);
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(5)), () -> logs(p));
        EngineScenarioTest.assertMirrored(p, false);
    }

    @Test
    void signaturesWithCertificates() {
        EngineScenarioTest.Pair p = pair(32, SimulatedNetwork.Faults.NONE,
                aggressive(SignatureScenarioTest.policy("b", A, B, TestPki.auth("gw-a", true), null,
                        SignatureScenarioTest.DN_B, true, "10.1.0.0/16", "10.2.0.0/16"), true),
                aggressive(SignatureScenarioTest.policy("a", B, A, TestPki.auth("gw-b", true), null,
                        SignatureScenarioTest.DN_A, false, "10.2.0.0/16", "10.1.0.0/16"), true));
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)), () -> logs(p));
        EngineScenarioTest.assertMirrored(p, false);
        assertTrue(p.b().log.stream().anyMatch(l -> l.contains("peer authenticated as '" + SignatureScenarioTest.DN_A
                + "' (RSA signatures")), () -> logs(p));
    }

    @Test
    void responderThatAllowsMainModeOnlyRefusesWithAReason() {
        EngineScenarioTest.Pair p = pskPair(33, SimulatedNetwork.Faults.NONE, false);
        assertFalse(p.net().runUntil(p::bothUp, Duration.ofMinutes(2)));
        assertEquals(0, p.b().sent, "no answer: an AM2 would hand out a crackable HASH_R");
        assertTrue(p.b().log.stream().anyMatch(l -> l.contains("Aggressive Mode request refused: peer a allows Main "
                + "Mode only")), () -> logs(p));
    }

    @Test
    void groupTheResponderDoesNotAcceptIsNoProposalChosenOnBothSides() {
        EngineScenarioTest.Pair p = pair(34, SimulatedNetwork.Faults.NONE,
                aggressive(psk("b", A, B, true, "10.1.0.0/16", "10.2.0.0/16"), true),
                aggressive(withIke(psk("a", B, A, false, "10.2.0.0/16", "10.1.0.0/16"), "aes256-sha256-ecp256"),
                        true));
        assertFalse(p.net().runUntil(p::bothUp, Duration.ofMinutes(2)));
        assertTrue(p.b().log.stream().anyMatch(l -> l.contains("Aggressive Mode: no acceptable proposal")
                && l.contains("group 14 matches none of our proposals")), () -> logs(p));
        assertTrue(p.a().log.stream().anyMatch(l -> l.contains("peer rejected the exchange with NO-PROPOSAL-CHOSEN")),
                () -> logs(p));
    }
}
