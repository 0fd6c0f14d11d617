package dev.isakmpd.daemon.ha;

import java.util.List;
import java.util.Map;

/**
 * What the replication channel hands to the engine, always on the event loop's thread (HaNode
 * moves every call there). Glued to Engine.applyReplica, Engine.snapshot and Engine.replicated
 * once the engine's HA seam is in (issue 15, item 3).
 */
public interface EngineSide {
    /** Until that seam exists: records are counted by HaNode and dropped; the snapshot is empty. */
    EngineSide NONE = new EngineSide() {
        @Override
        public void apply(byte[] record) {
        }

        @Override
        public void applySnapshot(List<byte[]> records) {
        }

        @Override
        public void replicated(long id, boolean acked) {
        }

        @Override
        public List<byte[]> snapshot() {
            return List.of();
        }

        @Override
        public void standbyBack() {
        }

        @Override
        public void demote() {
        }

        @Override
        public void standDown() {
        }
    };

    /** Standby: one live record from the active. */
    void apply(byte[] record);

    /**
     * Standby: the active's full state, before the live records sent after it; it replaces what the
     * standby held (a fresh snapshot after a partition drops what the active deleted meanwhile).
     */
    void applySnapshot(List<byte[]> records);

    /** Active: the standby stored sync record {@code id} ({@code acked}), or never will. */
    void replicated(long id, boolean acked);

    /** Active: the full state, for a joining standby. */
    List<byte[]> snapshot();

    /** Active: the standby is reachable (again): what it may lack goes to it, guarded messages wait for it. */
    void standbyBack();

    /**
     * Split brain lost: the engine forgets its SAs without a Delete, removes them from the kernel
     * and empties its standby table for a fresh snapshot (Engine.demote).
     */
    void demote();

    /**
     * keepalived made this active node a standby: its SAs leave the live state and the kernel's
     * outbound side without a Delete and go into its standby table (Engine.standDown), so that a
     * later takeover starts above the counters the other node may have used meanwhile.
     */
    void standDown();

    /** Status lines of the engine's side (any thread): what a standby holds of its active's SAs. */
    default Map<String, Object> status() {
        return Map.of();
    }
}
