package dev.isakmpd.ha;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.protocols.pbcast.STATE;
import org.jgroups.stack.Protocol;
import org.jgroups.util.NameCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync link between an active and a standby gateway, on JGroups: records are opaque bytes
 * (their codec lives in core). The active multicasts them in one FIFO stream (NAKACK2), so sync
 * and async records keep their order; the standby answers each sync record with an ACK once its
 * listener has it. A joining standby first gets the active's snapshot by state transfer (STATE)
 * and holds live records that arrive meanwhile until the snapshot is delivered.
 *
 * <p>Every message is encrypted by SYM_ENCRYPT (AES-256-CBC, random IV) and every envelope
 * carries an HMAC-SHA-256, both keys derived from the shared secret: a node with another key
 * cannot join (its JOIN does not decrypt) and cannot inject a record.
 *
 * <p>{@link #replicate} never blocks on the standby. Callbacks come on JGroups threads: see
 * {@link ReplicationListener}.
 */
public final class ReplicationChannel implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplicationChannel.class);
    private static final String CLUSTER = "isakmpd-ha";
    /** A witness's logical name on the link; gateways keep JGroups' generated ones. */
    static final String WITNESS = "isakmpd-ha-witness";
    /** A snapshot larger than this is refused rather than allocated (10,000 SA pairs measured 5 MiB). */
    static final int MAX_SNAPSHOT = 256 << 20;

    private enum Sync {
        /** This node has the state: it started alone, or took a snapshot. */
        SYNCED,
        /** A snapshot is on its way: live records are held until it is delivered. */
        FETCHING,
        /** No snapshot yet: live records are dropped (and not acknowledged). */
        UNSYNCED
    }

    private final SyncLink link;
    private final LinkKeys keys;
    private final ReplicationListener listener;
    private final SnapshotSource snapshots;
    private final JChannel channel;
    /** This member is a witness: it takes no snapshot, stores and acknowledges nothing. */
    private final boolean isWitness;
    /** Whether a witness was in the last view (reported to the listener on each change). */
    private volatile boolean witnessSeen;
    /** Guards pending and peer. */
    private final Object lock = new Object();
    /** Sync record ids sent and not yet acknowledged, in send order. */
    private final Set<Long> pending = new LinkedHashSet<>();
    private Address peer;
    /** Guards sync and held, and orders deliveries to the listener. */
    private final Object delivery = new Object();
    private Sync sync = Sync.UNSYNCED;
    private final List<Held> held = new ArrayList<>();
    /**
     * The last record id handed to the listener, by sender (a restarted node is a new sender, so an
     * entry per node that ever was the active; cleared with each snapshot).
     */
    private final java.util.Map<Address, Long> lastDelivered = new java.util.HashMap<>();

    private record Held(Envelope envelope, Address from) {
    }

    /** A sync record dropped before any snapshot: acknowledged once a snapshot arrives. */
    private record DroppedSync(long id, Address from) {
    }

    /**
     * Sync records dropped before any snapshot (under {@code delivery}). Unacknowledged, they left
     * the active degraded for as long as this node stayed on the link: it had timed out waiting,
     * and no late ack or rejoin ever said this node was there (seen in the lab: a joining standby
     * got a DPD record between its view and its snapshot request). The newest
     * {@link #DROPPED_SYNC_KEPT} only: one late ack ends the active's degraded state, and a node
     * whose snapshots keep failing must not grow this without bound.
     */
    private final ArrayDeque<DroppedSync> droppedSync = new ArrayDeque<>();
    private static final int DROPPED_SYNC_KEPT = 1024;

    /**
     * @param secret the key-file secret, at least 16 bytes; copied into derived keys, so the
     *        caller may wipe it on return
     */
    public ReplicationChannel(SyncLink link, byte[] secret, ReplicationListener listener, SnapshotSource snapshots)
            throws Exception {
        this(link, secret, listener, snapshots, false);
    }

    private ReplicationChannel(SyncLink link, byte[] secret, ReplicationListener listener, SnapshotSource snapshots,
            boolean isWitness) throws Exception {
        this.link = link;
        this.keys = LinkKeys.derive(secret);
        this.listener = listener;
        this.snapshots = snapshots;
        this.isWitness = isWitness;
        this.channel = new JChannel(stack()).setDiscardOwnMessages(true).setReceiver(new Handler());
        if (isWitness) {
            channel.name(WITNESS);
        }
    }

    /**
     * A witness (issue 15 s6): a third member that only makes the view; the gateways' records reach
     * it encrypted under the key it shares and are dropped unread, unacknowledged.
     */
    public static ReplicationChannel witness(SyncLink link, byte[] secret) throws Exception {
        return new ReplicationChannel(link, secret, new ReplicationListener.Ignoring(), () -> {
            throw new IllegalStateException("a witness has no state to give");
        }, true);
    }

    /** The protocol stack, bottom up, as JGroups' tcp.xml minus what a pair on one link does not need. */
    private List<Protocol> stack() {
        List<java.net.InetSocketAddress> hosts = new ArrayList<>(link.peers());
        hosts.add(link.local());
        link.witness().ifPresent(hosts::add);
        TCP tcp = new TCP().setBindAddress(link.local().getAddress()).setBindPort(link.local().getPort())
                .setPortRange(0);
        // Records, acks and announcements go up on the connection's receiver thread, not handed to a
        // pool thread each: the handler only checks an HMAC and queues (HaNode hands everything to
        // the event loop), and a record's ack is queued to the bundler, so nothing here blocks that
        // thread. JGroups' own OOB messages (views, joins, state transfer) keep the pool.
        tcp.setMessageProcessingPolicy("direct");
        SYM_ENCRYPT encrypt = new SYM_ENCRYPT().setSecretKey(keys.encryptionKey());
        encrypt.symAlgorithm("AES/CBC/PKCS5Padding");
        encrypt.symIvLength(16);
        encrypt.symKeylength(256);
        return List.of(tcp,
                new TCPPING().setInitialHosts(hosts).setPortRange(0),
                new MERGE3().setMinInterval(1000).setMaxInterval(5000),
                new FD_SOCK2(),
                new FD_ALL3().setTimeout(3000).setInterval(500),
                new VERIFY_SUSPECT2().setTimeout(500),
                encrypt,
                new NAKACK2(),
                new UNICAST3(),
                new STABLE(),
                // the channel logs joins itself; JGroups would print a banner on stdout
                new GMS().setJoinTimeout(1000).setMaxJoinAttempts(3).printLocalAddress(false),
                new FRAG4(),
                new STATE());
    }

    /**
     * Joins the link. If another node is there, takes its snapshot before returning (this blocks
     * up to the snapshot timeout); alone, this node is synced at once.
     */
    public void connect() throws Exception {
        channel.connect(CLUSTER);
        if (isWitness) {
            log.info("sync link {}: witness on the link, view {}", link.local(), channel.getView());
            return;
        }
        Optional<Address> other = other(channel.getView());
        if (other.isEmpty()) {
            synchronized (delivery) {
                sync = Sync.SYNCED;
            }
            log.info("sync link {}: alone, starting with the local state", link.local());
            return;
        }
        requestSnapshot();
    }

    /**
     * Takes the other node's snapshot (blocking, up to the snapshot timeout): at connect, and by
     * the daemon when a standby meets its active after a partition (a merge). Call it off the
     * event loop.
     */
    public void requestSnapshot() throws Exception {
        Optional<Address> from = other(channel.getView());
        if (from.isEmpty()) {
            throw new IllegalStateException("no other node on the sync link to take a snapshot from");
        }
        synchronized (delivery) {
            sync = Sync.FETCHING;
        }
        try {
            channel.getState(from.get(), link.snapshotTimeout().toMillis());
        } catch (Exception e) {
            synchronized (delivery) {
                if (sync == Sync.FETCHING) {
                    sync = Sync.UNSYNCED;
                    held.clear();
                }
            }
            throw e;
        }
    }

    /** Whether this node has the whole state: alone at start, or after its snapshot. */
    public boolean synced() {
        synchronized (delivery) {
            return sync == Sync.SYNCED;
        }
    }

    /** Whether a witness is in the current view (issue 15 s6: a takeover needs it, when configured). */
    public boolean witnessPresent() {
        View view = channel.getView();
        return view != null && view.getMembers().stream().anyMatch(ReplicationChannel::isWitness);
    }

    private static boolean isWitness(Address a) {
        return WITNESS.equals(NameCache.get(a));
    }

    /** Whether the other node is on the link. */
    public boolean peerConnected() {
        synchronized (lock) {
            return peer != null;
        }
    }

    /**
     * Sends a record to the standby, in order with every other record. A sync record is
     * reported by {@link ReplicationListener#acked} once the standby stored it, or by
     * {@link ReplicationListener#unacked} at once if there is no standby.
     */
    public void replicate(long id, byte[] record, boolean sync) {
        if (sync) {
            boolean alone;
            synchronized (lock) {
                alone = peer == null;
                if (!alone) {
                    pending.add(id);
                }
            }
            if (alone) {
                listener.unacked(id);
                return;
            }
        }
        Envelope e = new Envelope(sync ? Envelope.Type.SYNC : Envelope.Type.ASYNC, id, record);
        try {
            channel.send(new BytesMessage(null, e.encode(keys.mac())));
        } catch (Exception ex) {
            log.warn("sync link {}: cannot send {}: {}", link.local(), e, ex.toString());
            if (sync) {
                boolean wasPending;
                synchronized (lock) {
                    wasPending = pending.remove(id);
                }
                if (wasPending) {
                    listener.unacked(id);
                }
            }
        }
    }

    /**
     * Tells the other members this node's role (issue 15 s6); not acknowledged, and a failure is
     * only logged: the next announcement follows within the caller's period.
     */
    public void announce(RoleAnnouncement a) {
        try {
            Envelope e = new Envelope(Envelope.Type.ANNOUNCE, 0, a.encode());
            channel.send(new BytesMessage(null, e.encode(keys.mac())));
        } catch (Exception ex) {
            log.debug("sync link {}: cannot announce {}: {}", link.local(), a, ex.toString());
        }
    }

    @Override
    public void close() {
        channel.close();
        keys.wipe();
    }

    private Optional<Address> other(View view) {
        Address self = channel.getAddress();
        return view == null ? Optional.empty()
                : view.getMembers().stream().filter(a -> !a.equals(self) && !isWitness(a)).findFirst();
    }

    private void onView(View view) {
        boolean witnessNow = view.getMembers().stream().anyMatch(ReplicationChannel::isWitness);
        if (witnessNow != witnessSeen) {
            witnessSeen = witnessNow;
            log.info("sync link {}: the witness {} the view", link.local(), witnessNow ? "joined" : "left");
            listener.witness(witnessNow);
        }
        Address now = other(view).orElse(null);
        Address before;
        List<Long> lost = List.of();
        synchronized (lock) {
            before = peer;
            peer = now;
            if (before != null && !before.equals(now)) {
                lost = new ArrayList<>(pending);
                pending.clear();
            }
        }
        if (before != null && !before.equals(now)) {
            log.warn("sync link {}: {} left; {} sync record(s) will not be acknowledged", link.local(), before,
                    lost.size());
            lost.forEach(listener::unacked);
            listener.peerDown();
        }
        if (now != null && !now.equals(before)) {
            log.info("sync link {}: {} joined", link.local(), now);
            listener.peerUp();
        }
    }

    private void onMessage(Message m) {
        Envelope e;
        try {
            e = Envelope.decode(m.getArray(), m.getOffset(), m.getLength(), keys.mac());
        } catch (Envelope.Refused r) {
            log.warn("sync link {}: refused a message from {}: {}", link.local(), m.getSrc(), r.getMessage());
            return;
        }
        switch (e.type()) {
            case ACK -> {
                boolean known;
                synchronized (lock) {
                    known = pending.remove(e.id());
                }
                if (known) {
                    listener.acked(e.id());
                }
            }
            case SYNC, ASYNC -> deliver(e, m.getSrc());
            case ANNOUNCE -> {
                try {
                    listener.announced(RoleAnnouncement.decode(e.payload()));
                } catch (Envelope.Refused r) {
                    log.warn("sync link {}: refused an announcement from {}: {}", link.local(), m.getSrc(),
                            r.getMessage());
                }
            }
            case SNAPSHOT -> log.warn("sync link {}: refused a snapshot from {} outside state transfer",
                    link.local(), m.getSrc());
        }
    }

    private void deliver(Envelope e, Address from) {
        synchronized (delivery) {
            switch (sync) {
                case SYNCED -> store(e, from);
                case FETCHING -> held.add(new Held(e, from));
                case UNSYNCED -> {
                    log.debug("sync link {}: dropped {} before any snapshot", link.local(), e);
                    if (e.type() == Envelope.Type.SYNC) {
                        if (droppedSync.size() == DROPPED_SYNC_KEPT) {
                            droppedSync.pollFirst();
                        }
                        droppedSync.addLast(new DroppedSync(e.id(), from));
                    }
                }
            }
        }
    }

    /**
     * Hands a record to the listener and acknowledges it if the sender waits. Under {@code delivery}.
     * The engine numbers its records in order, so one not above the last from that sender is a
     * second copy: a live record can reach a joining node both while it is held for the snapshot
     * and again when state transfer resets the sender's message table (seen on loopback).
     */
    private void store(Envelope e, Address from) {
        Long last = lastDelivered.get(from);
        if (last != null && e.id() <= last) {
            log.debug("sync link {}: record {} from {} again; delivered once", link.local(), e.id(), from);
        } else {
            lastDelivered.put(from, e.id());
            listener.received(e.payload());
        }
        if (e.type() == Envelope.Type.SYNC) {
            acknowledge(e.id(), from);
        }
    }

    private void acknowledge(long id, Address to) {
        try {
            channel.send(new BytesMessage(to, new Envelope(Envelope.Type.ACK, id, new byte[0]).encode(keys.mac())));
        } catch (Exception ex) {
            log.warn("sync link {}: cannot acknowledge record {}: {}", link.local(), id, ex.toString());
        }
    }

    private void writeSnapshot(OutputStream out) throws Exception {
        List<byte[]> records = snapshots.snapshot();
        byte[] encoded = Envelope.snapshot(records).encode(keys.mac());
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(encoded.length);
        data.write(encoded);
        data.flush();
        log.info("sync link {}: sent a snapshot of {} records, {} bytes", link.local(), records.size(),
                encoded.length);
    }

    private void readSnapshot(InputStream in) throws Exception {
        DataInputStream data = new DataInputStream(in);
        int length = data.readInt();
        List<byte[]> records;
        try {
            if (length < 0 || length > MAX_SNAPSHOT) {
                throw new Envelope.Refused("snapshot of " + Integer.toUnsignedString(length) + " bytes, at most "
                        + MAX_SNAPSHOT);
            }
            // not readNBytes: it asks for 0 bytes once its first 8 KiB are full, and JGroups 5.4.8's
            // state stream (BlockingInputStream) answers a 0-byte read with -1, EOF, mid-snapshot
            byte[] encoded = new byte[length];
            try {
                data.readFully(encoded);
            } catch (java.io.EOFException eof) {
                throw new Envelope.Refused("snapshot of " + length + " bytes cut short");
            }
            Envelope e = Envelope.decode(encoded, 0, encoded.length, keys.mac());
            if (e.type() != Envelope.Type.SNAPSHOT) {
                throw new Envelope.Refused("state transfer carried " + e + ", not a snapshot");
            }
            records = e.records();
        } catch (Envelope.Refused r) {
            log.error("sync link {}: refused the snapshot, this node stays unsynced: {}", link.local(),
                    r.getMessage());
            synchronized (delivery) {
                sync = Sync.UNSYNCED;
                held.clear();
            }
            return;
        }
        synchronized (delivery) {
            listener.snapshot(records);
            sync = Sync.SYNCED;
            lastDelivered.clear();
            for (Held h : held) {
                store(h.envelope(), h.from());
            }
            log.info("sync link {}: took a snapshot of {} records, then {} held live records", link.local(),
                    records.size(), held.size());
            held.clear();
            // they arrived before this node asked for the snapshot, so the active took it after it
            // sent them: the snapshot holds their state
            for (DroppedSync d : droppedSync) {
                acknowledge(d.id(), d.from());
            }
            droppedSync.clear();
        }
    }

    private final class Handler implements Receiver {
        @Override
        public void receive(Message m) {
            onMessage(m);
        }

        @Override
        public void viewAccepted(View view) {
            onView(view);
        }

        @Override
        public void getState(OutputStream out) throws Exception {
            writeSnapshot(out);
        }

        @Override
        public void setState(InputStream in) throws Exception {
            readSnapshot(in);
        }
    }
}
