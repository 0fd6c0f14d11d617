package dev.isakmpd.core.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.oakley.SecretBytes;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Main Mode + Quick Mode between two engines over a simulated network, with and without faults. */
class EngineScenarioTest {
    static final String A = "127.0.0.1";
    static final String B = "127.0.0.2";

    /** Legacy names are accepted here: whether they may be negotiated is the engine crypto's call. */
    static PeerPolicy policy(String name, String local, String remote, String psk, String ike, String esp,
            String pfs, String localNet, String remoteNet, boolean auto) {
        TunnelPolicy t = new TunnelPolicy("net", Subnet.parse(localNet), Subnet.parse(remoteNet),
                List.of(ProposalNames.parseEsp(esp, true).proposal()),
                pfs == null ? Optional.empty() : Optional.of(ProposalNames.group(pfs, pfs, true)), Duration.ofHours(1));
        InetSocketAddress us = Addresses.parseEndpoint(local, 500);
        return new PeerPolicy(name, us, Addresses.parseEndpoint(remote, 500),
                new PeerAuth.PreSharedKey(SecretBytes.copyOf(psk.getBytes(StandardCharsets.UTF_8))),
                List.of(ProposalNames.parseIke(ike, true)), Duration.ofHours(8), List.of(t), auto, Optional.empty(),
                Identity.address(us.getAddress()), Optional.empty(), Optional.empty(), false);
    }

    record Pair(SimulatedNetwork net, SimulatedNetwork.Node a, SimulatedNetwork.Node b) {
        boolean bothUp() {
            return a.kernel.list().size() == 2 && b.kernel.list().size() == 2;
        }
    }

    static Pair pair(long seed, SimulatedNetwork.Faults faults, String pskA, String pskB, String ikeA, String ikeB,
            String pfsA, String pfsB) {
        SimulatedNetwork net = new SimulatedNetwork(seed, faults);
        SimulatedNetwork.Node a = net.add(new SimulatedNetwork.Node("a", Addresses.parseEndpoint(A, 500),
                List.of(policy("b", A, B, pskA, ikeA, "aes128-sha1", pfsA, "10.1.0.0/16", "10.2.0.0/16", true)),
                seed + 1));
        SimulatedNetwork.Node b = net.add(new SimulatedNetwork.Node("b", Addresses.parseEndpoint(B, 500),
                List.of(policy("a", B, A, pskB, ikeB, "aes128-sha1", pfsB, "10.2.0.0/16", "10.1.0.0/16", false)),
                seed + 2));
        net.apply(a, a.engine.initiate("b", net.now));
        return new Pair(net, a, b);
    }

    /** Node a at {@link #A} and b at {@link #B} with these peer policies, over a clean network; one of them starts. */
    static Pair start(long seed, PeerPolicy forA, PeerPolicy forB, boolean aInitiates) {
        SimulatedNetwork net = new SimulatedNetwork(seed, SimulatedNetwork.Faults.NONE);
        SimulatedNetwork.Node a = net.add(new SimulatedNetwork.Node("a", Addresses.parseEndpoint(A, 500), List.of(forA),
                seed + 1));
        SimulatedNetwork.Node b = net.add(new SimulatedNetwork.Node("b", Addresses.parseEndpoint(B, 500), List.of(forB),
                seed + 2));
        if (aInitiates) {
            net.apply(a, a.engine.initiate(forA.name(), net.now));
        } else {
            net.apply(b, b.engine.initiate(forB.name(), net.now));
        }
        return new Pair(net, a, b);
    }

    static Pair standard(long seed, SimulatedNetwork.Faults faults, String pfs) {
        return pair(seed, faults, "shared secret", "shared secret", "aes256-sha256-modp2048",
                "aes256-sha256-modp2048", pfs, pfs);
    }

