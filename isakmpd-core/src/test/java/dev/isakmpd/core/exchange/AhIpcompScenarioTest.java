package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.A;
import static dev.isakmpd.core.exchange.EngineScenarioTest.B;
import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static dev.isakmpd.core.exchange.EngineScenarioTest.sa;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.EspIntegrity;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.core.registry.ProtocolId;
import dev.isakmpd.core.sa.BundledSa;
import dev.isakmpd.core.sa.IpsecSa;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * AH alone, an AH+ESP bundle with IPComp, and a refused AH offer, through the engines of two
 * peers, either side initiating: both install the same SAs (SPIs, CPIs and keys crossed), and the
 * refusal says what was offered and what is accepted.
 */
class AhIpcompScenarioTest {

    static PeerPolicy with(PeerPolicy p, boolean esp, List<EspIntegrity> ah, boolean compress) {
        return p.withTunnels(p.tunnels().stream().map(t -> new TunnelPolicy(t.name(), t.local(), t.remote(),
                esp ? t.proposals() : List.of(), t.pfsGroup(), t.lifetime(), t.mode(), 0, ah, compress)).toList());
    }

    static EngineScenarioTest.Pair pair(long seed, boolean aInitiates, boolean esp, List<EspIntegrity> ahA,
            List<EspIntegrity> ahB, boolean compress) {
        return EngineScenarioTest.start(seed,
                with(policy("b", A, B, "k", "aes128-sha256-modp2048", "aes128-sha1", "modp2048", "10.1.0.0/16",
                        "10.2.0.0/16", aInitiates), esp, ahA, compress),
                with(policy("a", B, A, "k", "aes128-sha256-modp2048", "aes128-sha1", "modp2048", "10.2.0.0/16",
                        "10.1.0.0/16", !aInitiates), esp, ahB, compress),
                aInitiates);
    }

    /** One side's outbound SA and the other's inbound: the same SPI and keys. */
    static void crossed(IpsecSa out, IpsecSa in) {
        assertEquals(out.protocol(), in.protocol());
        assertEquals(out.spi(), in.spi());
        assertArrayEquals(out.authenticationKey().bytes(), in.authenticationKey().bytes());
        assertArrayEquals(out.encryptionKey().bytes(), in.encryptionKey().bytes());
        assertEquals(out.bundle().size(), in.bundle().size());
        for (int i = 0; i < out.bundle().size(); i++) {
            BundledSa o = out.bundle().get(i);
            BundledSa n = in.bundle().get(i);
            assertEquals(o.protocol(), n.protocol());
            assertEquals(o.spi(), n.spi());
            assertArrayEquals(o.key().bytes(), n.key().bytes());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void ahAloneIsNegotiatedAndInstalledOnBothSides(boolean aInitiates) {
        EngineScenarioTest.Pair p = pair(41, aInitiates, false, List.of(EspIntegrity.HMAC_SHA2_256),
                List.of(EspIntegrity.HMAC_SHA1, EspIntegrity.HMAC_SHA2_256), false);
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)), () -> String.join("\n", p.b().log));
        IpsecSa out = sa(p.a(), IpsecSa.Direction.OUT);
        assertEquals(ProtocolId.IPSEC_AH, out.protocol());
        assertEquals(EspIntegrity.HMAC_SHA2_256, out.integrity());
        assertEquals(32, out.authenticationKey().length());
        assertEquals(0, out.encryptionKey().length());
        assertTrue(out.bundle().isEmpty());
        crossed(out, sa(p.b(), IpsecSa.Direction.IN));
        crossed(sa(p.b(), IpsecSa.Direction.OUT), sa(p.a(), IpsecSa.Direction.IN));
        assertTrue(p.a().logged("IPsec SAs established for tunnel net: ah-sha256 PFS"), () -> String.join("\n",
                p.a().log));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void anAhEspBundleWithIpcompIsNegotiatedAndInstalledOnBothSides(boolean aInitiates) {
        EngineScenarioTest.Pair p = pair(42, aInitiates, true, List.of(EspIntegrity.HMAC_SHA2_256),
                List.of(EspIntegrity.HMAC_SHA2_256), true);
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)), () -> String.join("\n", p.b().log));
        IpsecSa out = sa(p.a(), IpsecSa.Direction.OUT);
        assertEquals(ProtocolId.IPSEC_ESP, out.protocol());
        assertEquals("ah-sha256+aes128-sha1+deflate", out.algorithms());
        BundledSa ah = out.ah().orElseThrow();
        assertEquals(32, ah.key().length());
        assertTrue(out.ipcomp().orElseThrow().spi() >= 0x100 && out.ipcomp().orElseThrow().spi() <= 0xefff);
        crossed(out, sa(p.b(), IpsecSa.Direction.IN));
        crossed(sa(p.b(), IpsecSa.Direction.OUT), sa(p.a(), IpsecSa.Direction.IN));
        assertTrue(p.b().logged("ah-sha256+aes128-sha1+deflate"), () -> String.join("\n", p.b().log));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void anAhOfferToAnEspTunnelIsRefusedSayingWhatEachSideHas(boolean aInitiates) {
        // A has AH alone; B's tunnel is ESP only
        EngineScenarioTest.Pair p = EngineScenarioTest.start(43,
                with(policy("b", A, B, "k", "aes128-sha256-modp2048", "aes128-sha1", null, "10.1.0.0/16",
                        "10.2.0.0/16", aInitiates), false, List.of(EspIntegrity.HMAC_SHA2_256), false),
                policy("a", B, A, "k", "aes128-sha256-modp2048", "aes128-sha1", null, "10.2.0.0/16", "10.1.0.0/16",
                        !aInitiates), aInitiates);
        SimulatedNetwork.Node responder = aInitiates ? p.b() : p.a();
        SimulatedNetwork.Node initiator = aInitiates ? p.a() : p.b();
        p.net().runUntil(() -> initiator.logged("NO-PROPOSAL-CHOSEN"), Duration.ofMinutes(1));
        String expected = aInitiates
                ? "proposal 1: PROTO_IPSEC_AH [AH_SHA2-256] offered; tunnel net accepts [aes128-sha1]; ours: "
                        + "[aes128-sha1]"
                : "proposal 1: PROTO_IPSEC_ESP [ESP_AES] offered; tunnel net accepts ah [sha256]; ours: ah [sha256]";
        assertTrue(responder.logged(expected), () -> String.join("\n", responder.log));
        assertTrue(p.a().kernel.list().isEmpty() && p.b().kernel.list().isEmpty());
    }
}
