package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.IkeFragmentation;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.registry.ExchangeType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.wire.FragmentPayload;
import dev.isakmpd.core.wire.IsakmpHeader;
import dev.isakmpd.core.wire.PayloadCodec;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Main Mode with certificate chains between two engines, whose MM5 and MM6 (about 2.5 kB each)
 * exceed the fragment size and go as IKE fragments (payload 132, MS-IKEE s3.3), both ways.
 */
class FragmentationScenarioTest {
    private static final String A = SignatureScenarioTest.A;
    private static final String B = SignatureScenarioTest.B;

    private static PeerPolicy forB(IkeFragmentation f) {
        return SignatureScenarioTest.policy("b", A, B, TestPki.auth("gw-a", true), null, SignatureScenarioTest.DN_B,
                true, "10.1.0.0/16", "10.2.0.0/16").withFragmentation(f);
    }

    private static PeerPolicy forA(IkeFragmentation f) {
        return SignatureScenarioTest.policy("a", B, A, TestPki.auth("gw-b", true), null, SignatureScenarioTest.DN_A,
                false, "10.2.0.0/16", "10.1.0.0/16").withFragmentation(f);
    }

    private static EngineScenarioTest.Pair pair(long seed, SimulatedNetwork.Faults faults, IkeFragmentation fa,
            IkeFragmentation fb) {
        SimulatedNetwork net = new SimulatedNetwork(seed, faults);
        SimulatedNetwork.Node a = net.add(new SimulatedNetwork.Node("a", Addresses.parseEndpoint(A, 500),
                List.of(forB(fa)), 6));
        SimulatedNetwork.Node b = net.add(new SimulatedNetwork.Node("b", Addresses.parseEndpoint(B, 500),
                List.of(forA(fb)), 7));
        net.apply(a, a.engine.initiate("b", net.now));
        return new EngineScenarioTest.Pair(net, a, b);
    }

    private static String logs(EngineScenarioTest.Pair p) {
        return "a:\n" + String.join("\n", p.a().log) + "\nb:\n" + String.join("\n", p.b().log);
    }

    private static boolean isFragment(Datagram d) {
        return d.data().length > IsakmpHeader.LENGTH && (d.data()[16] & 0xff) == PayloadType.FRAGMENT.value();
    }

    private static long fragmentsTo(EngineScenarioTest.Pair p, SimulatedNetwork.Node n) {
        return p.net().delivered.stream().filter(d -> d.local().equals(n.address)).filter(
                FragmentationScenarioTest::isFragment).count();
    }

