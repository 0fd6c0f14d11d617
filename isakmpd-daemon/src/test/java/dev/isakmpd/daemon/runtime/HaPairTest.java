package dev.isakmpd.daemon.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.kernel.InMemoryKernel;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.daemon.config.ConfigLoader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's replication glued to the sync link (issue 15): gateway A (active, keepalived says
 * MASTER) negotiates with a peer, and gateway B (standby) ends up holding the ISAKMP SA and the
 * IPsec SA pair, each reaching it before the message that let the peer use it, with no message
 * sent without the standby's ack. When keepalived then says MASTER to B, B takes them over.
 */
class HaPairTest {
    private static final String PSK = "ha pair test psk";

    @TempDir
    Path dir;

    private final List<Daemon> started = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (Daemon d : started) {
            d.stop(Duration.ofSeconds(10));
        }
    }

    @Test
    void theStandbyHoldsWhatTheActiveNegotiatedBeforeThePeerCanUseIt() throws Exception {
        String a = "127.0.0.1:" + freeUdp("127.0.0.1");
        String b = "127.0.0.3:" + freeUdp("127.0.0.3");
        String peer = "127.0.0.2:" + freeUdp("127.0.0.2");
        String syncA = "127.0.0.41:" + freeTcp("127.0.0.41");
        String syncB = "127.0.0.42:" + freeTcp("127.0.0.42");
        Files.writeString(dir.resolve("ha.key"), "0f3a9c1be4d27a8e5b6c0d1f2e3a4b5c\n");
        Daemon gwA = gateway("gw-a", a, peer, syncA, syncB);
        Daemon gwB = gateway("gw-b", b, peer, syncB, syncA);
        keepalived("gw-a", "INSTANCE \"VI_1\" MASTER 150");
        keepalived("gw-b", "INSTANCE \"VI_1\" BACKUP 100");
        assertTrue(until(() -> "active".equals(gwA.haStatus().get("ha-role"))
                && Boolean.TRUE.equals(gwA.haStatus().get("ha-peer-connected"))
                && Boolean.TRUE.equals(gwB.haStatus().get("ha-synced"))), "pair not formed: A " + gwA.haStatus()
                + ", B " + gwB.haStatus());

        Daemon far = start("peer", daemon(peer) + peerSection("gw", peer, a, true, "10.2.0.0/16", "10.1.0.0/16"));
        assertTrue(until(() -> far.status().esp().size() == 2 && gwA.status().esp().size() == 2),
                "no tunnel: peer " + far.status() + " A " + gwA.status());
        assertTrue(until(() -> Integer.valueOf(1).equals(gwB.haStatus().get("ha-standby-isakmp-sas"))
                && Integer.valueOf(1).equals(gwB.haStatus().get("ha-standby-pairs"))), "B " + gwB.haStatus());
        assertEquals(0L, gwA.haStatus().get("ha-unacked"), "A " + gwA.haStatus());
        assertTrue(gwB.status().isakmp().isEmpty(), "a standby negotiates nothing itself: " + gwB.status());
        // issue 15 s4: B's kernel holds A's inbound SA (its SPI stays reserved), never the outbound one
        Set<String> inbound = gwA.status().esp().stream().filter(sa -> sa.direction() == IpsecSa.Direction.IN)
                .map(DaemonStatus::key).collect(Collectors.toSet());
        assertEquals(1, inbound.size());
        assertTrue(until(() -> inbound.equals(spis(gwB.status()))), "B's kernel: " + gwB.status());

        // keepalived gives B the address: B takes A's SAs over, same cookies and SPIs, and installs them
        // (A, made BACKUP, stands down: its own SAs go into its standby table)
        Set<String> spisOfA = spis(gwA.status());
        Set<String> cookiesOfA = cookies(gwA.status());
        keepalived("gw-a", "INSTANCE \"VI_1\" BACKUP 150"); // not a split brain: see below
        keepalived("gw-b", "INSTANCE \"VI_1\" MASTER 100");
        assertTrue(until(() -> gwB.status().esp().size() == 2), "B took nothing over: " + gwB.status());
        assertEquals(spisOfA, spis(gwB.status()));
        assertEquals(spisOfA, gwB.status().installed().keySet(), "both SAs in B's kernel");
        assertEquals(cookiesOfA, cookies(gwB.status()));
    }

    /**
     * Split brain (issue 15 s6): VRRP is partitioned, so keepalived says MASTER to B while A is
     * still active; the sync link is up. B takes over with the higher epoch, A hears B's
     * announcement and demotes although its priority is higher: exactly one active, A's track file puts keepalived in
     * FAULT, A's ISAKMP SAs and outbound SAs go, and the peer keeps its SAs (A sent no Delete). A then
     * takes a fresh snapshot from B and, as a standby, holds the pair's inbound SA again.
     */
    @Test
    void ofTwoActivesTheEarlierTakeoverDemotesWithinASecond() throws Exception {
        String a = "127.0.0.1:" + freeUdp("127.0.0.1");
        String b = "127.0.0.3:" + freeUdp("127.0.0.3");
        String peer = "127.0.0.2:" + freeUdp("127.0.0.2");
        String syncA = "127.0.0.41:" + freeTcp("127.0.0.41");
        String syncB = "127.0.0.42:" + freeTcp("127.0.0.42");
        Files.writeString(dir.resolve("ha.key"), "0f3a9c1be4d27a8e5b6c0d1f2e3a4b5c\n");
        Daemon gwA = gateway("gw-a", a, peer, syncA, syncB);
        Daemon gwB = gateway("gw-b", b, peer, syncB, syncA);
        keepalived("gw-a", "INSTANCE \"VI_1\" MASTER 150");
        keepalived("gw-b", "INSTANCE \"VI_1\" BACKUP 100");
        assertTrue(until(() -> "active".equals(gwA.haStatus().get("ha-role"))
                && "active".equals(gwB.haStatus().get("ha-peer-role"))
                && Boolean.TRUE.equals(gwB.haStatus().get("ha-synced"))), "pair not formed: A " + gwA.haStatus()
                + ", B " + gwB.haStatus());
        Daemon far = start("peer", daemon(peer) + peerSection("gw", peer, a, true, "10.2.0.0/16", "10.1.0.0/16"));
        assertTrue(until(() -> far.status().esp().size() == 2 && gwA.status().esp().size() == 2
                && Integer.valueOf(1).equals(gwB.haStatus().get("ha-standby-pairs"))), "no tunnel: peer "
                + far.status() + " A " + gwA.status() + " B " + gwB.haStatus());
        Set<String> peerSpis = spis(far.status());
        Set<String> peerCookies = cookies(far.status());
        assertEquals(peerSpis, gwA.status().installed().keySet());

        long start = System.nanoTime();
        keepalived("gw-b", "INSTANCE \"VI_1\" MASTER 100");
        assertTrue(until(() -> "standby".equals(gwA.haStatus().get("ha-role"))), "A stays active: " + gwA.haStatus());
        long settledMs = (System.nanoTime() - start) / 1_000_000;
        System.out.println("HaPairTest: split brain settled " + settledMs + " ms after B's MASTER line");
        assertEquals("active", gwB.haStatus().get("ha-role"));
        assertEquals(2L, gwB.haStatus().get("ha-epoch"), "B's takeover is above A's epoch 1");
        assertEquals(true, gwA.haStatus().get("ha-demoted"));
        assertEquals("-254", Files.readString(dir.resolve("gw-a.weight")).trim(), "keepalived on A goes to FAULT");
        // the SA table is published at most once a second (EventLoop), and B's snapshot puts the
        // pair's inbound SA back into A's kernel within milliseconds: A's kernel is never seen empty
        assertTrue(until(() -> gwA.status().isakmp().isEmpty()
                && gwA.status().esp().stream().noneMatch(sa -> sa.direction() == IpsecSa.Direction.OUT)),
                "A keeps no ISAKMP SA and no outbound SA: " + gwA.status());
        assertTrue(until(() -> peerSpis.equals(gwB.status().installed().keySet())), "B holds the pair: "
                + gwB.status());
        assertTrue(until(() -> Boolean.TRUE.equals(gwA.haStatus().get("ha-synced"))
                && Integer.valueOf(1).equals(gwA.haStatus().get("ha-standby-pairs"))), "A's fresh snapshot: "
                + gwA.haStatus());
        assertTrue(until(() -> gwA.status().esp().size() == 1
                && gwA.status().esp().get(0).direction() == IpsecSa.Direction.IN
                && peerSpis.containsAll(gwA.status().installed().keySet())),
                "as a standby, A holds the pair's inbound SA only: " + gwA.status());
        assertEquals("-254", Files.readString(dir.resolve("gw-a.weight")).trim(), "while B is active");
        assertEquals(peerSpis, spis(far.status()), "the peer got no Delete");
        assertEquals(peerCookies, cookies(far.status()));
        assertEquals("active", gwB.haStatus().get("ha-role"), "exactly one active: B");
        assertEquals("standby", gwA.haStatus().get("ha-role"));
    }

    private static Set<String> spis(DaemonStatus s) {
        return s.esp().stream().map(DaemonStatus::key).collect(Collectors.toSet());
    }

    private static Set<String> cookies(DaemonStatus s) {
        return s.isakmp().stream().map(i -> i.initiatorCookie() + ":" + i.responderCookie() + " " + i.state())
                .collect(Collectors.toSet());
    }

    private Daemon gateway(String node, String listen, String peer, String syncLocal, String syncOther)
            throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", dir.resolve(node + ".fifo").toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        return start(node, daemon(listen) + peerSection("far", listen, peer, false, "10.1.0.0/16", "10.2.0.0/16")
                + "\n[ha]\nmode = \"active-standby\"\nnode = \"" + node + "\"\nsync-link = [\"" + syncLocal + "\", \""
                + syncOther + "\"]\nkey-file = \"ha.key\"\nkeepalived-fifo = \"" + node + ".fifo\"\ntrack-file = \""
                + node + ".weight\"\n");
    }

    private Daemon start(String name, String text) throws Exception {
        Daemon d = Daemon.start(ConfigLoader.parse(text, name + ".toml", dir), new InMemoryKernel(), name);
        started.add(d);
        return d;
    }

    private void keepalived(String node, String line) throws IOException {
        try (FileOutputStream fifo = new FileOutputStream(dir.resolve(node + ".fifo").toFile())) {
            fifo.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static String daemon(String listen) {
        return "[daemon]\nlisten = [\"" + listen + "\"]\nkernel = \"memory\"\ncontrol-socket = \"off\"\n";
    }

    private static String peerSection(String name, String local, String remote, boolean start, String localNet,
            String remoteNet) {
        return "\n[peers." + name + "]\nlocal = \"" + local + "\"\nremote = \"" + remote + "\"\npsk = \"" + PSK
                + "\"\nike = [\"aes128-sha256-modp2048\"]\nauto = \"" + (start ? "start" : "add") + "\"\n"
                + "\n[peers." + name + ".tunnels.net]\nlocal-subnet = \"" + localNet + "\"\nremote-subnet = \""
                + remoteNet + "\"\nesp = [\"aes128-sha1\"]\n";
    }

    private static boolean until(BooleanSupplier c) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            if (c.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    private static int freeUdp(String address) throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getByName(address))) {
            return s.getLocalPort();
        }
    }

    /** JGroups also listens on port + 100 (failure detection). */
    private static int freeTcp(String address) throws IOException {
        for (int i = 0; i < 20; i++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(address))) {
                if (s.getLocalPort() < 65435) {
                    return s.getLocalPort();
                }
            }
        }
        throw new IOException("no free TCP port below 65435 on " + address);
    }
}
