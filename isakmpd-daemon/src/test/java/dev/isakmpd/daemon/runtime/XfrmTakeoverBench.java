package dev.isakmpd.daemon.bench;

import dev.isakmpd.core.kernel.KernelException;
import dev.isakmpd.core.kernel.ReplayState;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.xfrm.XfrmKernel;
import java.net.InetAddress;
import java.time.Duration;

/**
 * The kernel's share of an HA takeover of PAIRS IPsec SA pairs (issue 15 "Scale"), through our
 * XFRM back-end, in the network namespace scripts/bench-ha.sh creates: what the daemon's
 * ActionExecutor does with Engine.takeover's actions. First, as a standby, every pair's inbound
 * SA with the [ha] report thresholds (XFRMA_REPLAY_THRESH, XFRMA_ETIMER_THRESH); then, timed, the
 * takeover: each inbound SA's window set to its last report and each outbound SA installed with
 * its counter set above the replicated one (XFRM_MSG_NEWAE, NLM_F_REPLACE). Documentation
 * addresses, test keys, no policies.
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

    public static void main(String[] args) throws KernelException {
        int pairs = Integer.parseInt(args[0]);
        try (XfrmKernel kernel = XfrmKernel.open()) {
            kernel.counters().report(1024, Duration.ofSeconds(1));
            IpsecSa[] in = new IpsecSa[pairs];
            IpsecSa[] out = new IpsecSa[pairs];
            for (int i = 0; i < pairs; i++) {
                Subnet local = Subnet.parse("10.1." + (i >> 8) + "." + (i & 0xff));
                Subnet remote = Subnet.parse("10.2." + (i >> 8) + "." + (i & 0xff));
                out[i] = KernelInstallBench.sa("t" + i, IpsecSa.Direction.OUT, 0x10000 + i, US, PEER, local, remote);
                in[i] = KernelInstallBench.sa("t" + i, IpsecSa.Direction.IN, 0x20000 + i, PEER, US, remote, local);
            }
            long t0 = System.nanoTime();
            for (IpsecSa sa : in) {
                kernel.install(sa);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < pairs; i++) {
                kernel.counters().set(in[i].destination(), in[i].spi(), in[i].protocol(),
                        new ReplayState(0, 5000 + i, -1));
            }
            long t2 = System.nanoTime();
            for (int i = 0; i < pairs; i++) {
                kernel.install(out[i]);
                kernel.counters().set(out[i].destination(), out[i].spi(), out[i].protocol(),
                        new ReplayState(7000 + i + MARGIN, 0, 0));
            }
            long t3 = System.nanoTime();
            int held = kernel.list().size();
            if (held != 2 * pairs) {
                throw new IllegalStateException("the kernel holds " + held + " of " + 2 * pairs + " SAs");
            }
            long oseq = kernel.counters().read(PEER, out[pairs - 1].spi(), out[pairs - 1].protocol())
                    .orElseThrow().replay().outbound();
            if (oseq != 7000 + pairs - 1 + MARGIN) {
                throw new IllegalStateException("the last outbound SA's oseq is " + oseq);
            }
            System.out.printf("xfrm, %d pairs: standby installs the inbound SAs in %.2f s; takeover: inbound windows "
                    + "set in %.2f s, outbound SAs installed with their counters in %.2f s, %.2f s in all%n", pairs,
                    KernelInstallBench.seconds(t0, t1), KernelInstallBench.seconds(t1, t2), KernelInstallBench.seconds(t2, t3), KernelInstallBench.seconds(t1, t3));
            kernel.removeLeftovers();
        }
    }
}
