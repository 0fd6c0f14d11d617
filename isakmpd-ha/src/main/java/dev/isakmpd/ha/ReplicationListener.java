package dev.isakmpd.ha;

import java.util.List;

/**
 * What the sync link reports. Every method is called on a JGroups thread (or, for
 * {@link #unacked}, possibly on the thread that called {@code replicate}): the daemon must only
 * hand the event to its event loop, never touch engine state here, and never block.
 */
public interface ReplicationListener {
    /** Active: the standby stored the sync record {@code id}. */
    void acked(long id);

    /**
     * Active: the sync record {@code id} will not be acknowledged, because there is no standby
     * or the standby left the link. A standby that is connected but slow is not reported here:
     * the engine's own ack timer covers it.
     */
    void unacked(long id);

    /** Standby: a live record, in the active's send order, after the snapshot. */
    void received(byte[] record);

    /** Standby: the full state to start from; the live stream continues after it. */
    void snapshot(List<byte[]> records);

    /** The other node joined the sync link. */
    void peerUp();

    /** The other node left the sync link or was found dead. */
    void peerDown();

    /** What the other node says of itself ({@link ReplicationChannel#announce}), in any sync state. */
    default void announced(RoleAnnouncement other) {
    }

    /** A witness joined ({@code true}) or left the view (only with a witness configured). */
    default void witness(boolean present) {
    }

    /** Hears nothing: a witness's listener; subclass it to hear only some of it. */
    class Ignoring implements ReplicationListener {
        @Override
        public void acked(long id) {
        }

        @Override
        public void unacked(long id) {
        }

        @Override
        public void received(byte[] record) {
        }

        @Override
        public void snapshot(List<byte[]> records) {
        }

        @Override
        public void peerUp() {
        }

        @Override
        public void peerDown() {
        }
    }
}
