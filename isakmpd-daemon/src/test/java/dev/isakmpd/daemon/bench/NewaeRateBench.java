package dev.isakmpd.daemon.bench;

import dev.isakmpd.core.ha.HaCodec;
import dev.isakmpd.core.ha.HaRecord;
import dev.isakmpd.core.kernel.KernelEvent;
import dev.isakmpd.core.kernel.KernelException;
import dev.isakmpd.core.kernel.SpdTunnel;
import dev.isakmpd.core.policy.IpsecMode;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.xfrm.XfrmKernel;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 15 "Scale": the kernel's counter reports (XFRM_MSG_NEWAE) from PAIRS busy IPsec SA pairs,
 * as the active gateway's process receives them, in the network namespace "us" that
 * scripts/bench-ha-newae.sh creates inside the kernel lab (it installs the mirror SAs in "peer"
 * and runs the traffic). Each pair is a tunnel of its own (10.1.x.y/32 to 10.2.x.y/32) installed
 * through our XFRM back-end with the [ha] report thresholds, as the daemon installs them.
 *
 * <p>The reports take the daemon's path to the sync link: the back-end's reader thread hands
 * each to a queue and wakes a loop thread (EventLoop.kernelEvent); each loop round keeps each
 * SA's newest report (CounterReports) and encodes one counters record per SA (HaCodec, what
 * Engine.counters replicates). Sending on the sync link is not included (docs/ha.md "Scale").
 * Prints reports/s, records/s, the SAs that reported, the reports the kernel dropped (our
 * socket's receive buffer was full: /proc/net/netlink "Drops" of the namespace's XFRM sockets,
 * which are ours), and the CPU of the process and of its two threads over a window of SECONDS,
 * once with no traffic and once with it. Test keys only.
 *
 * <pre>NewaeRateBench PAIRS REPLAY_THRESHOLD INTERVAL_MS SECONDS READY_FILE GO_FILE</pre>
 * After the SAs and policies are in, the idle window is measured, then READY_FILE is created; once
 * GO_FILE exists (the traffic runs), and 3 s later (every SA has moved), the busy window; then
 * GO_FILE is removed (the traffic stops) before the SAs are.
 */
public final class NewaeRateBench {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final LinkedBlockingQueue<KernelEvent.Counters> queue = new LinkedBlockingQueue<>();
    private final AtomicLong reports = new AtomicLong();
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong rounds = new AtomicLong();
    private final AtomicLong recordBytes = new AtomicLong();
    /** SPIs (0x10000 + i outbound, 0x20000 + i inbound) that reported since the last window began. */
    private final BitSet reported = new BitSet();
    private volatile long loopThreadId;
    private volatile long readerThreadId;

    private NewaeRateBench() {
    }

    public static void main(String[] args) throws Exception {
        int pairs = Integer.parseInt(args[0]);
        int threshold = Integer.parseInt(args[1]);
        Duration interval = Duration.ofMillis(Long.parseLong(args[2]));
        int seconds = Integer.parseInt(args[3]);
        new NewaeRateBench().run(pairs, threshold, interval, seconds, Path.of(args[4]), Path.of(args[5]));
    }

    private void run(int pairs, int threshold, Duration interval, int seconds, Path ready, Path go)
            throws Exception {
        try (XfrmKernel kernel = XfrmKernel.open()) {
            kernel.counters().report(threshold, interval);
            kernel.onEvent(e -> {
                if (e instanceof KernelEvent.Counters c) {
                    readerThreadId = Thread.currentThread().getId();
                    reports.incrementAndGet();
                    queue.add(c);
                }
            });
            for (int i = 0; i < pairs; i++) {
                Subnet local = Subnet.parse("10.1." + (i >> 8) + "." + (i & 0xff));
                Subnet remote = Subnet.parse("10.2." + (i >> 8) + "." + (i & 0xff));
                String tunnel = "t" + i;
                kernel.addPolicy(new SpdTunnel("bench", tunnel, KernelInstallBench.US, KernelInstallBench.PEER, local,
                        remote, IpsecMode.TUNNEL, 500));
                kernel.install(KernelInstallBench.sa(tunnel, IpsecSa.Direction.OUT, 0x10000 + i,
                        KernelInstallBench.US, KernelInstallBench.PEER, local, remote));
                kernel.install(KernelInstallBench.sa(tunnel, IpsecSa.Direction.IN, 0x20000 + i,
                        KernelInstallBench.PEER, KernelInstallBench.US, remote, local));
            }
            Thread loop = new Thread(this::loop, "bench-loop");
            loop.setDaemon(true);
            loop.start();
            System.out.printf("%d pairs installed with reports every %d packets or %d ms%n", pairs, threshold,
                    interval.toMillis());
            window("no traffic", seconds, pairs);
            Files.createFile(ready);
            while (!Files.exists(go)) {
                Thread.sleep(100);
            }
            Thread.sleep(3000);
            window("traffic", seconds, pairs);
            Files.delete(go);
            Thread.sleep(2000);
            kernel.removeLeftovers();
        }
    }

