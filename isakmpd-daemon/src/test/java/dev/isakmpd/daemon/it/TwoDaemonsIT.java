package dev.isakmpd.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.daemon.runtime.SaPairing;
import dev.isakmpd.daemon.runtime.StatusFile.EspEntry;
import dev.isakmpd.daemon.runtime.StatusFile.Table;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Two daemon processes over real UDP on 127.0.0.1 and 127.0.0.2: Main Mode, Quick Mode, Delete on
 * SIGTERM. The initiator computes with ACCP (crypto = "auto" here), the responder with Bouncy
 * Castle, over P-256 for phase 1 and PFS: the two implementations agree on the wire.
 */
@Isolated
class TwoDaemonsIT {
    private static final String PSK = "two daemons it psk";
    private static final Duration NEGOTIATION = Duration.ofSeconds(30);
    private static final Duration EXIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    void negotiateATunnelAndDeleteItOnShutdown() throws Exception {
        String a = "127.0.0.1:" + Ports.freeUdp("127.0.0.1");
        String b = "127.0.0.2:" + Ports.freeUdp("127.0.0.2");
        Path confA = dir.resolve("a.toml");
        Path confB = dir.resolve("b.toml");
        Files.writeString(confA, ecp256(Configs.daemon(a, "a.status")
                + Configs.peer("gw-b", a, b, PSK, true, "10.1.0.0/16", "10.2.0.0/16")));
        Files.writeString(confB, ecp256(Configs.daemon(b, "b.status", "off", "crypto = \"bouncycastle\"\n")
                + Configs.peer("gw-a", b, a, PSK, false, "10.2.0.0/16", "10.1.0.0/16")));

        // what a crashed daemon left behind: the next start must not show it
        Files.writeString(dir.resolve("a.status"), "esp gw-b net out spi=deadbeef src=127.0.0.1 dst=127.0.0.2 "
                + "aes128-sha1 lifetime=3600 enc-key-fp=00 auth-key-fp=00 installed=- expires=-\n");
        try (DaemonProcess responder = DaemonProcess.start("b", confB, dir.resolve("b.status"));
                DaemonProcess initiator = DaemonProcess.start("a", confA, dir.resolve("a.status"))) {
            boolean up = initiator.awaitStatus(TwoDaemonsIT::tunnelUp, NEGOTIATION)
                    && responder.awaitStatus(TwoDaemonsIT::tunnelUp, Duration.ofSeconds(5));
            assertTrue(up, "no tunnel within " + NEGOTIATION + logs(initiator, responder));

            Table ta = initiator.table();
            Table tb = responder.table();
            assertTrue(ta.esp().stream().noneMatch(e -> e.spi().equals("deadbeef")), "the stale table was replaced");
            assertTrue(ta.esp().stream().allMatch(e -> !e.installed().equals("-") && !e.expires().equals("-")),
                    "install and expiry times: " + ta.lines());
            assertEquals(Instant.parse(esp(ta, "out").installed()).plusSeconds(1200),
                    Instant.parse(esp(ta, "out").expires()), "expires = installed + lifetime");
            assertEquals("initiator", ta.isakmp().get(0).role());
            assertEquals("responder", tb.isakmp().get(0).role());
            assertEquals(ta.isakmp().get(0).initiatorCookie(), tb.isakmp().get(0).initiatorCookie());
            assertEquals(ta.isakmp().get(0).responderCookie(), tb.isakmp().get(0).responderCookie());
            assertEquals(esp(ta, "out").spi(), esp(tb, "in").spi(), "A's outbound SPI is B's inbound SPI");
            assertEquals(esp(tb, "out").spi(), esp(ta, "in").spi(), "B's outbound SPI is A's inbound SPI");
            assertEquals(List.of(), SaPairing.mismatches("a", ta, "b", tb));
            assertEquals("aes256-sha256", esp(ta, "out").algorithms(), "the first esp proposal wins");
            assertTrue(initiator.output().contains("crypto: accp (auto: "), logs(initiator));
            assertTrue(responder.output().contains("crypto: bouncycastle (configured)"), logs(responder));

            assertEquals(0, initiator.terminate(EXIT), "initiator exit code after SIGTERM" + logs(initiator, responder));
            assertFalse(Files.exists(dir.resolve("a.status")), "the status file is removed at a clean stop");
            assertTrue(responder.awaitStatus(t -> t.esp().isEmpty(), Duration.ofSeconds(10)),
                    "the responder still holds ESP SAs after the initiator's Delete" + logs(initiator, responder));
            assertTrue(Pattern.compile("(?i)delete").matcher(responder.output()).find(),
                    "the responder logged no Delete" + logs(initiator, responder));
            assertEquals(0, responder.terminate(EXIT), "responder exit code after SIGTERM" + logs(initiator, responder));
        }
    }

    /** Phase 1 and PFS on P-256, the group both implementations compute (ACCP's AWS-LC, Bouncy Castle). */
    private static String ecp256(String config) {
        return config.replace("aes128-sha256-modp2048", "aes128-sha256-ecp256").replace("pfs = \"modp2048\"",
                "pfs = \"ecp256\"");
    }

    private static boolean tunnelUp(Table t) {
        return t.isakmp().size() == 1 && t.esp().size() == 2
                && t.esp().stream().map(EspEntry::direction).sorted().toList().equals(List.of("in", "out"));
    }

    private static EspEntry esp(Table t, String direction) {
        return t.esp().stream().filter(e -> e.direction().equals(direction)).findFirst().orElseThrow();
    }

    static String logs(DaemonProcess... ps) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (DaemonProcess p : ps) {
            sb.append("\n--- ").append(p.name).append(" log ---\n").append(p.output());
        }
        return sb.toString();
    }
}
