package dev.isakmpd.daemon.interop;

import dev.isakmpd.core.kernel.InMemoryKernel;
import dev.isakmpd.core.policy.Identity;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.daemon.config.ConfigLoader;
import dev.isakmpd.daemon.config.DaemonConfig;
import dev.isakmpd.daemon.runtime.Daemon;
import java.nio.file.Path;
import java.util.List;

/**
 * Our daemon, in the lab, presenting an ID its certificate does not contain: the config loader
 * refuses such a local-id, so this test launcher replaces it after loading, to show what a peer
 * (strongSwan) does with a forged ID. Usage: ForgedIdDaemon CONFIG ID. In-memory kernel.
 */
final class ForgedIdDaemon {
    private ForgedIdDaemon() {
    }

    public static void main(String[] args) throws Exception {
        DaemonConfig c = ConfigLoader.load(Path.of(args[0]));
        Identity forged = Identity.parse(args[1]);
        List<PeerPolicy> peers = c.peers().stream().map(p -> new PeerPolicy(p.name(), p.local(), p.remote(), p.auth(),
                p.ikeProposals(), p.ikeLifetime(), p.tunnels(), p.autoStart(), p.dpd(), forged, p.remoteId(),
                p.remoteRange(), p.aggressive())).toList();
        DaemonConfig withForgedId = new DaemonConfig(c.source(), c.listen(), c.kernel(), c.statusFile(),
                c.allowLegacyCrypto(), peers, c.pskFiles(), c.warnings(), c.control(), c.retransmit(), c.restart(),
                c.halfOpen(), c.receiveBuffer());
        Daemon.start(withForgedId, new InMemoryKernel(), "ours");
        Thread.currentThread().join(); // until the harness ends the process
    }
}