    /**
     * EventLoop's shape: wake on a report, take every one that queued meanwhile, keep each SA's
     * newest (CounterReports), then one record per SA of the round.
     */
    private void loop() {
        loopThreadId = Thread.currentThread().getId();
        Map<Long, KernelEvent.Counters> round = new LinkedHashMap<>();
        try {
            while (true) {
                KernelEvent.Counters first = queue.take();
                round.put(key(first), first);
                for (KernelEvent.Counters c; (c = queue.poll()) != null;) {
                    round.put(key(c), c);
                }
                for (KernelEvent.Counters c : round.values()) {
                    byte[] r = HaCodec.encode(new HaRecord.Counters(new HaRecord.SpiKey(c.destination(), c.spi()),
                            c.replay(), c.bytes()));
                    recordBytes.addAndGet(r.length);
                    synchronized (reported) {
                        reported.set(c.spi() - 0x10000);
                    }
                }
                records.addAndGet(round.size());
                rounds.incrementAndGet();
                round.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long key(KernelEvent.Counters c) {
        return Integer.toUnsignedLong(c.spi()) << 32 | c.destination().hashCode() & 0xffffffffL;
    }

    private void window(String name, int seconds, int pairs) throws InterruptedException {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        synchronized (reported) {
            reported.clear();
        }
        long r0 = reports.get();
        long rec0 = records.get();
        long n0 = rounds.get();
        long b0 = recordBytes.get();
        long drops0 = netlinkDrops();
        long cpu0 = os.getProcessCpuTime();
        long reader0 = threadCpu(readerThreadId);
        long loop0 = threadCpu(loopThreadId);
        long t0 = System.nanoTime();
        TimeUnit.SECONDS.sleep(seconds);
        long t1 = System.nanoTime();
        long cpu1 = os.getProcessCpuTime();
        long reader1 = threadCpu(readerThreadId);
        long loop1 = threadCpu(loopThreadId);
        long drops = netlinkDrops() - drops0;
        double s = (t1 - t0) / 1e9;
        long rep = reports.get() - r0;
        long rec = records.get() - rec0;
        int sas;
        int in;
        synchronized (reported) {
            sas = reported.cardinality();
            in = reported.get(0x10000, 0x10000 + pairs).cardinality();
        }
        System.out.printf("%s, %.1f s: %.0f reports/s from %d of %d SAs (%d inbound), %d dropped by the kernel "
                + "(buffer full); %.0f records/s after coalescing (%.2f reports per record, %.0f loop rounds/s, %.0f record bytes/s); process CPU %.1f%% "
                + "of a core (reader thread %.1f%%, loop %.1f%%), %.1f us per report%n", name, s, rep / s, sas,
                2 * pairs, in, drops, rec / s, rec == 0 ? 0.0 : (double) rep / rec, (rounds.get() - n0) / s,
                (recordBytes.get() - b0) / s, (cpu1 - cpu0) / 1e7 / s, (reader1 - reader0) / 1e7 / s,
                (loop1 - loop0) / 1e7 / s, rep == 0 ? 0.0 : (cpu1 - cpu0) / 1e3 / rep);
    }

    /** The Drops column of /proc/net/netlink, summed over this namespace's NETLINK_XFRM (6) sockets. */
    private static long netlinkDrops() {
        try (var lines = Files.lines(Path.of("/proc/net/netlink"))) {
            return lines.skip(1).map(l -> l.trim().split("\\s+")).filter(f -> f.length > 8 && f[1].equals("6"))
                    .mapToLong(f -> Long.parseLong(f[8])).sum();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long threadCpu(long id) {
        return id == 0 ? 0 : Math.max(0, THREADS.getThreadCpuTime(id));
    }
}
