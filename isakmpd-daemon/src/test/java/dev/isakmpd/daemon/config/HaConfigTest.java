package dev.isakmpd.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HaConfigTest {
    private static final String KEY = "0f3a9c1be4d27a8e5b6c0d1f2e3a4b5c";
    private static final String HA = """

            [ha]
            mode = "active-standby"
            node = "gw-a"
            sync-link = ["203.0.113.1", "203.0.113.2:7900"]
            key-file = "ha.key"
            keepalived-fifo = "/run/keepalived/notify"
            track-file = "/run/isakmpd/vrrp-weight"
            """;

    @TempDir
    Path dir;
    private Path key;

    @BeforeEach
    void keyFile() throws Exception {
        key = dir.resolve("ha.key");
        Files.writeString(key, KEY + "\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void activeStandbyWithDefaults() throws Exception {
        DaemonConfig c = load(ConfigLoaderTest.VALID + HA);
        HaSettings ha = c.ha().orElseThrow();
        assertEquals("gw-a", ha.node());
        assertEquals(new InetSocketAddress("203.0.113.1", 7800), ha.syncLocal());
        assertEquals(List.of(new InetSocketAddress("203.0.113.2", 7900)), ha.syncPeers());
        assertEquals(key, ha.keyFile());
        assertEquals(KEY.length(), ha.key().length());
        assertEquals(Path.of("/run/keepalived/notify"), ha.keepalivedFifo());
        assertEquals(Path.of("/run/isakmpd/vrrp-weight"), ha.trackFile());
        assertEquals(1024, ha.replayThreshold());
        assertEquals(Duration.ofSeconds(1), ha.replayInterval());
        assertEquals(1_000_000, ha.peakPps());
        assertEquals(Duration.ofSeconds(60), ha.takeoverRekeySpread());
        assertTrue(ha.syncCounters());
        assertEquals(List.of(), c.warnings());
        assertFalse(ha.toString().contains(KEY), "the key stays out of toString");
    }

    @Test
    void tuningKeys() throws Exception {
        HaSettings ha = load(ConfigLoaderTest.VALID + HA + """
                replay-threshold = 256
                replay-interval = "200ms"
                peak-pps = 50000
                takeover-rekey-spread = "2m"
                sync-counters = false
                """).ha().orElseThrow();
        assertEquals(256, ha.replayThreshold());
        assertEquals(Duration.ofMillis(200), ha.replayInterval());
        assertEquals(50_000, ha.peakPps());
        assertEquals(Duration.ofMinutes(2), ha.takeoverRekeySpread());
        assertFalse(ha.syncCounters());
    }

    @Test
    void offOrAbsentMeansNoHa() throws Exception {
        assertTrue(load(ConfigLoaderTest.VALID).ha().isEmpty());
        DaemonConfig off = load(ConfigLoaderTest.VALID + "\n[ha]\nmode = \"off\"\nnode = \"gw-a\"\n");
        assertTrue(off.ha().isEmpty());
        assertEquals(List.of(conf() + ":27: ha.node: has no effect with mode = \"off\""), off.warnings());
    }

    @Test
    void everyErrorNamesFileLineAndKey() throws Exception {
        assertErrors(HA.replace("active-standby", "active-active"),
                ":26: ha.mode: unknown mode 'active-active' (known: off, active-standby)");
        assertErrors(HA.replace("node = \"gw-a\"", "node = \"gw a\""),
                ":27: ha.node: must be 1 to 64 letters, digits, '.', '_' or '-'");
        assertErrors(HA.replace("node = \"gw-a\"\n", ""), ":25: ha.node: required key is missing");
        assertErrors(HA.replace("\"203.0.113.1\", ", ""),
                ":28: ha.sync-link: needs this node's address, then the other node's");
        assertErrors(HA.replace("\"203.0.113.1\"", "\"0.0.0.0\""),
                ":28: ha.sync-link[0]: must be a unicast address of the sync link, not 0.0.0.0: replication binds to "
                        + "that link only");
        assertErrors(HA.replace("203.0.113.2:7900", "203.0.113.1:7800"), ":28: ha.sync-link[1]: appears twice");
        assertErrors(HA.replace("7900", "65500"),
                ":28: ha.sync-link[1]: port must be at most 65435 (the failure detector uses port + 100)");
        assertErrors(HA.replace("keepalived-fifo", "keepalived-fif0"), ":30: ha.keepalived-fif0: unknown key");
        assertErrors(HA + "replay-threshold = 0\n", ":32: ha.replay-threshold: must be between 1 and 2147483647, "
                + "got 0");
        assertErrors(HA + "replay-interval = \"soon\"\n", ":32: ha.replay-interval: bad duration 'soon'");
        assertErrors(HA + "replay-interval = \"50ms\"\n", ":32: ha.replay-interval: must be at least 100 ms (the "
                + "kernel's counter timer counts in tenths of a second)");
        assertErrors(HA + "sync-counters = \"no\"\n", ":32: ha.sync-counters: ");
        assertErrors(HA.replace("ha.key", "missing.key"),
                ":29: ha.key-file: cannot read key-file " + dir.resolve("missing.key") + ": no such file");
    }

    @Test
    void shortOrWorldReadableKey() throws Exception {
        Files.writeString(key, "too short\n");
        assertErrors(HA, ":29: ha.key-file: key-file " + key + " holds 9 bytes, at least 16 are needed");
        Files.writeString(key, KEY + "\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        List<String> w = load(ConfigLoaderTest.VALID + HA).warnings();
        assertEquals(List.of(conf() + ":29: ha.key-file: key-file " + key + " is readable by every user; chmod 600 it"),
                w);
    }

    @Test
    void takeoverMarginIsTheLargerOfTwoThresholdsAndPeakRateTimesReportDelay() throws Exception {
        HaSettings ha = load(ConfigLoaderTest.VALID + HA + "peak-pps = 200\n").ha().orElseThrow();
        assertEquals(2048, ha.takeoverMargin(Duration.ofMillis(50)), "200 pps * 1.05 s = 210 < 2 * 1024");
        HaSettings fast = load(ConfigLoaderTest.VALID + HA + "peak-pps = 100000\n").ha().orElseThrow();
        assertEquals(105_000, fast.takeoverMargin(Duration.ofMillis(50)));
    }

    private void assertErrors(String ha, String expected) throws Exception {
        write(ConfigLoaderTest.VALID + ha);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(conf()));
        String prefix = conf() + expected;
        assertTrue(e.errors().stream().anyMatch(m -> m.startsWith(prefix)),
                "expected an error starting\n  " + prefix + "\ngot\n  " + String.join("\n  ", e.errors()));
    }

    private DaemonConfig load(String text) throws Exception {
        write(text);
        return ConfigLoader.load(conf());
    }

    /** Mode 600, as VALID holds an inline psk. */
    private void write(String text) throws Exception {
        Files.writeString(conf(), text);
        Files.setPosixFilePermissions(conf(), PosixFilePermissions.fromString("rw-------"));
    }

    private Path conf() {
        return dir.resolve("isakmpd.toml");
    }
}
