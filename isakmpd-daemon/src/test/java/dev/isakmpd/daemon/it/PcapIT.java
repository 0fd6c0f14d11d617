package dev.isakmpd.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The decrypted capture (issue 13 item 6), checked by tshark (scripts/install-deps.sh installs
 * it, and tcpdump): two daemons on loopback, A with {@code run --pcap}, B started and stopped
 * with {@code isakmpctl pcap}. Every message of both captures decodes as plaintext ISAKMP with no
 * malformed mark or expert warning; and a raw capture of the same run (tcpdump on lo: needs
 * root, as CI is), which tshark cannot read without keys, decrypts to the same payloads with
 * the key table the daemon wrote.
 */
@Isolated
class PcapIT {
    private static final String PSK = "pcap it psk";
    private static final Duration NEGOTIATION = Duration.ofSeconds(30);
    private static final Duration EXIT = Duration.ofSeconds(15);
    /** ISAKMP payload types (RFC 2408 s3.1) tshark names by number. */
    private static final String ID = "5";
    private static final String HASH = "8";

    @TempDir
    Path dir;

    @Test
    void decryptedCapturesAndTheKeyTableReadInTshark() throws Exception {
        int portA = Ports.freeUdp("127.0.0.1");
        int portB = Ports.freeUdp("127.0.0.2");
        String a = "127.0.0.1:" + portA;
        String b = "127.0.0.2:" + portB;
        Path confA = dir.resolve("a.toml");
        Path confB = dir.resolve("b.toml");
        Path ctlB = dir.resolve("b.ctl");
        Files.writeString(confA, Configs.daemon(a, "a.status")
                + Configs.peer("gw-b", a, b, PSK, true, "10.1.0.0/16", "10.2.0.0/16"));
        Files.writeString(confB, Configs.daemon(b, "b.status", ctlB.toString(), "")
                + Configs.peer("gw-a", b, a, PSK, false, "10.2.0.0/16", "10.1.0.0/16"));
        Path pcapA = dir.resolve("a.pcap");
        Path pcapB = dir.resolve("b.pcap");
        Path raw = dir.resolve("raw.pcap");
        Ctl ctl = new Ctl(ctlB);

        Process tcpdump = startTcpdump(raw, portA, portB);
        try (DaemonProcess responder = DaemonProcess.start("b", confB, dir.resolve("b.status"))) {
            Ctl.Result started = awaitControl(ctl, "pcap", "start", pcapB.toString());
            assertEquals(0, started.exitCode(), started.err() + TwoDaemonsIT.logs(responder));
            assertTrue(started.out().contains(pcapB + ".ikev1_decryption_table"), started.out());
            Ctl.Result twice = ctl.run("pcap", "start", dir.resolve("other.pcap").toString());
            assertEquals(1, twice.exitCode());
            assertTrue(twice.err().contains("already being written to " + pcapB), twice.err());

            try (DaemonProcess initiator = DaemonProcess.start("a", confA, dir.resolve("a.status"), Map.of(),
                    "--pcap", pcapA.toString())) {
                assertTrue(initiator.awaitStatus(t -> t.esp().size() == 2, NEGOTIATION)
                        && responder.awaitStatus(t -> t.esp().size() == 2, Duration.ofSeconds(5)),
                        "no tunnel within " + NEGOTIATION + TwoDaemonsIT.logs(initiator, responder));
                assertEquals(0, initiator.terminate(EXIT), TwoDaemonsIT.logs(initiator, responder));
                assertTrue(responder.awaitStatus(t -> t.esp().isEmpty() && t.isakmp().isEmpty(),
                        Duration.ofSeconds(10)), "B got no Deletes" + TwoDaemonsIT.logs(initiator, responder));
                assertNoKeyIn(initiator.output(), pcapA);
            }
            Ctl.Result stopped = ctl.run("pcap", "stop");
            assertEquals(0, stopped.exitCode(), stopped.err());
            assertEquals("stopped the decrypted capture to " + pcapB + "\n", stopped.out());
            Ctl.Result again = ctl.run("pcap", "start", pcapB.toString());
            assertEquals(1, again.exitCode(), "an existing file is never overwritten");
            assertTrue(again.err().contains(pcapB + " already exists"), again.err());
            assertEquals(0, responder.terminate(EXIT), TwoDaemonsIT.logs(responder));
            assertNoKeyIn(responder.output(), pcapB);
        } finally {
            tcpdump.destroy(); // SIGTERM: tcpdump closes its file (-U wrote each packet already)
            tcpdump.waitFor(10, TimeUnit.SECONDS);
            tcpdump.destroyForcibly();
        }

        for (Path f : List.of(pcapA, keyTable(pcapA), pcapB, keyTable(pcapB))) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
        }
        List<String> keysA = keyLines(pcapA);
        assertEquals(1, keysA.size(), "one ISAKMP SA: " + keysA);
        assertEquals(keysA, keyLines(pcapB), "both sides derived the same phase-1 key");
        assertTrue(keysA.get(0).matches("[0-9a-f]{16},[0-9a-f]{32}"), "CKY-I,aes128 key: " + keysA.get(0));

