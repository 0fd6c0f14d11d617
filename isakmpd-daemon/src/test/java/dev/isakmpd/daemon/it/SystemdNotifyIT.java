package dev.isakmpd.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.daemon.systemd.UnixDatagram;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The daemon under a pretend systemd: a real AF_UNIX datagram socket as NOTIFY_SOCKET, and a
 * watchdog of 400 ms. READY=1 comes once the sockets are bound, WATCHDOG=1 every 200 ms from the
 * event loop, STOPPING=1 on SIGTERM.
 */
@Isolated
class SystemdNotifyIT {
    @TempDir
    Path dir;

    @Test
    void readyThenWatchdogPingsThenStopping() throws Exception {
        String listen = "127.0.0.1:" + Ports.freeUdp("127.0.0.1");
        Path ctl = dir.resolve("ctl");
        Files.writeString(dir.resolve("d.toml"), Configs.daemon(listen, null, ctl.toString(), "")
                + Configs.peer("gw-b", listen, "127.0.0.2:500", "notify it psk", false, "10.1.0.0/16", "10.2.0.0/16"));
        Path notify = dir.resolve("notify");
        try (UnixDatagram systemd = UnixDatagram.bind(notify.toString());
                DaemonProcess d = DaemonProcess.start("d", dir.resolve("d.toml"), dir.resolve("d.status"),
                        Map.of("NOTIFY_SOCKET", notify.toString(), "WATCHDOG_USEC", "400000"))) {
            List<String> got = new ArrayList<>();
            String ready = next(systemd, Duration.ofSeconds(30), got);
            assertTrue(ready.startsWith("READY=1"), "first READY=1, got " + got + TwoDaemonsIT.logs(d));
            assertTrue(d.output().contains("listening on " + listen) && Files.exists(ctl),
                    "READY=1 only after the UDP and control sockets are bound" + TwoDaemonsIT.logs(d));

            Instant start = Instant.now();
            int pings = 0;
            while (pings < 5) {
                String m = next(systemd, Duration.ofSeconds(5), got);
                assertEquals("WATCHDOG=1", m, "got " + got);
                pings++;
            }
            long millis = Duration.between(start, Instant.now()).toMillis();
            assertTrue(millis >= 600 && millis < 3000, "5 pings at half of 400 ms took " + millis + " ms");

            assertEquals(0, d.terminate(Duration.ofSeconds(15)));
            String m;
            do {
                m = next(systemd, Duration.ofSeconds(5), got);
            } while (m.equals("WATCHDOG=1"));
            assertEquals("STOPPING=1", m, "got " + got);
        }
    }

    private static String next(UnixDatagram s, Duration timeout, List<String> got) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            String m = s.poll();
            if (m != null) {
                got.add(m);
                return m;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no notification within " + timeout + "; got " + got);
    }
}
