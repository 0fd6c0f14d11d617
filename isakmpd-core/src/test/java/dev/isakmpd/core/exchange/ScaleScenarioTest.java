package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.kernel.KernelEvent;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.sa.IpsecSa;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 11's deterministic scale run: 10,000 initiator engines against one responder over a
 * network that drops 10% of the datagrams and duplicates 10%. All come up, all rekey once, all
 * are deleted, and nothing is left in any of the responder's tables. The cost per event must not
 * grow with the table, or this run would take hours instead of seconds.
 */
class ScaleScenarioTest {
    private static final int INITIATORS = 10_000;
    /** Initiators started (or rekeyed, or shut down) per virtual second: a steady arrival rate. */
    private static final int PER_SECOND = 200;
    private static final String RESPONDER = "192.0.2.1";
    private static final String IKE = "aes128-sha256-curve25519";
    /**
     * IKEv1 cannot recover a lost last message: when QM3 is lost and so is every retransmitted
     * QM2 or the QM3 that answers it, the initiator holds SAs the responder lacks. With 10% loss
     * each retry fails with p = 0.19, so the default 5 retries break one Quick Mode in
     * 0.1 * 0.19^5 = 1/40,000: one run in two of this size. 8 retries make it 1 in 60 million.
     */
    private static final RetransmitPolicy PATIENT = new RetransmitPolicy(Duration.ofSeconds(2), Duration.ofSeconds(30), 8);

    private static String address(int i) {
        return "10." + (i >> 8 & 0xff) + "." + (i & 0xff) + ".1";
    }

    @Test
    void tenThousandInitiatorsComeUpRekeyAndAreDeleted() {
        SimulatedNetwork net = new SimulatedNetwork(111, new SimulatedNetwork.Faults(0.1, 0.1, Duration.ofMillis(100)));
        net.forgetful = true;
        List<PeerPolicy> atResponder = new ArrayList<>();
        List<SimulatedNetwork.Node> initiators = new ArrayList<>();
        for (int i = 0; i < INITIATORS; i++) {
            String a = address(i);
            atResponder.add(policy("i" + i, RESPONDER, a, "k" + i, IKE, "aes128-sha1", null, "198.51.100.0/24",
                    a + "/32", false));
            SimulatedNetwork.Node n = net.add(new SimulatedNetwork.Node("i" + i, Addresses.parseEndpoint(a, 500),
                    List.of(policy("r", a, RESPONDER, "k" + i, IKE, "aes128-sha1", null, a + "/32", "198.51.100.0/24",
                            true)), 1000 + i, false, PATIENT));
            n.quiet = true;
            initiators.add(n);
        }
        SimulatedNetwork.Node r = net.add(new SimulatedNetwork.Node("r", Addresses.parseEndpoint(RESPONDER, 500),
                atResponder, 7, false, PATIENT));
        r.quiet = true;

        for (int i = 0; i < INITIATORS; i++) {
            SimulatedNetwork.Node n = initiators.get(i);
            net.apply(n, n.engine.initiate("r", net.now));
            if (i % PER_SECOND == PER_SECOND - 1) {
                net.runUntil(() -> false, Duration.ofSeconds(1));
            }
        }
        assertTrue(net.runUntil(() -> r.installs == 2 * INITIATORS, Duration.ofMinutes(5)),
                () -> "up: " + r.installs / 2 + " of " + INITIATORS + "; " + initiators.stream()
                        .filter(n -> n.installs != 2).map(n -> n.name + ": " + n.log).toList() + r.log);
        assertTrue(initiators.stream().allMatch(n -> n.installs == 2), "every initiator holds one pair");

        for (int i = 0; i < INITIATORS; i++) {
            SimulatedNetwork.Node n = initiators.get(i);
            IpsecSa out = n.kernel.list().stream().filter(s -> s.direction() == IpsecSa.Direction.OUT).findFirst()
                    .orElseThrow();
            net.apply(n, n.engine.expired(new KernelEvent.Expire(out.destination(), out.spi(), false), net.now));
            if (i % PER_SECOND == PER_SECOND - 1) {
                net.runUntil(() -> false, Duration.ofSeconds(1));
            }
        }
        assertTrue(net.runUntil(() -> r.installs == 4 * INITIATORS, Duration.ofMinutes(5)),
                () -> "rekeyed: " + (r.installs / 2 - INITIATORS) + " of " + INITIATORS);
        assertTrue(initiators.stream().allMatch(n -> n.installs == 4), "every initiator rekeyed once");
        assertEquals(INITIATORS, r.engine.isakmpSas().stream().filter(s -> s.state().equals("ESTABLISHED")).count(),
                "one ISAKMP SA per initiator, no more");

        for (int i = 0; i < INITIATORS; i++) {
            SimulatedNetwork.Node n = initiators.get(i);
            net.apply(n, n.engine.shutdown(net.now));
            assertTrue(n.engine.tableSizes().values().stream().allMatch(v -> v == 0), n.engine.tableSizes()::toString);
            // the daemon has stopped: its address answers nothing any more
            net.replace(n, new SimulatedNetwork.Node(n.name, n.address, List.of(), 1000 + i));
        }
        // Deletes that the network lost are made up for by the lifetimes (1 h IPsec, 8 h ISAKMP)
        assertTrue(net.runUntil(() -> r.engine.tableSizes().values().stream().allMatch(v -> v == 0),
                Duration.ofHours(9)), r.engine.tableSizes()::toString);
        assertEquals(r.installs, r.deletes, "every SA installed was deleted");
        assertTrue(r.kernel.list().isEmpty());
        for (SimulatedNetwork.Node n : initiators) {
            assertTrue(n.kernel.list().isEmpty(), n.name);
        }
    }
}
