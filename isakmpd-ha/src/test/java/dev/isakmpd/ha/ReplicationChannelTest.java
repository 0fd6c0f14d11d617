package dev.isakmpd.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.jgroups.util.Util;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two channels in one JVM on loopback addresses 127.0.0.11 and 127.0.0.12. */
class ReplicationChannelTest {
    private static final byte[] KEY = "a sync-link secret of 32 bytes..".getBytes(StandardCharsets.US_ASCII);
    private final List<ReplicationChannel> open = new ArrayList<>();
    private final InetSocketAddress addressA = free("127.0.0.11");
    private final InetSocketAddress addressB = free("127.0.0.12");

    @AfterEach
    void closeAll() {
        open.forEach(ReplicationChannel::close);
    }

    @Test
    void syncRecordIsAckedAfterTheStandbyStoredIt() throws Exception {
        RecordingListener a = new RecordingListener();
        RecordingListener b = new RecordingListener();
        ReplicationChannel active = channel(addressA, addressB, KEY, a, List::of);
        active.connect();
        ReplicationChannel standby = channel(addressB, addressA, KEY, b, List::of);
        standby.connect();
        assertEquals("peerUp", a.next());
        assertTrue(active.peerConnected());
        assertTrue(standby.synced());

        active.replicate(7, bytes("isakmp-sa"), true);

        assertEquals("acked 7", a.nextRecord());
        assertEquals("snapshot []", b.nextRecord());
        assertEquals("received isakmp-sa", b.nextRecord());
    }

    /**
     * A snapshot far above JGroups' state-transfer buffer (8 KiB) arrives whole: 2,000 records of
     * 200 bytes, a fifth of issue 15's 10,000 SA pairs.
     */
    @Test
    void aLargeSnapshotArrivesWhole() throws Exception {
        List<byte[]> records = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            byte[] r = new byte[200];
            Arrays.fill(r, (byte) i);
            records.add(r);
        }
        ReplicationChannel active = channel(addressA, addressB, KEY, new RecordingListener(), () -> records);
        active.connect();
        java.util.concurrent.BlockingQueue<List<byte[]>> taken = new java.util.concurrent.LinkedBlockingQueue<>();
        ReplicationChannel standby = channel(addressB, addressA, KEY, new RecordingListener() {
            @Override
            public void snapshot(List<byte[]> snapshot) {
                taken.add(snapshot);
            }
        }, List::of);
        standby.connect();

        assertTrue(standby.synced(), "the standby took the snapshot");
        List<byte[]> got = taken.poll(30, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(records.size(), got.size());
        for (int i = 0; i < records.size(); i++) {
            assertTrue(Arrays.equals(records.get(i), got.get(i)), "record " + i);
        }
    }

    /**
     * A sync record that reaches a standby before any snapshot is dropped, and acknowledged once
     * its snapshot arrived, which the active took after sending it. Unacknowledged (as before), it
     * left the active degraded for as long as the standby stayed: the lab's crash hook then never
     * saw a guarded QM3.
     */
    @Test
    void aSyncRecordDroppedBeforeTheSnapshotIsAckedWhenItArrives() throws Exception {
        RecordingListener a = new RecordingListener();
        java.util.concurrent.BlockingQueue<RoleAnnouncement> heard = new java.util.concurrent.LinkedBlockingQueue<>();
        RecordingListener b = new RecordingListener() {
            @Override
            public void announced(RoleAnnouncement other) {
                heard.add(other);
            }
        };
        boolean[] refuse = {true};
        SnapshotSource state = () -> {
            if (refuse[0]) {
                refuse[0] = false;
                throw new IllegalStateException("the first snapshot fails");
            }
            return List.of(bytes("sa-1"));
        };
        ReplicationChannel active = channel(addressA, addressB, KEY, a, state);
        active.connect();
        ReplicationChannel standby = channel(addressB, addressA, KEY, b, List::of);
        try {
            standby.connect();
        } catch (Exception expected) {
            // the standby is on the link without a snapshot
        }
        assertEquals("peerUp", a.next());
        assertFalse(standby.synced());

        active.replicate(5, bytes("dpd"), true);
        // the announcement comes after record 5 in the active's one ordered stream: once it is
        // heard, record 5 was dropped
        active.announce(new RoleAnnouncement("a", "127.0.0.11:1", true, 150, 1));
        assertTrue(heard.poll(30, java.util.concurrent.TimeUnit.SECONDS) != null, "no announcement within 30 s");
        standby.requestSnapshot();

        assertEquals("snapshot [sa-1]", b.nextRecord());
        assertEquals("acked 5", a.nextRecord());
    }

