package dev.isakmpd.core.exchange;

import static dev.isakmpd.core.exchange.EngineScenarioTest.A;
import static dev.isakmpd.core.exchange.EngineScenarioTest.B;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A reload: unchanged tunnels keep their SAs, changed ones are renegotiated, removed ones deleted. */
class ReconfigureScenarioTest {

    private static TunnelPolicy tunnel(String name, String local, String remote, String... esp) {
        return new TunnelPolicy(name, Subnet.parse(local), Subnet.parse(remote),
                List.of(esp).stream().map(e -> ProposalNames.parseEsp(e, false).proposal()).toList(),
                Optional.empty(), Duration.ofHours(1));
    }

    private static PeerPolicy peer(String name, String local, String remote, boolean auto, TunnelPolicy... tunnels) {
        return new PeerPolicy(name, Addresses.parseEndpoint(local, 500), Addresses.parseEndpoint(remote, 500),
                new PeerAuth.PreSharedKey(SecretBytes.copyOf("k".getBytes(StandardCharsets.UTF_8))),
                List.of(ProposalNames.parseIke("aes128-sha256-modp2048", false)), Duration.ofHours(8), List.of(tunnels),
                auto, Optional.empty(), Identity.address(Addresses.parseLiteral(local)), Optional.empty(),
                Optional.empty(), false);
    }

    private static Set<String> spis(SimulatedNetwork.Node n, String tunnel) {
        return n.kernel.list().stream().filter(sa -> sa.tunnel().equals(tunnel)).map(IpsecSa::spiHex)
                .collect(Collectors.toSet());
    }

    @Test
    void unchangedTunnelsKeepTheirSasChangedOnesAreRenegotiatedRemovedOnesDeleted() {
        SimulatedNetwork net = new SimulatedNetwork(401, SimulatedNetwork.Faults.NONE);
        TunnelPolicy keep = tunnel("keep", "10.1.0.0/16", "10.2.0.0/16", "aes128-sha1");
        TunnelPolicy change = tunnel("change", "10.11.0.0/16", "10.12.0.0/16", "aes128-sha1");
        SimulatedNetwork.Node a = net.add(new SimulatedNetwork.Node("a", Addresses.parseEndpoint(A, 500),
                List.of(peer("b", A, B, true, keep, change)), 402));
        SimulatedNetwork.Node b = net.add(new SimulatedNetwork.Node("b", Addresses.parseEndpoint(B, 500),
                List.of(peer("a", B, A, false, tunnel("keep", "10.2.0.0/16", "10.1.0.0/16", "aes128-sha1"),
                        tunnel("change", "10.12.0.0/16", "10.11.0.0/16", "aes256-sha256", "aes128-sha1"))), 403));
        net.apply(a, a.engine.initiate("b", net.now));
        assertTrue(net.runUntil(() -> a.kernel.list().size() == 4 && b.kernel.list().size() == 4, Duration.ofMinutes(1)));
        Set<String> kept = spis(a, "keep");
        Set<String> changedBefore = spis(a, "change");

        Engine.Reconfigured same = a.engine.reconfigure(List.of(peer("b", A, B, true, keep, change)), net.now);
        assertEquals(List.of(), same.changedPeers(), "an equal policy read anew is no change");
        assertTrue(same.actions().isEmpty(), same.actions().toString());

        TunnelPolicy changed = tunnel("change", "10.11.0.0/16", "10.12.0.0/16", "aes256-sha256");
        Engine.Reconfigured r = a.engine.reconfigure(List.of(peer("b", A, B, true, keep, changed)), net.now);
        assertEquals(List.of("b"), r.changedPeers());
        net.apply(a, r.actions());
        assertEquals(kept, spis(a, "keep"), "the unchanged tunnel was not touched");
        assertEquals(Set.of(), spis(a, "change"));
        net.apply(a, a.engine.up("b", net.now));
        assertTrue(net.runUntil(() -> spis(a, "change").size() == 2 && spis(b, "change").size() == 2
                && b.kernel.list().size() == 4, Duration.ofMinutes(1)), () -> String.join("\n", a.log));
        assertEquals(kept, spis(a, "keep"), "still untouched after the renegotiation");
        assertTrue(spis(a, "change").stream().noneMatch(changedBefore::contains));
        assertTrue(a.kernel.list().stream().filter(sa -> sa.tunnel().equals("change"))
                .allMatch(sa -> sa.algorithms().equals("aes256-sha256")));

        Engine.Reconfigured gone = a.engine.reconfigure(List.of(), net.now);
        net.apply(a, gone.actions());
        assertTrue(a.kernel.list().isEmpty() && a.engine.isakmpSas().isEmpty());
        assertTrue(net.runUntil(() -> b.kernel.list().isEmpty(), Duration.ofSeconds(5)), "b got the Deletes");
    }
}