    static void assertMirrored(Pair p, boolean pfs) {
        IpsecSa aOut = sa(p.a, IpsecSa.Direction.OUT);
        IpsecSa aIn = sa(p.a, IpsecSa.Direction.IN);
        IpsecSa bOut = sa(p.b, IpsecSa.Direction.OUT);
        IpsecSa bIn = sa(p.b, IpsecSa.Direction.IN);
        assertEquals(aOut.spi(), bIn.spi(), "a->b SPI");
        assertEquals(bOut.spi(), aIn.spi(), "b->a SPI");
        assertArrayEquals(aOut.encryptionKey().bytes(), bIn.encryptionKey().bytes(), "a->b encryption key");
        assertArrayEquals(aOut.authenticationKey().bytes(), bIn.authenticationKey().bytes(), "a->b auth key");
        assertArrayEquals(bOut.encryptionKey().bytes(), aIn.encryptionKey().bytes(), "b->a encryption key");
        assertArrayEquals(bOut.authenticationKey().bytes(), aIn.authenticationKey().bytes(), "b->a auth key");
        assertFalse(java.util.Arrays.equals(aOut.encryptionKey().bytes(), aIn.encryptionKey().bytes()),
                "each direction has its own key");
        assertEquals(16, aOut.encryptionKey().length());
        assertEquals(20, aOut.authenticationKey().length());
        assertEquals(aOut.source(), bIn.source());
        assertEquals(aOut.destination(), bIn.destination());
        assertEquals(Subnet.parse("10.1.0.0/16"), aOut.sourceSelector());
        assertEquals(Subnet.parse("10.2.0.0/16"), aOut.destinationSelector());
        assertEquals(aOut.sourceSelector(), bIn.sourceSelector());
        assertEquals(pfs, aOut.pfs());
        assertEquals(pfs, bIn.pfs());
        assertEquals(Duration.ofHours(1), bIn.lifetime());
        assertEquals("ESTABLISHED", p.a.engine.isakmpSas().get(0).state());
        assertEquals("ESTABLISHED", p.b.engine.isakmpSas().get(0).state());
        assertEquals(p.a.engine.isakmpSas().get(0).responderCookie(), p.b.engine.isakmpSas().get(0).responderCookie());
    }

    static IpsecSa sa(SimulatedNetwork.Node n, IpsecSa.Direction dir) {
        return n.kernel.list().stream().filter(s -> s.direction() == dir).findFirst().orElseThrow();
    }

    @Test
    void cleanNetworkWithoutPfs() {
        Pair p = standard(1, SimulatedNetwork.Faults.NONE, null);
        assertTrue(p.net.runUntil(p::bothUp, Duration.ofMinutes(1)), () -> String.join("\n", p.a.log));
        assertMirrored(p, false);
        assertEquals(5, p.a.sent, "MM1, MM3, MM5, QM1, QM3 and nothing retransmitted");
        assertEquals(4, p.b.sent, "MM2, MM4, MM6, QM2");
    }

    /** Main Mode with a pre-shared key: HASH_I/HASH_R as scripts/phase1-check.py computes them from the wire. */
    @Test
    void hashesAreThoseAnIndependentImplementationComputes() throws Exception {
        Pair p = standard(3, SimulatedNetwork.Faults.NONE, null);
        assertTrue(p.net.runUntil(p::bothUp, Duration.ofMinutes(1)), () -> String.join("\n", p.a.log));
        // MM5/MM6 carry the IDs encrypted: ID_IPV4_ADDR (1), protocol 0, port 0, the address
        IndependentPhase1Check.assertSameHashes(p, "--psk", "shared secret", "--hash", "SHA2_256", "--idii-b",
                "010000007f000001", "--idir-b", "010000007f000002");
    }

