package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.A;
import static dev.isakmpd.core.exchange.EngineScenarioTest.B;
import static dev.isakmpd.core.exchange.HaScenarios.cookies;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.ProposalNames;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.core.sa.IpsecSa;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * After an HA takeover the new active retires the key material the dead node used (issue 15 s5):
 * the dead node may have sent beyond the replicated counters, and with AES-GCM or AES-CTR a
 * counter sent twice under one key is a nonce sent twice. Three tunnels, one each of AES-GCM,
 * AES-CTR and AES-CBC + HMAC; the peer initiated them with the active, which dies; its standby
 * takes over and rekeys by Quick Mode under the taken-over ISAKMP SA, make-before-break.
 */
class HaTakeoverRekeyScenarioTest {
    private static final Duration SPREAD = Duration.ofSeconds(60);
    private static final Map<String, String> ESP = Map.of("gcm", "aes128gcm16", "ctr", "aes128ctr-sha256",
            "cbc", "aes128-sha256");

    private static PeerPolicy policy(String name, String local, String remote, boolean ours) {
        PeerPolicy base = EngineScenarioTest.policy(name, local, remote, "k", "aes128-sha256-ecp256", "aes128-sha1",
                null, "10.1.0.0/16", "10.2.0.0/16", false);
        List<TunnelPolicy> tunnels = List.of("gcm", "ctr", "cbc").stream().map(t -> {
            int n = t.equals("gcm") ? 0 : t.equals("ctr") ? 1 : 2;
            Subnet one = Subnet.parse("10.1." + n + ".0/24");
            Subnet two = Subnet.parse("10.2." + n + ".0/24");
            return new TunnelPolicy(t, ours ? one : two, ours ? two : one,
                    List.of(ProposalNames.parseEsp(ESP.get(t), true).proposal()), Optional.empty(),
                    Duration.ofHours(1));
        }).toList();
        return base.withTunnels(tunnels);
    }

    /** The active "a" and its standby (same policy), the peer "b", all three tunnels up and replicated. */
    private static HaReplicationScenarioTest.Ha up(long seed) {
        SimulatedNetwork net = new SimulatedNetwork(seed, SimulatedNetwork.Faults.NONE);
        List<PeerPolicy> ours = List.of(policy("b", A, B, true));
        SimulatedNetwork.Node a = net.add(new SimulatedNetwork.Node("a", Addresses.parseEndpoint(A, 500), ours,
                seed + 1));
        SimulatedNetwork.Node standby = new SimulatedNetwork.Node("standby", Addresses.parseEndpoint(A, 500), ours,
                seed + 3);
        SimulatedNetwork.Node b = net.add(new SimulatedNetwork.Node("b", Addresses.parseEndpoint(B, 500),
                List.of(policy("a", B, A, false)), seed + 2));
        SimulatedReplication channel = new SimulatedReplication(net, a, standby, seed + 4, 0, Duration.ofMillis(1),
                Duration.ofMillis(5));
        net.apply(b, b.engine.initiate("a", net.now));
        assertTrue(net.runUntil(() -> a.kernel.list().size() == 6 && b.kernel.list().size() == 6,
                Duration.ofMinutes(1)), () -> String.join("\n", b.log));
        net.runUntil(() -> false, Duration.ofSeconds(1)); // the responder's async pair records land
        assertEquals(3, standby.engine.standbyTable().pairs());
        return new HaReplicationScenarioTest.Ha(net, a, b, channel, false);
    }

    /** The newest outbound SA of the tunnel in the node's kernel: the one Linux sends on. */
    private static IpsecSa sendingOn(SimulatedNetwork.Node n, String tunnel) {
        IpsecSa newest = null;
        for (IpsecSa sa : n.kernel.list()) {
            if (sa.direction() == IpsecSa.Direction.OUT && sa.tunnel().equals(tunnel)) {
                newest = sa;
            }
        }
        return newest;
    }

    /**
     * No gap: each side sends every tunnel's traffic on an outbound SA whose inbound SA the other
     * side has installed, with the same key.
     */
    private static void checkNoGap(SimulatedNetwork.Node from, SimulatedNetwork.Node to, Set<String> mayNotSend) {
        for (String tunnel : ESP.keySet()) {
            IpsecSa out = sendingOn(from, tunnel);
            if (out == null && mayNotSend.contains(tunnel)) {
                continue;
            }
            assertNotNull(out, from.name + " has no outbound SA for tunnel " + tunnel);
            assertTrue(HaScenarios.receives(to, out), from.name + " sends tunnel " + tunnel + " on 0x" + out.spiHex()
                    + ", which " + to.name + " has not installed");
        }
    }

    /**
     * The standby takes over; from then on the gap check runs before every action of either node
     * (the new active may send nothing on the tunnels {@code mayNotSend} until their rekey).
     */
    private static SimulatedNetwork.Node takeOver(HaReplicationScenarioTest.Ha ha, Map<String, Instant> rekeys,
            Set<String> mayNotSend) {
        SimulatedNetwork net = ha.net();
        SimulatedNetwork.Node active = HaScenarios.takeOver(ha);
        Runnable check = () -> {
            checkNoGap(ha.peer(), active, Set.of());
            checkNoGap(active, ha.peer(), mayNotSend);
        };
        check.run();
        ha.peer().observer = x -> check.run();
        active.observer = x -> {
            check.run();
            if (x instanceof Action.Log l && l.message().contains(": rekeying tunnel ")) {
                rekeys.merge(l.message().replaceAll(".*: rekeying tunnel (\\w+).*", "$1"), net.now, (p, q) -> p);
            }
        };
        return active;
    }

