package dev.isakmpd.daemon.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.daemon.config.ControlSocket;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SocketFileTest {
    @TempDir
    Path dir;

    private ControlSocket socket(String mode, Optional<String> group) {
        return new ControlSocket(dir.resolve("run/ctl"), PosixFilePermissions.fromString(mode), group);
    }

    @Test
    void boundWithItsModeAndNothingLeftBeside() throws Exception {
        try (ServerSocketChannel s = SocketFile.bind(socket("rw-------", Optional.empty()))) {
            assertTrue(s.isOpen());
            Path p = dir.resolve("run/ctl");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
            try (var files = Files.list(p.getParent())) {
                assertEquals(List.of(p), files.toList(), "the private bind directory is gone");
            }
        }
    }

    @Test
    void aLiveSocketRefusesASecondDaemonAndAStaleOneIsReplaced() throws Exception {
        ServerSocketChannel first = SocketFile.bind(socket("rw-rw----", Optional.empty()));
        IOException e = assertThrows(IOException.class, () -> SocketFile.bind(socket("rw-rw----", Optional.empty())));
        assertTrue(e.getMessage().contains("is in use: is another isakmpd running?"), e.getMessage());
        first.close(); // as after a crash: the file stays, nobody answers
        assertTrue(Files.exists(dir.resolve("run/ctl")));
        try (ServerSocketChannel second = SocketFile.bind(socket("rw-rw----", Optional.empty()))) {
            assertTrue(second.isOpen());
        }
    }

    @Test
    void anUnknownGroupIsNamed() {
        IOException e = assertThrows(IOException.class,
                () -> SocketFile.bind(socket("rw-rw----", Optional.of("no-such-group-xyz"))));
        assertTrue(e.getMessage().contains("daemon.control-socket") && e.getMessage().contains("no-such-group-xyz"),
                e.getMessage());
    }
}