    @Test
    void joiningStandbyGetsTheSnapshotThenTheLiveStreamInOrder() throws Exception {
        RecordingListener a = new RecordingListener();
        RecordingListener b = new RecordingListener();
        ReplicationChannel[] self = new ReplicationChannel[1];
        // A record sent while the snapshot is being taken must come after it, not before or never.
        SnapshotSource state = () -> {
            self[0].replicate(1, bytes("during"), false);
            return List.of(bytes("sa-1"), bytes("sa-2"));
        };
        ReplicationChannel active = channel(addressA, addressB, KEY, a, state);
        self[0] = active;
        active.connect();
        ReplicationChannel standby = channel(addressB, addressA, KEY, b, List::of);
        standby.connect();
        for (int i = 2; i <= 60; i++) {
            active.replicate(i, bytes("r" + i), i % 3 == 0);
        }

        assertEquals("snapshot [sa-1, sa-2]", b.nextRecord());
        assertEquals("received during", b.nextRecord());
        for (int i = 2; i <= 60; i++) {
            assertEquals("received r" + i, b.nextRecord());
        }
        for (int i = 3; i <= 60; i += 3) {
            assertEquals("acked " + i, a.nextRecord());
        }
    }

    /**
     * A synced standby takes a fresh snapshot (after a partition, HaNode.refresh): the records the
     * active sent before are delivered before it, and one sent while the snapshot is taken comes
     * after it, not before and not lost, so that the snapshot replacing the standby's table
     * (Engine.applySnapshot) drops none of them.
     */
    @Test
    void aFreshSnapshotComesBetweenTheRecordsSentBeforeAndAfterIt() throws Exception {
        RecordingListener a = new RecordingListener();
        RecordingListener b = new RecordingListener();
        ReplicationChannel[] self = new ReplicationChannel[1];
        int[] snapshots = {0};
        SnapshotSource state = () -> {
            if (snapshots[0]++ > 0) {
                self[0].replicate(3, bytes("after"), false);
            }
            return List.of(bytes("sa-" + snapshots[0]));
        };
        ReplicationChannel active = channel(addressA, addressB, KEY, a, state);
        self[0] = active;
        active.connect();
        ReplicationChannel standby = channel(addressB, addressA, KEY, b, List::of);
        standby.connect();
        active.replicate(1, bytes("before"), false);
        assertEquals("snapshot [sa-1]", b.nextRecord());
        assertEquals("received before", b.nextRecord());

        standby.requestSnapshot();
        active.replicate(4, bytes("later"), false);
        assertEquals("snapshot [sa-2]", b.nextRecord());
        assertEquals("received after", b.nextRecord());
        assertEquals("received later", b.nextRecord());
        assertTrue(standby.synced());
    }

    @Test
    void nodeWithAnotherKeyCannotJoinNorInject() throws Exception {
        RecordingListener a = new RecordingListener();
        RecordingListener b = new RecordingListener();
        ReplicationChannel active = channel(addressA, addressB, KEY, a, List::of);
        active.connect();
        byte[] other = KEY.clone();
        other[0] ^= 1;
        ReplicationChannel intruder = channel(addressB, addressA, other, b, List::of);
        intruder.connect();

        assertFalse(active.peerConnected());
        assertFalse(intruder.peerConnected());
        intruder.replicate(1, bytes("forged"), false);
        active.replicate(2, bytes("secret"), true);
        assertEquals("unacked 2", a.now());
        assertNull(a.now());
        assertNull(b.now());
    }

