package dev.isakmpd.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/** isakmpctl against two running daemons (processes, loopback, in-memory kernels): list, down, up, errors. */
@Isolated
class IsakmpctlIT {
    private static final String PSK = "isakmpctl it psk";
    private static final Duration NEGOTIATION = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private DaemonProcess a;
    private DaemonProcess b;
    private Ctl ctlA;
    private Ctl ctlB;

    @BeforeEach
    void start() throws Exception {
        String ea = "127.0.0.1:" + Ports.freeUdp("127.0.0.1");
        String eb = "127.0.0.2:" + Ports.freeUdp("127.0.0.2");
        Files.writeString(dir.resolve("a.toml"), Configs.daemon(ea, null, dir.resolve("a.ctl").toString(),
                "control-mode = \"0600\"\n") + Configs.peer("gw-b", ea, eb, PSK, true, "10.1.0.0/16", "10.2.0.0/16"));
        Files.writeString(dir.resolve("b.toml"), Configs.daemon(eb, null, dir.resolve("b.ctl").toString(), "")
                + Configs.peer("gw-a", eb, ea, PSK, false, "10.2.0.0/16", "10.1.0.0/16"));
        b = DaemonProcess.start("b", dir.resolve("b.toml"), dir.resolve("b.status"));
        a = DaemonProcess.start("a", dir.resolve("a.toml"), dir.resolve("a.status"));
        ctlA = new Ctl(dir.resolve("a.ctl"));
        ctlB = new Ctl(dir.resolve("b.ctl"));
        assertTrue(ctlA.await("list-sas", Ctl::tunnelUp, NEGOTIATION) && ctlB.await("list-sas", Ctl::tunnelUp,
                Duration.ofSeconds(5)), "no tunnel" + TwoDaemonsIT.logs(a, b));
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
    }