        Path noKeys = Files.createDirectories(dir.resolve("wireshark-empty"));
        List<Frame> decryptedA = tshark(pcapA, noKeys, portA, portB);
        List<Frame> decryptedB = tshark(pcapB, noKeys, portA, portB);
        // MM1-MM6, QM1-QM3, and A's Deletes at shutdown (ESP pair, ISAKMP SA)
        assertEquals(11, decryptedA.size(), "frames of A's capture: " + decryptedA);
        assertEquals(payloadTypes(decryptedA), payloadTypes(decryptedB), "both captures hold the same messages");
        for (Frame f : decryptedA) {
            assertTrue(f.clean(), "tshark: " + f);
            assertEquals(0, f.flags() & 1, "encryption flag cleared: " + f);
        }
        assertTrue(decryptedA.get(4).payloadTypes().containsAll(List.of(ID, HASH)), "MM5: " + decryptedA.get(4));
        assertTrue(decryptedB.stream().allMatch(Frame::clean), "tshark: " + decryptedB);

        List<Frame> rawFrames = tshark(raw, noKeys, portA, portB);
        assertEquals(decryptedA.size(), rawFrames.size(), "raw capture: " + rawFrames);
        assertFalse(rawFrames.get(4).payloadTypes().contains(ID), "without keys MM5 stays encrypted: " + rawFrames);
        Path withKeys = Files.createDirectories(dir.resolve("wireshark-keys"));
        Files.copy(keyTable(pcapA), withKeys.resolve("ikev1_decryption_table"));
        List<Frame> decryptedRaw = tshark(raw, withKeys, portA, portB);
        assertEquals(payloadTypes(decryptedA), payloadTypes(decryptedRaw),
                "with the key table tshark decrypts the raw capture to what the daemon captured");
        assertTrue(decryptedRaw.stream().allMatch(Frame::clean), "tshark: " + decryptedRaw);
    }

    private record Frame(List<String> payloadTypes, int flags, String malformed, String expert) {
        boolean clean() {
            return !payloadTypes.isEmpty() && malformed.isEmpty() && expert.isEmpty();
        }
    }

    private static List<List<String>> payloadTypes(List<Frame> frames) {
        return frames.stream().map(Frame::payloadTypes).toList();
    }

    private static Path keyTable(Path pcap) {
        return pcap.resolveSibling(pcap.getFileName() + ".ikev1_decryption_table");
    }

    private static List<String> keyLines(Path pcap) throws IOException {
        return Files.readAllLines(keyTable(pcap)).stream().filter(l -> !l.startsWith("#")).toList();
    }

    /** The key table is a secret: not one of its keys is in the daemon's log. */
    private static void assertNoKeyIn(String log, Path pcap) throws IOException {
        for (String line : keyLines(pcap)) {
            String key = line.substring(line.indexOf(',') + 1);
            assertFalse(log.contains(key), "the log holds the phase-1 key");
        }
    }

    /** isakmpctl retried until the daemon's control socket answers. */
    private static Ctl.Result awaitControl(Ctl ctl, String... args) throws InterruptedException {
        Instant deadline = Instant.now().plus(NEGOTIATION);
        Ctl.Result r = ctl.run(args);
        while (r.exitCode() != 0 && r.err().contains("cannot connect") && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
            r = ctl.run(args);
        }
        return r;
    }

    /** tcpdump on lo for the two daemons' ports, packet-buffered; returns once it is listening. */
    private static Process startTcpdump(Path raw, int portA, int portB) throws Exception {
        Path err = raw.resolveSibling("tcpdump.err");
        Process p = new ProcessBuilder("tcpdump", "-i", "lo", "-n", "-U", "-w", raw.toString(),
                "udp and (port " + portA + " or port " + portB + ")").redirectError(err.toFile()).start();
        Instant deadline = Instant.now().plusSeconds(20);
        while (Instant.now().isBefore(deadline)) {
            if (Files.exists(err) && Files.readString(err).contains("listening on")) {
                return p;
            }
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        p.destroyForcibly();
        throw new AssertionError("tcpdump on lo did not start (it needs root and scripts/install-deps.sh): "
                + (Files.exists(err) ? Files.readString(err) : ""));
    }

    /** One line per frame from tshark, with {@code config} as its configuration directory (where the key table goes). */
    private static List<Frame> tshark(Path pcap, Path config, int portA, int portB) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("tshark", "-r", pcap.toString(),
                "-d", "udp.port==" + portA + ",isakmp", "-d", "udp.port==" + portB + ",isakmp",
                "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,",
                "-e", "isakmp.typepayload", "-e", "isakmp.flags", "-e", "_ws.malformed", "-e", "_ws.expert.severity");
        pb.environment().put("WIRESHARK_CONFIG_DIR", config.toString());
        Path err = config.resolve("tshark.err");
        Process p = pb.redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "tshark did not finish");
        assertEquals(0, p.exitValue(), "tshark on " + pcap + ": " + Files.readString(err));
        List<Frame> frames = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] c = (line + "|||").split("\\|", -1);
            List<String> types = c[0].isEmpty() ? List.of() : List.of(c[0].split(","));
            String flags = c[1].split(",")[0];
            frames.add(new Frame(types, flags.isEmpty() ? -1 : Integer.decode(flags), c[2], c[3]));
        }
        assertNotEquals(0, frames.size(), "tshark read no frame from " + pcap);
        return frames;
    }
}
