package dev.isakmpd.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * An auto = "start" tunnel is up whenever its peer is: after the peer's Deletes, after a crash
 * noticed by DPD, and at start while the peer is unreachable, with keying tries backing off.
 * Retransmissions are short (Configs.FAST_RETRANSMIT), so a Main Mode gives up in about a second.
 */
@Isolated
class TunnelsComeBackIT {
    private static final String PSK = "tunnels come back psk";
    private static final Duration NEGOTIATION = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private String ea;
    private String eb;
    private DaemonProcess a;
    private DaemonProcess b;

    @AfterEach
    void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    /** A (auto = start, {@code peerExtra} for its peer gw-b) with a control socket; B not yet started. */
    private Ctl startA(String peerExtra) throws Exception {
        ea = "127.0.0.1:" + Ports.freeUdp("127.0.0.1");
        eb = "127.0.0.2:" + Ports.freeUdp("127.0.0.2");
        Files.writeString(dir.resolve("a.toml"), Configs.daemon(ea, null, dir.resolve("a.ctl").toString(),
                Configs.FAST_RETRANSMIT) + Configs.peer("gw-b", ea, eb, PSK, true, "10.1.0.0/16", "10.2.0.0/16",
                peerExtra));
        Files.writeString(dir.resolve("b.toml"), Configs.daemon(eb, null, "off", "")
                + Configs.peer("gw-a", eb, ea, PSK, false, "10.2.0.0/16", "10.1.0.0/16"));
        a = DaemonProcess.start("a", dir.resolve("a.toml"), dir.resolve("a.status"));
        Ctl ctl = new Ctl(dir.resolve("a.ctl"));
        assertTrue(ctl.await("status", s -> true, NEGOTIATION), "a's control socket" + TwoDaemonsIT.logs(a));
        return ctl;
    }

    /** Starts B and waits until it listens, so that what A does next meets a responder. */
    private void startB() throws Exception {
        b = DaemonProcess.start("b", dir.resolve("b.toml"), dir.resolve("b.status"));
        DaemonProcess started = b;
        assertTrue(within(NEGOTIATION, () -> {
            try {
                return started.output().contains("listening on");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }), "b listens" + TwoDaemonsIT.logs(b));
    }

    private static boolean within(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    private boolean aLogged(String text) {
        try {
            return a.output().contains(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonNode conn(Ctl ctl) throws Exception {
        return ctl.json("list-conns").get(0);
    }

    @Test
    void afterThePeersDeletesTheTunnelIsRestartedAndComesBackWhenThePeerDoes() throws Exception {
        Ctl ctl = startA("keying-retry-delay = \"300ms\"\nkeying-retry-delay-max = \"1s\"\n");
        startB();
        assertTrue(ctl.await("list-sas", Ctl::tunnelUp, NEGOTIATION), "first tunnel" + TwoDaemonsIT.logs(a, b));
        List<String> before = Ctl.spis(ctl.json("list-sas"));

        assertEquals(0, b.terminate(Duration.ofSeconds(15)), "b stops with Deletes");
        assertTrue(within(Duration.ofSeconds(10), () -> aLogged("the peer closed SAs of ours; bringing up what "
                + "is missing (close-action = restart)")), TwoDaemonsIT.logs(a));
        assertTrue(ctl.await("list-conns", c -> c.get(0).path("failed-tries").asInt() >= 2, Duration.ofSeconds(15)),
                "a keeps trying while b is away" + TwoDaemonsIT.logs(a));

        startB();
        assertTrue(ctl.await("list-sas", Ctl::tunnelUp, NEGOTIATION), "the tunnel came back by itself"
                + TwoDaemonsIT.logs(a, b));
        List<String> after = Ctl.spis(ctl.json("list-sas"));
        assertTrue(after.stream().noneMatch(before::contains), before + " then " + after);
        assertEquals(0, conn(ctl).path("failed-tries").asInt(), "the count starts afresh once up");
    }

    @Test
    void afterACrashNoticedByDeadPeerDetectionTheTunnelComesBack() throws Exception {
        Ctl ctl = startA("dpd-delay = 1\ndpd-timeout = 3\n");
        startB();
        assertTrue(ctl.await("list-sas", Ctl::tunnelUp, NEGOTIATION), "first tunnel" + TwoDaemonsIT.logs(a, b));
        List<String> before = Ctl.spis(ctl.json("list-sas"));

        b.kill(); // no Deletes: only DPD can tell
        startB();
        assertTrue(within(Duration.ofSeconds(20), () -> aLogged("Dead Peer Detection declared it dead; bringing up "
                + "what is missing (dpd-action = restart)")), TwoDaemonsIT.logs(a, b));
        assertTrue(ctl.await("list-sas", s -> Ctl.tunnelUp(s) && Ctl.spis(s).stream().noneMatch(before::contains),
                NEGOTIATION), "a new tunnel with the restarted b" + TwoDaemonsIT.logs(a, b));
    }

    @Test
    void anUnreachablePeerIsRetriedWithBackoffForeverAndTheTunnelComesUpWhenItAppears() throws Exception {
        Ctl ctl = startA("keying-retry-delay = \"200ms\"\nkeying-retry-delay-max = \"400ms\"\n");
        assertTrue(within(Duration.ofSeconds(20), () -> aLogged("keying try 1 failed; next try in 200ms")
                && aLogged("keying try 2 failed; next try in 400ms") && aLogged("keying try 3 failed; next try in "
                        + "400ms")), "doubling up to the cap" + TwoDaemonsIT.logs(a));
        JsonNode c = conn(ctl);
        assertEquals("forever", c.path("keying-tries").asText());
        assertFalse(c.path("gave-up").asBoolean());

        startB();
        assertTrue(ctl.await("list-sas", Ctl::tunnelUp, NEGOTIATION), "up once b listens" + TwoDaemonsIT.logs(a, b));
    }

    @Test
    void keyingTriesRunOutThenUpTriesAgain() throws Exception {
        Ctl ctl = startA("keying-tries = 2\nkeying-retry-delay = \"200ms\"\n");
        assertTrue(within(Duration.ofSeconds(20), () -> aLogged("no ISAKMP SA after 2 keying tries (keying-tries = 2);"
                + " giving up until isakmpctl up gw-b")), TwoDaemonsIT.logs(a));
        assertTrue(conn(ctl).path("gave-up").asBoolean());
        Thread.sleep(1500);
        assertFalse(aLogged("keying try 2 failed; next try"), "no third try" + TwoDaemonsIT.logs(a));

        startB();
        assertEquals(0, ctl.run("up", "gw-b").exitCode());
        assertTrue(ctl.await("list-sas", Ctl::tunnelUp, NEGOTIATION), "up on request" + TwoDaemonsIT.logs(a, b));
    }

    @Test
    void closeActionHoldLeavesTheTunnelDownUntilTraffic() throws Exception {
        Ctl ctl = startA("close-action = \"hold\"\n");
        startB();
        assertTrue(ctl.await("list-sas", Ctl::tunnelUp, NEGOTIATION), "first tunnel" + TwoDaemonsIT.logs(a, b));
        assertEquals(0, b.terminate(Duration.ofSeconds(15)));
        assertTrue(within(Duration.ofSeconds(10), () -> aLogged("the peer closed SAs of ours; waiting for traffic to "
                + "restart it (close-action = hold)")), TwoDaemonsIT.logs(a));
        startB();
        Thread.sleep(3000);
        assertFalse(Ctl.tunnelUp(ctl.json("list-sas")), "not restarted" + TwoDaemonsIT.logs(a, b));
    }
}
