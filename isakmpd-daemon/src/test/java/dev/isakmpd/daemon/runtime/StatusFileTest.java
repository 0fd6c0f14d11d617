package dev.isakmpd.daemon.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.exchange.IsakmpSaInfo;
import dev.isakmpd.core.policy.EspCipher;
import dev.isakmpd.core.policy.EspIntegrity;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.oakley.SecretBytes;
import dev.isakmpd.daemon.runtime.StatusFile.EspEntry;
import dev.isakmpd.daemon.runtime.StatusFile.IsakmpEntry;
import dev.isakmpd.daemon.runtime.StatusFile.Table;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusFileTest {
    static final byte[] ENC_KEY = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");
    static final byte[] AUTH_KEY = HexFormat.of().parseHex("101112131415161718191a1b1c1d1e1f20212223");

    @TempDir
    Path dir;

    static IsakmpSaInfo isakmp() {
        return new IsakmpSaInfo("gw-b", IsakmpSaInfo.Role.INITIATOR, new InetSocketAddress("127.0.0.1", 500),
                new InetSocketAddress("127.0.0.2", 500), "0123456789ABCDEF", "fedcba9876543210",
                "aes256-sha256-modp2048", "established", Instant.EPOCH, Duration.ofHours(8));
    }

    static IpsecSa esp(IpsecSa.Direction dir, int spi, String src, String dst) throws Exception {
        return new IpsecSa("gw-b", "net", dir, spi, InetAddress.getByName(src), InetAddress.getByName(dst),
                Subnet.parse("10.1.0.0/16"), Subnet.parse("10.2.0.0/16"), EspCipher.AES_CBC, 128,
                SecretBytes.copyOf(ENC_KEY), EspIntegrity.HMAC_SHA1, SecretBytes.copyOf(AUTH_KEY),
                Duration.ofHours(1), true);
    }

    @Test
    void linesAreExactlyTheDocumentedFormat() throws Exception {
        Table t = StatusFile.of(List.of(isakmp()), List.of(esp(IpsecSa.Direction.OUT, 0xc0ffee01, "127.0.0.1",
                "127.0.0.2")), sa -> Optional.of(Instant.parse("2026-01-02T03:04:05.678Z")));
        String encFp = SecretBytes.copyOf(ENC_KEY).fingerprint();
        String authFp = SecretBytes.copyOf(AUTH_KEY).fingerprint();
        assertEquals(List.of(
                "isakmp gw-b initiator 127.0.0.1:500 127.0.0.2:500 icookie=0123456789abcdef rcookie=fedcba9876543210"
                        + " aes256-sha256-modp2048 established established=1970-01-01T00:00:00Z"
                        + " expires=1970-01-01T08:00:00Z",
                "esp gw-b net out spi=c0ffee01 src=127.0.0.1 dst=127.0.0.2 aes128-sha1 lifetime=3600 enc-key-fp="
                        + encFp + " auth-key-fp=" + authFp + " installed=2026-01-02T03:04:05Z"
                        + " expires=2026-01-02T04:04:05Z"), t.lines());
        assertFalse(String.join("\n", t.lines()).contains(HexFormat.of().formatHex(ENC_KEY)));
    }

    @Test
    void roundTripThroughAFile() throws Exception {
        Table t = StatusFile.of(List.of(isakmp()), List.of(
                esp(IpsecSa.Direction.IN, 0x00000101, "127.0.0.2", "127.0.0.1"),
                esp(IpsecSa.Direction.OUT, 0xfffffffe, "127.0.0.1", "127.0.0.2")), sa -> Optional.empty());
        Path f = dir.resolve("sub/status");
        StatusFile.write(f, t, Instant.parse("2026-01-02T03:04:05Z"));
        assertEquals("# isakmpd status, updated 2026-01-02T03:04:05Z", Files.readAllLines(f).get(0));
        Table back = StatusFile.read(f);
        assertEquals(t, back);
        assertEquals(new IsakmpEntry("gw-b", "initiator", "127.0.0.1:500", "127.0.0.2:500", "0123456789abcdef",
                "fedcba9876543210", "aes256-sha256-modp2048", "established", "1970-01-01T00:00:00Z",
                "1970-01-01T08:00:00Z"), back.isakmp().get(0));
        assertEquals("-", back.esp().get(0).installed(), "not installed by us: unknown");
        EspEntry in = back.esp().get(0);
        assertEquals("00000101", in.spi());
        assertEquals(3600, in.lifetimeSeconds());
        assertEquals("fffffffe", back.esp().get(1).spi());
        try (var files = Files.list(f.getParent())) {
            assertEquals(List.of(f), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void rewritingReplacesTheTable() throws Exception {
        Path f = dir.resolve("status");
        StatusFile.write(f, StatusFile.of(List.of(isakmp()), List.of(), sa -> Optional.empty()), Instant.EPOCH);
        StatusFile.write(f, StatusFile.of(List.of(), List.of(), sa -> Optional.empty()), Instant.EPOCH);
        assertEquals(new Table(List.of(), List.of()), StatusFile.read(f));
        assertEquals(List.of("# isakmpd status, updated 1970-01-01T00:00:00Z"), Files.readAllLines(f));
    }

    @Test
    void malformedLinesAreRejected() {
        for (String bad : List.of("isakmp gw-b initiator 127.0.0.1:500 127.0.0.2:500 icookie=0123 rcookie=fedcba9876543210 p s",
                "esp gw-b net sideways spi=c0ffee01 src=a dst=b aes128-sha1 lifetime=3600 enc-key-fp=00 auth-key-fp=00",
                "ike whatever")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StatusFile.parse(List.of(bad)));
            assertTrue(e.getMessage().startsWith("status line 1 not understood"), e.getMessage());
        }
    }

    @Test
    void engineTextWithSpacesStaysOneField() {
        IsakmpSaInfo i = isakmp();
        IsakmpSaInfo spaced = new IsakmpSaInfo(i.peer(), i.role(), i.local(), i.remote(), i.initiatorCookie(),
                i.responderCookie(), i.proposal(), "QM idle", i.established(), i.lifetime());
        Table t = StatusFile.of(List.of(spaced), List.of(), sa -> Optional.empty());
        assertEquals("QM_idle", StatusFile.parse(t.lines()).isakmp().get(0).state());
    }
}
