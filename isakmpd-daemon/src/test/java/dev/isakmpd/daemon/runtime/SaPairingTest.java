package dev.isakmpd.daemon.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.daemon.runtime.StatusFile.EspEntry;
import dev.isakmpd.daemon.runtime.StatusFile.Table;
import java.util.List;
import org.junit.jupiter.api.Test;

class SaPairingTest {
    static EspEntry sa(String dir, String spi, String src, String dst, String encFp) {
        return new EspEntry("p", "net", dir, spi, src, dst, "aes128-sha1", 3600, encFp, "aaaaaaaa", "-", "-");
    }

    static final Table A = new Table(List.of(), List.of(
            sa("in", "00001000", "127.0.0.2", "127.0.0.1", "11111111"),
            sa("out", "00002000", "127.0.0.1", "127.0.0.2", "22222222")));

    @Test
    void matchingTablesPairUp() {
        Table b = new Table(List.of(), List.of(
                sa("in", "00002000", "127.0.0.1", "127.0.0.2", "22222222"),
                sa("out", "00001000", "127.0.0.2", "127.0.0.1", "11111111")));
        assertEquals(List.of(), SaPairing.mismatches("a", A, "b", b));
    }

    @Test
    void differencesAreNamed() {
        Table b = new Table(List.of(), List.of(
                sa("in", "00002000", "127.0.0.1", "127.0.0.2", "33333333"),
                sa("out", "00009999", "127.0.0.2", "127.0.0.1", "11111111")));
        List<String> m = SaPairing.mismatches("a", A, "b", b);
        assertEquals(2, m.size(), m.toString());
        assertTrue(m.get(0).contains("encryption key fingerprint differ"), m.get(0));
        assertTrue(m.get(1).contains("a has no inbound SA for b's outbound spi=00009999"), m.get(1));
    }

    @Test
    void aMissingDirectionIsAMismatch() {
        assertEquals(List.of("b has no inbound SA for a's outbound spi=00002000", "b has no outbound ESP SA"),
                SaPairing.mismatches("a", A, "b", new Table(List.of(), List.of())));
    }
}
