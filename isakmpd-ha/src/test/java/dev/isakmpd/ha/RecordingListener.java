package dev.isakmpd.ha;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Every callback as a line ("acked 7", "received r1", "snapshot [a, b]") in arrival order. */
class RecordingListener implements ReplicationListener {
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    @Override
    public void acked(long id) {
        events.add("acked " + id);
    }

    @Override
    public void unacked(long id) {
        events.add("unacked " + id);
    }

    @Override
    public void received(byte[] record) {
        events.add("received " + new String(record, StandardCharsets.UTF_8));
    }

    @Override
    public void snapshot(List<byte[]> records) {
        events.add("snapshot " + records.stream().map(r -> new String(r, StandardCharsets.UTF_8))
                .collect(Collectors.toList()));
    }

    @Override
    public void peerUp() {
        events.add("peerUp");
    }

    @Override
    public void peerDown() {
        events.add("peerDown");
    }

    /** The next event; fails rather than hangs if none comes. */
    String next() throws InterruptedException {
        String e = events.poll(30, TimeUnit.SECONDS);
        if (e == null) {
            throw new AssertionError("no event within 30 s");
        }
        return e;
    }

    /** The next event other than peerUp/peerDown. */
    String nextRecord() throws InterruptedException {
        String e;
        do {
            e = next();
        } while (e.equals("peerUp") || e.equals("peerDown"));
        return e;
    }

    /** An event already there, or null: for callbacks made on the caller's thread. */
    String now() {
        return events.poll();
    }
}
