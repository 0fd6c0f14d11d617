package dev.isakmpd.daemon.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.daemon.config.HaSettings;
import dev.isakmpd.ha.ReplicationChannel;
import dev.isakmpd.ha.ReplicationListener;
import dev.isakmpd.ha.SyncLink;
import dev.isakmpd.oakley.SecretBytes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HaNodeTest {
    private static final byte[] KEY = "0f3a9c1be4d27a8e5b6c0d1f2e3a4b5c".getBytes(StandardCharsets.US_ASCII);
    @TempDir
    Path dir;
    /** Stands in for the event loop's thread. */
    private final ExecutorService loop = Executors.newSingleThreadExecutor();
    private int activations;

    @AfterEach
    void stop() {
        loop.shutdownNow();
    }

    @Test
    void masterMakesActiveAndBumpsTheEpochOtherStatesMakeStandby() throws Exception {
        HaNode n = node(free("127.0.0.21"), free("127.0.0.22"));
        assertFalse(n.active(), "a node starts as standby");
        n.vrrp(VrrpNotification.parse("INSTANCE \"VI_1\" BACKUP 100"));
        assertEquals(0, n.epoch());
        n.vrrp(VrrpNotification.parse("INSTANCE \"VI_1\" MASTER 100"));
        n.vrrp(VrrpNotification.parse("INSTANCE \"VI_1\" MASTER 100"));
        assertTrue(n.active());
        assertEquals(1, n.epoch(), "a repeated MASTER is not a takeover");
        assertEquals(1, activations);
        n.vrrp(VrrpNotification.parse("INSTANCE \"VI_1\" FAULT 100"));
        assertFalse(n.active());
        n.vrrp(VrrpNotification.parse("INSTANCE \"VI_1\" MASTER 100"));
        n.vrrp(VrrpNotification.parse("INSTANCE \"VI_1\" STOP 100"));
        assertFalse(n.active());
        assertEquals(2, n.epoch());
        assertEquals("INSTANCE \"VI_1\" STOP 100", n.status().get("ha-last-vrrp"));
    }

    @Test
    void onceASyncGroupReportsItsInstancesNoLongerDecide() throws Exception {
        HaNode n = node(free("127.0.0.21"), free("127.0.0.22"));
        n.vrrp(VrrpNotification.parse("GROUP \"VG\" MASTER 0"));
        n.vrrp(VrrpNotification.parse("INSTANCE \"inside\" BACKUP 100"));
        assertTrue(n.active());
        n.vrrp(VrrpNotification.parse("GROUP \"VG\" BACKUP 0"));
        assertFalse(n.active());
    }

    @Test
    void fifoLinesAreParsedAndAppliedOnTheLoop() throws Exception {
        HaNode n = node(free("127.0.0.21"), free("127.0.0.22"));
        n.fifoLine("VS [192.168.201.15]:tcp:80 UP");
        n.fifoLine("INSTANCE \"VI_1\" MASTER 100");
        loop.submit(() -> null).get(10, TimeUnit.SECONDS);
        assertTrue(n.active());
    }

    @Test
    void trackFileHoldsANegativeWeightUntilTheSnapshotArrives() throws Exception {
        InetSocketAddress a = free("127.0.0.21");
        InetSocketAddress b = free("127.0.0.22");
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch asked = new CountDownLatch(1);
        try (ReplicationChannel active = new ReplicationChannel(new SyncLink(a, List.of(b), Duration.ofSeconds(20)),
                KEY, new Ignore(), () -> {
                    asked.countDown();
                    release.await();
                    return List.of();
                })) {
            active.connect();
            HaNode standby = node(b, a);
            try {
                standby.start();
                assertTrue(asked.await(30, TimeUnit.SECONDS), "the standby asks for the snapshot");
                assertEquals("-100", track());
                assertEquals(false, standby.status().get("ha-synced"));
                release.countDown();
                for (int i = 0; i < 300 && !track().equals("0"); i++) {
                    Thread.sleep(100);
                }
                assertEquals("0", track());
                loop.submit(() -> null).get(10, TimeUnit.SECONDS);
                assertEquals(true, standby.status().get("ha-synced"));
                assertEquals(true, standby.status().get("ha-peer-connected"));
            } finally {
                release.countDown();
                standby.close();
            }
        }
    }

    private String track() throws IOException {
        return Files.readString(dir.resolve("weight")).trim();
    }

    private HaNode node(InetSocketAddress local, InetSocketAddress peer) {
        HaSettings s = new HaSettings("gw-b", local, List.of(peer), dir.resolve("ha.key"), SecretBytes.copyOf(KEY),
                dir.resolve("notify.fifo"), dir.resolve("weight"), 1024, Duration.ofSeconds(1), 1000, Duration.ofSeconds(60),
                true);
        return new HaNode(s, EngineSide.NONE, loop, () -> activations++);
    }

    private static InetSocketAddress free(String address) throws IOException {
        InetAddress a = InetAddress.getByName(address);
        while (true) {
            try (ServerSocket s = new ServerSocket(0, 1, a)) {
                if (s.getLocalPort() < 65435) {
                    return new InetSocketAddress(a, s.getLocalPort());
                }
            }
        }
    }

    private static final class Ignore implements ReplicationListener {
        @Override
        public void acked(long id) {
        }

        @Override
        public void unacked(long id) {
        }

        @Override
        public void received(byte[] record) {
        }

        @Override
        public void snapshot(List<byte[]> records) {
        }

        @Override
        public void peerUp() {
        }

        @Override
        public void peerDown() {
        }
    }
}
