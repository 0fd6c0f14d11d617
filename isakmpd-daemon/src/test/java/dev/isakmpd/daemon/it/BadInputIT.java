package dev.isakmpd.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.kernel.InMemoryKernel;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.daemon.config.ConfigLoader;
import dev.isakmpd.daemon.config.DaemonConfig;
import dev.isakmpd.daemon.runtime.Daemon;
import dev.isakmpd.daemon.runtime.DaemonStatus;
import dev.isakmpd.daemon.runtime.SaPairing;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A daemon under attack keeps serving: garbage datagrams and a peer with the wrong pre-shared key
 * each produce a clear log line, and afterwards a correctly configured peer still gets its tunnel.
 * In one JVM, so that the log can be read from an appender (the loop thread tells daemons apart).
 */
@Isolated
class BadInputIT {
    private static final String PSK = "the right key";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<Daemon> started = new ArrayList<>();

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Daemon d : started) {
            d.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void garbageAndWrongKeysAreLoggedAndTheDaemonKeepsServing() throws Exception {
        String target = "127.0.0.1:" + Ports.freeUdp("127.0.0.1");
        String good = "127.0.0.2:" + Ports.freeUdp("127.0.0.2");
        String liar = "127.0.0.3:" + Ports.freeUdp("127.0.0.3");
        try (LogCapture log = LogCapture.attach(); DatagramSocket attacker = new DatagramSocket(
                new InetSocketAddress("127.0.0.4", 0))) {
            Daemon t = start("target", Configs.daemon(target, null)
                    + Configs.peer("good", target, good, PSK, false, "10.1.0.0/16", "10.2.0.0/16")
                    + Configs.peer("liar", target, liar, PSK, false, "10.1.0.0/16", "10.3.0.0/16"));
            InetSocketAddress to = Addresses.parseEndpoint(target, 500);

            int mark = log.mark();
            send(attacker, to, new byte[10]);
            expect(log, mark, "target", "dropped 10-byte datagram: .*ISAKMP header needs 28 bytes",
                    "a 10-byte datagram");

            mark = log.mark();
            send(attacker, to, headerClaimingLength(1000));
            expect(log, mark, "target", "dropped 28-byte datagram: .*length 1000 differs from the datagram.*"
                    + "UNEQUAL-PAYLOAD-LENGTHS", "a header whose length field exceeds the datagram");

            mark = log.mark();
            Daemon l = start("liar", Configs.daemon(liar, null)
                    + Configs.peer("target", liar, target, "the wrong key", true, "10.3.0.0/16", "10.1.0.0/16"));
            expect(log, mark, "target", "authentication failed.*pre-shared key mismatch",
                    "Main Mode with the wrong pre-shared key");
            // RFC 2408 s5: the responder tells the initiator why (here in the clear: the keys disagree)
            expect(log, mark, "liar", "peer rejected the exchange with (PAYLOAD-MALFORMED|INVALID-PAYLOAD-TYPE"
                    + "|INVALID-HASH-INFORMATION)", "the notify for the wrong pre-shared key");
            l.stop(Duration.ofSeconds(5));

            Daemon g = start("good", Configs.daemon(good, null)
                    + Configs.peer("target", good, target, PSK, true, "10.2.0.0/16", "10.1.0.0/16"));
            assertTrue(Poll.until(() -> tunnelUp(g.status()) && tunnelUp(t.status())),
                    "the correctly configured peer got no tunnel" + log.dump());
            assertEquals(List.of(), SaPairing.mismatches("good", g.status().table(), "target", t.status().table()));
            assertTrue(t.status().esp().stream().allMatch(sa -> sa.peer().equals("good")),
                    "no SA for the peer with the wrong key" + log.dump());
        }
    }

    /**
     * 5,000 garbage datagrams at once: the log gets the first few and, 10 s later, one line that
     * counts the rest (WarningLimiter), and a peer negotiating meanwhile still gets its tunnel.
     */
    @Test
    void aFloodOfGarbageIsLoggedInBriefAndThePeerStillGetsItsTunnel() throws Exception {
        String target = "127.0.0.1:" + Ports.freeUdp("127.0.0.1");
        String good = "127.0.0.2:" + Ports.freeUdp("127.0.0.2");
        try (LogCapture log = LogCapture.attach(); DatagramSocket attacker = new DatagramSocket(
                new InetSocketAddress("127.0.0.4", 0))) {
            Daemon t = start("target", Configs.daemon(target, null)
                    + Configs.peer("good", target, good, PSK, false, "10.1.0.0/16", "10.2.0.0/16"));
            InetSocketAddress to = Addresses.parseEndpoint(target, 500);
            int mark = log.mark();
            for (int i = 0; i < 5000; i++) {
                send(attacker, to, new byte[10 + i % 10]);
            }
            Daemon g = start("good", Configs.daemon(good, null)
                    + Configs.peer("target", good, target, PSK, true, "10.2.0.0/16", "10.1.0.0/16"));
            assertTrue(Poll.until(() -> tunnelUp(g.status()) && tunnelUp(t.status())),
                    "the peer got no tunnel during the flood" + log.dump());
            expect(log, mark, "target", "[\\d,]+ more warning\\(s\\) like this one held back in the last \\d+ s: "
                    + ".*dropped \\d+-byte datagram", "the count of the warnings held back");
            long written = log.since(mark).stream().filter(l -> l.message().matches(".*dropped \\d+-byte datagram: .*"))
                    .count();
            // a burst of 20, then 2 a second for the seconds the tunnel took
            assertTrue(written <= 60, written + " lines for 5,000 garbage datagrams");
        }
    }

    private Daemon start(String name, String config) throws Exception {
        DaemonConfig c = ConfigLoader.parse(config, name + ".toml", Path.of("."));
        Daemon d = Daemon.start(c, new InMemoryKernel(), name);
        started.add(d);
        return d;
    }

    /** An ISAKMP header (RFC 2408 s3.1) for Main Mode whose Length field says more than was sent. */
    private static byte[] headerClaimingLength(int length) {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.putLong(0x1122334455667788L).putLong(0);
        b.put((byte) 1).put((byte) 0x10).put((byte) 2).put((byte) 0).putInt(0).putInt(length);
        return b.array();
    }

    private static void send(DatagramSocket s, InetSocketAddress to, byte[] data) throws Exception {
        s.send(new DatagramPacket(data, data.length, to));
    }

    private static void expect(LogCapture log, int mark, String thread, String regex, String what) throws Exception {
        Optional<LogCapture.Line> line = log.await(mark, thread, regex, WAIT);
        assertTrue(line.isPresent(), "no log line matching /" + regex + "/ for " + what + log.dump());
    }

    private static boolean tunnelUp(DaemonStatus s) {
        return !s.isakmp().isEmpty() && s.esp().size() >= 2;
    }


}
