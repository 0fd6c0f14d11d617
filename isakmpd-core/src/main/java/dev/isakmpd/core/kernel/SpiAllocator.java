package dev.isakmpd.core.kernel;

import dev.isakmpd.core.registry.ProtocolId;
import java.net.InetAddress;

/** SADB_GETSPI: reserves an inbound SPI for an SA from {@code source} to {@code destination}. */
@FunctionalInterface
public interface SpiAllocator {
    int allocateSpi(InetAddress source, InetAddress destination) throws KernelException;

    /** RFC 3173 s4.1: CPIs 0..255 are reserved, 61440..65535 for private use; we negotiate from this range. */
    int CPI_MIN = 0x100;
    int CPI_MAX = 0xefff;

    /**
     * An inbound SPI for AH or ESP, or a CPI (in {@link #CPI_MIN}..{@link #CPI_MAX}) for IPComp.
     * Here for back-ends without a per-protocol space: the CPI is drawn from a fresh SPI.
     */
    default int allocateSpi(ProtocolId protocol, InetAddress source, InetAddress destination) throws KernelException {
        int spi = allocateSpi(source, destination);
        return protocol.equals(ProtocolId.IPCOMP) ? CPI_MIN + Integer.remainderUnsigned(spi, CPI_MAX - CPI_MIN + 1) : spi;
    }
}