    @Test
    void listSasShowsBothSidesOfTheTunnelWithAgesLifetimesAndFingerprintsOnly() throws Exception {
        JsonNode sasA = ctlA.json("list-sas");
        JsonNode sasB = ctlB.json("list-sas");
        JsonNode ikeA = sasA.path("isakmp").get(0);
        assertEquals("initiator", ikeA.path("role").asText());
        assertEquals(ikeA.path("icookie").asText(), sasB.path("isakmp").get(0).path("icookie").asText());
        long remaining = ikeA.path("remaining-seconds").asLong();
        assertTrue(remaining > 3 * 3600 - 60 && remaining <= 3 * 3600, "ISAKMP SA remaining " + remaining);
        assertTrue(ikeA.path("age-seconds").asLong() >= 0);
        for (JsonNode sa : sasA.path("ipsec")) {
            assertEquals("gw-b", sa.path("peer").asText());
            assertEquals("net", sa.path("tunnel").asText());
            assertEquals(1200, sa.path("lifetime-seconds").asLong());
            long left = sa.path("remaining-seconds").asLong();
            assertTrue(left > 1100 && left <= 1200, "IPsec SA remaining " + left);
            assertTrue(sa.path("enc-key-fp").asText().matches("[0-9a-f]{8}"), sa.toString());
            assertFalse(sa.has("enc-key"), "no key bytes");
        }
        assertEquals(Ctl.spis(sasA).stream().sorted().toList(), Ctl.spis(sasB).stream().sorted().toList(),
                "the same two SPIs on both sides");

        Ctl.Result table = ctlA.run("list-sas");
        assertEquals(0, table.exitCode(), table.err());
        assertTrue(table.out().contains("ENC-KEY-FP"), table.out());
        for (String spi : Ctl.spis(sasA)) {
            assertTrue(table.out().contains(spi), table.out());
        }
        assertFalse(table.out().contains(PSK) || ctlA.run("list-conns", "--json").out().contains(PSK),
                "the pre-shared key appears in no reply");

        JsonNode conns = ctlA.json("list-conns");
        assertEquals("gw-b", conns.get(0).path("name").asText());
        assertEquals("established", conns.get(0).path("isakmp").asText());
        assertTrue(conns.get(0).path("tunnels").get(0).path("up").asBoolean());
        JsonNode status = ctlA.json("status");
        assertEquals(1, status.path("isakmp-sas").asInt());
        assertEquals(2, status.path("ipsec-sas").asInt());
        assertEquals(1, ctlA.json("stats").path("handshakes").path("main-mode.established").asInt());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a.ctl"))),
                "control-mode = 0600");
    }

    @Test
    void downDeletesOnBothSidesAndStaysDownUntilUp() throws Exception {
        List<String> before = Ctl.spis(ctlA.json("list-sas"));
        Ctl.Result down = ctlA.run("down", "gw-b");
        assertEquals(0, down.exitCode(), down.err());
        assertTrue(down.out().contains("deleted 1 IPsec SA pair(s) and 1 ISAKMP SA(s)"), down.out());
        assertTrue(Ctl.noSas(ctlA.json("list-sas")), "a forgot its SAs at once");
        assertTrue(ctlB.await("list-sas", Ctl::noSas, Duration.ofSeconds(5)), "b got the Deletes"
                + TwoDaemonsIT.logs(a, b));
        Thread.sleep(1500);
        assertTrue(Ctl.noSas(ctlA.json("list-sas")), "a taken-down auto=start peer is not restarted");
        assertFalse(ctlA.json("list-conns").get(0).path("wanted").asBoolean());

        Ctl.Result up = ctlA.run("up", "gw-b");
        assertEquals(0, up.exitCode(), up.err());
        assertTrue(ctlA.await("list-sas", Ctl::tunnelUp, NEGOTIATION) && ctlB.await("list-sas", Ctl::tunnelUp,
                Duration.ofSeconds(5)), "up again" + TwoDaemonsIT.logs(a, b));
        List<String> after = Ctl.spis(ctlA.json("list-sas"));
        assertTrue(after.stream().noneMatch(before::contains), "new SAs: " + before + " then " + after);
        assertEquals(2, ctlA.json("stats").path("handshakes").path("quick-mode.established").asInt());

        Ctl.Result again = ctlA.run("up", "gw-b");
        assertEquals(0, again.exitCode());
        Thread.sleep(500);
        assertEquals(after, Ctl.spis(ctlA.json("list-sas")), "up on an up tunnel starts nothing");
    }

    @Test
    void rekeyReplacesThePairOnBothSidesAndDeletesTheOldOne() throws Exception {
        List<String> before = Ctl.spis(ctlA.json("list-sas"));
        Ctl.Result rekey = ctlA.run("rekey", "gw-b", "net");
        assertEquals(0, rekey.exitCode(), rekey.err());
        assertTrue(rekey.out().contains("negotiating new IPsec SAs for tunnel net of gw-b"), rekey.out());
        // make-before-break: the new pair comes up beside the old one, which goes 10 s later
        assertTrue(ctlA.await("list-sas", r -> Ctl.spis(r).size() == 2 && Ctl.spis(r).stream()
                .noneMatch(before::contains), Duration.ofSeconds(30)), "old pair replaced" + TwoDaemonsIT.logs(a, b));
        List<String> after = Ctl.spis(ctlA.json("list-sas"));
        assertTrue(ctlB.await("list-sas", r -> Ctl.spis(r).stream().sorted().toList()
                .equals(after.stream().sorted().toList()), Duration.ofSeconds(5)), "b holds the same new pair");
        assertEquals(2, ctlA.json("stats").path("handshakes").path("quick-mode.established").asInt());

        Ctl.Result noTunnel = ctlA.run("rekey", "gw-b", "nope");
        assertEquals(1, noTunnel.exitCode());
        assertEquals("isakmpctl: peer gw-b has no tunnel nope (known: net)\n", noTunnel.err());
    }

    @Test
    void theLauncherScriptRunsIsakmpctlFromTheJar() throws Exception {
        Process p = new ProcessBuilder(Path.of("..", "scripts", "isakmpctl").toString(), "--socket",
                dir.resolve("a.ctl").toString(), "list-conns").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.startsWith("PEER") && out.contains("gw-b") && out.contains("established"), out);
    }

    @Test
    void errorsAreOneLineAndExitNonZero() throws Exception {
        Ctl.Result noPeer = ctlA.run("down", "gw-x");
        assertEquals(1, noPeer.exitCode());
        assertEquals("isakmpctl: no peer named 'gw-x' (known: gw-b)\n", noPeer.err());
        Ctl.Result badLevel = ctlA.run("log-level", "loud");
        assertEquals(1, badLevel.exitCode());
        assertTrue(badLevel.err().startsWith("isakmpctl: unknown level 'loud'"), badLevel.err());
        Ctl.Result noDaemon = new Ctl(dir.resolve("nobody.ctl")).run("status");
        assertEquals(1, noDaemon.exitCode());
        assertTrue(noDaemon.err().matches("isakmpctl: cannot connect to .*nobody.ctl: .*\\n"), noDaemon.err());
        assertEquals(1, noDaemon.err().lines().count());
        assertEquals(2, ctlA.run("frobnicate").exitCode(), "unknown subcommand: usage error");
        // the lab's crash hook (issue 15) is refused by a daemon started without -Disakmpd.test-hooks=true
        String crash = request(dir.resolve("a.ctl"), "{\"command\":\"test-crash\",\"after\":\"qm2\"}");
        assertTrue(crash.startsWith("{\"ok\":false") && crash.contains("-Disakmpd.test-hooks=true"), crash);

        Ctl.Result debug = ctlA.run("log-level", "debug", "ike");
        assertEquals(0, debug.exitCode(), debug.err());
        assertEquals("isakmpd.ike: DEBUG\n", debug.out());
        ctlA.run("down", "gw-b");
        ctlA.run("up", "gw-b");
        assertTrue(ctlA.await("list-sas", Ctl::tunnelUp, NEGOTIATION));
        a.close();
        assertTrue(java.util.regex.Pattern.compile("(?m)DEBUG.*isakmpd\\.ike: ").matcher(a.output()).find(),
                "ike at debug after log-level"
                + TwoDaemonsIT.logs(a));
        assertNotEquals(-1, a.output().indexOf("log level of isakmpd.ike set to DEBUG"));
    }

    /** One raw request line on the control socket, its reply line. */
    private static String request(Path socket, String line) throws Exception {
        try (java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open(
                java.net.UnixDomainSocketAddress.of(socket))) {
            c.write(java.nio.ByteBuffer.wrap((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return new java.io.BufferedReader(new java.io.InputStreamReader(java.nio.channels.Channels.newInputStream(c),
                    java.nio.charset.StandardCharsets.UTF_8)).readLine();
        }
    }
}
