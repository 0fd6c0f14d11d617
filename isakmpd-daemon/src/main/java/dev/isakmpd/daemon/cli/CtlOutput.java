package dev.isakmpd.daemon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** isakmpctl's human-readable renderings of the daemon's JSON replies. */
public final class CtlOutput {
    private CtlOutput() {
    }

    public static void status(JsonNode r, PrintWriter out) {
        for (Map.Entry<String, JsonNode> e : fields(r)) {
            JsonNode v = e.getValue();
            out.printf("%-20s %s%n", e.getKey(), v.isArray() ? String.join(", ", texts(v)) : v.asText());
        }
    }

    public static void sas(JsonNode r, PrintWriter out) {
        TextTable ike = new TextTable("PEER", "ROLE", "LOCAL", "REMOTE", "STATE", "PROPOSAL", "AGE", "REMAINING",
                "CKY-I", "CKY-R");
        for (JsonNode s : r.path("isakmp")) {
            ike.row(s.path("peer").asText(), s.path("role").asText(), s.path("local").asText(),
                    s.path("remote").asText(), s.path("state").asText(), s.path("proposal").asText(),
                    seconds(s, "age-seconds"), seconds(s, "remaining-seconds"), s.path("icookie").asText(),
                    s.path("rcookie").asText());
        }
        out.println("ISAKMP SAs: " + r.path("isakmp").size());
        ike.print(out);
        TextTable esp = new TextTable("PEER", "TUNNEL", "DIR", "SPI", "SRC", "DST", "SELECTORS", "ALGORITHMS", "PFS",
                "AGE", "REMAINING", "BYTES", "PACKETS", "ENC-KEY-FP", "AUTH-KEY-FP");
        for (JsonNode s : r.path("ipsec")) {
            esp.row(s.path("peer").asText(), s.path("tunnel").asText(), s.path("direction").asText(),
                    s.path("spi").asText(), s.path("src").asText(), s.path("dst").asText(),
                    s.path("selectors").asText(), s.path("algorithms").asText(), s.path("pfs").asBoolean() ? "yes" : "no",
                    seconds(s, "age-seconds"), seconds(s, "remaining-seconds"), s.path("bytes").asText("-"),
                    s.path("packets").asText("-"), s.path("enc-key-fp").asText(),
                    s.path("auth-key-fp").asText());
        }
        out.println();
        out.println("IPsec SAs: " + r.path("ipsec").size());
        esp.print(out);
    }

    public static void conns(JsonNode r, PrintWriter out) {
        TextTable t = new TextTable("PEER", "LOCAL", "REMOTE", "AUTO", "ISAKMP", "TUNNELS UP", "WANTED", "TRIES",
                "NEXT TRY", "CLOSE/DPD ACTION");
        for (JsonNode c : r) {
            List<String> up = new ArrayList<>();
            for (JsonNode tn : c.path("tunnels")) {
                up.add(tn.path("name").asText() + (tn.path("up").asBoolean() ? "" : "(down)"));
            }
            String tries = c.path("failed-tries").asText() + "/" + c.path("keying-tries").asText()
                    + (c.path("gave-up").asBoolean() ? " gave up" : "");
            t.row(c.path("name").asText(), c.path("local").asText(), c.path("remote").asText(),
                    c.path("auto").asText(), c.path("isakmp").asText(), up.isEmpty() ? "-" : String.join(",", up),
                    c.path("wanted").asBoolean() ? "yes" : "no", tries,
                    c.has("next-try-seconds") ? c.path("next-try-seconds").asText() + "s" : "-",
                    c.path("close-action").asText() + "/" + c.path("dpd-action").asText());
        }
        t.print(out);
    }

    public static void stats(JsonNode r, PrintWriter out) {
        section(out, "handshakes", r.path("handshakes"));
        out.printf("%-34s %s%n", "retransmits", r.path("retransmits").asText());
        out.printf("%-34s %s%n", "duplicates answered", r.path("duplicates-answered").asText());
        section(out, "drops", r.path("drops"));
        section(out, "peer events", r.path("peer-events"));
        out.printf("%-34s %s%n", "half-open Main Modes", r.path("half-open").asText());
    }

    private static void section(PrintWriter out, String title, JsonNode counters) {
        out.println(title + ":");
        if (counters.isEmpty()) {
            out.println("  (none)");
        }
        for (Map.Entry<String, JsonNode> e : fields(counters)) {
            out.printf("  %-32s %s%n", e.getKey(), e.getValue().asText());
        }
    }

    private static String seconds(JsonNode n, String field) {
        return n.has(field) ? n.path(field).asText() + "s" : "-";
    }

    private static List<Map.Entry<String, JsonNode>> fields(JsonNode n) {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        n.fields().forEachRemaining(out::add);
        return out;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }
}
