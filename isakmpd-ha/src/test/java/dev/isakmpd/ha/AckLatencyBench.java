package dev.isakmpd.ha;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

/**
 * Acknowledged replication latency: the time from {@code replicate(id, record, true)} to
 * {@code acked(id)}, one record at a time, 200-byte records (an IPsec SA pair's size).
 *
 * <pre>
 * both in one JVM:  AckLatencyBench local  127.0.0.11:7800 127.0.0.12:7800 [count]
 * two JVMs:         AckLatencyBench standby B_ADDR:PORT A_ADDR:PORT
 *                   AckLatencyBench active  A_ADDR:PORT B_ADDR:PORT [count]
 * </pre>
 * Not a test: run by hand (docs/ha.md gives the numbers and the command).
 */
public final class AckLatencyBench {
    private static final byte[] KEY = "bench key, not for production use".getBytes(StandardCharsets.US_ASCII);

    private AckLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress a = endpoint(args[1]);
        InetSocketAddress b = endpoint(args[2]);
        int count = args.length > 3 ? Integer.parseInt(args[3]) : 20_000;
        switch (args[0]) {
            case "local" -> {
                try (ReplicationChannel standby = standby(a, b)) {
                    Thread.sleep(500);
                    measure(b, a, count);
                }
            }
            case "standby" -> {
                try (ReplicationChannel standby = standby(a, b)) {
                    new CountDownLatch(1).await();
                }
            }
            case "active" -> measure(a, b, count);
            default -> throw new IllegalArgumentException("local, standby or active");
        }
    }

    private static ReplicationChannel standby(InetSocketAddress local, InetSocketAddress peer) throws Exception {
        ReplicationChannel c = new ReplicationChannel(link(local, peer), KEY, new Quiet(null, null), List::of);
        c.connect();
        return c;
    }

    private static void measure(InetSocketAddress local, InetSocketAddress peer, int count) throws Exception {
        SynchronousQueue<Long> acks = new SynchronousQueue<>();
        CountDownLatch up = new CountDownLatch(1);
        try (ReplicationChannel active = new ReplicationChannel(link(local, peer), KEY, new Quiet(acks, up),
                List::of)) {
            active.connect();
            if (!up.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no standby on " + peer);
            }
            Thread.sleep(1000); // the standby takes its snapshot
            byte[] record = new byte[200];
            int warmup = count / 4;
            long[] nanos = new long[count];
            for (int i = 0; i < warmup + count; i++) {
                long start = System.nanoTime();
                active.replicate(i, record, true);
                Long id = acks.poll(5, TimeUnit.SECONDS);
                if (id == null || id != i) {
                    throw new IllegalStateException("record " + i + ": got " + id);
                }
                if (i >= warmup) {
                    nanos[i - warmup] = System.nanoTime() - start;
                }
            }
            Arrays.sort(nanos);
            long total = Arrays.stream(nanos).sum();
            System.out.printf("acked replication, %d records of 200 bytes, one at a time: p50 %.3f ms, p99 %.3f ms, "
                    + "p99.9 %.3f ms, max %.3f ms, %.0f records/s%n", count, ms(nanos[count / 2]),
                    ms(nanos[count * 99 / 100]), ms(nanos[count * 999 / 1000]), ms(nanos[count - 1]),
                    count / (total / 1e9));
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static SyncLink link(InetSocketAddress local, InetSocketAddress peer) {
        return new SyncLink(local, List.of(peer), Duration.ofSeconds(20));
    }

    private static InetSocketAddress endpoint(String text) throws Exception {
        int colon = text.lastIndexOf(':');
        return new InetSocketAddress(InetAddress.getByName(text.substring(0, colon)),
                Integer.parseInt(text.substring(colon + 1)));
    }

    /** Passes acks to the measuring thread; ignores the rest. */
    private static final class Quiet extends ReplicationListener.Ignoring {
        private final SynchronousQueue<Long> acks;
        private final CountDownLatch up;

        Quiet(SynchronousQueue<Long> acks, CountDownLatch up) {
            this.acks = acks;
            this.up = up;
        }

        @Override
        public void acked(long id) {
            try {
                acks.put(id);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void unacked(long id) {
            throw new IllegalStateException("record " + id + " was not acknowledged");
        }

        @Override
        public void peerUp() {
            if (up != null) {
                up.countDown();
            }
        }
    }
}
