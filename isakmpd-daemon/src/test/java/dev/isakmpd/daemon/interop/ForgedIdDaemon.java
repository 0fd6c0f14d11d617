package dev.isakmpd.daemon.interop;

import dev.isakmpd.core.kernel.InMemoryKernel;
import dev.isakmpd.core.policy.Identity;
import dev.isakmpd.daemon.config.ConfigLoader;
import dev.isakmpd.daemon.config.DaemonConfig;
import dev.isakmpd.daemon.runtime.Daemon;
import java.nio.file.Path;

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
        DaemonConfig withForgedId = c.withPeers(c.peers().stream().map(p -> p.withLocalId(forged)).toList());
        Daemon.start(withForgedId, new InMemoryKernel(), "ours");
        Thread.currentThread().join(); // until the harness ends the process
    }
}
