package dev.isakmpd.daemon.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.exchange.Action;
import dev.isakmpd.core.exchange.Engine;
import dev.isakmpd.core.ha.HaRecord;
import dev.isakmpd.core.kernel.InMemoryKernel;
import dev.isakmpd.core.kernel.KernelEvent;
import dev.isakmpd.core.kernel.ReplayState;
import dev.isakmpd.core.policy.EspCipher;
import dev.isakmpd.core.policy.EspIntegrity;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.registry.ProtocolId;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.daemon.config.ConfigLoader;
import dev.isakmpd.daemon.config.DaemonConfig;
import dev.isakmpd.oakley.SecretBytes;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The daemon's side of the counter reports (issue 15 s4-s5): coalesced per SA; traffic on the
 * inbound SA of a taken-over pending pair makes the engine install its outbound SA; each report of
 * a held SA goes to the standby unless [ha] sync-counters is off.
 */
class CounterReportsTest {
    private static final String CONFIG = """
            [daemon]
            listen = ["198.51.100.10:500"]
            kernel = "memory"
            control-socket = "off"

            [peers.far]
            local = "198.51.100.10:500"
            remote = "203.0.113.7"
            psk = "a test secret"
            ike = ["aes128-sha256-modp2048"]
            auto = "add"

            [peers.far.tunnels.net]
            local-subnet = "10.1.0.0/16"
            remote-subnet = "10.2.0.0/16"
            esp = ["aes128-sha1"]
            """;
    private static final InetAddress US = address("198.51.100.10");
    private static final InetAddress PEER = address("203.0.113.7");
    private static final int IN_SPI = 0xc0de0001;
    private static final int OUT_SPI = 0xc0de0002;
    private static final long MARGIN = 2048;

    private Engine engine;
    private final Instant now = Instant.parse("2026-01-01T00:00:00Z");

    /** A standby's engine that took over one pending responder pair (QM2 sent, QM3 not seen). */
    @BeforeEach
    void takeOverAPendingPair() throws Exception {
        DaemonConfig config = ConfigLoader.parse(CONFIG, "t.toml", Path.of("/etc/isakmpd"));
        engine = new Engine(config.peers(), config.crypto().create(new SecureRandom(), false), new InMemoryKernel(),
                config.retransmit());
        engine.replication(Duration.ofMillis(200));
        HaRecord.IpsecPair pair = new HaRecord.IpsecPair(new HaRecord.CookiePair(new byte[8], new byte[8]), "far",
                null, sa(IpsecSa.Direction.IN, IN_SPI, PEER, US), sa(IpsecSa.Direction.OUT, OUT_SPI, US, PEER), false,
                true, false, now.plus(Duration.ofHours(1)).toEpochMilli(), 0);
        assertTrue(engine.applyReplica(pair, now).stream().anyMatch(Action.InstallSa.class::isInstance));
        List<Action> takeover = engine.takeover(now, MARGIN);
        assertTrue(takeover.stream().noneMatch(Action.InstallSa.class::isInstance), "pending: nothing to install");
    }

    @Test
    void trafficOnAPendingPairsInboundSaInstallsItsOutboundSa() {
        CounterReports reports = new CounterReports(engine, true);
        reports.add(report(IN_SPI, 0, 0));
        assertEquals(List.of(), reports.drain(now), "no traffic yet: the peer may not hold the pair");
        reports.add(report(IN_SPI, 0, 0));
        reports.add(report(IN_SPI, 7, 700));
        List<Action> done = reports.drain(now);
        assertEquals(List.of(OUT_SPI), done.stream().filter(Action.InstallSa.class::isInstance)
                .map(a -> ((Action.InstallSa) a).sa().spi()).toList(), "the outbound SA, once");
        assertEquals(List.of(MARGIN), done.stream().filter(Action.OutboundSequence.class::isInstance)
                .map(a -> ((Action.OutboundSequence) a).last()).toList());
        List<HaRecord.Counters> sent = replicated(done);
        assertEquals(1, sent.size(), "coalesced: the newest report of the SA only");
        assertEquals(7, sent.get(0).replay().inbound());
        assertTrue(reports.isEmpty());
        reports.add(report(IN_SPI, 9, 900));
        assertTrue(reports.drain(now).stream().noneMatch(Action.InstallSa.class::isInstance), "live already");
    }

    @Test
    void withoutCounterSyncNothingIsReplicatedButTrafficStillCounts() {
        CounterReports reports = new CounterReports(engine, false);
        reports.add(report(IN_SPI, 7, 700));
        List<Action> done = reports.drain(now);
        assertEquals(1, done.stream().filter(Action.InstallSa.class::isInstance).count());
        assertEquals(List.of(), replicated(done));
    }

    private static List<HaRecord.Counters> replicated(List<Action> actions) {
        return actions.stream().filter(a -> a instanceof Action.Replicate r && r.record() instanceof HaRecord.Counters)
                .map(a -> (HaRecord.Counters) ((Action.Replicate) a).record()).toList();
    }

    private static KernelEvent.Counters report(int spi, long seq, long bytes) {
        return new KernelEvent.Counters(US, spi, ProtocolId.IPSEC_ESP, new ReplayState(0, seq, seq == 0 ? 0 : 1), bytes,
                seq);
    }

    private static IpsecSa sa(IpsecSa.Direction direction, int spi, InetAddress source, InetAddress destination) {
        boolean in = direction == IpsecSa.Direction.IN;
        return new IpsecSa("far", "net", direction, spi, source, destination,
                Subnet.parse(in ? "10.2.0.0/16" : "10.1.0.0/16"), Subnet.parse(in ? "10.1.0.0/16" : "10.2.0.0/16"),
                EspCipher.AES_CBC, 128, SecretBytes.copyOf(new byte[16]), EspIntegrity.HMAC_SHA1,
                SecretBytes.copyOf(new byte[20]), Duration.ofHours(1), false);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
