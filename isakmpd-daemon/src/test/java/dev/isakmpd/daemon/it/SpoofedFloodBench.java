package dev.isakmpd.daemon.it;

import dev.isakmpd.core.exchange.Action;
import dev.isakmpd.core.exchange.Engine;
import dev.isakmpd.core.exchange.RetransmitPolicy;
import dev.isakmpd.core.kernel.InMemoryKernel;
import dev.isakmpd.daemon.config.ConfigLoader;
import dev.isakmpd.daemon.config.DaemonConfig;
import dev.isakmpd.oakley.IkeCrypto;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Issue 11's flood (scripts/bench-flood.sh): RATE valid Main Mode first messages per second, each
 * with its own initiator cookie and from one of ADDRESSES addresses (default 512; 512 random ones
 * of 127.0.0.0/8, more: the first ADDRESSES of 127.100.0.0/16 and on), at a responder whose
 * road-warrior policy accepts all of 127.0.0.0/8, for SECONDS; five seconds in, a legitimate peer
 * (127.0.0.2, its own fixed-address policy) starts Main Mode + Quick Mode with the responder.
 * Reports what was sent, how long the legitimate peer took, and the responder's CPU time, peak
 * resident memory and half-open count.
 *
 * <pre>SpoofedFloodBench OUTDIR RATE SECONDS [ADDRESSES]</pre>
 */
public final class SpoofedFloodBench {
    private static final int PORT = 15500;
    private static final int DEFAULT_SOURCES = 512;

