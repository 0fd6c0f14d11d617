package dev.isakmpd.daemon.config;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;

/**
 * Where isakmpctl reaches the daemon, and who may: the socket file's mode and group decide, as
 * for any Unix-domain socket (connecting needs write permission on it).
 *
 * @param group the group given the socket file; empty keeps the daemon's own
 */
public record ControlSocket(Path path, Set<PosixFilePermission> mode, Optional<String> group) {
    public static final Path DEFAULT_PATH = Path.of("/run/isakmpd/isakmpd.ctl");
    /** Owner (root) and group may connect; nobody else. */
    public static final String DEFAULT_MODE = "0660";

    public ControlSocket {
        mode = Set.copyOf(mode);
    }
}
