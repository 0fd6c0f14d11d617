package dev.isakmpd.ha;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What each gateway says of itself on the sync link, when it becomes active and periodically
 * (issue 15 s6): two actives that see each other compare these, and the one that does not
 * {@link #outranks} the other demotes. Wire: {@code active(1) priority(1) epoch(8) nodeLength(1)
 * node linkLength(1) link}, big-endian, UTF-8.
 *
 * @param node the node's configured name
 * @param link its sync-link address: unique on the link, the last tie-break (names may clash)
 * @param active whether it is active now
 * @param priority its VRRP priority from keepalived's last notification, 0 to 255
 * @param epoch its takeover epoch: above every epoch it had heard from the other node when it took over
 */
public record RoleAnnouncement(String node, String link, boolean active, int priority, long epoch) {
    public RoleAnnouncement {
        if (priority < 0 || priority > 255 || epoch < 0 || utf8(node).length > 255 || utf8(link).length > 255) {
            throw new IllegalArgumentException("announcement out of range: " + node + " " + link + " priority "
                    + priority + " epoch " + epoch);
        }
    }

    /**
     * Whether this active stays when {@code other} is active too: the higher epoch first, i.e. the
     * later takeover. It installed its outbound SAs above the replicated counters plus the margin
     * and the peers' replay windows followed them, so the earlier active's packets would now be
     * dropped as replays until its SAs are rekeyed: that one must go, whatever its priority. Then
     * the higher VRRP priority (an unsynced node's track file lowered its own), then the node name
     * that sorts first, then the sync-link address.
     */
    public boolean outranks(RoleAnnouncement other) {
        if (epoch != other.epoch) {
            return epoch > other.epoch;
        }
        if (priority != other.priority) {
            return priority > other.priority;
        }
        int byName = node.compareTo(other.node);
        return byName != 0 ? byName < 0 : link.compareTo(other.link) < 0;
    }

    byte[] encode() {
        byte[] n = utf8(node);
        byte[] l = utf8(link);
        return ByteBuffer.allocate(1 + 1 + 8 + 1 + n.length + 1 + l.length).put((byte) (active ? 1 : 0))
                .put((byte) priority).putLong(epoch).put((byte) n.length).put(n).put((byte) l.length).put(l).array();
    }

    static RoleAnnouncement decode(byte[] b) throws Envelope.Refused {
        ByteBuffer buf = ByteBuffer.wrap(b);
        if (buf.remaining() < 1 + 1 + 8 + 1) {
            throw new Envelope.Refused("announcement of " + b.length + " bytes, shorter than its fixed part");
        }
        int active = buf.get() & 0xff;
        if (active > 1) {
            throw new Envelope.Refused("announcement role " + active + ", neither 0 (standby) nor 1 (active)");
        }
        int priority = buf.get() & 0xff;
        long epoch = buf.getLong();
        if (epoch < 0) {
            throw new Envelope.Refused("announcement epoch " + Long.toUnsignedString(epoch) + " above 2^63-1");
        }
        String node = string(buf, "node");
        if (!buf.hasRemaining()) {
            throw new Envelope.Refused("announcement without a sync-link address");
        }
        String link = string(buf, "link");
        if (buf.hasRemaining()) {
            throw new Envelope.Refused(buf.remaining() + " bytes after the announcement");
        }
        return new RoleAnnouncement(node, link, active == 1, priority, epoch);
    }

    private static String string(ByteBuffer buf, String what) throws Envelope.Refused {
        int n = buf.get() & 0xff;
        if (n > buf.remaining()) {
            throw new Envelope.Refused("announcement " + what + " of " + n + " bytes, " + buf.remaining() + " left");
        }
        byte[] s = new byte[n];
        buf.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return node + " (" + link + ") " + (active ? "active" : "standby") + ", priority " + priority + ", epoch "
                + epoch;
    }
}