    private SpoofedFloodBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]).toAbsolutePath();
        int rate = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int addresses = args.length > 3 ? Integer.parseInt(args[3]) : DEFAULT_SOURCES;
        Files.createDirectories(dir);
        for (String old : new String[] {"responder.status", "legit.status", "responder.log", "legit.log"}) {
            Files.deleteIfExists(dir.resolve(old)); // a previous run's would read as this one's
        }
        String us = "127.0.0.1:" + PORT;
        String legit = "127.0.0.2:" + PORT;
        Path responderConf = dir.resolve("responder.toml");
        Files.writeString(responderConf, Configs.daemon(us, dir.resolve("responder.status").toString())
                + Configs.peer("legit", us, legit, "legit psk", false, "10.1.0.0/16", "10.2.0.0/16")
                + "\n[peers.crowd]\nlocal = \"" + us + "\"\nremote = \"127.0.0.0/8\"\npsk = \"crowd psk\"\n"
                + "ike = [\"aes128-sha256-modp2048\"]\nauto = \"add\"\n"
                + "[peers.crowd.tunnels.net]\nlocal-subnet = \"10.1.0.0/16\"\nremote-subnet = \"10.3.0.0/16\"\n"
                + "esp = [\"aes128-sha1\"]\n");
        Path legitConf = dir.resolve("legit.toml");
        Files.writeString(legitConf, Configs.daemon(legit, dir.resolve("legit.status").toString())
                + Configs.peer("gw", legit, us, "legit psk", true, "10.2.0.0/16", "10.1.0.0/16"));
        byte[] mm1 = mm1(us);

        List<DatagramChannel> sources = new ArrayList<>();
        Random r = new Random(1);
        while (sources.size() < addresses) {
            int i = sources.size();
            InetAddress a = addresses <= DEFAULT_SOURCES
                    ? InetAddress.getByAddress(new byte[] {127, (byte) (1 + r.nextInt(250)), (byte) r.nextInt(256),
                            (byte) (1 + r.nextInt(254))})
                    : InetAddress.getByAddress(new byte[] {127, (byte) (100 + i / 65_024), (byte) (i / 254 % 256),
                            (byte) (1 + i % 254)});
            DatagramChannel c = DatagramChannel.open();
            c.bind(new InetSocketAddress(a, 0));
            c.configureBlocking(false);
            sources.add(c);
        }
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", PORT);
        try (DaemonProcess responder = DaemonProcess.start("responder", responderConf, dir.resolve("responder.status"))) {
            awaitListening(responder);
            long pid = responder.pid();
            long cpu0 = ProcStat.cpuMillis(pid);
            long peakRss = 0;
            long sent = 0;
            long refused = 0;
            DaemonProcess legitPeer = null;
            Duration legitUp = null;
            Instant start = Instant.now();
            long t0 = System.nanoTime();
            long period = 1_000_000_000L / rate;
            ByteBuffer b = ByteBuffer.wrap(mm1);
            byte[] cookie = new byte[8];
            try {
                while (System.nanoTime() - t0 < seconds * 1_000_000_000L) {
                    long due = t0 + sent * period;
                    while (System.nanoTime() < due) {
                        Thread.onSpinWait();
                    }
                    r.nextBytes(cookie);
                    System.arraycopy(cookie, 0, mm1, 0, 8);
                    b.clear();
                    if (sources.get((int) (sent % addresses)).send(b, target) == 0) {
                        refused++;
                    }
                    sent++;
                    if (sent % rate == 0) {
                        peakRss = Math.max(peakRss, ProcStat.rssKib(pid));
                    }
                    if (legitPeer == null && System.nanoTime() - t0 > 5_000_000_000L) {
                        legitPeer = DaemonProcess.start("legit", legitConf, dir.resolve("legit.status"));
                        start = Instant.now();
                    }
                    if (legitPeer != null && legitUp == null && sent % (rate / 10) == 0
                            && legitPeer.table().esp().size() == 2) {
                        legitUp = Duration.between(start, Instant.now());
                    }
                }
                double elapsed = (System.nanoTime() - t0) / 1e9;
                long cpu = ProcStat.cpuMillis(pid) - cpu0;
                if (legitUp == null && legitPeer.awaitStatus(t -> t.esp().size() == 2, Duration.ofSeconds(60))) {
                    legitUp = Duration.between(start, Instant.now());
                }
                String report = String.format("sent %d MM1s in %.1f s (%.0f/s, %d not sent: socket buffer full) from %d"
                        + " addresses%nresponder CPU %.1f s (%.0f%% of one core), peak RSS %d MiB%n"
                        + "legitimate peer: %s%n", sent, elapsed, sent / elapsed, refused, addresses,
                        cpu / 1000.0, cpu / elapsed / 10, peakRss / 1024,
                        legitUp == null ? "NOT up within 60 s after the flood" : "MM+QM up " + legitUp.toMillis()
                                + " ms after its process started (JVM start included; flood running)");
                System.out.print(report);
                Files.writeString(dir.resolve("result.txt"), report);
            } finally {
                if (legitPeer != null) {
                    legitPeer.close();
                }
            }
        }
    }

    /** A valid MM1 for the crowd policy, as our own initiator writes it. */
    private static byte[] mm1(String responder) throws Exception {
        DaemonConfig c = ConfigLoader.parse(Configs.daemon("127.0.0.3:" + PORT, null)
                + Configs.peer("r", "127.0.0.3:" + PORT, responder, "crowd psk", true, "10.3.0.0/16", "10.1.0.0/16")
                .replace("esp = [\"aes256-sha256\", \"aes128-sha1\"]\npfs = \"modp2048\"", "esp = [\"aes128-sha1\"]"),
                "flood.toml", Path.of("."));
        Engine e = new Engine(c.peers(), IkeCrypto.bouncyCastle(new SecureRandom(), false), new InMemoryKernel(),
                RetransmitPolicy.DEFAULT);
        for (Action a : e.initiate("r", Instant.now())) {
            if (a instanceof Action.Send s) {
                return s.datagram().data();
            }
        }
        throw new IllegalStateException("the initiator sent no MM1");
    }

    private static void awaitListening(DaemonProcess d) throws Exception {
        for (int i = 0; i < 300 && !d.output().contains("listening on"); i++) {
            Thread.sleep(100);
        }
    }

    /** CPU time and resident memory of a process, from /proc (Linux). */
    private static final class ProcStat {
        private static final long TICKS_PER_SECOND = 100;

        static long cpuMillis(long pid) throws IOException {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1000 / TICKS_PER_SECOND;
        }

        static long rssKib(long pid) throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            return 0;
        }
    }
}
