package dev.isakmpd.daemon.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.isakmpd.daemon.Isakmpctl;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import picocli.CommandLine;

/** Runs isakmpctl (its picocli command, in this JVM) against a daemon's control socket. */
final class Ctl {
    record Result(int exitCode, String out, String err) {
        JsonNode json() throws Exception {
            return new ObjectMapper().readTree(out);
        }
    }

    private final Path socket;

    Ctl(Path socket) {
        this.socket = socket;
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Isakmpctl.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of("--socket", socket.toString()));
        all.addAll(List.of(args));
        int rc = cl.execute(all.toArray(String[]::new));
        return new Result(rc, out.toString(), err.toString());
    }

    /** The JSON result of a listing; fails the test if isakmpctl fails. */
    JsonNode json(String command) throws Exception {
        Result r = run(command, "--json");
        if (r.exitCode() != 0) {
            throw new AssertionError("isakmpctl " + command + " failed: " + r.err());
        }
        return r.json();
    }

    /** Polls a listing until {@code condition} holds; false after {@code timeout}. */
    boolean await(String command, Predicate<JsonNode> condition, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            Result r = run(command, "--json");
            if (r.exitCode() == 0 && condition.test(r.json())) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    /** list-sas shows one ISAKMP SA established and the in and out IPsec SAs of one tunnel. */
    static boolean tunnelUp(JsonNode sas) {
        long established = 0;
        for (JsonNode s : sas.path("isakmp")) {
            established += s.path("state").asText().equals("ESTABLISHED") ? 1 : 0;
        }
        return established == 1 && sas.path("ipsec").size() == 2;
    }

    static boolean noSas(JsonNode sas) {
        return sas.path("isakmp").isEmpty() && sas.path("ipsec").isEmpty();
    }

    static List<String> spis(JsonNode sas) {
        List<String> out = new ArrayList<>();
        sas.path("ipsec").forEach(s -> out.add(s.path("spi").asText()));
        return out;
    }
}
