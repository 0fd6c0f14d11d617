package dev.isakmpd.core.kernel;

import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.registry.ProtocolId;
import java.net.InetAddress;
import java.util.Optional;

/**
 * Something the kernel tells the daemon without being asked (PF_KEY SADB_ACQUIRE, SADB_EXPIRE;
 * XFRM's ACQUIRE, EXPIRE and, when asked for, NEWAE).
 */
public sealed interface KernelEvent {

    /**
     * Outbound traffic hit a policy that has no SA: negotiate one. {@code source}/{@code destination}
     * are the SA's (tunnel) endpoints; the selectors are those of the policy when the back-end knows
     * it (one it installed itself).
     */
    record Acquire(InetAddress source, InetAddress destination, Optional<Subnet> localSelector,
            Optional<Subnet> remoteSelector) implements KernelEvent {
    }

    /**
     * An SA reached a lifetime. Soft: time to rekey, the SA still works. Hard: the kernel has
     * removed it.
     */
    record Expire(InetAddress destination, int spi, boolean hard) implements KernelEvent {
        public String spiHex() {
            return String.format("%08x", spi);
        }
    }

    /**
     * An SA's sequence numbers moved (XFRM_MSG_NEWAE on XFRMNLGRP_AEVENTS, sent every so many packets
     * or after a quiet interval): what a standby gateway must know to take the SA over without
     * reusing a sequence number (RFC 4303 s3.3.3) or accepting a replay.
     */
    record Counters(InetAddress destination, int spi, ProtocolId protocol, ReplayState replay, long bytes,
            long packets) implements KernelEvent {
    }
}
