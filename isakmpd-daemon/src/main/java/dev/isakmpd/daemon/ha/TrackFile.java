package dev.isakmpd.daemon.ha;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The file keepalived's {@code track_file} reads: one integer, which keepalived multiplies by the
 * track_file's weight and adds to the instance's priority (keepalived.conf(5), Track files).
 * Written by rename, so keepalived never reads half a number.
 */
public final class TrackFile {
    /** Until the initial sync is complete: lowers the priority below a synced peer's. */
    public static final int UNSYNCED = -100;
    public static final int SYNCED = 0;
    /**
     * Lost a split brain: below -253 keepalived puts the instance in FAULT (keepalived.conf(5),
     * track_file, with weight 1), so it gives up the addresses even while it hears no adverts.
     */
    public static final int DEMOTED = -254;

    private final Path file;

    public TrackFile(Path file) {
        this.file = file;
    }

    public void write(int value) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, value + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public Path path() {
        return file;
    }
}
