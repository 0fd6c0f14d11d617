package dev.isakmpd.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The Prometheus endpoint (daemon.metrics) of two running daemons: its SA gauges match the SAs
 * that exist, before and after the initiator leaves with Deletes, and the handshake counters and
 * latency histograms count the one Main Mode and Quick Mode that took place.
 */
@Isolated
class MetricsIT {
    private static final String PSK = "metrics it psk";
    private static final Duration NEGOTIATION = Duration.ofSeconds(30);
    private static final Duration EXIT = Duration.ofSeconds(15);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void scrapedValuesMatchTheSasThatExist() throws Exception {
        String a = "127.0.0.1:" + Ports.freeUdp("127.0.0.1");
        String b = "127.0.0.2:" + Ports.freeUdp("127.0.0.2");
        URI metricsA = URI.create("http://127.0.0.1:" + Ports.freeTcp("127.0.0.1") + "/metrics");
        URI metricsB = URI.create("http://127.0.0.2:" + Ports.freeTcp("127.0.0.2") + "/metrics");
        Path confA = dir.resolve("a.toml");
        Path confB = dir.resolve("b.toml");
        Files.writeString(confA, Configs.daemon(a, "a.status", "off", metricsKey(metricsA))
                + Configs.peer("gw-b", a, b, PSK, true, "10.1.0.0/16", "10.2.0.0/16"));
        Files.writeString(confB, Configs.daemon(b, "b.status", "off", metricsKey(metricsB))
                + Configs.peer("gw-a", b, a, PSK, false, "10.2.0.0/16", "10.1.0.0/16"));

        try (DaemonProcess responder = DaemonProcess.start("b", confB, dir.resolve("b.status"));
                DaemonProcess initiator = DaemonProcess.start("a", confA, dir.resolve("a.status"))) {
            assertTrue(initiator.awaitStatus(t -> t.esp().size() == 2, NEGOTIATION),
                    "no tunnel" + TwoDaemonsIT.logs(initiator, responder));
            for (URI m : new URI[] {metricsA, metricsB}) {
                Map<String, Double> up = await(m, v -> v.getOrDefault("isakmpd_ipsec_sas", -1.0) == 2
                        && v.getOrDefault("isakmpd_isakmp_sas{state=\"established\"}", -1.0) == 1);
                assertEquals(0.0, up.get("isakmpd_isakmp_sas{state=\"negotiating\"}"), m + ": " + up);
                assertEquals(0.0, up.get("isakmpd_half_open"), m + ": " + up);
                assertEquals(1.0, up.get("isakmpd_handshakes_total{exchange=\"main-mode\",notify=\"\","
                        + "outcome=\"established\"}"), m + ": " + up);
                assertEquals(1.0, up.get("isakmpd_handshakes_total{exchange=\"quick-mode\",notify=\"\","
                        + "outcome=\"established\"}"), m + ": " + up);
                assertEquals(1.0, up.get("isakmpd_handshake_duration_seconds_count{exchange=\"main-mode\"}"),
                        m + ": " + up);
                assertEquals(1.0, up.get("isakmpd_handshake_duration_seconds_count{exchange=\"quick-mode\"}"),
                        m + ": " + up);
                assertEquals(1.0, up.get("isakmpd_handshake_duration_seconds_bucket{exchange=\"main-mode\","
                        + "le=\"+Inf\"}"), m + ": " + up);
                assertEquals(0.0, up.getOrDefault("isakmpd_retransmits_total", 0.0), m + ": " + up);
            }
            // bound to the configured address only: A's endpoint is not on 127.0.0.2
            URI elsewhere = URI.create("http://127.0.0.2:" + metricsA.getPort() + "/metrics");
            assertThrows(ConnectException.class, () -> scrape(elsewhere));

            assertEquals(0, initiator.terminate(EXIT), TwoDaemonsIT.logs(initiator, responder));
            Map<String, Double> down = await(metricsB, v -> v.getOrDefault("isakmpd_ipsec_sas", -1.0) == 0
                    && v.getOrDefault("isakmpd_isakmp_sas{state=\"established\"}", -1.0) == 0);
            // one for the Delete of the IPsec SA pair, one for that of the ISAKMP SA
            assertEquals(2.0, down.get("isakmpd_peer_events_total{event=\"closed-by-peer\"}"), down.toString());
            assertEquals(0, responder.terminate(EXIT), TwoDaemonsIT.logs(responder));
        }
    }

    private static String metricsKey(URI u) {
        return "metrics = \"" + u.getHost() + ":" + u.getPort() + "\"\n";
    }

    /** Scrapes until {@code condition} holds (the SA gauges follow the table published once a second). */
    private static Map<String, Double> await(URI uri, Predicate<Map<String, Double>> condition) throws Exception {
        Instant deadline = Instant.now().plusSeconds(20);
        Map<String, Double> v = Map.of();
        while (Instant.now().isBefore(deadline)) {
            try {
                v = scrape(uri);
                if (condition.test(v)) {
                    return v;
                }
            } catch (ConnectException e) {
                // not serving yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError(uri + " never showed the expected values: " + v);
    }

    /** One scrape: each sample line "name{labels} value" as a map (label order as the exporter writes it). */
    private static Map<String, Double> scrape(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                r.headers().toString());
        Map<String, Double> out = new HashMap<>();
        for (String line : r.body().split("\n")) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                int space = line.lastIndexOf(' ');
                out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return out;
    }
}
