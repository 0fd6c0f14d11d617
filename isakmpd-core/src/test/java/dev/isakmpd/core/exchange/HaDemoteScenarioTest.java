package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.HaScenarios.cookies;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.sa.IpsecSa;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * HA split brain (issue 15 s6) seen from the engine: the standby of {@link HaReplicationScenarioTest}
 * takes over while the active is still alive (VRRP partitioned), then the old active loses the
 * comparison on the sync link and {@link Engine#demote}s: it sends nothing, removes its SAs from its
 * kernel and forgets them, and the peer goes on with the winner under the same SAs.
 */
class HaDemoteScenarioTest {
    @ParameterizedTest(name = "active initiates: {0}")
    @MethodSource("dev.isakmpd.core.exchange.HaReplicationScenarioTest#roles")
    void theLoserForgetsItsSasSilentlyAndThePeerGoesOnWithTheWinner(boolean activeInitiates) {
        HaReplicationScenarioTest.Ha ha = HaReplicationScenarioTest.ha(33, SimulatedNetwork.Faults.NONE, 0,
                Duration.ofMillis(1), Duration.ofMillis(5), activeInitiates, true, false, true);
        SimulatedNetwork net = ha.net();
        SimulatedNetwork.Node peer = ha.peer();
        SimulatedNetwork.Node loser = ha.active();
        assertTrue(net.runUntil(ha::bothUp, Duration.ofMinutes(1)));
        net.runUntil(() -> false, Duration.ofSeconds(5));
        Set<String> peerSas = sas(peer.engine.ipsecSas());
        Set<String> peerCookies = cookies(peer);

        // split brain: the standby takes the address and the SAs, the old active lives on
        SimulatedNetwork.Node winner = ha.channel().standby;
        peer.observer = a -> { };
        net.add(winner); // the address is the winner's now
        HaScenarios.takeOver(net, winner);
        assertEquals(2, loser.kernel.list().size(), "both nodes hold the pair");

        List<Action> demoted = loser.engine.demote(net.now);
        assertTrue(demoted.stream().noneMatch(a -> a instanceof Action.Send || a instanceof Action.Replicate),
                "a demoted node sends nothing, to the peer or the winner: " + demoted);
        assertEquals(peerSas, demoted.stream().filter(Action.DeleteSa.class::isInstance)
                .map(a -> key(((Action.DeleteSa) a).sa())).collect(Collectors.toSet()),
                "both SAs of the pair leave the loser's kernel");
        net.apply(loser, demoted);
        assertTrue(loser.kernel.list().isEmpty(), "nothing left in the loser's kernel: " + loser.kernel.list());
        assertTrue(loser.engine.tableSizes().values().stream().allMatch(n -> n == 0), "every table is empty: "
                + loser.engine.tableSizes());
        assertTrue(loser.engine.standbyTable().records().isEmpty(), "a fresh snapshot follows");
        assertEquals(java.util.Optional.empty(), loser.engine.nextTimeout(), "no timer left: nothing goes out later");

        // the peer goes on with the winner: DPD answered, no Main Mode, the same SAs
        long mainModes = peer.log.stream().filter(l -> l.contains("ISAKMP SA established")).count();
        int alive = (int) peer.log.stream().filter(l -> l.contains("the peer is alive")).count();
        net.runUntil(() -> false, Duration.ofSeconds(25));
        assertEquals(peerSas, sas(peer.engine.ipsecSas()), "the peer dropped nothing");
        assertEquals(peerCookies, cookies(peer));
        assertEquals(mainModes, peer.log.stream().filter(l -> l.contains("ISAKMP SA established")).count());
        assertTrue(peer.log.stream().filter(l -> l.contains("the peer is alive")).count() > alive,
                "the winner answers the peer's DPD: " + peer.log);
        assertEquals(peerSas, sas(winner.engine.ipsecSas()));
    }

    /**
     * While both nodes are active, the winner's records reach the loser, which installs their
     * inbound SAs as a standby does (here: the pair of a Quick Mode the peer started with the
     * winner). Demoting removes those too; before, it emptied its standby table and left their
     * inbound SAs in the kernel until their lifetime.
     */
    @Test
    void theLoserAlsoRemovesTheInboundSasOfTheWinnersRecords() {
        HaReplicationScenarioTest.Ha ha = HaReplicationScenarioTest.ha(34, SimulatedNetwork.Faults.NONE, 0,
                Duration.ofMillis(1), Duration.ofMillis(5), false, false, false, false);
        SimulatedNetwork net = ha.net();
        SimulatedNetwork.Node loser = ha.active();
        assertTrue(net.runUntil(ha::bothUp, Duration.ofMinutes(1)));
        net.runUntil(() -> false, Duration.ofSeconds(1));
        SimulatedNetwork.Node winner = HaScenarios.takeOver(ha);
        loser.dead = false; // it lives on, off the network: VRRP is partitioned, the sync link is not
        new SimulatedReplication(net, winner, loser, 35, 0, Duration.ofMillis(1), Duration.ofMillis(5));
        net.apply(ha.peer(), ha.peer().engine.rekey("a", java.util.Optional.empty(), false, net.now));
        assertTrue(net.runUntil(() -> loser.engine.standbyTable().pairs() == 1, Duration.ofSeconds(30)),
                () -> String.join("\n", winner.log));
        assertEquals(3, loser.kernel.list().size(), "its own pair and the inbound SA of the winner's new one");

        net.apply(loser, loser.engine.demote(net.now));
        assertTrue(loser.kernel.list().isEmpty(), "nothing left in the loser's kernel: " + loser.kernel.list());
        assertTrue(loser.engine.standbyTable().records().isEmpty(), "a fresh snapshot follows");
    }

    private static String key(IpsecSa sa) {
        return sa.destination().getHostAddress() + "/" + sa.spiHex();
    }

    private static Set<String> sas(List<IpsecSa> sas) {
        return sas.stream().map(HaDemoteScenarioTest::key).collect(Collectors.toSet());
    }

}
