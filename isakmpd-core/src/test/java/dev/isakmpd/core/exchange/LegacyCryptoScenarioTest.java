package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.A;
import static dev.isakmpd.core.exchange.EngineScenarioTest.B;
import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.exchange.EngineScenarioTest.Pair;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.sa.IpsecSa;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * DES and the EC2N groups (RFC 2409 s6.3/6.4) are negotiated only when the engine's crypto allows
 * legacy algorithms. A policy naming them is not enough, so a peer can never talk an engine whose
 * crypto refuses them into using them.
 */
class LegacyCryptoScenarioTest {
    private static final String IKE = "des-md5-ec2n155";
    private static final String PFS = "ec2n185";

    private static Pair pair(long seed, boolean legacyA, String ikeB, String pfsB, boolean legacyB) {
        SimulatedNetwork net = new SimulatedNetwork(seed, SimulatedNetwork.Faults.NONE);
        SimulatedNetwork.Node a = net.add(new SimulatedNetwork.Node("a", Addresses.parseEndpoint(A, 500),
                List.of(policy("b", A, B, "k", IKE, "aes128-sha1", PFS, "10.1.0.0/16", "10.2.0.0/16", true)),
                seed + 1, legacyA));
        SimulatedNetwork.Node b = net.add(new SimulatedNetwork.Node("b", Addresses.parseEndpoint(B, 500),
                List.of(policy("a", B, A, "k", ikeB, "aes128-sha1", pfsB, "10.2.0.0/16", "10.1.0.0/16", false)),
                seed + 2, legacyB));
        net.apply(a, a.engine.initiate("b", net.now));
        return new Pair(net, a, b);
    }

    @Test
    void bothAllowingLegacyNegotiateDesWithEc2nGroups() {
        Pair p = pair(31, true, IKE, PFS, true);
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)), () -> String.join("\n", p.b().log));
        assertEquals("des-md5-ec2n155", p.b().engine.isakmpSas().get(0).proposal());
        IpsecSa aOut = EngineScenarioTest.sa(p.a(), IpsecSa.Direction.OUT);
        IpsecSa bIn = EngineScenarioTest.sa(p.b(), IpsecSa.Direction.IN);
        assertTrue(aOut.pfs());
        assertArrayEquals(aOut.encryptionKey().bytes(), bIn.encryptionKey().bytes());
    }

    @Test
    void responderWhoseCryptoRefusesLegacyDoesNotEvenRecogniseDes() {
        Pair p = pair(32, true, "aes128-sha1-modp2048", null, false);
        p.net().runUntil(() -> false, Duration.ofMinutes(3));
        assertTrue(p.b().logged("unsupported encryption 1"), () -> String.join("\n", p.b().log));
        assertTrue(p.a().logged("NO-PROPOSAL-CHOSEN"), () -> String.join("\n", p.a().log));
        assertTrue(p.a().engine.isakmpSas().isEmpty());
    }

    @Test
    void anEngineRefusesAPolicyItsCryptoCannotServe() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pair(33, false, IKE, PFS, true));
        assertTrue(e.getMessage().contains("peer b names a legacy algorithm"), e.getMessage());
    }
}
