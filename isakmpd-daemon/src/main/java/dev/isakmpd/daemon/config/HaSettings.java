package dev.isakmpd.daemon.config;

import dev.isakmpd.oakley.SecretBytes;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The [ha] table with mode = "active-standby" (docs/ha.md).
 *
 * @param node this gateway's name in logs, status and on the sync link
 * @param syncLocal this node's sync-link address (the first sync-link entry)
 * @param syncPeers the other members' sync-link addresses (the other gateway, an optional witness)
 * @param keyFile where {@code key} came from, for messages
 * @param key the sync-link secret (first line of key-file); never printed
 * @param keepalivedFifo keepalived's vrrp_notify_fifo, which gives this node its role
 * @param trackFile the file keepalived's track_file reads: a negative weight until the initial sync
 * @param replayThreshold packets between two counter reports from the kernel (XFRMA_REPLAY_THRESH)
 * @param replayInterval time between two counter reports (XFRMA_ETIMER_THRESH)
 * @param peakPps the most packets per second one SA carries, for the takeover margin
 * @param takeoverRekeySpread over how long a new active rekeys the SAs it took over
 * @param syncCounters the active replicates the kernel's ESP counters (the default); false only
 *     for the negative-control test of the lab failover run, which must then see loss or replay drops
 */
public record HaSettings(String node, InetSocketAddress syncLocal, List<InetSocketAddress> syncPeers, Path keyFile,
        SecretBytes key, Path keepalivedFifo, Path trackFile, int replayThreshold, Duration replayInterval,
        long peakPps, Duration takeoverRekeySpread, boolean syncCounters) {
    public static final int DEFAULT_SYNC_PORT = 7800;
    public static final int DEFAULT_REPLAY_THRESHOLD = 1024;
    public static final Duration DEFAULT_REPLAY_INTERVAL = Duration.ofSeconds(1);
    /** XFRMA_ETIMER_THRESH is reported in tenths of a second: less would read back as 0. */
    public static final Duration MIN_REPLAY_INTERVAL = Duration.ofMillis(100);
    /** 10 Gbit/s of 1250-byte packets: a margin of ~1M sequence numbers costs 0.02% of 2^32. */
    public static final long DEFAULT_PEAK_PPS = 1_000_000;
    public static final Duration DEFAULT_TAKEOVER_REKEY_SPREAD = Duration.ofSeconds(60);

    public HaSettings {
        syncPeers = List.copyOf(syncPeers);
    }

    /**
     * How far past the last replicated outbound counter a new active starts (issue 15, item 5):
     * max(2 * threshold, peak-pps * (interval + lag)). The kernel reports at least every
     * threshold packets or interval; lag is how late the last report may have reached the standby.
     */
    public long takeoverMargin(Duration lag) {
        double seconds = (replayInterval.toNanos() + lag.toNanos()) / 1e9;
        return Math.max(2L * replayThreshold, (long) Math.ceil(peakPps * seconds));
    }
}
