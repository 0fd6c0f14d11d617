package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.exchange.IsakmpSaInfo;
import dev.isakmpd.core.sa.IpsecSa;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one daemon holds at one moment: its ISAKMP SAs and the ESP SAs in its kernel, with the
 * time we installed each (by {@link #key}), where we know it.
 */
public record DaemonStatus(List<IsakmpSaInfo> isakmp, List<IpsecSa> esp, Map<String, Instant> installed) {

    static final DaemonStatus EMPTY = new DaemonStatus(List.of(), List.of(), Map.of());

    public DaemonStatus {
        isakmp = List.copyOf(isakmp);
        esp = List.copyOf(esp);
        installed = Map.copyOf(installed);
    }

    /** An SA's identity in the kernel: destination and SPI. */
    static String key(IpsecSa sa) {
        return sa.destination().getHostAddress() + "/" + sa.spiHex();
    }

    public Optional<Instant> installedAt(IpsecSa sa) {
        return Optional.ofNullable(installed.get(key(sa)));
    }

    public StatusFile.Table table() {
        return StatusFile.of(isakmp, esp, this::installedAt);
    }
}
