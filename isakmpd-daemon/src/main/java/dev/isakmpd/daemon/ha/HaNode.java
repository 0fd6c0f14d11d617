package dev.isakmpd.daemon.ha;

import dev.isakmpd.daemon.config.HaSettings;
import dev.isakmpd.ha.ReplicationChannel;
import dev.isakmpd.ha.ReplicationListener;
import dev.isakmpd.ha.SyncLink;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This gateway's part in an active/standby pair (docs/ha.md): its role from keepalived's notify
 * FIFO, the track file that keeps it from the address until its initial sync is complete, and
 * the replication channel. Every state change runs on the event loop's thread ({@code loop}):
 * the FIFO reader and JGroups' threads only hand events over.
 */
public final class HaNode implements RoleGate, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("isakmpd.daemon");

    public enum Role {
        ACTIVE,
        STANDBY
    }

    private final HaSettings settings;
    private final TrackFile track;
    private final EngineSide engine;
    private final Executor loop;
    private final Runnable becameActive;
    private NotifyFifoReader fifo;
    private ReplicationChannel channel;

    // Written on the loop thread; volatile for status() from the control thread.
    private volatile Role role = Role.STANDBY;
    private volatile long epoch;
    private volatile boolean synced;
    private volatile boolean peerConnected;
    private volatile String lastVrrp = "none";
    private volatile long recordsReceived;
    private volatile long unacked;
    /** Once a sync group reported, its lines decide and its instances' lines are only logged. */
    private boolean groupSeen;

    /**
     * @param loop runs a task on the event loop's thread
     * @param becameActive run on the loop thread when this node turns active
     */
    public HaNode(HaSettings settings, EngineSide engine, Executor loop, Runnable becameActive) {
        this.settings = settings;
        this.track = new TrackFile(settings.trackFile());
        this.engine = engine;
        this.loop = loop;
        this.becameActive = becameActive;
    }

    /**
     * Tells keepalived this node is not ready, starts reading the FIFO and joins the sync link
     * (in the background: taking a snapshot may take seconds).
     */
    public void start() throws IOException {
        track.write(TrackFile.UNSYNCED);
        LOG.info("HA: node {} starts as standby; {} says {} until the initial sync is complete", settings.node(),
                track.path(), TrackFile.UNSYNCED);
        fifo = new NotifyFifoReader(settings.keepalivedFifo(), this::fifoLine);
        fifo.start();
        SyncLink link = new SyncLink(settings.syncLocal(), settings.syncPeers(), SyncLink.DEFAULT_SNAPSHOT_TIMEOUT);
        byte[] key = settings.key().bytes();
        try {
            channel = new ReplicationChannel(link, key, new ChannelEvents(), this::snapshotOnLoop);
        } catch (Exception e) {
            throw new IOException("HA: cannot set up the sync link on " + settings.syncLocal() + ": " + e, e);
        } finally {
            java.util.Arrays.fill(key, (byte) 0);
        }
        Thread connect = new Thread(this::connect, "isakmpd-ha-connect");
        connect.setDaemon(true);
        connect.start();
    }

    private void connect() {
        try {
            channel.connect();
        } catch (Exception e) {
            LOG.error("HA: joining the sync link on {} failed, this node stays unsynced: {}", settings.syncLocal(),
                    e.toString());
            return;
        }
        if (channel.synced()) {
            loop.execute(this::syncComplete);
        }
    }

    /** The FIFO reader's thread: parse here, apply on the loop. */
    void fifoLine(String line) {
        try {
            VrrpNotification n = VrrpNotification.parse(line);
            loop.execute(() -> vrrp(n));
        } catch (VrrpNotification.Ignored e) {
            LOG.info("HA: ignoring keepalived line \"{}\": {}", line, e.getMessage());
        }
    }

    /** Loop thread: MASTER makes this node active, BACKUP, FAULT and STOP standby. */
    void vrrp(VrrpNotification n) {
        if (n.group()) {
            groupSeen = true;
        } else if (groupSeen) {
            LOG.debug("HA: {} (the sync group's state decides)", n);
            return;
        }
        lastVrrp = n.toString();
        Role next = n.state().active() ? Role.ACTIVE : Role.STANDBY;
        if (next == role) {
            return;
        }
        role = next;
        if (next == Role.ACTIVE) {
            epoch++;
            LOG.warn("HA: keepalived says {}: node {} is now ACTIVE, takeover epoch {}{}", n, settings.node(), epoch,
                    synced ? "" : " (without a complete initial sync)");
            becameActive.run();
        } else {
            LOG.warn("HA: keepalived says {}: node {} is now STANDBY and stops initiating and sending", n,
                    settings.node());
        }
    }

    /** Loop thread: this node has the whole state; keepalived may give it the address. */
    void syncComplete() {
        if (synced) {
            return;
        }
        synced = true;
        try {
            track.write(TrackFile.SYNCED);
            LOG.info("HA: initial sync complete; {} says {}", track.path(), TrackFile.SYNCED);
        } catch (IOException e) {
            LOG.error("HA: initial sync complete, but {} cannot be written, so keepalived keeps this node's "
                    + "priority lowered: {}", track.path(), e.toString());
        }
    }

    /** Active: sends a record to the standby, in order with every other (see ReplicationChannel). */
    public void replicate(long id, byte[] record, boolean sync) {
        channel.replicate(id, record, sync);
    }

    @Override
    public boolean active() {
        return role == Role.ACTIVE;
    }

    public Role role() {
        return role;
    }

    public long epoch() {
        return epoch;
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ha-node", settings.node());
        m.put("ha-role", role.name().toLowerCase(java.util.Locale.ROOT));
        m.put("ha-epoch", epoch);
        m.put("ha-synced", synced);
        m.put("ha-peer-connected", peerConnected);
        m.put("ha-unacked", unacked);
        m.put("ha-records-received", recordsReceived);
        m.put("ha-last-vrrp", lastVrrp);
        return m;
    }

    @Override
    public void close() {
        if (fifo != null) {
            fifo.close();
        }
        if (channel != null) {
            channel.close();
        }
    }

    /** Asked on a JGroups thread when a standby joins: taken on the loop, waited for here. */
    private List<byte[]> snapshotOnLoop() throws Exception {
        CompletableFuture<List<byte[]>> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                f.complete(engine.snapshot());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f.get(SyncLink.DEFAULT_SNAPSHOT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** JGroups' threads: everything goes to the loop. */
    private final class ChannelEvents implements ReplicationListener {
        @Override
        public void acked(long id) {
            loop.execute(() -> engine.replicated(id, true));
        }

        @Override
        public void unacked(long id) {
            loop.execute(() -> {
                unacked++;
                engine.replicated(id, false);
            });
        }

        @Override
        public void received(byte[] record) {
            loop.execute(() -> {
                recordsReceived++;
                engine.apply(record);
            });
        }

        @Override
        public void snapshot(List<byte[]> records) {
            loop.execute(() -> {
                engine.applySnapshot(records);
                syncComplete();
            });
        }

        @Override
        public void peerUp() {
            loop.execute(() -> peerConnected = true);
        }

        @Override
        public void peerDown() {
            loop.execute(() -> peerConnected = false);
        }
    }
}