    private static Map<String, Integer> spis(SimulatedNetwork.Node n) {
        return ESP.keySet().stream().collect(Collectors.toMap(t -> t, t -> sendingOn(n, t).spi()));
    }

    @Test
    void theGcmAndCtrPairsAreRekeyedWithinTheSpreadAndTheCbcPairKeepsItsDeadline() {
        HaReplicationScenarioTest.Ha ha = up(31);
        SimulatedNetwork net = ha.net();
        SimulatedNetwork.Node peer = ha.peer();
        Map<String, Integer> before = spis(peer);
        Set<String> isakmp = cookies(peer);
        int peerLog = peer.log.size();
        Map<String, Instant> rekeys = new HashMap<>();
        ha.channel().standby.engine.takeoverRekey(SPREAD, false);
        Instant takeoverAt = net.now;
        SimulatedNetwork.Node active = takeOver(ha, rekeys, Set.of());
        assertTrue(active.logged("takeover: 2 IPsec SA pair(s) with AES-GCM or AES-CTR are rekeyed within 60s"),
                () -> String.join("\n", active.log));

        net.runUntil(() -> false, SPREAD.plus(ChildSas.OVERLAP).plusSeconds(5));
        assertEquals(Set.of("gcm", "ctr"), rekeys.keySet(), () -> String.join("\n", active.log));
        for (Instant at : rekeys.values()) {
            assertTrue(at.isAfter(takeoverAt) && !at.isAfter(takeoverAt.plus(SPREAD)), "rekeyed at " + at);
        }
        Map<String, Integer> after = spis(peer);
        assertFalse(after.get("gcm").equals(before.get("gcm")) || after.get("ctr").equals(before.get("ctr")),
                "new GCM and CTR pairs");
        assertEquals(before.get("cbc"), after.get("cbc"), "the CBC pair is not rekeyed early");
        assertEquals(6, peer.kernel.list().size(), "the old GCM and CTR pairs are gone: " + peer.kernel.list());
        assertEquals(isakmp, cookies(peer), "the same ISAKMP SA");
        assertFalse(active.logged("Main Mode"), "no Main Mode at the new active");
        assertTrue(peer.log.subList(peerLog, peer.log.size()).stream().noneMatch(l -> l.contains("Main Mode")),
                "no Main Mode at the peer");
    }

    /**
     * PF_KEY cannot carry the counters: every pair, CBC too, is rekeyed at once, make-before-break;
     * the GCM and CTR pairs' old outbound SAs are not installed meanwhile.
     */
    @Test
    void withoutCountersEveryPairIsRekeyedAtOnce() {
        HaReplicationScenarioTest.Ha ha = up(33);
        SimulatedNetwork net = ha.net();
        SimulatedNetwork.Node peer = ha.peer();
        Map<String, Integer> before = spis(peer);
        Set<String> isakmp = cookies(peer);
        Map<String, Instant> rekeys = new HashMap<>();
        ha.channel().standby.engine.takeoverRekey(SPREAD, true);
        Instant takeoverAt = net.now;
        SimulatedNetwork.Node active = takeOver(ha, rekeys, Set.of("gcm", "ctr"));
        assertTrue(active.logged("takeover: every IPsec SA pair is rekeyed now"));
        // counters restarting at 1 would repeat GCM/CTR nonces under the dead node's keys: only CBC's goes in
        assertEquals(List.of("aes-cbc"), active.kernel.list().stream()
                .filter(sa -> sa.destination().equals(peer.address.getAddress()))
                .map(sa -> sa.cipher().name().toLowerCase().replace('_', '-')).toList(),
                () -> "outbound SAs installed at takeover: " + active.kernel.list());

        net.runUntil(() -> false, ChildSas.OVERLAP.plusSeconds(5));
        assertEquals(Map.of("gcm", takeoverAt, "ctr", takeoverAt, "cbc", takeoverAt), rekeys,
                () -> String.join("\n", active.log));
        Map<String, Integer> after = spis(peer);
        for (String t : ESP.keySet()) {
            assertFalse(after.get(t).equals(before.get(t)), "a new pair for tunnel " + t);
        }
        assertEquals(6, peer.kernel.list().size(), "the old pairs are gone: " + peer.kernel.list());
        assertEquals(isakmp, cookies(peer), "the same ISAKMP SA");
        assertFalse(active.logged("Main Mode"), "no Main Mode");
    }

    @Test
    void theSpreadMustBePositive() {
        Engine e = new SimulatedNetwork.Node("x", Addresses.parseEndpoint(A, 500), List.of(), 1).engine;
        assertThrows(IllegalArgumentException.class, () -> e.takeoverRekey(Duration.ZERO, false));
    }
}
