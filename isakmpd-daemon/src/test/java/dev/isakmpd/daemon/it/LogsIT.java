package dev.isakmpd.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/** Log lines as a terminal, a log file and journald want them. */
@Isolated
class LogsIT {
    private static final Pattern DATED = Pattern.compile(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) (INFO |WARN |ERROR|DEBUG) \\[.*");
    private static final Pattern JOURNAL = Pattern.compile("<([3467])>.*");

    @TempDir
    Path dir;

    private Path config() throws Exception {
        String listen = "127.0.0.1:" + Ports.freeUdp("127.0.0.1");
        Path c = dir.resolve("d.toml");
        Files.writeString(c, Configs.daemon(listen, null)
                + Configs.peer("gw-b", listen, "127.0.0.2:500", "logs it psk", true, "10.1.0.0/16", "10.2.0.0/16"));
        return c;
    }

    /** Runs the daemon until it has initiated Main Mode (INFO) and stops it (more INFO); returns {@code log}'s lines. */
    private List<String> run(Map<String, String> env, Path log, String... args) throws Exception {
        try (DaemonProcess d = DaemonProcess.start("d", config(), dir.resolve("d.status"), env, args)) {
            Instant deadline = Instant.now().plusSeconds(30);
            while (!(Files.exists(log) && Files.readString(log).contains("Main Mode: initiating"))
                    && Instant.now().isBefore(deadline)) {
                Thread.sleep(100);
            }
            assertEquals(0, d.terminate(Duration.ofSeconds(15)), d.output());
        }
        return Files.readAllLines(log);
    }

    @Test
    void onATerminalLinesCarryDateTimeAndZone() throws Exception {
        List<String> lines = run(Map.of(), dir.resolve("d.log"));
        assertTrue(lines.size() > 3 && lines.stream().allMatch(l -> DATED.matcher(l).matches()), String.join("\n", lines));
    }

    @Test
    void underSystemdLinesCarryASyslogLevelPrefixForTheJournal() throws Exception {
        List<String> lines = run(Map.of("JOURNAL_STREAM", "8:12345"), dir.resolve("d.log"), "--log-level", "debug");
        assertTrue(lines.stream().allMatch(l -> JOURNAL.matcher(l).matches()), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("<6>INFO ")), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("<7>DEBUG")), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.matches("<7>\\s.*")), "the packet dump's lines, each prefixed");
    }

    @Test
    void logFileReceivesTheLogInsteadOfStderr() throws Exception {
        Path file = dir.resolve("isakmpd.log");
        List<String> lines = run(Map.of("INVOCATION_ID", "0123"), file, "--log-file", file.toString());
        assertTrue(lines.size() > 3 && lines.stream().allMatch(l -> DATED.matcher(l).matches()),
                "dated, also under systemd: " + String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.contains("stopped")), String.join("\n", lines));
        assertEquals("", Files.readString(dir.resolve("d.log")), "nothing on stderr");
    }
}
