package dev.isakmpd.daemon.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isakmpd.core.exchange.Action;
import dev.isakmpd.core.exchange.IsakmpSaInfo;
import dev.isakmpd.core.kernel.InMemoryKernel;
import dev.isakmpd.core.sa.IpsecSa;
import java.nio.file.Files;
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
        p.refresh(List.of(negotiating), false);
        assertEquals(expected(List.of(negotiating), kernel.list(), installed), StatusFile.read(file));

        // the same ISAKMP SA in another state, an ESP SA we now know the install time of, a new one
        IsakmpSaInfo established = StatusFileTest.isakmp();
        installed.put(DaemonStatus.key(in), Instant.parse("2026-01-02T03:04:05Z"));
        kernel.install(out);
        p.refresh(List.of(established), false);
        assertEquals(expected(List.of(established), kernel.list(), installed), StatusFile.read(file));

        kernel.delete(in);
        p.refresh(List.of(), false);
        assertEquals(expected(List.of(), kernel.list(), installed), StatusFile.read(file));
    }

    /**
     * An HA standby's file counts its ESP SAs instead of a line each; the listing others read stays
     * whole, and the install times exact, also for an SA the kernel dropped by itself.
     */
    @Test
    void aStandbysFileCountsItsEspSas() throws Exception {
        Path file = dir.resolve("status");
        InMemoryKernel kernel = new InMemoryKernel();
        Clock clock = Clock.fixed(Instant.parse("2026-12-07T19:00:00Z"), ZoneOffset.UTC);
        ActionExecutor executor = new ActionExecutor(null, kernel, clock);
        StatusPublisher p = new StatusPublisher(Optional.of(file), kernel, executor::installTimes, clock);
        p.start();
        IpsecSa in = StatusFileTest.esp(IpsecSa.Direction.IN, 0x101, "127.0.0.2", "127.0.0.1");
        IpsecSa other = StatusFileTest.esp(IpsecSa.Direction.IN, 0x102, "127.0.0.2", "127.0.0.1");
        executor.execute(List.of(new Action.InstallSa(in), new Action.InstallSa(other)));
        p.refresh(List.of(), true);
        assertEquals(List.of("# HA standby: 2 ESP SA(s) in the kernel, the inbound SAs of the active's IPsec SA"
                + " pairs; isakmpctl list-sas lists them"), Files.readAllLines(file).subList(1, 2));
        assertEquals(0, StatusFile.read(file).esp().size());
        assertEquals(List.of(in, other), p.current().esp());
        Map<String, Instant> both = Map.of(DaemonStatus.key(in), clock.instant(), DaemonStatus.key(other),
                clock.instant());
        assertEquals(both, p.current().installed());

        kernel.delete(in); // its lifetime ran out in the kernel, without our delete
        p.refresh(List.of(), false);
        Map<String, Instant> left = Map.of(DaemonStatus.key(other), clock.instant());
        assertEquals(left, p.current().installed());
        assertEquals(expected(List.of(), List.of(other), left), StatusFile.read(file));
        executor.execute(List.of(new Action.DeleteSa(other)));
        p.refresh(List.of(), true);
        assertEquals(Map.of(), p.current().installed());
        assertEquals(List.of("# HA standby: 0 ESP SA(s) in the kernel, the inbound SAs of the active's IPsec SA"
                + " pairs; isakmpctl list-sas lists them"), Files.readAllLines(file).subList(1, 2));
    }

    private static IsakmpSaInfo withState(IsakmpSaInfo i, String state) {
        return new IsakmpSaInfo(i.peer(), i.role(), i.local(), i.remote(), i.initiatorCookie(), i.responderCookie(),
                i.proposal(), state, i.established(), i.lifetime());
    }

    private static StatusFile.Table expected(List<IsakmpSaInfo> isakmp, List<IpsecSa> esp, Map<String, Instant> at) {
        return StatusFile.of(isakmp, esp, sa -> Optional.ofNullable(at.get(DaemonStatus.key(sa))));
    }
}
