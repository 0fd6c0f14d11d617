package dev.isakmpd.ha;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where the replication channel runs: only on the sync-link addresses (TCP, TCPPING, no
 * multicast discovery). JGroups also listens on {@code local.port + 100} for its failure
 * detector (FD_SOCK2).
 *
 * @param local this node's sync-link address and port
 * @param peers the other members' sync-link addresses (the other gateway, an optional witness)
 * @param snapshotTimeout how long a joining standby waits for the snapshot
 * @param witness an optional third member (issue 15 s6) that must be in the view before a takeover
 */
public record SyncLink(InetSocketAddress local, List<InetSocketAddress> peers, Duration snapshotTimeout,
        Optional<InetSocketAddress> witness) {
    public static final Duration DEFAULT_SNAPSHOT_TIMEOUT = Duration.ofSeconds(30);

    public SyncLink {
        peers = List.copyOf(peers);
    }

    /** Without a witness. */
    public SyncLink(InetSocketAddress local, List<InetSocketAddress> peers, Duration snapshotTimeout) {
        this(local, peers, snapshotTimeout, Optional.empty());
    }
}