    @Test
    void cleanNetworkWithPfs() {
        Pair p = standard(2, SimulatedNetwork.Faults.NONE, "modp2048");
        assertTrue(p.net.runUntil(p::bothUp, Duration.ofMinutes(1)), () -> String.join("\n", p.b.log));
        assertMirrored(p, true);
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14, 15, 16, 17, 18})
    void lossyDuplicatingReorderingNetwork(long seed) {
        Pair p = standard(seed, new SimulatedNetwork.Faults(0.25, 0.3, Duration.ofMillis(3000)),
                seed % 2 == 0 ? "modp2048" : null);
        assertTrue(p.net.runUntil(p::bothUp, Duration.ofMinutes(5)),
                () -> "a:\n" + String.join("\n", p.a.log) + "\nb:\n" + String.join("\n", p.b.log));
        assertMirrored(p, seed % 2 == 0);
        // once both sides are done, nothing more is exchanged than stray duplicates and lingering replies
        p.net.runUntil(() -> false, Duration.ofMinutes(3));
        assertEquals(2, p.a.kernel.list().size());
        assertEquals(2, p.b.kernel.list().size());
    }

    @Test
    void retransmittedRequestIsAnsweredFromCacheNotReprocessed() {
        // every datagram arrives twice: each duplicate must be answered with the same bytes, no new state
        Pair p = standard(3, new SimulatedNetwork.Faults(0, 1.0, Duration.ofMillis(1)), null);
        assertTrue(p.net.runUntil(p::bothUp, Duration.ofMinutes(1)));
        assertMirrored(p, false);
        assertEquals(1, p.b.engine.isakmpSas().size(), "one ISAKMP SA despite duplicated MM1");
        assertTrue(p.b.logged("retransmitted message, resending our reply"), () -> String.join("\n", p.b.log));
    }

    @Test
    void wrongPreSharedKeyFailsWithClearLogAndNotify() {
        Pair p = pair(4, SimulatedNetwork.Faults.NONE, "right key", "wrong key", "aes128-sha1-modp2048",
                "aes128-sha1-modp2048", null, null);
        p.net.runUntil(() -> false, Duration.ofMinutes(3));
        assertTrue(p.a.kernel.list().isEmpty());
        assertTrue(p.b.kernel.list().isEmpty());
        assertTrue(p.b.logged("authentication failed"), () -> String.join("\n", p.b.log));
        assertTrue(p.a.logged("peer rejected the exchange with"), () -> String.join("\n", p.a.log));
        assertTrue(p.a.engine.isakmpSas().isEmpty(), "initiator gave up its half-open SA");
        assertTrue(p.b.engine.isakmpSas().isEmpty(), "responder forgot the failed SA");
    }

    @Test
    void proposalMismatchIsRejectedWithNoProposalChosen() {
        Pair p = pair(5, SimulatedNetwork.Faults.NONE, "k", "k", "aes128-sha1-modp2048", "aes256-sha256-modp2048",
                null, null);
        p.net.runUntil(() -> false, Duration.ofMinutes(3));
        assertTrue(p.b.logged("no acceptable proposal"), () -> String.join("\n", p.b.log));
        assertTrue(p.a.logged("NO-PROPOSAL-CHOSEN"), () -> String.join("\n", p.a.log));
        assertTrue(p.a.engine.isakmpSas().isEmpty());
    }

    @Test
    void pfsMismatchFailsQuickModeButKeepsTheIsakmpSa() {
        Pair p = pair(6, SimulatedNetwork.Faults.NONE, "k", "k", "aes128-sha1-modp2048", "aes128-sha1-modp2048",
                null, "modp2048");
        p.net.runUntil(() -> false, Duration.ofMinutes(3));
        assertTrue(p.a.kernel.list().isEmpty());
        assertTrue(p.b.logged("requires PFS"), () -> String.join("\n", p.b.log));
        assertTrue(p.a.logged("peer notifies NO-PROPOSAL-CHOSEN"), () -> String.join("\n", p.a.log));
        assertEquals("ESTABLISHED", p.a.engine.isakmpSas().get(0).state());
    }

    @Test
    void shutdownDeletesSasOnBothSides() {
        Pair p = standard(7, SimulatedNetwork.Faults.NONE, null);
        assertTrue(p.net.runUntil(p::bothUp, Duration.ofMinutes(1)));
        p.net.apply(p.a, p.a.engine.shutdown(p.net.now));
        assertTrue(p.a.kernel.list().isEmpty());
        assertTrue(p.net.runUntil(() -> p.b.kernel.list().isEmpty() && p.b.engine.isakmpSas().isEmpty(),
                Duration.ofSeconds(10)), () -> String.join("\n", p.b.log));
        assertTrue(p.b.logged("peer deleted IPsec SA pair"));
        assertTrue(p.b.logged("peer deleted the ISAKMP SA"));
    }

    @Test
    void lostPeerTimesOutAfterRetransmissions() {
        Pair p = standard(8, new SimulatedNetwork.Faults(1.0, 0, Duration.ofMillis(1)), null);
        assertFalse(p.net.runUntil(() -> p.a.engine.isakmpSas().isEmpty(), Duration.ofSeconds(30)));
        assertTrue(p.net.runUntil(() -> p.a.engine.isakmpSas().isEmpty(), Duration.ofMinutes(5)));
        assertEquals(1 + RetransmitPolicy.DEFAULT.retries(), p.a.sent, "MM1 and its retransmissions");
        assertTrue(p.a.logged("giving up"));
    }

    @Test
    void ipsecSasExpireAtTheirLifetimeWhenTheRekeyFails() {
        Pair p = standard(9, SimulatedNetwork.Faults.NONE, null);
        assertTrue(p.net.runUntil(p::bothUp, Duration.ofMinutes(1)));
        // b's host goes away: a's soft-lifetime rekey gets no answer
        p.net.replace(p.b, new SimulatedNetwork.Node("b", Addresses.parseEndpoint(B, 500), List.of(), 109));
        assertTrue(p.net.runUntil(() -> p.a.kernel.list().isEmpty(), Duration.ofMinutes(61)));
        assertTrue(p.a.logged("reached their soft lifetime: rekeying tunnel net"), () -> String.join("\n", p.a.log));
        assertTrue(p.a.logged("reached their lifetime 3600s; deleting them"), () -> String.join("\n", p.a.log));
        assertTrue(p.a.logged("tunnel net has no IPsec SAs left; negotiating anew (auto = start)"));
    }
}
