package dev.isakmpd.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.XauthUsers;
import dev.isakmpd.daemon.runtime.StatusFile.Table;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Two daemon processes over real UDP on 127.0.0.1 (the client) and 127.0.0.2 (the gateway, which
 * accepts any client of 127.0.0.0/24): XAUTH with a bcrypt user file, Mode-Config from a pool, the
 * client's own policy installed and removed; and a wrong password refused three times.
 */
@Isolated
class RemoteAccessIT {
    private static final String PSK = "remote access it group psk";
    private static final Duration NEGOTIATION = Duration.ofSeconds(30);
    private static final Duration EXIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private DaemonProcess gateway(String gw) throws Exception {
        Files.writeString(dir.resolve("users"), "alice:" + XauthUsers.hash("wonderland".toCharArray(),
                new byte[16], 4) + "\n");
        Path conf = dir.resolve("gw.toml");
        Files.writeString(conf, Configs.daemon(gw, "gw.status") + Configs.peer("rw", gw, "127.0.0.0/24", PSK, false,
                "10.1.0.0/16", "10.3.0.0/24", "xauth = \"server\"\nxauth-users = \"users\"\npool = \"10.3.0.0/24\"\n"
                        + "dns = [\"10.1.0.53\"]\n"));
        return DaemonProcess.start("gw", conf, dir.resolve("gw.status"));
    }

    private DaemonProcess client(String local, String gw, String password) throws Exception {
        Files.writeString(dir.resolve("password"), password + "\n");
        Path conf = dir.resolve("client.toml");
        Files.writeString(conf, Configs.daemon(local, "client.status") + Configs.peer("gw", local, gw, PSK, true,
                "10.3.0.1/32", "10.1.0.0/16", "xauth = \"client\"\nxauth-user = \"alice\"\n"
                        + "xauth-password-file = \"password\"\n"));
        return DaemonProcess.start("client", conf, dir.resolve("client.status"));
    }

    @Test
    void theClientAuthenticatesGetsItsAddressAndItsOwnPolicy() throws Exception {
        String gw = "127.0.0.2:" + Ports.freeUdp("127.0.0.2");
        String local = "127.0.0.1:" + Ports.freeUdp("127.0.0.1");
        try (DaemonProcess gateway = gateway(gw); DaemonProcess client = client(local, gw, "wonderland")) {
            assertTrue(client.awaitStatus(RemoteAccessIT::tunnelUp, NEGOTIATION)
                    && gateway.awaitStatus(RemoteAccessIT::tunnelUp, Duration.ofSeconds(5)),
                    "no tunnel within " + NEGOTIATION + TwoDaemonsIT.logs(client, gateway));
            String g = gateway.output();
            assertTrue(g.contains("XAUTH: user 'alice' authenticated"), TwoDaemonsIT.logs(gateway));
            assertTrue(g.contains("Mode-Config: 10.3.0.1 for user 'alice'"), TwoDaemonsIT.logs(gateway));
            assertTrue(g.contains("installed policy rw/net 10.1.0.0/16 <=> 10.3.0.1/32"), TwoDaemonsIT.logs(gateway));
            assertTrue(client.output().contains("the gateway assigned 10.3.0.1, DNS 10.1.0.53"),
                    TwoDaemonsIT.logs(client));

            assertEquals(0, client.terminate(EXIT), "client exit code after SIGTERM" + TwoDaemonsIT.logs(client));
            assertTrue(gateway.awaitStatus(t -> t.isakmp().isEmpty() && t.esp().isEmpty(), Duration.ofSeconds(10)),
                    "the gateway still holds SAs after the client's Deletes" + TwoDaemonsIT.logs(gateway));
            g = gateway.output();
            assertTrue(g.contains("10.3.0.1 returned to pool 10.3.0.0/24"), TwoDaemonsIT.logs(gateway));
            assertTrue(g.contains("removed policy rw/net 10.1.0.0/16 <=> 10.3.0.1/32"), TwoDaemonsIT.logs(gateway));
            assertFalse(g.contains("wonderland") || client.output().contains("wonderland"), "a password was logged");
            assertEquals(0, gateway.terminate(EXIT), "gateway exit code after SIGTERM" + TwoDaemonsIT.logs(gateway));
        }
    }

    @Test
    void aWrongPasswordIsRefusedAndNoSaIsLeft() throws Exception {
        String gw = "127.0.0.2:" + Ports.freeUdp("127.0.0.2");
        String local = "127.0.0.1:" + Ports.freeUdp("127.0.0.1");
        try (DaemonProcess gateway = gateway(gw); DaemonProcess client = client(local, gw, "looking-glass")) {
            assertTrue(Poll.until(() -> logged(gateway, "authentication of user 'alice' failed 3 times")),
                    TwoDaemonsIT.logs(client, gateway));
            assertTrue(gateway.awaitStatus(t -> t.isakmp().isEmpty() && t.esp().isEmpty(), Duration.ofSeconds(10)),
                    TwoDaemonsIT.logs(gateway));
            // the gateway logs and clears its tables before the client has read the SET(FAIL)
            assertTrue(Poll.until(() -> logged(client, "XAUTH: the gateway refused user 'alice'")),
                    TwoDaemonsIT.logs(client));
            assertFalse(gateway.output().contains("looking-glass") || client.output().contains("looking-glass"),
                    "a password was logged");
        }
    }

    private static boolean logged(DaemonProcess p, String text) {
        try {
            return p.output().contains(text);
        } catch (IOException e) {
            return false; // not written yet
        }
    }

    private static boolean tunnelUp(Table t) {
        return t.isakmp().size() == 1 && t.esp().size() == 2;
    }
}
