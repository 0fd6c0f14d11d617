package dev.isakmpd.daemon.control;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** isakmpctl's side of the control socket: one request line, one reply line. */
public final class ControlClient {
    /** Replies (list-sas of a big gateway) may be long, but not endless. */
    private static final int MAX_REPLY = 64 * 1024 * 1024;

    /** The daemon could not be asked, or said no; the message is the one line isakmpctl prints. */
    public static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        public Failure(String message) {
            super(message);
        }
    }

    private ControlClient() {
    }

    /** Sends the request and returns the reply's result; a reply with "ok": false becomes a Failure. */
    public static JsonNode call(Path socket, String requestLine) throws Failure {
        String line;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw new Failure("cannot connect to " + socket + ": " + reason(e) + " (is isakmpd running, and may "
                        + "you use its control socket?)");
            }
            ByteBuffer out = ByteBuffer.wrap((requestLine + "\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                ch.write(out);
            }
            line = readLine(ch);
        } catch (IOException e) {
            throw new Failure("talking to " + socket + ": " + reason(e));
        }
        if (line == null) {
            throw new Failure("the daemon closed the connection without a reply");
        }
        JsonNode reply;
        try {
            reply = ControlProtocol.reply(line);
        } catch (ControlProtocol.BadRequest e) {
            throw new Failure(e.getMessage());
        }
        if (!reply.path("ok").asBoolean()) {
            throw new Failure(reply.path("error").asText("the daemon refused the request"));
        }
        return reply.path("result");
    }

    private static String readLine(SocketChannel ch) throws IOException, Failure {
        ByteArrayOutputStream acc = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        while (true) {
            buf.clear();
            int n = ch.read(buf);
            if (n < 0) {
                return null;
            }
            for (int i = 0; i < n; i++) {
                if (buf.get(i) == '\n') {
                    acc.write(buf.array(), 0, i);
                    return acc.toString(StandardCharsets.UTF_8);
                }
            }
            acc.write(buf.array(), 0, n);
            if (acc.size() > MAX_REPLY) {
                throw new Failure("the daemon's reply exceeds " + MAX_REPLY + " bytes");
            }
        }
    }

    private static String reason(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
