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
import org.junit.jupiter.api.parallel.Isolated;

/** scripts/install.sh into a clean root (DESTDIR), then the installed daemon answers the installed isakmpctl. */
@Isolated
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
        assertTrue(Files.readString(conf).contains("\nkernel = \"auto\"\n"), "the example is for a real kernel");
        Path man = root.resolve("usr/share/man/man1");
        for (String page : List.of("isakmpd", "isakmpd-run", "isakmpd-check", "isakmpctl", "isakmpctl-list-sas",
                "isakmpctl-pcap-start")) {
            String roff = Files.readString(man.resolve(page + ".1"));
            assertTrue(roff.contains(".TH \"" + page.toUpperCase().replace("-", "\\-") + "\" \"1\""),
                    page + ".1 is a roff man page of section 1:\n" + roff.substring(0, Math.min(roff.length(), 600)));
        }
        assertTrue(Files.readString(man.resolve("isakmpd-run.1")).contains("pcap"),
                "the man page says what the picocli definition says");
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

    /** mvn package's tarball unpacks to a tree that runs where it lies, with the same content as an install. */
    @Test
    void theDistributionTarballUnpacksToATreeThatRuns() throws Exception {
        List<Path> tarballs;
        try (var files = Files.list(Path.of("target"))) {
            tarballs = files.filter(f -> f.getFileName().toString().matches("isakmpd-.*\\.tar\\.gz")).toList();
        }
        assertEquals(1, tarballs.size(), "one distribution tarball in target: " + tarballs);
        Path unpacked = Files.createDirectories(dir.resolve("unpacked"));
        run(List.of("tar", "-C", unpacked.toString(), "-xzf", tarballs.get(0).toString()), 0);
        Path tree;
        try (var top = Files.list(unpacked)) {
            tree = top.findFirst().orElseThrow();
        }
        assertTrue(tree.getFileName().toString().startsWith("isakmpd-"), tree.toString());
        assertTrue(run(List.of(tree.resolve("usr/sbin/isakmpd").toString(), "--version"), 0)
                .startsWith("isakmpd-java "));
        assertTrue(run(List.of(tree.resolve("usr/sbin/isakmpctl").toString(), "--version"), 0)
                .startsWith("isakmpd-java "));
        Path conf = tree.resolve("etc/isakmpd/isakmpd.toml");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(conf)));
        assertTrue(Files.readString(conf).contains("\nkernel = \"auto\"\n"), "kernel = auto in the example");
        for (String f : List.of("usr/share/man/man1/isakmpd.1", "usr/share/man/man1/isakmpctl-pcap-stop.1",
                "lib/systemd/system/isakmpd.service", "usr/lib/sysusers.d/isakmpd.conf",
                "usr/share/doc/isakmpd/README.md", "usr/share/doc/isakmpd/admin-guide.md")) {
            assertTrue(Files.isRegularFile(tree.resolve(f)), f + " in the tarball");
        }
    }
}
