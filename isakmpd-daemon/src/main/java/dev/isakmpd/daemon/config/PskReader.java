package dev.isakmpd.daemon.config;

import dev.isakmpd.oakley.SecretBytes;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Optional;

/** Pre-shared keys, inline or from the first line of a file; their text never enters a message. */
final class PskReader {
    private PskReader() {
    }

    /** @param configFile the file the key is written in, when loaded from one */
    static Optional<SecretBytes> inline(Section.Value<String> psk, Optional<Path> configFile, Problems problems) {
        if (psk.value().isEmpty()) {
            problems.error(psk.at(), "must not be empty");
            return Optional.empty();
        }
        if (configFile.isPresent() && worldReadable(configFile.get())) {
            problems.warn(psk.at(), "an inline pre-shared key in " + configFile.get() + ", which every user can "
                    + "read; chmod 600 it or use psk-file");
        }
        return Optional.of(secret(psk.value()));
    }

    static Optional<SecretBytes> fromFile(Path file, Section.Value<String> key, Problems problems) {
        return fromFile(file, key, "psk-file", problems);
    }

    /** A secret in the first line of a file, named {@code what} (the key that names the file) in messages. */
    static Optional<SecretBytes> fromFile(Path file, Section.Value<String> key, String what, Problems problems) {
        String line;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            line = r.readLine();
        } catch (IOException e) {
            problems.error(key.at(), "cannot read " + what + " " + file + ": " + IoErrors.reason(e));
            return Optional.empty();
        }
        if (line == null || line.isEmpty()) {
            problems.error(key.at(), what + " " + file + " has an empty first line");
            return Optional.empty();
        }
        if (worldReadable(file)) {
            problems.warn(key.at(), what + " " + file + " is readable by every user; chmod 600 it");
        }
        return Optional.of(secret(line));
    }

    private static SecretBytes secret(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        try {
            return SecretBytes.copyOf(b);
        } finally {
            Arrays.fill(b, (byte) 0);
        }
    }

    private static boolean worldReadable(Path file) {
        try {
            return Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ);
        } catch (UnsupportedOperationException | IOException e) {
            return false; // no POSIX permissions to check on this file system
        }
    }
}
