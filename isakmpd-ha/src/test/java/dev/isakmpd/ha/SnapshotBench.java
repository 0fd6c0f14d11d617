package dev.isakmpd.ha;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Snapshot time to a fresh standby over the real JGroups channel on loopback (issue 15 "Scale"):
 * an active channel serves the records HaScaleBench (isakmpd-core) wrote; then, RUNS times, a new
 * standby channel joins and the time from its connect to its listener's {@code snapshot(records)}
 * is measured (join, view, state transfer, the envelope's HMAC check and split into records).
 * Applying the records to the standby's engine is HaScaleBench's "standby" line.
 *
 * <pre>
 * SnapshotBench FILE [RUNS]     # on 127.0.0.21-22, ports 7900 + 2 x run
 * </pre>
 * Not a test: run by scripts/bench-ha.sh.
 */
public final class SnapshotBench {
    private static final byte[] KEY = "bench key, not for production use".getBytes(StandardCharsets.US_ASCII);

    private SnapshotBench() {
    }

    public static void main(String[] args) throws Exception {
        List<byte[]> records = read(Path.of(args[0]));
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        long bytes = records.stream().mapToLong(r -> r.length).sum();
        for (int run = 0; run < runs; run++) {
            InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("127.0.0.21"), 7900 + 2 * run);
            InetSocketAddress b = new InetSocketAddress(InetAddress.getByName("127.0.0.22"), 7901 + 2 * run);
            try (ReplicationChannel active = new ReplicationChannel(link(a, b), KEY, new Taker(), () -> records)) {
                active.connect();
                Taker taker = new Taker();
                long start = System.nanoTime();
                try (ReplicationChannel standby = new ReplicationChannel(link(b, a), KEY, taker, List::of)) {
                    standby.connect();
                    long connected = System.nanoTime();
                    if (taker.at == 0 || taker.records != records.size()) {
                        throw new IllegalStateException("run " + run + ": the standby took " + taker.records
                                + " records, not " + records.size());
                    }
                    System.out.printf("run %d: %d records (%d bytes) from the standby's join to its snapshot "
                            + "delivered: %.0f ms (connect returned after %.0f ms)%n", run + 1, records.size(), bytes,
                            (taker.at - start) / 1e6, (connected - start) / 1e6);
                }
            }
        }
    }

    private static SyncLink link(InetSocketAddress local, InetSocketAddress peer) {
        return new SyncLink(local, List.of(peer), Duration.ofSeconds(60));
    }

    private static List<byte[]> read(Path file) throws Exception {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            int count = in.readInt();
            List<byte[]> records = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                records.add(in.readNBytes(in.readInt()));
            }
            return records;
        }
    }

    /** Notes when the snapshot arrived and its size; ignores the rest. */
    private static final class Taker extends ReplicationListener.Ignoring {
        volatile long at;
        volatile int records;

        @Override
        public void snapshot(List<byte[]> snapshot) {
            at = System.nanoTime();
            records = snapshot.size();
        }
    }
}
