package dev.isakmpd.daemon.ha;

import dev.isakmpd.daemon.config.HaSettings;
import dev.isakmpd.ha.ReplicationChannel;
import dev.isakmpd.ha.ReplicationListener;
import dev.isakmpd.ha.RoleAnnouncement;
import dev.isakmpd.ha.SyncLink;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This gateway's part in an active/standby pair (docs/ha.md): its role from keepalived's notify
 * FIFO, the track file that keeps it from the address until its initial sync is complete, and
 * the replication channel. Every state change runs on the event loop's thread ({@code loop}):
 * the FIFO reader and JGroups' threads only hand events over.
 *
 * <p>Split brain (issue 15 s6): each node announces its role, VRRP priority and takeover epoch
 * on the sync link when it turns active and every {@link #ANNOUNCE_INTERVAL}. An active that
 * hears another active that {@link RoleAnnouncement#outranks} it demotes at once: the track file
 * says {@link TrackFile#DEMOTED} (keepalived goes to FAULT and gives up the addresses even while
 * VRRP is partitioned), the engine forgets its SAs without a Delete and removes them from the
 * kernel, and the node takes a fresh snapshot. It stays standby until the other node is standby
 * or leaves the sync link. A node that starts or takes a fresh snapshot obeys no MASTER until the
 * snapshot has arrived (or the attempt ended): its track file is negative meanwhile.
 */
public final class HaNode implements RoleGate, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("isakmpd.daemon");
    /** How often a node announces its role: two actives see each other within about this time. */
    public static final Duration ANNOUNCE_INTERVAL = Duration.ofMillis(200);
    /** Snapshot tries after a failed one before a node stays unsynced (the lab saw a state transfer fail). */
    static final int SNAPSHOT_RETRIES = 2;
    static final Duration SNAPSHOT_RETRY_DELAY = Duration.ofSeconds(1);

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
    private ScheduledExecutorService announcer;

    // Written on the loop thread; volatile for status() from the control thread.
    private volatile Role role = Role.STANDBY;
    private volatile long epoch;
    private volatile boolean synced;
    private volatile boolean peerConnected;
    private volatile String lastVrrp = "none";
    private volatile long recordsReceived;
    private volatile long unacked;
    /** keepalived's priority for this node, from its last line (a group's 0 keeps the instances' one). */
    private volatile int priority;
    /** What the other node last announced; null until it does, and once it leaves the link. */
    private volatile RoleAnnouncement peer;
    /** This node lost a split brain and stays standby while the other node is active. */
    private volatile boolean demoted;
    /** A MASTER was refused because the configured witness is not in the view; until it is back. */
    private volatile boolean noWitness;
    /** Once a sync group reported, its lines decide and its instances' lines are only logged. */
    private boolean groupSeen;
    /** Loop thread: a snapshot is being taken (at start, and after a demotion): no MASTER is obeyed. */
    private boolean joining;
    /** Loop thread: keepalived's last word was MASTER (this node may not have obeyed it yet). */
    private boolean masterPending;
    /**
     * Loop thread: this standby may lack what the active did without it: it synced alone (nobody on
     * the link when it joined, e.g. discovery timed out on a loaded machine and the two nodes merged
     * later), or the other node left the link while this node was standby (a partition). The
     * active's next announcement brings a fresh snapshot: live records and the re-sent missed ones
     * do not carry the SAs made before (the lab lost a tunnel that way at the next takeover).
     */
    private boolean stale;
    /** Loop thread: the other node's epoch this node last said it outranks, not to log it 5 times a second. */
    private long outranked = -1;

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
        joining = true;
        track.write(TrackFile.UNSYNCED);
        LOG.info("HA: node {} starts as standby; {} says {} until the initial sync is complete", settings.node(),
                track.path(), TrackFile.UNSYNCED);
        fifo = new NotifyFifoReader(settings.keepalivedFifo(), this::fifoLine);
        fifo.start();
        SyncLink link = new SyncLink(settings.syncLocal(), settings.syncPeers(), SyncLink.DEFAULT_SNAPSHOT_TIMEOUT,
                settings.witness());
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
            // the join itself, or the snapshot that follows it (a state transfer can fail on a starved
            // machine, and a node that stayed unsynced would drop every live record from then on)
            LOG.warn("HA: joining the sync link on {} and taking the snapshot failed: {}", settings.syncLocal(),
                    e.toString());
            retrySnapshot();
        }
        announcer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "isakmpd-ha-announce");
            t.setDaemon(true);
            return t;
        });
        announcer.scheduleAtFixedRate(this::announce, 0, ANNOUNCE_INTERVAL.toMillis(),
                java.util.concurrent.TimeUnit.MILLISECONDS);
        loop.execute(this::joinDone);
    }

    /**
     * A demoted or stale node's fresh snapshot, off the loop (it blocks up to the snapshot timeout).
     * It replaces the standby table (Engine.applySnapshot): what the active deleted meanwhile goes.
     */
    private void refetch() {
        try {
            channel.requestSnapshot();
        } catch (Exception e) {
            LOG.warn("HA: the fresh snapshot failed: {}", e.toString());
            retrySnapshot();
        }
        loop.execute(this::joinDone);
    }

    /** After a failed snapshot: {@link #SNAPSHOT_RETRIES} more tries, {@link #SNAPSHOT_RETRY_DELAY} apart. */
    private void retrySnapshot() {
        for (int retry = 1; retry <= SNAPSHOT_RETRIES; retry++) {
            try {
                Thread.sleep(SNAPSHOT_RETRY_DELAY.toMillis());
                channel.requestSnapshot();
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                LOG.error("HA: taking the snapshot on {} failed again{}: {}", settings.syncLocal(),
                        retry < SNAPSHOT_RETRIES ? "" : ", this node stays unsynced", e.toString());
            }
        }
    }

    /** Loop thread: the snapshot arrived, or the attempt ended; a MASTER that waited for it is obeyed now. */
    private void joinDone() {
        joining = false;
        if (channel.synced()) {
            syncComplete();
            stale = !peerConnected; // alone on the link: only this node's own (empty or stood-down) state
        }
        activate("keepalived's MASTER waited for the snapshot");
    }

    /** This node's role as the other node sees it; any thread. */
    RoleAnnouncement announcement() {
        return new RoleAnnouncement(settings.node(), settings.syncLocal().getAddress().getHostAddress() + ":"
                + settings.syncLocal().getPort(), role == Role.ACTIVE, priority, epoch);
    }

    private void announce() {
        channel.announce(announcement());
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
        if (!n.group() || n.priority() > 0) {
            priority = n.priority();
        }
        if (n.group()) {
            groupSeen = true;
        } else if (groupSeen) {
            LOG.debug("HA: {} (the sync group's state decides)", n);
            return;
        }
        lastVrrp = n.toString();
        masterPending = n.state().active();
        if (masterPending) {
            activate("keepalived says " + n);
        } else if (role == Role.ACTIVE) {
            role = Role.STANDBY;
            LOG.warn("HA: keepalived says {}: node {} is now STANDBY and stops initiating and sending", n,
                    settings.node());
            engine.standDown();
            if (channel != null) {
                announce();
            }
        }
    }

    /**
     * Loop thread: obeys keepalived's MASTER ({@code why}, for the log) unless a snapshot is on its way or the
     * other node won a split brain. The epoch goes above the other node's last announced one, so
     * that of two actives the later takeover (whose outbound counters are the higher) has the
     * higher epoch.
     */
    private void activate(String why) {
        if (!masterPending || role == Role.ACTIVE) {
            return;
        }
        if (joining) {
            LOG.warn("HA: {}, but the snapshot has not arrived: node {} stays STANDBY until it has",
                    why, settings.node());
            return;
        }
        if (demoted) {
            LOG.warn("HA: {}, but {} won the split brain: node {} stays STANDBY", why, peer,
                    settings.node());
            return;
        }
        if (settings.witness().isPresent() && !channel.witnessPresent()) {
            noWitness = true;
            LOG.error("HA: {}, but the witness {} is not on the sync link: node {} stays STANDBY (it cannot tell a "
                    + "dead active from a partition); {} says {} until the witness is back", why,
                    settings.witness().get(), settings.node(), track.path(), TrackFile.DEMOTED);
            writeTrack();
            return;
        }
        RoleAnnouncement other = peer;
        role = Role.ACTIVE;
        epoch = Math.max(epoch, other == null ? 0 : other.epoch()) + 1;
        LOG.warn("HA: {}: node {} is now ACTIVE, takeover epoch {}{}", why, settings.node(), epoch,
                synced ? "" : " (without a complete initial sync)");
        becameActive.run();
        if (channel != null) {
            announce();
        }
    }

    /** Loop thread: what the other node says of itself; two actives settle who stays. */
    void peerAnnounced(RoleAnnouncement other) {
        peer = other;
        if (other.active() && role == Role.ACTIVE) {
            RoleAnnouncement me = announcement();
            if (!me.outranks(other)) {
                demote(other, me);
            } else if (outranked != other.epoch()) {
                outranked = other.epoch();
                LOG.error("HA: split brain: {} is active too; this node ({}) outranks it and stays ACTIVE", other, me);
            }
        } else if (other.active() && role == Role.STANDBY && stale && !joining) {
            refresh(other);
        } else if (!other.active() && demoted) {
            undemote(other.node() + " is standby now");
        }
    }

    /** Loop thread: a stale standby ({@link #stale}) meets the active: it takes a fresh snapshot. */
    private void refresh(RoleAnnouncement active) {
        stale = false;
        synced = false;
        joining = true;
        LOG.warn("HA: {} is active and this standby may lack SAs it made without it (it joined the sync link alone,"
                + " or the link was down): taking a fresh snapshot; {} says {} meanwhile", active, track.path(),
                TrackFile.UNSYNCED);
        writeTrack();
        startRefetch();
    }

    /** Loop thread: takes a fresh snapshot in the background ({@link #refetch}); it replaces the standby table. */
    private void startRefetch() {
        Thread fetch = new Thread(this::refetch, "isakmpd-ha-refetch");
        fetch.setDaemon(true);
        fetch.start();
    }

    /** Loop thread: this node lost a split brain. */
    private void demote(RoleAnnouncement winner, RoleAnnouncement me) {
        role = Role.STANDBY;
        demoted = true;
        synced = false;
        joining = true;
        LOG.error("HA: split brain: {} is active too and outranks this node ({}): demoting to STANDBY; its SAs leave"
                + " the kernel without a Delete, {} says {} (keepalived FAULT) while the other node is active", winner,
                me, track.path(), TrackFile.DEMOTED);
        writeTrack();
        engine.demote();
        announce();
        startRefetch();
    }

    /** Loop thread: the split brain is over; keepalived may give this node the address again. */
    private void undemote(String why) {
        demoted = false;
        LOG.warn("HA: {}: node {} may be active again; {} says {}", why, settings.node(), track.path(), trackValue());
        writeTrack();
        activate("keepalived's MASTER waited for the split brain to end");
    }

    private int trackValue() {
        return demoted || noWitness ? TrackFile.DEMOTED : synced ? TrackFile.SYNCED : TrackFile.UNSYNCED;
    }

    private void writeTrack() {
        try {
            track.write(trackValue());
        } catch (IOException e) {
            LOG.error("HA: {} cannot be written ({} was due), so keepalived does not see this node's state: {}",
                    track.path(), trackValue(), e.toString());
        }
    }

    /** Loop thread: this node has the whole state; keepalived may give it the address. */
    void syncComplete() {
        if (synced) {
            return;
        }
        synced = true;
        LOG.info("HA: initial sync complete; {} says {}", track.path(), trackValue());
        writeTrack();
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
        m.put("ha-priority", priority);
        m.put("ha-demoted", demoted);
        RoleAnnouncement other = peer;
        m.put("ha-peer-role", other == null ? "none" : other.active() ? "active" : "standby");
        m.put("ha-peer-epoch", other == null ? 0 : other.epoch());
        m.put("ha-witness", settings.witness().isEmpty() ? "none" : channel != null && channel.witnessPresent()
                ? "present" : "absent");
        m.putAll(engine.status());
        return m;
    }

    @Override
    public void close() {
        if (announcer != null) {
            announcer.shutdownNow();
        }
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
            loop.execute(() -> {
                peerConnected = true;
                engine.standbyBack();
            });
        }

        @Override
        public void peerDown() {
            loop.execute(() -> {
                peerConnected = false;
                peer = null;
                stale |= role == Role.STANDBY; // a partition: the active may go on without this node
                if (demoted) {
                    undemote("the other node left the sync link");
                }
            });
        }

        @Override
        public void witness(boolean present) {
            loop.execute(() -> {
                if (present && noWitness) {
                    noWitness = false;
                    LOG.warn("HA: the witness is back on the sync link; {} says {}", track.path(), trackValue());
                    writeTrack();
                    activate("keepalived's MASTER waited for the witness");
                }
            });
        }

        @Override
        public void announced(RoleAnnouncement other) {
            loop.execute(() -> peerAnnounced(other));
        }
    }
}
