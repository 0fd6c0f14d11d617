package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.exchange.Action;
import dev.isakmpd.core.exchange.Engine;
import dev.isakmpd.core.ha.HaRecord;
import dev.isakmpd.core.kernel.InMemoryKernel;
import dev.isakmpd.core.kernel.Kernel;
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
 * window set, each outbound SA installed with its counter). Prints each part's cost ({@link
 * JvmCost}: wall, thread and process CPU, GC, JIT, page faults; in the lab guest the system time
 * is the kernel's work and the system calls) and checks the kernel holds every SA with the right
 * counter. Documentation addresses, test keys, no policies; the daemon's log goes wherever stderr
 * goes. Then a profile per request ({@link #profile}), unless "noprofile". With "memory" (this
 * host, which has no ESP): the same standby and records on an in-memory kernel, and
 * Engine.takeover alone, for the guest-versus-host comparison.
 *
 * <pre>XfrmTakeoverBench PAIRS [xfrm | noprofile | memory]</pre>
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
        String mode = args.length > 1 ? args[1] : "xfrm";
        Path dir = Files.createTempDirectory("xfrm-takeover-bench");
        DaemonConfig config = ConfigLoader.parse("[daemon]\nlisten = [\"" + US.getHostAddress() + ":500\"]\n"
                + "kernel = \"memory\"\ncontrol-socket = \"off\"\n\n[peers.bench]\nlocal = \"" + US.getHostAddress()
                + "\"\nremote = \"" + PEER.getHostAddress() + "\"\npsk = \"xfrm takeover bench\"\n"
                + "ike = [\"aes128-sha256-modp2048\"]\nauto = \"add\"\n\n[peers.bench.tunnels.net]\n"
                + "local-subnet = \"10.1.0.0/16\"\nremote-subnet = \"10.2.0.0/16\"\nesp = [\"aes128-sha1\"]\n",
                "bench.toml", dir);
        if (mode.equals("memory")) {
            Kernel kernel = new InMemoryKernel();
            Engine engine = standby(config, kernel, new ActionExecutor(null, kernel, Clock.systemUTC()), pairs);
            JvmCost c0 = JvmCost.now();
            List<Action> actions = engine.takeover(Instant.now(), MARGIN);
            JvmCost takeover = JvmCost.now().since(c0);
            System.out.printf("memory kernel, %d pairs: Engine.takeover %s (%d actions)%n", pairs, takeover,
                    actions.size());
            return;
        }
        try (XfrmKernel kernel = XfrmKernel.open()) {
            kernel.counters().report(1024, Duration.ofSeconds(1));
            Clock clock = Clock.systemUTC();
            ActionExecutor executor = new ActionExecutor(null, kernel, clock);
            long t0 = System.nanoTime();
            Engine engine = standby(config, kernel, executor, pairs);
            long t1 = System.nanoTime();
            Instant start = clock.instant();
            JvmCost c0 = JvmCost.now();
            List<Action> actions = engine.takeover(start, MARGIN);
            JvmCost c1 = JvmCost.now();
            Instant executing = clock.instant();
            executor.execute(actions);
            JvmCost c2 = JvmCost.now();
            Instant end = clock.instant();
            int held = kernel.list().size();
            if (held != 2 * pairs) {
                throw new IllegalStateException("the kernel holds " + held + " of " + 2 * pairs + " SAs");
            }
            IpsecSa lastOut = outbound(pairs - 1);
            long oseq = kernel.counters().read(PEER, lastOut.spi(), lastOut.protocol()).orElseThrow().replay()
                    .outbound();
            if (oseq != 7000 + pairs - 1 + MARGIN) {
                throw new IllegalStateException("the last outbound SA's oseq is " + oseq);
            }
            System.out.printf("xfrm, %d pairs: the standby applies the records (inbound SAs installed) in %.2f s;"
                    + " takeover %.2f s in all (%d actions)%n  Engine.takeover %s%n  ActionExecutor %s%n"
                    + "  (for a profile: Engine.takeover %s to %s, ActionExecutor to %s)%n", pairs,
                    KernelInstallBench.seconds(t0, t1), c2.since(c0).seconds(), actions.size(), c1.since(c0),
                    c2.since(c1), start, executing, end);
            if (!mode.equals("noprofile")) {
                List<IpsecSa> inbound = new ArrayList<>();
                for (int i = 0; i < pairs; i++) {
                    inbound.add(inbound(i));
                }
                profile(kernel, inbound);
            }
            kernel.removeLeftovers();
        }
    }

    /**
     * A standby engine that got each pair's record and counters through applyReplica, its actions
     * (the inbound SAs) carried out by {@code executor}.
     */
    private static Engine standby(DaemonConfig config, Kernel kernel, ActionExecutor executor, int pairs) {
        Engine engine = new Engine(config.peers(), config.crypto().create(new SecureRandom(), false), kernel,
                config.retransmit(), config.halfOpen());
        Instant now = Instant.now();
        long expires = now.plus(Duration.ofHours(1)).toEpochMilli();
        for (int i = 0; i < pairs; i++) {
            IpsecSa out = outbound(i);
            IpsecSa in = inbound(i);
            byte[] cookie = {1, 2, 3, 4, 5, 6, (byte) (i >> 8), (byte) i};
            HaRecord.CookiePair owner = new HaRecord.CookiePair(cookie, cookie.clone());
            executor.execute(engine.applyReplica(new HaRecord.IpsecPair(owner, "bench", null, in, out, false,
                    false, false, expires, expires), now));
            executor.execute(engine.applyReplica(new HaRecord.Counters(new HaRecord.SpiKey(PEER, out.spi()),
                    new ReplayState(7000 + i, 0, 0), 0), now));
            executor.execute(engine.applyReplica(new HaRecord.Counters(new HaRecord.SpiKey(US, in.spi()),
                    new ReplayState(0, 5000 + i, -1), 0), now));
        }
        return engine;
    }

    private static IpsecSa outbound(int i) {
        return KernelInstallBench.sa("t" + i, IpsecSa.Direction.OUT, 0x10000 + i, US, PEER, local(i), remote(i));
    }

    private static IpsecSa inbound(int i) {
        return KernelInstallBench.sa("t" + i, IpsecSa.Direction.IN, 0x20000 + i, PEER, US, remote(i), local(i));
    }

    private static Subnet local(int i) {
        return Subnet.parse("10.1." + (i >> 8) + "." + (i & 0xff));
    }

    private static Subnet remote(int i) {
        return Subnet.parse("10.2." + (i >> 8) + "." + (i & 0xff));
    }

    /**
     * Where a takeover's time goes, per request, on the inbound SAs just set: a NEWAE built and
     * encoded (no kernel); NEWAEs one round trip each (XfrmCounters.set); the same batched
     * (XfrmKernel.writeAll: the kernel's own work, plus a few sends); one INFO line of the daemon's
     * log per SA (the log goes wherever stderr goes); then as many more outbound SAs installed with
     * their counter (NEWSA), one round trip each, and as many batched. Each with its process user
     * and system CPU per request (in the guest the system time is the system calls and the kernel's
     * work on the requests).
     */
    private static void profile(XfrmKernel kernel, List<IpsecSa> inbound) throws KernelException {
        int n = inbound.size();
        XfrmCodec codec = XfrmCodec.host();
        InetAddress any = InetAddress.getLoopbackAddress();
        JvmCost c0 = JvmCost.now();
        long bytes = 0;
        for (IpsecSa sa : inbound) {
            bytes += codec.encode(XfrmMessage.of(Xfrm.MSG_NEWAE, Xfrm.NLM_F_REPLACE, new XfrmBody.AeventId(
                    sa.destination(), sa.spi(), Xfrm.AF_INET, Xfrm.IPPROTO_ESP, any, 0, 0),
                    new XfrmAttribute.Replay(0, 6000, -1))).length;
        }
        JvmCost c1 = JvmCost.now();
        for (IpsecSa sa : inbound) {
            kernel.counters().set(sa.destination(), sa.spi(), sa.protocol(), new ReplayState(0, 7000, -1));
        }
        JvmCost c2 = JvmCost.now();
        List<Optional<KernelException>> done = kernel.writeAll(inbound.stream().<XfrmKernel.SaWrite>map(sa ->
                new XfrmKernel.SetCounters(sa, new ReplayState(0, 8000, -1))).toList());
        JvmCost c3 = JvmCost.now();
        if (done.stream().anyMatch(Optional::isPresent)) {
            throw new IllegalStateException("a batched NEWAE failed: " + done.stream().flatMap(Optional::stream)
                    .findFirst().orElseThrow().getMessage());
        }
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("isakmpd.kernel");
        for (IpsecSa sa : inbound) {
            log.info("profile: {} {}/{} spi=0x{}", sa.direction(), sa.peer(), sa.tunnel(), sa.spiHex());
        }
        JvmCost c4 = JvmCost.now();
        // NEWSA: more outbound SAs with their counter, one round trip each, then as many batched
        List<IpsecSa> more = new ArrayList<>();
        for (int i = 0; i < 2 * n; i++) {
            IpsecSa in = inbound.get(i % n);
            more.add(KernelInstallBench.sa(in.tunnel(), IpsecSa.Direction.OUT, 0x40000 + i, US, PEER,
                    in.destinationSelector(), in.sourceSelector()));
        }
        ReplayState start = new ReplayState(MARGIN, 0, 0);
        JvmCost c5 = JvmCost.now();
        for (IpsecSa sa : more.subList(0, n)) {
            kernel.install(sa, start);
        }
        JvmCost c6 = JvmCost.now();
        done = kernel.writeAll(more.subList(n, 2 * n).stream().<XfrmKernel.SaWrite>map(sa ->
                new XfrmKernel.Install(sa, start)).toList());
        JvmCost c7 = JvmCost.now();
        if (done.stream().anyMatch(Optional::isPresent)) {
            throw new IllegalStateException("a batched NEWSA failed");
        }
        System.out.printf("profile, per request over %d SAs (wall, process user + system CPU):%n"
                + "  NEWAE built and encoded: %s (%d bytes)%n  NEWAE one round trip each: %s%n  NEWAE batched: %s%n"
                + "  NEWSA with its counter one round trip each: %s%n  NEWSA with its counter batched: %s%n"
                + "  one INFO log line: %s%n", n, perRequest(c1.since(c0), n), bytes / n, perRequest(c2.since(c1), n),
                perRequest(c3.since(c2), n), perRequest(c6.since(c5), n), perRequest(c7.since(c6), n),
                perRequest(c4.since(c3), n));
    }

    private static String perRequest(JvmCost c, int n) {
        return String.format("%.1f us (user %.1f us, system %.1f us; GC %d ms, JIT %d ms)", c.wallNanos() / 1e3 / n,
                c.userTicks() * 1e4 / n, c.systemTicks() * 1e4 / n, c.gcMillis(), c.jitMillis());
    }
}
