package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.exchange.Action;
import dev.isakmpd.core.exchange.Engine;
import dev.isakmpd.core.ha.HaRecord;
import dev.isakmpd.core.kernel.KernelException;
import dev.isakmpd.core.kernel.ReplayState;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.daemon.bench.KernelInstallBench;
import dev.isakmpd.daemon.config.ConfigLoader;
import dev.isakmpd.daemon.config.DaemonConfig;
import dev.isakmpd.xfrm.Xfrm;
import dev.isakmpd.xfrm.XfrmAttribute;
import dev.isakmpd.xfrm.XfrmBody;
import dev.isakmpd.xfrm.XfrmCodec;
import dev.isakmpd.xfrm.XfrmKernel;
import dev.isakmpd.xfrm.XfrmMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The kernel's share of an HA takeover of PAIRS IPsec SA pairs (issue 15 "Scale"), through our
 * XFRM back-end, in the kernel lab (scripts/bench-ha-lab.sh): the daemon's own path. A standby
 * Engine receives each pair's record (and its counters) through applyReplica, and the
 * ActionExecutor installs the inbound SAs with the [ha] report thresholds; then, timed, what the
 * MASTER line starts: Engine.takeover, and its actions through the ActionExecutor (each inbound
 * window set, each outbound SA installed with its counter). Prints wall time, the process's user
 * and system CPU (/proc/self/stat; in the lab guest the system time is the kernel's work and the
 * syscalls) and checks the kernel holds every SA with the right counter. Documentation addresses,
 * test keys, no policies; the daemon's log goes wherever stderr goes. Then a profile per request
 * ({@link #profile}).
 *
 * <pre>XfrmTakeoverBench PAIRS</pre>
 */
public final class XfrmTakeoverBench {
    private static final InetAddress US = KernelInstallBench.US;
    private static final InetAddress PEER = KernelInstallBench.PEER;
    /** The takeover margin with the defaults and a 50 ms lag (docs/ha.md). */
    private static final long MARGIN = 1_050_000;

    private XfrmTakeoverBench() {
    }

    public static void main(String[] args) throws Exception {
        int pairs = Integer.parseInt(args[0]);
        Path dir = Files.createTempDirectory("xfrm-takeover-bench");
        DaemonConfig config = ConfigLoader.parse("[daemon]\nlisten = [\"" + US.getHostAddress() + ":500\"]\n"
                + "kernel = \"memory\"\ncontrol-socket = \"off\"\n\n[peers.bench]\nlocal = \"" + US.getHostAddress()
                + "\"\nremote = \"" + PEER.getHostAddress() + "\"\npsk = \"xfrm takeover bench\"\n"
                + "ike = [\"aes128-sha256-modp2048\"]\nauto = \"add\"\n\n[peers.bench.tunnels.net]\n"
                + "local-subnet = \"10.1.0.0/16\"\nremote-subnet = \"10.2.0.0/16\"\nesp = [\"aes128-sha1\"]\n",
                "bench.toml", dir);
        try (XfrmKernel kernel = XfrmKernel.open()) {
            kernel.counters().report(1024, Duration.ofSeconds(1));
            Engine engine = new Engine(config.peers(), config.crypto().create(new SecureRandom(), false), kernel,
                    config.retransmit(), config.halfOpen());
            Clock clock = Clock.systemUTC();
            ActionExecutor executor = new ActionExecutor(null, kernel, clock);
            Instant now = clock.instant();
            long expires = now.plus(Duration.ofHours(1)).toEpochMilli();
            IpsecSa lastOut = null;
            List<IpsecSa> inbound = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < pairs; i++) {
                Subnet local = Subnet.parse("10.1." + (i >> 8) + "." + (i & 0xff));
                Subnet remote = Subnet.parse("10.2." + (i >> 8) + "." + (i & 0xff));
                IpsecSa out = KernelInstallBench.sa("t" + i, IpsecSa.Direction.OUT, 0x10000 + i, US, PEER, local,
                        remote);
                IpsecSa in = KernelInstallBench.sa("t" + i, IpsecSa.Direction.IN, 0x20000 + i, PEER, US, remote,
                        local);
                byte[] cookie = {1, 2, 3, 4, 5, 6, (byte) (i >> 8), (byte) i};
                HaRecord.CookiePair owner = new HaRecord.CookiePair(cookie, cookie.clone());
                executor.execute(engine.applyReplica(new HaRecord.IpsecPair(owner, "bench", null, in, out, false,
                        false, false, expires, expires), now));
                executor.execute(engine.applyReplica(new HaRecord.Counters(new HaRecord.SpiKey(PEER, out.spi()),
                        new ReplayState(7000 + i, 0, 0), 0), now));
                executor.execute(engine.applyReplica(new HaRecord.Counters(new HaRecord.SpiKey(US, in.spi()),
                        new ReplayState(0, 5000 + i, -1), 0), now));
                lastOut = out;
                inbound.add(in);
            }
            long t1 = System.nanoTime();
            long[] cpu0 = cpu();
            long t2 = System.nanoTime();
            List<Action> actions = engine.takeover(clock.instant(), MARGIN);
            long t3 = System.nanoTime();
            executor.execute(actions);
            long t4 = System.nanoTime();
            long[] cpu1 = cpu();
            int held = kernel.list().size();
            if (held != 2 * pairs) {
                throw new IllegalStateException("the kernel holds " + held + " of " + 2 * pairs + " SAs");
            }
            long oseq = kernel.counters().read(PEER, lastOut.spi(), lastOut.protocol()).orElseThrow().replay()
                    .outbound();
            if (oseq != 7000 + pairs - 1 + MARGIN) {
                throw new IllegalStateException("the last outbound SA's oseq is " + oseq);
            }
            System.out.printf("xfrm, %d pairs: the standby applies the records (inbound SAs installed) in %.2f s;"
                    + " takeover: Engine.takeover %.2f s (%d actions), ActionExecutor %.2f s, %.2f s in all"
                    + " (process CPU: user %.2f s, system %.2f s)%n", pairs, KernelInstallBench.seconds(t0, t1),
                    KernelInstallBench.seconds(t2, t3), actions.size(), KernelInstallBench.seconds(t3, t4),
                    KernelInstallBench.seconds(t2, t4), (cpu1[0] - cpu0[0]) / 100.0, (cpu1[1] - cpu0[1]) / 100.0);
            profile(kernel, inbound);
            kernel.removeLeftovers();
        }
    }

    /**
     * Where a takeover's time goes, per request, on the inbound SAs just set: a NEWAE built and
     * encoded (no kernel); NEWAEs one round trip each (XfrmCounters.set); the same batched
     * (XfrmKernel.writeAll: the kernel's own work, plus a few sends); one INFO line of the daemon's
     * log per SA (the log goes wherever stderr goes); then as many more outbound SAs installed with
     * their counter (NEWSA), one round trip each, and as many batched.
     */
    private static void profile(XfrmKernel kernel, List<IpsecSa> inbound) throws KernelException {
        int n = inbound.size();
        XfrmCodec codec = XfrmCodec.host();
        InetAddress any = InetAddress.getLoopbackAddress();
        long t0 = System.nanoTime();
        long bytes = 0;
        for (IpsecSa sa : inbound) {
            bytes += codec.encode(XfrmMessage.of(Xfrm.MSG_NEWAE, Xfrm.NLM_F_REPLACE, new XfrmBody.AeventId(
                    sa.destination(), sa.spi(), Xfrm.AF_INET, Xfrm.IPPROTO_ESP, any, 0, 0),
                    new XfrmAttribute.Replay(0, 6000, -1))).length;
        }
        long t1 = System.nanoTime();
        for (IpsecSa sa : inbound) {
            kernel.counters().set(sa.destination(), sa.spi(), sa.protocol(), new ReplayState(0, 7000, -1));
        }
        long t2 = System.nanoTime();
        List<Optional<KernelException>> done = kernel.writeAll(inbound.stream().<XfrmKernel.SaWrite>map(sa ->
                new XfrmKernel.SetCounters(sa, new ReplayState(0, 8000, -1))).toList());
        long t3 = System.nanoTime();
        if (done.stream().anyMatch(Optional::isPresent)) {
            throw new IllegalStateException("a batched NEWAE failed: " + done.stream().flatMap(Optional::stream)
                    .findFirst().orElseThrow().getMessage());
        }
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("isakmpd.kernel");
        for (IpsecSa sa : inbound) {
            log.info("profile: {} {}/{} spi=0x{}", sa.direction(), sa.peer(), sa.tunnel(), sa.spiHex());
        }
        long t4 = System.nanoTime();
        // NEWSA: more outbound SAs with their counter, one round trip each, then as many batched
        List<IpsecSa> more = new ArrayList<>();
        for (int i = 0; i < 2 * n; i++) {
            IpsecSa in = inbound.get(i % n);
            more.add(KernelInstallBench.sa(in.tunnel(), IpsecSa.Direction.OUT, 0x40000 + i, US, PEER,
                    in.destinationSelector(), in.sourceSelector()));
        }
        ReplayState start = new ReplayState(MARGIN, 0, 0);
        long t5 = System.nanoTime();
        for (IpsecSa sa : more.subList(0, n)) {
            kernel.install(sa, start);
        }
        long t6 = System.nanoTime();
        done = kernel.writeAll(more.subList(n, 2 * n).stream().<XfrmKernel.SaWrite>map(sa ->
                new XfrmKernel.Install(sa, start)).toList());
        long t7 = System.nanoTime();
        if (done.stream().anyMatch(Optional::isPresent)) {
            throw new IllegalStateException("a batched NEWSA failed");
        }
        System.out.printf("profile, per request over %d SAs: NEWAE encoded %.1f us (%d bytes); NEWAE one round trip"
                + " each %.0f us, batched %.0f us; NEWSA with its counter one round trip each %.0f us, batched %.0f us;"
                + " one INFO log line %.0f us%n", n, (t1 - t0) / 1e3 / n, bytes / n, (t2 - t1) / 1e3 / n,
                (t3 - t2) / 1e3 / n, (t6 - t5) / 1e3 / n, (t7 - t6) / 1e3 / n, (t4 - t3) / 1e3 / n);
    }

    /** utime and stime of this process, in clock ticks (USER_HZ, 100 on Linux). */
    private static long[] cpu() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
    }
}