    @Test
    void syncSendToADeadStandbyFailsAtOnceNotByHanging() throws Exception {
        RecordingListener a = new RecordingListener();
        CountDownLatch release = new CountDownLatch(1);
        RecordingListener stuck = new RecordingListener() {
            @Override
            public void received(byte[] record) {
                super.received(record);
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        ReplicationChannel active = channel(addressA, addressB, KEY, a, List::of);
        active.connect();
        ReplicationChannel standby = new ReplicationChannel(link(addressB, addressA), KEY, stuck, List::of);
        try {
            standby.connect();
            assertEquals("peerUp", a.next());
            assertEquals("snapshot []", stuck.nextRecord());
            active.replicate(1, bytes("pending"), true);
            assertEquals("received pending", stuck.nextRecord());

            Util.shutdown(standbyChannel(standby)); // a crash: no LEAVE

            assertEquals("unacked 1", a.next());
            assertEquals("peerDown", a.next());
            active.replicate(2, bytes("after"), true);
            assertEquals("unacked 2", a.now(), "reported before replicate returned");
        } finally {
            release.countDown();
            standby.close();
        }
    }

    @Test
    void secretShorterThan128BitsIsRefused() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> channel(addressA, addressB, Arrays.copyOf(KEY, 15), new RecordingListener(), List::of));
    }

    private static org.jgroups.JChannel standbyChannel(ReplicationChannel c) throws ReflectiveOperationException {
        var f = ReplicationChannel.class.getDeclaredField("channel");
        f.setAccessible(true);
        return (org.jgroups.JChannel) f.get(c);
    }

    /**
     * A witness (issue 15 s6) joins the view, is reported to both gateways, is never asked for a
     * snapshot nor counted as the other gateway, and acknowledges nothing; its departure is reported.
     */
    @Test
    void aWitnessMakesTheViewAndNothingElse() throws Exception {
        InetSocketAddress addressW = free("127.0.0.13");
        java.util.concurrent.BlockingQueue<Boolean> seenByA = new java.util.concurrent.LinkedBlockingQueue<>();
        RecordingListener a = new RecordingListener() {
            @Override
            public void witness(boolean present) {
                seenByA.add(present);
            }
        };
        ReplicationChannel active = new ReplicationChannel(new SyncLink(addressA, List.of(addressB),
                Duration.ofSeconds(20), java.util.Optional.of(addressW)), KEY, a, List::of);
        open.add(active);
        active.connect();
        ReplicationChannel witness = ReplicationChannel.witness(new SyncLink(addressW, List.of(addressA, addressB),
                Duration.ofSeconds(20)), KEY);
        witness.connect();
        assertEquals(Boolean.TRUE, seenByA.poll(30, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(active.witnessPresent());
        assertFalse(active.peerConnected(), "a witness is not the other gateway");
        active.replicate(1, bytes("alone"), true);
        assertEquals("unacked 1", a.nextRecord());

        RecordingListener b = new RecordingListener();
        ReplicationChannel standby = new ReplicationChannel(new SyncLink(addressB, List.of(addressA),
                Duration.ofSeconds(20), java.util.Optional.of(addressW)), KEY, b, () -> List.of(bytes("b-state")));
        open.add(standby);
        standby.connect();
        assertEquals("snapshot []", b.nextRecord(), "the snapshot comes from the active, not the witness");
        assertTrue(standby.witnessPresent());
        active.replicate(2, bytes("r2"), true);
        assertEquals("acked 2", a.nextRecord());
        assertEquals("received r2", b.nextRecord());

        witness.close();
        assertEquals(Boolean.FALSE, seenByA.poll(30, java.util.concurrent.TimeUnit.SECONDS));
        assertFalse(active.witnessPresent());
    }

    private ReplicationChannel channel(InetSocketAddress local, InetSocketAddress peer, byte[] key,
            ReplicationListener listener, SnapshotSource state) throws Exception {
        ReplicationChannel c = new ReplicationChannel(link(local, peer), key, listener, state);
        open.add(c);
        return c;
    }

    private static SyncLink link(InetSocketAddress local, InetSocketAddress peer) {
        return new SyncLink(local, List.of(peer), Duration.ofSeconds(20));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A port free on {@code address}, below 65435 so that FD_SOCK2's port + 100 exists. */
    private static InetSocketAddress free(String address) {
        try {
            InetAddress a = InetAddress.getByName(address);
            while (true) {
                try (ServerSocket s = new ServerSocket(0, 1, a)) {
                    if (s.getLocalPort() < 65435) {
                        return new InetSocketAddress(a, s.getLocalPort());
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
