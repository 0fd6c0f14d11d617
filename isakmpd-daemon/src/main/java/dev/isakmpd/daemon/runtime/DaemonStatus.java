package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.exchange.IsakmpSaInfo;
import dev.isakmpd.core.sa.IpsecSa;
import java.util.List;

/** What one daemon holds at one moment: its ISAKMP SAs and the ESP SAs in its kernel. */
public record DaemonStatus(List<IsakmpSaInfo> isakmp, List<IpsecSa> esp) {

    static final DaemonStatus EMPTY = new DaemonStatus(List.of(), List.of());

    public DaemonStatus {
        isakmp = List.copyOf(isakmp);
        esp = List.copyOf(esp);
    }

    public StatusFile.Table table() {
        return StatusFile.of(isakmp, esp);
    }
}
