package dev.isakmpd.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Bad clients on the control socket of a daemon with a tunnel up: each gets a clear error or is
 * dropped, and the daemon goes on answering and negotiating.
 */
@Isolated
class ControlSocketAbuseIT {
    private static final String PSK = "abuse it psk";
    private static final Duration NEGOTIATION = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private DaemonProcess a;
    private DaemonProcess b;
    private Path socket;
    private Ctl ctl;

    @BeforeEach
    void start() throws Exception {
        String ea = "127.0.0.1:" + Ports.freeUdp("127.0.0.1");
        String eb = "127.0.0.2:" + Ports.freeUdp("127.0.0.2");
        socket = dir.resolve("a.ctl");
        Files.writeString(dir.resolve("a.toml"), Configs.daemon(ea, null, socket.toString(), "")
                + Configs.peer("gw-b", ea, eb, PSK, true, "10.1.0.0/16", "10.2.0.0/16"));
        Files.writeString(dir.resolve("b.toml"), Configs.daemon(eb, null, "off", "")
                + Configs.peer("gw-a", eb, ea, PSK, false, "10.2.0.0/16", "10.1.0.0/16"));
        b = DaemonProcess.start("b", dir.resolve("b.toml"), dir.resolve("b.status"));
        a = DaemonProcess.start("a", dir.resolve("a.toml"), dir.resolve("a.status"));
        ctl = new Ctl(socket);
        assertTrue(ctl.await("list-sas", Ctl::tunnelUp, NEGOTIATION), "no tunnel" + TwoDaemonsIT.logs(a, b));
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
    }

    private SocketChannel connect() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        return ch;
    }

    private static void send(SocketChannel ch, String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static BufferedReader reader(SocketChannel ch) {
        return new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
    }

    /** The daemon still answers, and still negotiates: the tunnel comes back after down and up. */
    private void assertStillServing() throws Exception {
        assertEquals(0, ctl.run("down", "gw-b").exitCode());
        assertEquals(0, ctl.run("up", "gw-b").exitCode());
        assertTrue(ctl.await("list-sas", Ctl::tunnelUp, NEGOTIATION), "negotiating after abuse" + TwoDaemonsIT.logs(a));
        assertTrue(a.isAlive());
    }

    @Test
    void unknownCommandsAndMalformedRequestsGetAnErrorAndTheConnectionServesOn() throws Exception {
        try (SocketChannel ch = connect()) {
            BufferedReader in = reader(ch);
            send(ch, "{\"command\":\"frobnicate\"}\n");
            assertTrue(in.readLine().startsWith("{\"ok\":false,\"error\":\"unknown command 'frobnicate' (known: status"));
            send(ch, "{\"command\": \"sta\n");
            assertTrue(in.readLine().startsWith("{\"ok\":false,\"error\":\"malformed JSON: "));
            send(ch, "[1,2]\n");
            assertTrue(in.readLine().contains("a request is a JSON object"));
            send(ch, "{\"peer\":\"gw-b\"}\n");
            assertTrue(in.readLine().contains("the request has no \\\"command\\\" string"));
            send(ch, "{\"command\":\"up\"}\n");
            assertTrue(in.readLine().contains("up needs a \\\"peer\\\""));
            send(ch, "{\"command\":\"status\"}\n");
            assertTrue(in.readLine().startsWith("{\"ok\":true,\"result\":{\"pid\":"), "the same connection still works");
        }
        assertStillServing();
    }

    @Test
    void halfWrittenRequestThenEndOfInputIsAnsweredThenClosed() throws Exception {
        try (SocketChannel ch = connect()) {
            BufferedReader in = reader(ch);
            send(ch, "{\"command\":\"list-");
            ch.shutdownOutput();
            assertEquals("{\"ok\":false,\"error\":\"incomplete request: the connection ended before a newline\"}",
                    in.readLine());
            assertEquals(null, in.readLine(), "closed");
        }
        assertStillServing();
    }

    @Test
    void anOversizedLineIsRefusedAndTheClientDropped() throws Exception {
        try (SocketChannel ch = connect()) {
            BufferedReader in = reader(ch);
            String big = "{\"command\":\"status\",\"pad\":\"" + "x".repeat(70 * 1024);
            try {
                send(ch, big);
            } catch (IOException e) {
                // the daemon may close before all of it is written
            }
            assertEquals("{\"ok\":false,\"error\":\"request line longer than 65536 bytes\"}", in.readLine());
            assertEquals(null, in.readLine(), "closed");
        }
        assertStillServing();
    }

    @Test
    void aClientThatNeverReadsIsDropped() throws Exception {
        try (SocketChannel ch = connect()) {
            String request = "{\"command\":\"list-conns\"}\n".repeat(100);
            assertThrows(IOException.class, () -> {
                for (int i = 0; i < 100_000; i++) {
                    send(ch, request);
                }
            }, "the daemon closed the connection of a client that does not read its replies");
        }
        assertTrue(a.output().contains("control client"), a.output());
        assertStillServing();
    }

    @Test
    void aHundredClientsAtOnceAreAllAnsweredAndMoreThanTheLimitAreTurnedAway() throws Exception {
        List<SocketChannel> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 140; i++) {
                clients.add(connect());
            }
            for (SocketChannel ch : clients) {
                try {
                    send(ch, "{\"command\":\"status\"}\n");
                } catch (IOException e) {
                    // a turned-away client may already be closed
                }
            }
            int ok = 0;
            int turnedAway = 0;
            for (SocketChannel ch : clients) {
                String line = reader(ch).readLine();
                if (line != null && line.startsWith("{\"ok\":true")) {
                    ok++;
                } else if (line != null && line.contains("too many control connections (128)")) {
                    turnedAway++;
                }
            }
            assertEquals(128, ok, "answered");
            assertEquals(12, turnedAway, "turned away with an error");
        } finally {
            for (SocketChannel ch : clients) {
                ch.close();
            }
        }
        assertStillServing();
    }
}