    @Test
    void certificateMessagesGoInFragmentsOfTheDefaultSizeBothWays() {
        EngineScenarioTest.Pair p = pair(5, SimulatedNetwork.Faults.NONE, IkeFragmentation.DEFAULT,
                IkeFragmentation.DEFAULT);
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)), () -> logs(p));
        assertTrue(fragmentsTo(p, p.b()) >= 3 && fragmentsTo(p, p.a()) >= 3, () -> logs(p));
        for (Datagram d : p.net().delivered) {
            assertTrue(d.data().length <= IkeFragmentation.DEFAULT_IPV4, d + " exceeds the fragment size");
        }
        assertTrue(p.a().logged("-octet message as 5 IKE fragments (ID 1, at most 548 octets each)"), () -> logs(p));
        assertTrue(p.b().logged("-octet message as 5 IKE fragments (ID 1, at most 548 octets each)"), () -> logs(p));
        assertTrue(p.b().logged("peer authenticated as '" + SignatureScenarioTest.DN_A + "'"), () -> logs(p));
        EngineScenarioTest.assertMirrored(p, false);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void fragmentsSurviveLossDuplicationAndReordering(long seed) {
        IkeFragmentation small = new IkeFragmentation(true, OptionalInt.of(300));
        EngineScenarioTest.Pair p = pair(seed, new SimulatedNetwork.Faults(0.1, 0.1, Duration.ofMillis(300)), small,
                small);
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(5)), () -> logs(p));
        assertTrue(fragmentsTo(p, p.b()) >= 10 && fragmentsTo(p, p.a()) >= 10, () -> logs(p));
        // whatever was left incomplete (a duplicate after completion, a lost retransmission) goes in time
        p.net().runUntil(() -> false, Duration.ofMinutes(2));
        for (SimulatedNetwork.Node n : List.of(p.a(), p.b())) {
            assertEquals(0, n.engine.tableSizes().get("fragment octets"), () -> logs(p));
            assertEquals(0, n.engine.tableSizes().get("fragmenting SAs"), () -> logs(p));
        }
    }

    @Test
    void aPeerThatDoesNotOfferFragmentationGetsWholeMessages() {
        EngineScenarioTest.Pair p = pair(5, SimulatedNetwork.Faults.NONE, IkeFragmentation.DEFAULT,
                new IkeFragmentation(false, OptionalInt.empty()));
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)), () -> logs(p));
        assertEquals(0, p.net().delivered.stream().filter(FragmentationScenarioTest::isFragment).count());
        assertTrue(p.net().delivered.stream().anyMatch(d -> d.data().length > IkeFragmentation.DEFAULT_IPV4));
    }

    private static byte[] fragment(int id, byte[] ckyI, byte[] ckyR, int flags, int number, boolean last,
            byte[] data) {
        byte[] body = PayloadCodec.encode(List.of(new FragmentPayload(id, number, last, data)));
        IsakmpHeader h = new IsakmpHeader(ckyI, ckyR, PayloadType.FRAGMENT, 1, 0, ExchangeType.INFORMATIONAL, flags,
                0, IsakmpHeader.LENGTH + body.length);
        return Packet.concat(h.encode(), body);
    }

    @Test
    void badFragmentsAreDroppedWithALogLineAndLeaveNothingBehind() {
        EngineScenarioTest.Pair p = pair(5, SimulatedNetwork.Faults.NONE, IkeFragmentation.DEFAULT,
                IkeFragmentation.DEFAULT);
        assertTrue(p.net().runUntil(p::bothUp, Duration.ofMinutes(1)), () -> logs(p));
        IsakmpSaInfo sa = p.b().engine.isakmpSas().get(0);
        byte[] ckyI = HexFormat.of().parseHex(sa.initiatorCookie());
        byte[] ckyR = HexFormat.of().parseHex(sa.responderCookie());
        InetSocketAddress a = p.a().address;
        InetSocketAddress b = p.b().address;
        InetSocketAddress stranger = Addresses.parseEndpoint("203.0.113.5", 500);
        p.b().log.clear();
        List<byte[]> bad = List.of(
                fragment(71, new byte[8], ckyR, 0, 1, true, new byte[] {1}),
                fragment(72, ckyI, ckyR, IsakmpHeader.FLAG_ENCRYPTION, 1, true, new byte[] {1}),
                // a whole "message" of one fragment that is itself a fragment
                fragment(73, ckyI, ckyR, 0, 1, true, fragment(1, ckyI, ckyR, 0, 1, true, new byte[] {1})),
                // a whole "message" of other cookies
                fragment(74, ckyI, ckyR, 0, 1, true, fragment(1, new byte[8], ckyR, 0, 1, true, new byte[] {1})),
                fragment(75, ckyI, ckyR, 0, 200, true, new byte[] {1}),
                fragment(76, ckyI, ckyR, 0, 2, false, new byte[] {1}));
        for (byte[] d : bad) {
            p.net().inject(new Datagram(b, a, d), p.net().now.plusMillis(1));
        }
        p.net().inject(new Datagram(b, stranger, bad.get(5)), p.net().now.plusMillis(1));
        p.net().runUntil(() -> false, Duration.ofSeconds(1));
        assertTrue(p.b().logged("dropped IKE fragment FRAG[id=71 #1 last 1 bytes] for unknown cookies"), () -> logs(p));
        assertTrue(p.b().logged("dropped IKE fragment: the encryption flag is set"), () -> logs(p));
        assertTrue(p.b().logged("dropped a reassembled message: it is a fragment itself"), () -> logs(p));
        assertTrue(p.b().logged("dropped a reassembled message: it does not start with its fragments' cookies"),
                () -> logs(p));
        assertTrue(p.b().logged("fragment numbers above 64 are not accepted"), () -> logs(p));
        assertTrue(p.b().logged("from 203.0.113.5:500: dropped IKE fragment for the ISAKMP SA of peer a: wrong "
                + "source address"), () -> logs(p));
        // complete messages stay a while to answer retransmissions; at most two per ISAKMP SA
        assertEquals(2, p.b().engine.tableSizes().get("fragmented messages"), "#2 waits for the rest, 74 is kept");
        p.net().runUntil(() -> false, Duration.ofSeconds(61));
        assertTrue(p.b().logged("dropped (1 held): not complete within 60s (no LAST_FRAGMENT seen)"), () -> logs(p));
        assertEquals(0, p.b().engine.tableSizes().get("fragment octets"));
        assertFalse(p.b().log.stream().anyMatch(l -> l.startsWith("ERROR")), () -> logs(p));
        assertTrue(p.bothUp(), "the SAs are untouched");
    }
}
