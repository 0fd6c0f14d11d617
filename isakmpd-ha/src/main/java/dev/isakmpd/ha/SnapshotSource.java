package dev.isakmpd.ha;

import java.util.List;

/**
 * The active's full replicable state, asked for on a JGroups thread when a standby joins. The
 * daemon takes it on its event loop and waits for it here. Records sent after the snapshot was
 * taken arrive after it; one sent just before may arrive twice, so records must be idempotent
 * (each carries the whole state of its SA).
 */
@FunctionalInterface
public interface SnapshotSource {
    List<byte[]> snapshot() throws Exception;
}
