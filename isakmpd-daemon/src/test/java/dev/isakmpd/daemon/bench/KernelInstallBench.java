package dev.isakmpd.daemon.bench;

import dev.isakmpd.core.kernel.Kernel;
import dev.isakmpd.core.kernel.KernelException;
import dev.isakmpd.core.policy.EspCipher;
import dev.isakmpd.core.policy.EspIntegrity;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.oakley.SecretBytes;
import dev.isakmpd.pfkey.PfKeyKernel;
import dev.isakmpd.xfrm.XfrmKernel;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Issue 12's kernel benchmark, run inside the kernel lab by scripts/bench-kernel.sh: installs
 * PAIRS IPsec SA pairs (each its own tunnel, as on a gateway with that many peers' tunnels)
 * through one back-end, then deletes them, and prints SAs per second for each. Test keys only.
 *
 * <pre>KernelInstallBench xfrm|pfkey PAIRS</pre>
 */
public final class KernelInstallBench {
    public static final InetAddress US = ip("198.51.100.1");
    public static final InetAddress PEER = ip("198.51.100.2");

    private KernelInstallBench() {
    }

    public static void main(String[] args) throws KernelException {
        String backend = args[0];
        int pairs = Integer.parseInt(args[1]);
        Kernel kernel = switch (backend) {
            case "xfrm" -> XfrmKernel.open();
            case "pfkey" -> PfKeyKernel.open();
            default -> throw new IllegalArgumentException("back-end xfrm or pfkey, not " + backend);
        };
        try {
            List<IpsecSa> sas = new ArrayList<>(2 * pairs);
            for (int i = 0; i < pairs; i++) {
                Subnet local = Subnet.parse("10.1." + (i >> 8) + "." + (i & 0xff));
                Subnet remote = Subnet.parse("10.2." + (i >> 8) + "." + (i & 0xff));
                sas.add(sa("t" + i, IpsecSa.Direction.OUT, 0x10000 + i, US, PEER, local, remote));
                sas.add(sa("t" + i, IpsecSa.Direction.IN, 0x20000 + i, PEER, US, remote, local));
            }
            long t0 = System.nanoTime();
            for (IpsecSa sa : sas) {
                kernel.install(sa);
            }
            long t1 = System.nanoTime();
            int held = kernel.list().size();
            long t2 = System.nanoTime();
            for (IpsecSa sa : sas) {
                kernel.delete(sa.destination(), sa.spi());
            }
            long t3 = System.nanoTime();
            if (held != sas.size()) {
                throw new IllegalStateException("the kernel holds " + held + " of " + sas.size() + " SAs");
            }
            System.out.printf("%s %d SAs: install %.0f SAs/s (%.2f s), delete %.0f SAs/s (%.2f s)%n", backend,
                    sas.size(), sas.size() / seconds(t0, t1), seconds(t0, t1), sas.size() / seconds(t2, t3),
                    seconds(t2, t3));
        } finally {
            kernel.close();
        }
    }

    public static double seconds(long from, long to) {
        return (to - from) / 1e9;
    }

    public static IpsecSa sa(String tunnel, IpsecSa.Direction dir, int spi, InetAddress src, InetAddress dst,
            Subnet srcSel, Subnet dstSel) {
        byte[] enc = new byte[16];
        byte[] auth = new byte[20];
        enc[0] = (byte) spi;
        auth[0] = (byte) spi;
        return new IpsecSa("bench", tunnel, dir, spi, src, dst, srcSel, dstSel, EspCipher.AES_CBC, 128,
                SecretBytes.copyOf(enc), EspIntegrity.HMAC_SHA1, SecretBytes.copyOf(auth), Duration.ofHours(1), false);
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
