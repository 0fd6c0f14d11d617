package dev.isakmpd.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/install.sh into a clean root (DESTDIR), then the installed daemon answers the installed isakmpctl. */
class InstallIT {
    @TempDir
    Path dir;

    private static String run(List<String> command, int expectedExit) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), command + " did not finish");
        assertEquals(expectedExit, p.exitValue(), command + ":\n" + out);
        return out;
    }

    @Test
    void installIntoACleanRootThenRunAndAskTheInstalledDaemon() throws Exception {
        Path root = dir.resolve("root");
        run(List.of(Path.of("..", "scripts", "install.sh").toString(), "--destdir", root.toString()), 0);
        Path sbin = root.resolve("usr/sbin");
        Path conf = root.resolve("etc/isakmpd/isakmpd.toml");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(conf)));
        assertTrue(Files.readString(conf).contains("\nkernel = \"pfkey\"\n"), "the example is for a real kernel");
        assertTrue(Files.exists(root.resolve("lib/systemd/system/isakmpd.service")));
        assertTrue(Files.exists(root.resolve("usr/lib/sysusers.d/isakmpd.conf")));
        String check = run(List.of(sbin.resolve("isakmpd").toString(), "check", "--config", conf.toString()), 0);
        assertTrue(check.endsWith(conf + ": OK\n"), check);
        assertTrue(check.contains("\n  crypto        accp (auto: ACCP "), "the installed lib/ carries ACCP: " + check);

        String listen = "127.0.0.1:" + Ports.freeUdp("127.0.0.1");
        Path ctl = dir.resolve("ctl");
        Path test = dir.resolve("t.toml");
        Files.writeString(test, Configs.daemon(listen, null, ctl.toString(), "")
                + Configs.peer("gw-b", listen, "127.0.0.2:500", "install it psk", false, "10.1.0.0/16", "10.2.0.0/16"));
        Process daemon = new ProcessBuilder(sbin.resolve("isakmpd").toString(), "run", "--config", test.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("d.log").toFile()).start();
        try {
            Instant deadline = Instant.now().plusSeconds(30);
            while (!Files.exists(ctl) && Instant.now().isBefore(deadline)) {
                Thread.sleep(100);
            }
            String status = run(List.of(sbin.resolve("isakmpctl").toString(), "--socket", ctl.toString(), "status"), 0);
            assertTrue(status.contains("pid") && status.contains(listen), status);
        } finally {
            daemon.destroy();
            daemon.waitFor(15, TimeUnit.SECONDS);
            daemon.destroyForcibly();
        }
        assertEquals(0, daemon.exitValue(), Files.readString(dir.resolve("d.log")));
        assertTrue(Files.notExists(ctl), "control socket removed at a clean stop");
        run(List.of(Path.of("..", "scripts", "install.sh").toString(), "--destdir", root.toString(), "--bogus"), 2);
    }
}
