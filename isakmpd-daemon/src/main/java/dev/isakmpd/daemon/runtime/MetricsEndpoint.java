package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.exchange.IsakmpSaInfo;
import dev.isakmpd.daemon.Endpoints;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The Prometheus endpoint (daemon.metrics, off by default): text format on
 * http://ADDRESS:PORT/metrics, served by the Prometheus Java client on its own threads. Nothing is
 * counted twice: counters are read through callbacks from {@link Stats} (what isakmpctl stats
 * shows), and SA gauges from the SA table the event loop publishes at most once per second, so a
 * scrape costs the loop nothing and a datagram costs nothing extra. Only the handshake latency
 * histograms are filled as exchanges are established.
 */
final class MetricsEndpoint implements Closeable {
    /** Seconds; a Main Mode over a LAN takes milliseconds, one that retransmits tens of seconds. */
    private static final double[] LATENCY_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    private final HTTPServer server;
    private final InetSocketAddress address;

    private MetricsEndpoint(HTTPServer server, InetSocketAddress address) {
        this.server = server;
        this.address = address;
    }

    /**
     * Registers the metrics and starts serving them at {@code address}.
     *
     * @param sas the SA table as last published (safe to read from any thread)
     * @throws IOException naming the endpoint and the key, when it cannot be bound
     */
    static MetricsEndpoint start(InetSocketAddress address, Supplier<DaemonStatus> sas, Stats stats)
            throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        register(registry, sas, stats);
        try {
            HTTPServer server = HTTPServer.builder().inetAddress(address.getAddress()).port(address.getPort())
                    .registry(registry).buildAndStart();
            return new MetricsEndpoint(server, new InetSocketAddress(address.getAddress(), server.getPort()));
        } catch (IOException e) {
            throw new IOException("cannot serve metrics on " + Endpoints.format(address) + " (daemon.metrics): "
                    + e.getMessage(), e);
        }
    }

    static void register(PrometheusRegistry registry, Supplier<DaemonStatus> sas, Stats stats) {
        GaugeWithCallback.builder().name("isakmpd_isakmp_sas").help("ISAKMP SAs, by state")
                .labelNames("state").callback(cb -> {
                    List<IsakmpSaInfo> isakmp = sas.get().isakmp();
                    long established = isakmp.stream().filter(s -> s.state().equals("ESTABLISHED")).count();
                    cb.call(established, "established");
                    cb.call(isakmp.size() - established, "negotiating");
                }).register(registry);
        GaugeWithCallback.builder().name("isakmpd_ipsec_sas").help("IPsec SAs installed (each direction is one)")
                .callback(cb -> cb.call(sas.get().esp().size())).register(registry);
        GaugeWithCallback.builder().name("isakmpd_half_open")
                .help("responder Main Modes waiting for the initiator's next message")
                .callback(cb -> cb.call(ControlCommands.halfOpen(sas.get().isakmp()))).register(registry);
        CounterWithCallback.builder().name("isakmpd_handshakes").help("ended exchanges by outcome "
                + "(main-mode: phase 1, Aggressive Mode included); notify: the one a failure named")
                .labelNames("exchange", "outcome", "notify").callback(cb -> {
                    for (Map.Entry<String, Long> e : stats.snapshot().handshakes().entrySet()) {
                        String[] k = e.getKey().split("\\.", 3);
                        cb.call(e.getValue(), k[0], k[1], k.length > 2 ? k[2] : "");
                    }
                }).register(registry);
        CounterWithCallback.builder().name("isakmpd_retransmits").help("messages we sent again on our own timer")
                .callback(cb -> cb.call(stats.snapshot().retransmits())).register(registry);
        CounterWithCallback.builder().name("isakmpd_duplicates_answered")
                .help("peer retransmissions answered with our cached reply")
                .callback(cb -> cb.call(stats.snapshot().duplicatesAnswered())).register(registry);
        CounterWithCallback.builder().name("isakmpd_drops").help("datagrams and messages dropped, by cause")
                .labelNames("cause").callback(cb -> stats.snapshot().drops().forEach((cause, n) -> cb.call(n, cause)))
                .register(registry);
        CounterWithCallback.builder().name("isakmpd_peer_events")
                .help("what happened to peers' SAs: dead (Dead Peer Detection), closed-by-peer, gave-up, established")
                .labelNames("event").callback(cb -> stats.snapshot().peerEvents().forEach((ev, n) -> cb.call(n, ev)))
                .register(registry);
        Histogram latency = Histogram.builder().name("isakmpd_handshake_duration_seconds")
                .help("from the first message to the established SA: main-mode (phase 1) and quick-mode")
                .labelNames("exchange").classicOnly().classicUpperBounds(LATENCY_BUCKETS).register(registry);
        stats.onLatency((exchange, seconds) -> latency.labelValues(exchange).observe(seconds));
    }

    /** Where it listens (the port the kernel chose, for port 0). */
    InetSocketAddress address() {
        return address;
    }

    @Override
    public void close() {
        server.close();
    }
}
