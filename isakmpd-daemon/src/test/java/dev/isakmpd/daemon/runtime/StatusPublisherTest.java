package dev.isakmpd.daemon.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isakmpd.core.exchange.IsakmpSaInfo;
import dev.isakmpd.core.kernel.InMemoryKernel;
import dev.isakmpd.core.sa.IpsecSa;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The status file keeps the lines of unchanged SAs from one refresh to the next: it must still show every change. */
class StatusPublisherTest {
    @TempDir
    Path dir;

    @Test
    void everyRefreshWritesTheTableAsItIsNow() throws Exception {
        Path file = dir.resolve("status");
        InMemoryKernel kernel = new InMemoryKernel();
        Map<String, Instant> installed = new HashMap<>();
        StatusPublisher p = new StatusPublisher(Optional.of(file), kernel, esp -> Map.copyOf(installed),
                Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
        p.start();
        IsakmpSaInfo negotiating = withState(StatusFileTest.isakmp(), "negotiating");
        IpsecSa in = StatusFileTest.esp(IpsecSa.Direction.IN, 0x101, "127.0.0.2", "127.0.0.1");
        IpsecSa out = StatusFileTest.esp(IpsecSa.Direction.OUT, 0xfffffffe, "127.0.0.1", "127.0.0.2");
        kernel.install(in);
        p.refresh(List.of(negotiating));
        assertEquals(expected(List.of(negotiating), kernel.list(), installed), StatusFile.read(file));

        // the same ISAKMP SA in another state, an ESP SA we now know the install time of, a new one
        IsakmpSaInfo established = StatusFileTest.isakmp();
        installed.put(DaemonStatus.key(in), Instant.parse("2026-01-02T03:04:05Z"));
        kernel.install(out);
        p.refresh(List.of(established));
        assertEquals(expected(List.of(established), kernel.list(), installed), StatusFile.read(file));

        kernel.delete(in);
        p.refresh(List.of());
        assertEquals(expected(List.of(), kernel.list(), installed), StatusFile.read(file));
    }

    private static IsakmpSaInfo withState(IsakmpSaInfo i, String state) {
        return new IsakmpSaInfo(i.peer(), i.role(), i.local(), i.remote(), i.initiatorCookie(), i.responderCookie(),
                i.proposal(), state, i.established(), i.lifetime());
    }

    private static StatusFile.Table expected(List<IsakmpSaInfo> isakmp, List<IpsecSa> esp, Map<String, Instant> at) {
        return StatusFile.of(isakmp, esp, sa -> Optional.ofNullable(at.get(DaemonStatus.key(sa))));
    }
}
